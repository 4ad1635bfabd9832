/* store_outbox — the outbox table: the outgoing queue, delivery reports, KIM group messages, the
 * console's listing and counts (see store_outbox.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store-internal.h"
#include "store/store_field.h"
#include "store/store_outbox.h"

static const char *kind_names[] = { "reply", "confirm", "announcement", "kim", "manual" };

static enum outbox_kind
kind_from(const char *s)
{
	int	 i;

	for (i = 0; i < 5; i++)
		if (!strcmp(s, kind_names[i]))
			return (enum outbox_kind)i;
	return OUTBOX_MANUAL;
}

enum store_status
store_outbox_add(struct store *st, const struct store_outbox_new *m, int64_t *id)
{
	time_t			 now = st_now();
	enum store_status	 s;

	/* no inbox row (0) and no announcement (0) are NULL */
	s = st_run(st, "queueing a message", "INSERT INTO outbox (number, text, kind, priority, inbox_id, "
	    "announcement_id, not_before, expires_at, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), nullif(?6, 0), ?7, ?8, ?9, ?9)", "tttiIIIII", m->number, m->text,
	    kind_names[m->kind], m->priority, m->inbox_id, m->announcement_id,
	    (int64_t)(m->not_before ? m->not_before : now), (int64_t)m->expires_at, (int64_t)now);
	if (s == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return s;
}

long
store_outbox_replies_since(struct store *st, const char *number, time_t since)
{
	return (long)st_value(st, 0, 0, "SELECT count(*) FROM outbox WHERE number = ?1 AND created_at >= ?2 "
	    "AND kind IN ('reply', 'confirm')", "tI", number, (int64_t)since);
}

long
store_outbox_confirms_since(struct store *st, const char *number, time_t since)
{
	return (long)st_value(st, 0, 0, "SELECT count(*) FROM outbox WHERE number = ?1 AND created_at >= ?2 "
	    "AND kind = 'confirm'", "tI", number, (int64_t)since);
}

long
store_outbox_auto_replies_since(struct store *st, time_t since)
{
	return (long)st_value(st, 0, 0, "SELECT count(*) FROM outbox WHERE created_at >= ?1 "
	    "AND kind IN ('reply', 'confirm')", "I", (int64_t)since);
}

void
store_outbox_msg_clear(struct store_outbox_msg *m)
{
	free(m->text);
	memset(m, 0, sizeof(*m));
}

int
store_outbox_due(struct store *st, time_t now, const int64_t *skip, int nskip, struct store_outbox_msg *out,
    int max)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT o.id, o.number, coalesce(o.text, a.text), o.priority, "
	    "o.attempts, coalesce(o.modem, ''), coalesce(o.announcement_id, 0), o.kind, o.escalated FROM outbox o "
	    "LEFT JOIN announcements a ON a.id = o.announcement_id WHERE o.status = 'queued' AND o.not_before <= ?1 "
	    "AND (o.expires_at = 0 OR o.expires_at > ?1) ORDER BY o.priority, o.not_before, o.id LIMIT ?2", "Ii",
	    (int64_t)now, max + nskip);
	int		 n = 0, rc, i;

	if (stmt == NULL)
		return -1;
	while (n < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t			 id = sqlite3_column_int64(stmt, 0);
		struct store_outbox_msg	*m;

		for (i = 0; i < nskip; i++)
			if (skip[i] == id)
				break;
		if (i < nskip)
			continue;
		m = &out[n++];
		memset(m, 0, sizeof(*m));
		m->id = id;
		snprintf(m->number, sizeof(m->number), "%s", (const char *)sqlite3_column_text(stmt, 1));
		m->text = xstrdup(sqlite3_column_text(stmt, 2) ? (const char *)sqlite3_column_text(stmt, 2) : "");
		m->priority = sqlite3_column_int(stmt, 3);
		m->attempts = sqlite3_column_int(stmt, 4);
		snprintf(m->last_modem, sizeof(m->last_modem), "%s", (const char *)sqlite3_column_text(stmt, 5));
		m->announcement_id = sqlite3_column_int64(stmt, 6);
		m->kind = kind_from((const char *)sqlite3_column_text(stmt, 7));
		m->escalated = sqlite3_column_int(stmt, 8);
	}
	sqlite3_reset(stmt);
	return n;
}

time_t
store_outbox_next_due(struct store *st, time_t now)
{
	/* one index seek per priority on (priority, not_before): a plain min() over every queued row
	 * would walk the whole index, after every send, with a large queue */
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT min(coalesce((SELECT min(not_before) FROM outbox WHERE "
	    "status = 'queued' AND priority = 0 AND not_before > ?1), 9e18), coalesce((SELECT min(not_before) "
	    "FROM outbox WHERE status = 'queued' AND priority = 1 AND not_before > ?1), 9e18))", "I", (int64_t)now);
	time_t		 t = 0;

	if (stmt == NULL)
		return 0;
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_double(stmt, 0) < 9e18)
		t = (time_t)sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return t;
}

int
store_outbox_stopped(struct store *st, int64_t id)
{
	/* announcements, KIM and manual messages never go to a stopped number; a reply queued before
	 * the stop does not either; the confirmation of the stop itself does */
	if (st_run(st, "checking opt-out", "UPDATE outbox SET status = 'cancelled', last_error = 'recipient stopped', "
	    "updated_at = ?2 WHERE id = ?1 AND status = 'queued' AND kind <> 'confirm' AND EXISTS (SELECT 1 FROM "
	    "subscribers b WHERE b.number = outbox.number AND b.status = 'stopped' AND "
	    "(outbox.kind IN ('announcement', 'kim', 'manual') OR outbox.created_at < b.since))", "II", id,
	    (int64_t)st_now()) != STORE_OK)
		return 0;
	return sqlite3_changes(st->db) > 0;
}

enum store_status
store_outbox_claim(struct store *st, int64_t id, const char *modem)
{
	enum store_status s = st_run(st, "claiming a message", "UPDATE outbox SET status = 'sending', modem = ?2, "
	    "attempts = attempts + 1, updated_at = ?3 WHERE id = ?1 AND status = 'queued'", "ItI", id, modem,
	    (int64_t)st_now());

	if (s != STORE_OK)
		return s;
	return sqlite3_changes(st->db) ? STORE_OK : STORE_NOTFOUND;
}

enum store_status
store_outbox_sent(struct store *st, int64_t id, const char *refs, int segments)
{
	return st_run(st, "marking a message sent", "UPDATE outbox SET status = 'sent', refs = ?2, segments = ?3, "
	    "sent_at = ?4, updated_at = ?4, last_error = NULL WHERE id = ?1 AND status IN ('sending', 'queued')",
	    "ItiI", id, refs, segments, (int64_t)st_now());
}

enum store_status
store_outbox_retry(struct store *st, int64_t id, int retry, time_t not_before, const char *error)
{
	return st_run(st, "recording a failure", "UPDATE outbox SET status = CASE WHEN ?2 THEN 'queued' ELSE "
	    "'failed' END, not_before = ?3, last_error = ?4, updated_at = ?5 WHERE id = ?1 AND status = 'sending'",
	    "IiItI", id, retry, (int64_t)not_before, error, (int64_t)st_now());
}

int
store_outbox_attempts(struct store *st, int64_t id)
{
	return (int)st_value(st, 0, 0, "SELECT attempts FROM outbox WHERE id = ?1", "I", id);
}

enum store_status
store_outbox_requeue_sending(struct store *st, long *n)
{
	return st_changes(st, n, st_run(st, "requeueing", "UPDATE outbox SET status = 'queued', "
	    "last_error = 'requeued at start-up: was on a modem when the daemon stopped', updated_at = ?1 "
	    "WHERE status = 'sending'", "I", (int64_t)st_now()));
}

enum store_status
store_outbox_expire(struct store *st, time_t now, long *n)
{
	return st_changes(st, n, st_run(st, "expiring", "UPDATE outbox SET status = 'expired', updated_at = ?1 "
	    "WHERE status = 'queued' AND expires_at > 0 AND expires_at <= ?1", "I", (int64_t)now));
}

long
store_unknown_replies_since(struct store *st, const char *number, time_t since)
{
	return (long)st_value(st, 0, 0, "SELECT count(*) FROM outbox o JOIN inbox i ON i.id = o.inbox_id "
	    "WHERE o.number = ?1 AND o.created_at >= ?2 AND o.kind = 'reply' AND i.action LIKE 'unknown%'", "tI",
	    number, (int64_t)since);
}

enum store_status
store_kim_queue(struct store *st, const char *area, const char *except, const char *text, int64_t inbox_id,
    long *n)
{
	/* no inbox row (0) is NULL */
	return st_changes(st, n, st_run(st, "queueing a KIM message", "INSERT INTO outbox (number, text, kind, "
	    "priority, inbox_id, not_before, expires_at, created_at, updated_at) SELECT b.number, ?3, 'kim', 1, "
	    "nullif(?4, 0), ?5, 0, ?5, ?5 FROM subscribers b WHERE b.status = 'active' AND b.number <> ?2 AND b.id IN "
	    "(SELECT subscriber_id FROM subscriptions WHERE area >= ?1 AND area < ?1 || ':') ORDER BY b.id", "tttII",
	    area, except, text, inbox_id, (int64_t)st_now()));
}

/* The last 9 digits of a number, for matching a report's national or international form. */
static void
tail_digits(const char *in, char out[16])
{
	char	 d[64];
	size_t	 n = 0, l;

	for (; *in && n < sizeof(d) - 1; in++)
		if (*in >= '0' && *in <= '9')
			d[n++] = *in;
	d[n] = '\0';
	l = n > 9 ? n - 9 : 0;
	memcpy(out, d + l, n - l + 1);
}

enum store_status
store_outbox_delivery(struct store *st, const char *modem, const char *number, int reference, time_t at,
    int delivered, int64_t *outbox_id)
{
	sqlite3_stmt		*stmt;
	char			 ref[16], tail[16];
	int64_t			 id = 0;
	int			 pass;
	enum store_status	 s;

	if (outbox_id)
		*outbox_id = 0;
	snprintf(ref, sizeof(ref), "%d", reference);
	tail_digits(number, tail);
	if (strlen(tail) < 5)
		return STORE_NOTFOUND;
	/* exact E.164 first (indexed); then the last digits, for reports in national form */
	for (pass = 0; pass < 2 && id == 0; pass++) {
		stmt = st_prepf(st, pass == 0 ?
		    "SELECT id FROM outbox WHERE number = ?1 AND status IN ('sent', 'delivered') "
		    "AND (?2 IS NULL OR modem = ?2) AND sent_at BETWEEN ?3 - 259200 AND ?3 + 3600 "
		    "AND ',' || coalesce(refs, '') || ',' LIKE '%,' || ?4 || ',%' "
		    "ORDER BY sent_at DESC, id DESC LIMIT 1" :
		    "SELECT id FROM outbox WHERE substr(number, -9) = ?1 "
		    "AND status IN ('sent', 'delivered') "
		    "AND (?2 IS NULL OR modem = ?2) AND sent_at BETWEEN ?3 - 259200 AND ?3 + 3600 "
		    "AND ',' || coalesce(refs, '') || ',' LIKE '%,' || ?4 || ',%' "
		    "ORDER BY sent_at DESC, id DESC LIMIT 1", "ttIt", pass == 0 ? number : tail, modem, (int64_t)at, ref);
		if ((s = st_row(st, stmt, "matching a delivery report")) == STORE_OK) {
			id = sqlite3_column_int64(stmt, 0);
			sqlite3_reset(stmt);
		} else if (s != STORE_NOTFOUND)
			return s;
	}
	if (id == 0)
		return STORE_NOTFOUND;
	if (outbox_id)
		*outbox_id = id;
	if (delivered < 0)
		return STORE_OK;
	return st_run(st, "recording a delivery report", delivered ?
	    "UPDATE outbox SET status = 'delivered', delivered_at = ?2, updated_at = ?3 "
	    "WHERE id = ?1 AND status = 'sent'" :
	    "UPDATE outbox SET status = 'failed', last_error = 'delivery report: not delivered', "
	    "delivered_at = NULL, updated_at = ?3 WHERE id = ?1 AND status = 'sent' AND ?2 = ?2", "III", id,
	    (int64_t)at, (int64_t)st_now());
}

enum store_status
store_list_outbox(struct store *st, const char *status, long limit, store_row_cb cb, void *arg)
{
	return st_list(st, "SELECT o.id, o.number AS \"to\", coalesce(o.text, a.text) AS text, "
	    "o.status, o.modem, o.attempts, o.announcement_id AS announcement, o.kind, "
	    "CASE o.priority WHEN 0 THEN 'alert' ELSE 'normal' END AS priority, o.segments, o.last_error, "
	    "datetime(o.created_at, 'unixepoch', 'localtime') AS created "
	    "FROM outbox o LEFT JOIN announcements a ON a.id = o.announcement_id "
	    "WHERE ?1 IS NULL OR o.status = ?1 ORDER BY o.id LIMIT ?2", NULL, cb, arg, "tI", status,
	    (int64_t)(limit > 0 ? limit : -1));
}

enum store_status
store_queue_counts(struct store *st, struct store_queue_counts *c)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT status, priority, count(*) FROM outbox GROUP BY status, priority");
	enum store_status s;

	memset(c, 0, sizeof(*c));
	while ((s = st_row(st, stmt, "counting the queue")) == STORE_OK) {
		const char	*state = (const char *)sqlite3_column_text(stmt, 0);
		long		 n = sqlite3_column_int64(stmt, 2);

		if (!strcmp(state, "queued")) {
			c->queued += n;
			if (sqlite3_column_int(stmt, 1) == 0)
				c->queued_alert += n;
		} else if (!strcmp(state, "sending"))
			c->sending += n;
		else if (!strcmp(state, "sent"))
			c->sent += n;
		else if (!strcmp(state, "delivered"))
			c->delivered += n;
		else if (!strcmp(state, "failed"))
			c->failed += n;
		else if (!strcmp(state, "expired"))
			c->expired += n;
		else if (!strcmp(state, "cancelled"))
			c->cancelled += n;
	}
	return s == STORE_NOTFOUND ? STORE_OK : s;
}
