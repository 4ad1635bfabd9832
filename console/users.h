/* users — the web console's accounts from the command line (see users.c). */
#ifndef CONSOLE_USERS_H
#define CONSOLE_USERS_H
#include <stddef.h>

#include "common/table.h"

struct store;

/* `users`, `user add NAME --role ROLE`, `user remove NAME` (argv[0] is "users" or "user"). Returns
 * the exit status. */
int	users_command(struct store *, int argc, char **argv, enum table_format);
#endif
