/*
 * store_ussd — what the HTTP endpoint (gateway/http.c: USSD callback, /metrics) reads from the
 * store beyond the shared listings: message totals per modem since the database was made.
 * Runs in the daemon. Read-only.
 */
#ifndef STORE_STORE_USSD_H
#define STORE_STORE_USSD_H
#include "store/store.h"

struct store_modem_total {
	char	 modem[72];
	long	 sent;		/* from the per-day counters */
	long	 received;
	long	 failed;	/* outbox rows that failed for good, last handed to this modem */
};
/* Up to max modems, by name; returns how many were written, -1 when the store failed. */
int	store_modem_totals(struct store *, struct store_modem_total *out, int max);
#endif
