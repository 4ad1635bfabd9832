/* store_field — reach, cancel/approve/expire, CEK codes, INFO AREA, summaries, escalation (see store_field.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store-internal.h"
#include "store/store_field.h"

/* Each copy of announcement ?1 with the recipient's covered subscription (lowest code; "" when
 * they have none any more). */
#define REACH_ROWS \
	"r AS (SELECT o.id, o.number, o.status, o.escalated, coalesce((SELECT min(s.area) FROM subscribers b " \
	"JOIN subscriptions s ON s.subscriber_id = b.id, json_each(a.areas) j WHERE b.number = o.number AND " \
	"s.area >= j.value AND s.area < j.value || ':'), '') AS area FROM announcements a JOIN outbox o ON " \
	"o.announcement_id = a.id WHERE a.id = ?1) "

/* The rows of sql about announcement ?1; STORE_NOTFOUND when there is no such announcement. */
static enum store_status
about(struct store *st, const char *sql, int64_t id, store_row_cb cb, void *arg)
{
	int64_t	 n = st_value(st, 0, -1, "SELECT count(*) FROM announcements WHERE id = ?1", "I", id);

	if (n <= 0)
		return n < 0 ? STORE_ERROR : STORE_NOTFOUND;
	return st_list(st, sql, NULL, cb, arg, "I", id);
}

enum store_status
store_announcement_reach(struct store *st, int64_t id, store_row_cb cb, void *arg)
{
	/* counted once per village (v), then the districts and regencies roll up from those counts */
	return about(st, "WITH " REACH_ROWS ", "
	    "v AS (SELECT area AS code, count(*) AS targeted, sum(status = 'delivered') AS delivered, "
	    "sum(status = 'sent') AS sent, sum(status = 'failed') AS failed, sum(status = 'expired') AS expired, "
	    "sum(status IN ('queued', 'sending')) AS queued, sum(status = 'cancelled') AS cancelled, "
	    "sum(escalated) AS escalated FROM r GROUP BY area), "
	    "g AS (SELECT 1 AS lv, * FROM v UNION ALL "
	    "SELECT 2, CASE WHEN length(code) >= 6 THEN substr(code, 1, 6) ELSE code END AS c, sum(targeted), "
	    "sum(delivered), sum(sent), sum(failed), sum(expired), sum(queued), sum(cancelled), sum(escalated) "
	    "FROM v GROUP BY c UNION ALL "
	    "SELECT 3, CASE WHEN length(code) >= 4 THEN substr(code, 1, 4) ELSE code END AS c, sum(targeted), "
	    "sum(delivered), sum(sent), sum(failed), sum(expired), sum(queued), sum(cancelled), sum(escalated) "
	    "FROM v GROUP BY c) "
	    "SELECT CASE g.lv WHEN 1 THEN 'village' WHEN 2 THEN 'district' ELSE 'regency' END AS level, g.code, "
	    "CASE WHEN g.code = '' THEN '(no longer subscribed)' ELSE coalesce(ar.name, g.code) END AS name, "
	    "g.targeted, g.delivered, g.sent, g.failed, g.expired, g.queued, g.cancelled, g.escalated "
	    "FROM g LEFT JOIN areas ar ON ar.code = g.code "
	    "ORDER BY g.lv, CAST(g.delivered AS REAL) / g.targeted, g.targeted DESC, g.code", id, cb, arg);
}

enum store_status
store_announcement_undelivered(struct store *st, int64_t id, store_row_cb cb, void *arg)
{
	return about(st, "WITH " REACH_ROWS
	    "SELECT substr(r.number, 1, 6) || '****' || substr(r.number, -4) AS number, r.area AS code, "
	    "CASE WHEN r.area = '' THEN '(no longer subscribed)' ELSE coalesce(ar.name, r.area) END AS name, "
	    "r.status, r.escalated FROM r LEFT JOIN areas ar ON ar.code = r.area WHERE r.status <> 'delivered' "
	    "ORDER BY r.area, r.id", id, cb, arg);
}

enum store_status
store_announcement_state(struct store *st, int64_t id, char state[16])
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT state FROM announcements WHERE id = ?1", "I", id);

	return st_get(st, stmt, "reading the announcement", "t", state, (size_t)16);
}

enum store_status
store_announcement_cancel(struct store *st, int64_t id, long *n)
{
	char			 state[16];
	enum store_status	 s;

	*n = 0;
	if ((s = store_announcement_state(st, id, state)) != STORE_OK)
		return s;
	if (strcmp(state, "active") != 0 && strcmp(state, "pending") != 0) {
		snprintf(st->errmsg, sizeof(st->errmsg), "announcement %lld is already %s", (long long)id, state);
		return STORE_INVALID;
	}
	if ((s = st_run(st, "cancelling the copies", "UPDATE outbox SET status = 'cancelled', last_error = "
	    "'announcement cancelled', updated_at = ?2 WHERE announcement_id = ?1 AND status = 'queued'", "II", id,
	    (int64_t)st_now())) != STORE_OK)
		return s;
	*n = sqlite3_changes(st->db);
	return st_run(st, "cancelling the announcement", "UPDATE announcements SET state = 'cancelled', "
	    "updated_at = ?2 WHERE id = ?1", "II", id, (int64_t)st_now());
}

enum store_status
store_announcements_pending(struct store *st, store_row_cb cb, void *arg)
{
	return st_list(st, "SELECT id, text, datetime(created_at, 'unixepoch', 'localtime') AS "
	    "created, coalesce(requested_by, source) AS requested_by, CASE approve_by WHEN 0 THEN NULL ELSE "
	    "datetime(approve_by, 'unixepoch', 'localtime') END AS approve_by, recipients, coalesce(code, '') AS "
	    "code FROM announcements WHERE state = 'pending' ORDER BY id", NULL, cb, arg, "");
}

/* Up to max ids from the first column of stmt's rows into ids; the count. */
static int
ids_of(sqlite3_stmt *stmt, int64_t *ids, int max)
{
	int	 n = 0;

	while (n < max && sqlite3_step(stmt) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return n;
}

enum store_status
store_announcement_expire_pending(struct store *st, time_t now, int64_t *ids, int max, int *n)
{
	sqlite3_stmt		*sel = st_prepf(st, "SELECT id FROM announcements WHERE state = 'pending' AND "
	    "approve_by > 0 AND approve_by <= ?1 ORDER BY id LIMIT ?2", "Ii", (int64_t)now, max);
	int			 i;
	enum store_status	 s;

	*n = 0;
	if (sel == NULL)
		return STORE_ERROR;
	*n = ids_of(sel, ids, max);
	for (i = 0; i < *n; i++)
		if ((s = st_run(st, "expiring an unapproved announcement", "UPDATE announcements SET state = "
		    "'expired', updated_at = ?2 WHERE id = ?1 AND state = 'pending'", "II", ids[i],
		    (int64_t)now)) != STORE_OK)
			return s;
	return STORE_OK;
}

int
store_announcement_code_used(struct store *st, const char *code)
{
	int64_t	 n = st_value(st, 0, -1, "SELECT count(*) FROM announcements WHERE code = ?1", "t", code);

	return n < 0 ? -1 : n > 0;
}

#define BRIEF_COLS "id, source, strftime('%Y-%m-%d %H:%M', created_at, 'unixepoch', 'localtime'), " \
	"coalesce(code, ''), state, coalesce(corrects, 0), coalesce(requested_by, source) FROM announcements "

static enum store_status
brief(struct store *st, sqlite3_stmt *stmt, struct store_ann_brief *b)
{
	memset(b, 0, sizeof(*b));
	return st_get(st, stmt, "reading an announcement", "IttttIt", &b->id, b->source, sizeof(b->source), b->created,
	    sizeof(b->created), b->code, sizeof(b->code), b->state, sizeof(b->state), &b->corrects, b->requested_by,
	    sizeof(b->requested_by));
}

enum store_status
store_announcement_by_code(struct store *st, const char *code, struct store_ann_brief *b)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT " BRIEF_COLS "WHERE code = ?1", "t", code);

	return stmt ? brief(st, stmt, b) : STORE_ERROR;
}

enum store_status
store_announcement_brief(struct store *st, int64_t id, struct store_ann_brief *b)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT " BRIEF_COLS "WHERE id = ?1", "I", id);

	return stmt ? brief(st, stmt, b) : STORE_ERROR;
}

enum store_status
store_announcements_since(struct store *st, time_t since, int limit, store_row_cb cb, void *arg)
{
	return st_list(st, "SELECT id, text, coalesce(code, '') AS code FROM announcements "
	    "WHERE created_at >= ?1 AND state = 'active' ORDER BY id DESC LIMIT ?2", NULL, cb, arg, "Ii",
	    (int64_t)since, limit);
}

enum store_status
store_latest_for_area(struct store *st, const char *area, int limit, store_row_cb cb, void *arg)
{
	return st_in_force(st, " WHERE (?1 >= j.value AND ?1 < j.value || ':') OR (j.value >= ?1 AND "
	    "j.value < ?1 || ':')", area, limit, cb, arg);
}

int
store_subscribed_near(struct store *st, const char *number, const char *area)
{
	return st_value(st, 0, 0, "SELECT count(*) FROM subscribers b JOIN subscriptions s ON "
	    "s.subscriber_id = b.id WHERE b.number = ?1 AND b.status = 'active' AND ((s.area >= ?2 AND "
	    "s.area < ?2 || ':') OR (?2 >= s.area AND ?2 < s.area || ':'))", "tt", number, area) > 0;
}

int
store_summaries_due(struct store *st, time_t now, long quiet_s, int64_t *ids, int max)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT a.id FROM announcements a WHERE a.state = 'active' AND "
	    "a.summary_at = 0 AND a.created_at > ?1 - 259200 AND a.recipients > 0 AND NOT EXISTS (SELECT 1 FROM "
	    "outbox o WHERE o.announcement_id = a.id AND o.status IN ('queued', 'sending')) AND coalesce((SELECT "
	    "max(o.sent_at) FROM outbox o WHERE o.announcement_id = a.id), 0) <= ?1 - ?2 ORDER BY a.id LIMIT ?3",
	    "IIi", (int64_t)now, (int64_t)quiet_s, max);

	return stmt ? ids_of(stmt, ids, max) : -1;
}

enum store_status
store_summary_rows(struct store *st, int64_t id, store_row_cb cb, void *arg)
{
	return st_list(st, "WITH " REACH_ROWS
	    "SELECT l.number AS leader, r.area AS code, coalesce(ar.name, r.area) AS name, count(*) AS targeted, "
	    "sum(r.status = 'delivered') AS delivered FROM r JOIN roles l ON l.role = 'leader' AND l.area = r.area "
	    "LEFT JOIN areas ar ON ar.code = r.area WHERE r.area <> '' GROUP BY l.number, r.area ORDER BY r.area",
	    NULL, cb, arg, "I", id);
}

enum store_status
store_summary_done(struct store *st, int64_t id, time_t now)
{
	return st_run(st, "marking the summary sent", "UPDATE announcements SET summary_at = ?2 WHERE id = ?1",
	    "II", id, (int64_t)now);
}

int
store_outbox_undelivered(struct store *st, time_t cutoff, time_t now, struct store_undelivered *out, int max)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT id, coalesce(modem, '') FROM outbox WHERE kind = "
	    "'announcement' AND escalated = 0 AND status IN ('sent', 'failed') AND sent_at IS NOT NULL AND "
	    "sent_at <= ?1 AND (expires_at = 0 OR expires_at > ?2) ORDER BY sent_at LIMIT ?3", "IIi",
	    (int64_t)cutoff, (int64_t)now, max);
	int		 n = 0;

	if (stmt == NULL)
		return -1;
	while (n < max && sqlite3_step(stmt) == SQLITE_ROW) {
		out[n].id = sqlite3_column_int64(stmt, 0);
		st_col_copy(out[n].modem, sizeof(out[n].modem), stmt, 1);
		n++;
	}
	sqlite3_reset(stmt);
	return n;
}

enum store_status
store_outbox_escalate(struct store *st, int64_t id, time_t now)
{
	return st_run(st, "escalating a message", "UPDATE outbox SET status = 'queued', escalated = 1, "
	    "not_before = ?2, last_error = CASE status WHEN 'failed' THEN 'delivery failed: escalated' ELSE "
	    "'no delivery report: escalated' END, updated_at = ?2 WHERE id = ?1 AND escalated = 0 AND status IN "
	    "('sent', 'failed')", "II", id, (int64_t)now);
}
