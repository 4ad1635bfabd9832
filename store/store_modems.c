/*
 * store_modems — the modem_counters table: messages per modem and day, and the totals since the
 * database was made (see store_modems.h).
 */
#include <stdio.h>
#include <string.h>

#include "store/store-internal.h"
#include "store/store_modems.h"

static struct store_modem_total *
total_for(struct store_modem_total *out, int *n, int max, const char *modem)
{
	int i;

	for (i = 0; i < *n; i++)
		if (strcmp(out[i].modem, modem) == 0)
			return &out[i];
	if (*n == max)
		return NULL;
	memset(&out[*n], 0, sizeof(out[*n]));
	snprintf(out[*n].modem, sizeof(out[*n].modem), "%s", modem);
	return &out[(*n)++];
}

int
store_modem_totals(struct store *st, struct store_modem_total *out, int max)
{
	sqlite3_stmt			*stmt;
	struct store_modem_total	*t;
	enum store_status		 s;
	int				 n = 0;

	stmt = st_prep(st, "SELECT modem, sum(sent), sum(received) FROM modem_counters GROUP BY modem ORDER BY modem");
	while ((s = st_row(st, stmt, "counting messages per modem")) == STORE_OK)
		if ((t = total_for(out, &n, max, (const char *)sqlite3_column_text(stmt, 0))) != NULL) {
			t->sent = (long)sqlite3_column_int64(stmt, 1);
			t->received = (long)sqlite3_column_int64(stmt, 2);
		}
	if (s != STORE_NOTFOUND)
		return -1;
	stmt = st_prep(st, "SELECT modem, count(*) FROM outbox WHERE status = 'failed' AND modem IS NOT NULL "
	    "GROUP BY modem");
	while ((s = st_row(st, stmt, "counting failed messages per modem")) == STORE_OK)
		if ((t = total_for(out, &n, max, (const char *)sqlite3_column_text(stmt, 0))) != NULL)
			t->failed = (long)sqlite3_column_int64(stmt, 1);
	return s == STORE_NOTFOUND ? n : -1;
}

enum store_status
store_modem_count(struct store *st, const char *modem, const char *day, long sent, long received)
{
	return st_run(st, "counting messages", "INSERT INTO modem_counters (modem, day, sent, received) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (modem, day) DO UPDATE SET sent = sent + excluded.sent, "
	    "received = received + excluded.received", "ttII", modem, day, (int64_t)sent, (int64_t)received);
}

enum store_status
store_modem_counts(struct store *st, const char *modem, const char *day, long *sent, long *received)
{
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT sent, received FROM modem_counters WHERE modem = ?1 "
	    "AND day = ?2", "tt", modem, day);
	enum store_status	 s;

	*sent = *received = 0;
	/* no row yet: nothing counted that day */
	s = st_get(st, stmt, "reading counters", "ll", sent, received);
	return s == STORE_NOTFOUND ? STORE_OK : s;
}
