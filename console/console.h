/* console — shared state of the kentongan process and its multi-request commands. */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H
#include <stdio.h>

#include "common/table.h"

struct conf;

struct console {
	struct conf		*conf;
	enum table_format	 fmt;
	int			 fd;	/* connection to the daemon, -1 until the first request */
};

/* Sends argv to the daemon and copies its reply to out/err. Returns the command's exit status,
 * or 2 when the daemon is unreachable. */
int	console_request(struct console *, int argc, char **argv, FILE *out, FILE *err);
/* broadcast, with --wait's live progress. */
int	console_broadcast(struct console *, int argc, char **argv);
/* Prints the help of one command (or all); returns the exit status. */
int	console_help(int argc, char **argv);
#endif
