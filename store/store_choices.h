/*
 * store_choices — the pending_choices table: the numbered choice a number was offered (ambiguous
 * area names) and may answer with a digit. Used by the SMS router and USSD, in the daemon.
 */
#ifndef STORE_STORE_CHOICES_H
#define STORE_STORE_CHOICES_H
#include <time.h>

#include "store/store.h"

#define STORE_CHOICE_MAX	9
struct store_choice {
	char	 action[32];			/* subscribe, unsubscribe */
	char	 codes[STORE_CHOICE_MAX][16];
	int	 n;
};
/* Replaces number's pending choice. */
enum store_status store_choice_put(struct store *, const char *number, const char *action,
		    const char *const *codes, int n, time_t expires_at);
/* The pending choice of number still open at `now`; STORE_NOTFOUND none. */
enum store_status store_choice_get(struct store *, const char *number, time_t now, struct store_choice *);
enum store_status store_choice_clear(struct store *, const char *number);
#endif
