/* store_messages — inbox and outbox listings and queue counts (the console's view). */
#include <string.h>

#include "store/store-internal.h"

enum store_status
store_list_inbox(struct store *st, time_t since, long limit, store_row_cb cb, void *arg)
{
	return store_list_inbox_opts(st, since, limit, 0, 0, cb, arg);
}

enum store_status
store_list_inbox_opts(struct store *st, time_t since, long limit, int raw, int64_t id, store_row_cb cb,
    void *arg)
{
	/* a message the modem could not decode holds its raw PDU as hex: said plainly unless asked */
	sqlite3_stmt *stmt = st_prep(st, "SELECT id, modem, CASE WHEN ?3 = 0 AND sender = '' AND "
	    "instr(flags, 'undecodable') THEN '?' ELSE sender END AS \"from\", "
	    "CASE WHEN ?3 = 0 AND instr(flags, 'undecodable') THEN printf('[undecodable: %d-byte PDU; "
	    "kentongan inbox %d shows it]', length(text) / 2, id) ELSE text END AS text, "
	    "datetime(received_at, 'unixepoch', 'localtime') AS received, action, coding, parts, flags "
	    "FROM inbox WHERE received_at >= ?1 AND (?4 = 0 OR id = ?4) ORDER BY id LIMIT ?2");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, since);
	sqlite3_bind_int64(stmt, 2, limit > 0 ? limit : -1);
	sqlite3_bind_int(stmt, 3, raw);
	sqlite3_bind_int64(stmt, 4, id);
	return st_emit(st, stmt, NULL, cb, arg);
}

enum store_status
store_list_outbox(struct store *st, const char *status, long limit, store_row_cb cb, void *arg)
{
	sqlite3_stmt *stmt = st_prep(st, "SELECT o.id, o.number AS \"to\", coalesce(o.text, a.text) AS text, "
	    "o.status, o.modem, o.attempts, o.announcement_id AS announcement, o.kind, "
	    "CASE o.priority WHEN 0 THEN 'alert' ELSE 'normal' END AS priority, o.segments, o.last_error, "
	    "datetime(o.created_at, 'unixepoch', 'localtime') AS created "
	    "FROM outbox o LEFT JOIN announcements a ON a.id = o.announcement_id "
	    "WHERE ?1 IS NULL OR o.status = ?1 ORDER BY o.id LIMIT ?2");

	if (stmt == NULL)
		return STORE_ERROR;
	st_bind_text(stmt, 1, status);
	sqlite3_bind_int64(stmt, 2, limit > 0 ? limit : -1);
	return st_emit(st, stmt, NULL, cb, arg);
}

enum store_status
store_queue_counts(struct store *st, struct store_queue_counts *c)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT status, priority, count(*) FROM outbox GROUP BY status, priority");
	int		 rc;

	memset(c, 0, sizeof(*c));
	if (stmt == NULL)
		return STORE_ERROR;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char	*s = (const char *)sqlite3_column_text(stmt, 0);
		long		 n = sqlite3_column_int64(stmt, 2);

		if (!strcmp(s, "queued")) {
			c->queued += n;
			if (sqlite3_column_int(stmt, 1) == 0)
				c->queued_alert += n;
		} else if (!strcmp(s, "sending"))
			c->sending += n;
		else if (!strcmp(s, "sent"))
			c->sent += n;
		else if (!strcmp(s, "delivered"))
			c->delivered += n;
		else if (!strcmp(s, "failed"))
			c->failed += n;
		else if (!strcmp(s, "expired"))
			c->expired += n;
		else if (!strcmp(s, "cancelled"))
			c->cancelled += n;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, "counting the queue");
	return STORE_OK;
}
