/*
 * store_modems — the modem_counters table: messages sent and received per modem and day, kept by
 * ingest, the scheduler and the modem code, and the totals since the database was made that
 * /metrics (gateway/http/http.c) reads. Runs in the daemon.
 */
#ifndef STORE_STORE_MODEMS_H
#define STORE_STORE_MODEMS_H
#include "store/store.h"

/* Adds to a modem's counters for day ("YYYY-MM-DD"). Its own statement; no transaction needed. */
enum store_status store_modem_count(struct store *, const char *modem, const char *day, long sent,
		    long received);
/* Reads a modem's counters for day (0 when there is no row). */
enum store_status store_modem_counts(struct store *, const char *modem, const char *day, long *sent,
		    long *received);

struct store_modem_total {
	char	 modem[72];
	long	 sent;		/* from the per-day counters */
	long	 received;
	long	 failed;	/* outbox rows that failed for good, last handed to this modem */
};
/* Up to max modems, by name; returns how many were written, -1 when the store failed. */
int	store_modem_totals(struct store *, struct store_modem_total *out, int max);
#endif
