/* store_uplink — uplink outbox, downlink state, and the hub's boxes, records and queues (see store_uplink.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/areacode.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "store/store-internal.h"
#include "store/store_uplink.h"

static char *
col_dup(sqlite3_stmt *stmt, int col)
{
	const char	*s = (const char *)sqlite3_column_text(stmt, col);

	return s ? xstrdup(s) : NULL;
}

enum store_status
store_uplink_epoch(struct store *st, char epoch[UPLINK_EPOCH_LEN])
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT epoch FROM uplink_meta WHERE id = 1");
	int		 rc;

	if (stmt == NULL)
		return STORE_ERROR;
	if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return st_fail(st, rc, "reading the uplink epoch");
	}
	st_col_copy(epoch, UPLINK_EPOCH_LEN, stmt, 0);
	sqlite3_reset(stmt);
	return STORE_OK;
}

enum store_status
store_uplink_enqueue(struct store *st, const char *lane, const char *kind, const char *body, int64_t *seq)
{
	sqlite3_stmt		*next = st_prep(st, "UPDATE uplink_lanes SET next_seq = next_seq + 1 "
	    "WHERE lane = ?1 RETURNING next_seq - 1");
	sqlite3_stmt		*ins;
	int64_t			 s;
	enum store_status	 r;

	if (next == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(next, 1, lane, -1, SQLITE_STATIC);
	if ((s = st_scalar(st, next, -1)) < 0)
		return STORE_ERROR;
	if ((ins = st_prep(st, "INSERT INTO uplink_out (lane, seq, kind, body, created_at) "
	    "VALUES (?1, ?2, ?3, json(?4), ?5)")) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(ins, 1, lane, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 2, s);
	sqlite3_bind_text(ins, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 5, st_now());
	if ((r = st_exec(st, ins, "queueing an uplink record")) == STORE_OK && seq)
		*seq = s;
	return r;
}

/* Runs a SELECT of (cursor id, kind, body) rows and enqueues each; returns the last id or -1. */
static int64_t
export_rows(struct store *st, sqlite3_stmt *stmt, const char *lane, long *n)
{
	int64_t		 last = 0;
	int		 rc;
	struct row {
		int64_t	 id;
		char	*kind, *body;
	}		*rows = NULL;
	int		 nrows = 0, i;
	enum store_status s = STORE_OK;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
		rows[nrows].id = sqlite3_column_int64(stmt, 0);
		rows[nrows].kind = col_dup(stmt, 1);
		rows[nrows].body = col_dup(stmt, 2);
		nrows++;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		s = st_fail(st, rc, "reading records to export");
	for (i = 0; i < nrows; i++) {
		if (s == STORE_OK && (s = store_uplink_enqueue(st, lane, rows[i].kind, rows[i].body, NULL)) == STORE_OK) {
			last = rows[i].id;
			(*n)++;
		}
		free(rows[i].kind);
		free(rows[i].body);
	}
	free(rows);
	return s == STORE_OK ? last : -1;
}

/* export_rows, then moves its cursor (cur's ?1) past the last row exported, if any. */
static enum store_status
export_then(struct store *st, sqlite3_stmt *rows, const char *lane, sqlite3_stmt *cur, const char *what, long *n)
{
	int64_t	 last;

	if ((last = export_rows(st, rows, lane, n)) < 0)
		return STORE_ERROR;
	if (last == 0)
		return STORE_OK;
	sqlite3_bind_int64(cur, 1, last);
	return st_exec(st, cur, what);
}

enum store_status
store_uplink_export(struct store *st, int share_numbers, int max, long *n)
{
	/* inbox rows in id order, stopping before the first one the router has not finished */
	sqlite3_stmt	*sms = st_prep(st, "SELECT id, 'sms', json_object('id', id, 'from', "
	    "CASE WHEN ?2 THEN sender WHEN length(sender) > 4 THEN '****' || substr(sender, -4) ELSE sender END, "
	    "'modem', modem, 'text', text, 'received', received_at, 'action', action) FROM inbox "
	    "WHERE id > (SELECT inbox_cursor FROM uplink_meta WHERE id = 1) AND id < coalesce((SELECT min(id) "
	    "FROM inbox WHERE action IS NULL AND id > (SELECT inbox_cursor FROM uplink_meta WHERE id = 1)), "
	    "9223372036854775807) ORDER BY id LIMIT ?1");
	sqlite3_stmt	*posts = st_prep(st, "SELECT id, 'post', json_object('id', id, 'from', "
	    "CASE WHEN ?2 THEN sender WHEN length(sender) > 4 THEN '****' || substr(sender, -4) ELSE sender END, "
	    "'kim', kim, 'area', area, 'text', text, 'status', status, 'received', received_at, 'box', box) "
	    "FROM posts WHERE id > (SELECT post_cursor FROM uplink_meta WHERE id = 1) ORDER BY id LIMIT ?1");
	sqlite3_stmt	*reviews = st_prep(st, "SELECT r.id, 'post_status', json_object('id', p.id, 'status', p.status) "
	    "FROM uplink_post_reviews r JOIN posts p ON p.id = r.post_id ORDER BY r.id LIMIT ?1");
	sqlite3_stmt	*cur_rev = st_prep(st, "DELETE FROM uplink_post_reviews WHERE id <= ?1");
	sqlite3_stmt	*cur_in = st_prep(st, "UPDATE uplink_meta SET inbox_cursor = ?1 WHERE id = 1");
	sqlite3_stmt	*cur_post = st_prep(st, "UPDATE uplink_meta SET post_cursor = ?1 WHERE id = 1");
	enum store_status s;

	*n = 0;
	if (sms == NULL || posts == NULL || cur_in == NULL || cur_post == NULL || reviews == NULL || cur_rev == NULL)
		return STORE_ERROR;
	if ((s = store_begin(st)) != STORE_OK)
		return s;
	sqlite3_bind_int(posts, 1, max);
	sqlite3_bind_int(posts, 2, share_numbers);
	if (export_then(st, posts, "prio", cur_post, "moving the post cursor", n) != STORE_OK)
		goto fail;
	/* reviews after the posts they are about (a post and its review in one batch keep their order) */
	sqlite3_bind_int(reviews, 1, max);
	if (export_then(st, reviews, "prio", cur_rev, "dropping exported reviews", n) != STORE_OK)
		goto fail;
	sqlite3_bind_int(sms, 1, max);
	sqlite3_bind_int(sms, 2, share_numbers);
	if (export_then(st, sms, "bulk", cur_in, "moving the inbox cursor", n) != STORE_OK)
		goto fail;
	if (*n == 0) {
		store_rollback(st);
		return STORE_OK;
	}
	return store_commit(st);
fail:
	s = STORE_ERROR;
	store_rollback(st);
	*n = 0;
	return s;
}

enum store_status
store_uplink_lane(struct store *st, const char *lane, struct store_uplink_lane *l)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT next_seq, acked, acked_at, "
	    "(SELECT count(*) FROM uplink_out WHERE lane = ?1) FROM uplink_lanes WHERE lane = ?1");
	int		 rc;

	memset(l, 0, sizeof(*l));
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, lane, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		l->next_seq = sqlite3_column_int64(stmt, 0);
		l->acked = sqlite3_column_int64(stmt, 1);
		l->acked_at = (time_t)sqlite3_column_int64(stmt, 2);
		l->pending = (long)sqlite3_column_int64(stmt, 3);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? STORE_NOTFOUND : st_fail(st, rc, "reading an uplink lane");
	return STORE_OK;
}

enum store_status
store_uplink_batch(struct store *st, const char *box, const char *lane, int64_t after, int max, char **json,
    int64_t *last, int *n)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT json_object('v', 1, 'box', ?1, 'epoch', "
	    "(SELECT epoch FROM uplink_meta WHERE id = 1), 'lane', ?2, 'recs', json_group_array(json_object("
	    "'seq', seq, 'kind', kind, 'body', json(body)))), max(seq), count(*) FROM (SELECT seq, kind, body "
	    "FROM uplink_out WHERE lane = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4)");
	int		 rc;

	*json = NULL;
	*last = after;
	*n = 0;
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, box, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, lane, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, after);
	sqlite3_bind_int(stmt, 4, max);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW && sqlite3_column_int(stmt, 2) > 0) {
		*json = col_dup(stmt, 0);
		*last = sqlite3_column_int64(stmt, 1);
		*n = sqlite3_column_int(stmt, 2);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return st_fail(st, rc, "reading uplink records");
	return STORE_OK;
}

enum store_status
store_uplink_acked(struct store *st, const char *lane, int64_t seq)
{
	sqlite3_stmt		*up = st_prep(st, "UPDATE uplink_lanes SET acked = ?2, acked_at = ?3 "
	    "WHERE lane = ?1 AND acked < ?2 AND ?2 < next_seq");
	sqlite3_stmt		*del = st_prep(st, "DELETE FROM uplink_out WHERE lane = ?1 AND seq <= ?2");
	sqlite3_stmt		*nxt = st_prep(st, "SELECT next_seq FROM uplink_lanes WHERE lane = ?1");
	enum store_status	 s;

	if (up == NULL || del == NULL || nxt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(nxt, 1, lane, -1, SQLITE_STATIC);
	if (seq >= st_scalar(st, nxt, INT64_MAX)) {
		/* the hub committed numbers this database never gave out: it was restored from a backup */
		snprintf(st->errmsg, sizeof(st->errmsg), "the hub acknowledged seq %lld on lane %s, beyond what "
		    "this database sent", (long long)seq, lane);
		return STORE_INVALID;
	}
	if ((s = store_begin(st)) != STORE_OK)
		return s;
	sqlite3_bind_text(up, 1, lane, -1, SQLITE_STATIC);
	sqlite3_bind_int64(up, 2, seq);
	sqlite3_bind_int64(up, 3, st_now());
	if ((s = st_exec(st, up, "recording an uplink ack")) != STORE_OK)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		store_rollback(st);
		return STORE_OK;
	}
	sqlite3_bind_text(del, 1, lane, -1, SQLITE_STATIC);
	sqlite3_bind_int64(del, 2, seq);
	if ((s = st_exec(st, del, "dropping acknowledged records")) != STORE_OK)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return s;
}

enum store_status
store_uplink_new_epoch(struct store *st, char epoch[UPLINK_EPOCH_LEN])
{
	static const char *const lanes[] = { "prio", "bulk" };
	sqlite3_stmt	*ep = st_prep(st, "UPDATE uplink_meta SET epoch = lower(hex(randomblob(8))) WHERE id = 1");
	sqlite3_stmt	*mn = st_prep(st, "SELECT coalesce(min(seq), 1) FROM uplink_out WHERE lane = ?1");
	/* renumber what waits from 1, in two steps so the key stays unique on the way */
	sqlite3_stmt	*neg = st_prep(st, "UPDATE uplink_out SET seq = -seq WHERE lane = ?1");
	sqlite3_stmt	*pos = st_prep(st, "UPDATE uplink_out SET seq = -seq - ?2 WHERE lane = ?1");
	sqlite3_stmt	*ln = st_prep(st, "UPDATE uplink_lanes SET acked = 0, acked_at = 0, next_seq = 1 + "
	    "(SELECT count(*) FROM uplink_out o WHERE o.lane = ?1) WHERE lane = ?1");
	enum store_status s;
	size_t		 i;
	int64_t		 m;

	if (ep == NULL || mn == NULL || neg == NULL || pos == NULL || ln == NULL)
		return STORE_ERROR;
	if ((s = store_begin(st)) != STORE_OK)
		return s;
	if ((s = st_exec(st, ep, "starting a new epoch")) != STORE_OK)
		goto fail;
	for (i = 0; i < 2; i++) {
		sqlite3_bind_text(mn, 1, lanes[i], -1, SQLITE_STATIC);
		m = st_scalar(st, mn, 1);
		sqlite3_bind_text(neg, 1, lanes[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(pos, 1, lanes[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(pos, 2, m - 1);
		sqlite3_bind_text(ln, 1, lanes[i], -1, SQLITE_STATIC);
		if ((s = st_exec(st, neg, "renumbering records")) != STORE_OK ||
		    (s = st_exec(st, pos, "renumbering records")) != STORE_OK ||
		    (s = st_exec(st, ln, "resetting a lane")) != STORE_OK)
			goto fail;
	}
	if ((s = store_commit(st)) != STORE_OK)
		return s;
	return store_uplink_epoch(st, epoch);
fail:
	store_rollback(st);
	return s;
}

enum store_status
store_uplink_subscriber_counts(struct store *st, char **json, long *total)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT json_group_object(area, n), coalesce(sum(n), 0) FROM "
	    "(SELECT s.area AS area, count(*) AS n FROM subscriptions s JOIN subscribers b ON b.id = s.subscriber_id "
	    "WHERE b.status = 'active' GROUP BY s.area)");
	int		 rc;

	*json = NULL;
	*total = 0;
	if (stmt == NULL)
		return STORE_ERROR;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*json = col_dup(stmt, 0);
		*total = (long)sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return st_fail(st, rc, "counting subscribers per area");
	return STORE_OK;
}

enum store_downlink
store_downlink_check(struct store *st, const char *lane, const char *epoch, int64_t seq, int64_t *applied)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT epoch, applied FROM downlink_lanes WHERE lane = ?1");
	char		 cur[UPLINK_EPOCH_LEN] = "";
	int		 rc;

	*applied = 0;
	if (stmt == NULL)
		return DOWNLINK_ERROR;
	sqlite3_bind_text(stmt, 1, lane, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		st_col_copy(cur, sizeof(cur), stmt, 0);
		*applied = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			st_fail(st, rc, "reading a downlink lane");
		else
			snprintf(st->errmsg, sizeof(st->errmsg), "unknown downlink lane '%s'", lane);
		return DOWNLINK_ERROR;
	}
	if (strcmp(cur, epoch)) {
		/* a new hub database (first contact, or a restored hub): it starts again at 1 */
		if (*cur == '\0' || seq == 1) {
			*applied = 0;
			return seq == 1 ? DOWNLINK_APPLY : DOWNLINK_GAP;
		}
		return DOWNLINK_GAP;
	}
	if (seq <= *applied)
		return DOWNLINK_OLD;
	return seq == *applied + 1 ? DOWNLINK_APPLY : DOWNLINK_GAP;
}

enum store_status
store_downlink_applied(struct store *st, const char *lane, const char *epoch, int64_t seq)
{
	sqlite3_stmt	*stmt = st_prep(st, "UPDATE downlink_lanes SET epoch = ?2, applied = ?3 WHERE lane = ?1");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, lane, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, epoch, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, seq);
	return st_exec(st, stmt, "recording an applied command");
}

enum store_status
store_downlink_announcement(struct store *st, int64_t id, int64_t hub_id)
{
	sqlite3_stmt	*stmt = st_prep(st, "INSERT OR REPLACE INTO downlink_announcements (announcement_id, "
	    "hub_id) VALUES (?1, ?2)");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, hub_id);
	return st_exec(st, stmt, "linking an announcement to the hub's");
}

enum store_status
store_downlink_progress(struct store *st, long *n)
{
	/* local counts plus what boxes below reported (a regency hub passes its boxes' reach up) */
	sqlite3_stmt	*stmt = st_prep(st, "SELECT d.announcement_id, json_object('hub_id', d.hub_id, "
	    "'recipients', a.recipients + coalesce(r.recipients, 0), "
	    "'queued', (SELECT count(*) FROM outbox o WHERE o.announcement_id = a.id AND o.status IN ('queued', 'sending')) "
	    "+ coalesce(r.queued, 0), "
	    "'sent', (SELECT count(*) FROM outbox o WHERE o.announcement_id = a.id AND o.status = 'sent') + coalesce(r.sent, 0), "
	    "'delivered', (SELECT count(*) FROM outbox o WHERE o.announcement_id = a.id AND o.status = 'delivered') "
	    "+ coalesce(r.delivered, 0), "
	    "'failed', (SELECT count(*) FROM outbox o WHERE o.announcement_id = a.id AND o.status IN ('failed', 'expired')) "
	    "+ coalesce(r.failed, 0)) AS p, d.reported "
	    "FROM downlink_announcements d JOIN announcements a ON a.id = d.announcement_id "
	    "LEFT JOIN (SELECT announcement_id, sum(recipients) AS recipients, sum(queued) AS queued, sum(sent) AS sent, "
	    "sum(delivered) AS delivered, sum(failed) AS failed FROM hub_reach GROUP BY announcement_id) r "
	    "ON r.announcement_id = a.id WHERE a.created_at > ?1 - 30 * 86400");
	sqlite3_stmt	*mark = st_prep(st, "UPDATE downlink_announcements SET reported = ?2 WHERE announcement_id = ?1");
	struct { int64_t id; char *p; } *rows = NULL;
	int		 nrows = 0, i, rc;
	enum store_status s = STORE_OK;

	*n = 0;
	if (stmt == NULL || mark == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, st_now());
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(stmt, 1);
		const char *r = (const char *)sqlite3_column_text(stmt, 2);

		if (p == NULL || (r != NULL && !strcmp(p, r)))
			continue;
		rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
		rows[nrows].id = sqlite3_column_int64(stmt, 0);
		rows[nrows].p = xstrdup(p);
		nrows++;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		s = st_fail(st, rc, "reading announcement progress");
	if (s == STORE_OK && nrows > 0 && (s = store_begin(st)) == STORE_OK) {
		for (i = 0; i < nrows && s == STORE_OK; i++) {
			if ((s = store_uplink_enqueue(st, "prio", "progress", rows[i].p, NULL)) != STORE_OK)
				break;
			sqlite3_bind_int64(mark, 1, rows[i].id);
			sqlite3_bind_text(mark, 2, rows[i].p, -1, SQLITE_STATIC);
			s = st_exec(st, mark, "marking progress reported");
		}
		if (s == STORE_OK && (s = store_commit(st)) == STORE_OK)
			*n = nrows;
		else if (s != STORE_OK)
			store_rollback(st);
	}
	for (i = 0; i < nrows; i++)
		free(rows[i].p);
	free(rows);
	return s;
}

enum store_status
store_json_get(struct store *st, const char *json, const char *const *paths, int n, char **out)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT json_extract(?1, ?2)");
	int		 i, rc;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (stmt == NULL)
		return STORE_ERROR;
	for (i = 0; i < n; i++) {
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, paths[i], -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			out[i] = col_dup(stmt, 0);
		sqlite3_reset(stmt);
		if (rc != SQLITE_ROW) {
			for (i = 0; i < n; i++) {
				free(out[i]);
				out[i] = NULL;
			}
			return st_fail(st, rc, "reading a JSON message");
		}
	}
	return STORE_OK;
}

/* ---- hub side ---- */

enum store_status
store_hub_box_seen(struct store *st, const char *box, const char *state, const char *status_json)
{
	sqlite3_stmt	*stmt = st_prep(st, "INSERT INTO hub_boxes (box, areas, state, last_seen, status, "
	    "created_at, updated_at) VALUES (?1, coalesce(json_extract(?3, '$.areas'), ''), ?2, ?4, "
	    "coalesce(json(?3), '{}'), ?4, ?4) ON CONFLICT (box) DO UPDATE SET state = ?2, last_seen = ?4, "
	    "updated_at = ?4, areas = coalesce(json_extract(?3, '$.areas'), areas), "
	    "status = coalesce(json(?3), status)");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, box, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, state, -1, SQLITE_STATIC);
	st_bind_text(stmt, 3, status_json);
	sqlite3_bind_int64(stmt, 4, st_now());
	return st_exec(st, stmt, "recording a box's status");
}

/* Applies one record from a box inside the open transaction. */
static enum store_status
hub_apply(struct store *st, const char *box, const char *kind, const char *body)
{
	sqlite3_stmt	*stmt;

	if (!strcmp(kind, "post")) {
		/* a post relayed by a regency hub keeps the box that received it */
		stmt = st_prep(st, "INSERT INTO posts (sender, kim, area, text, status, received_at, reviewed_at, "
		    "created_at, updated_at, box, via, box_post_id) SELECT json_extract(?2, '$.from'), "
		    "json_extract(?2, '$.kim'), json_extract(?2, '$.area'), coalesce(json_extract(?2, '$.text'), ''), "
		    "CASE WHEN json_extract(?2, '$.status') IN ('pending', 'published', 'rejected') "
		    "THEN json_extract(?2, '$.status') ELSE 'pending' END, coalesce(json_extract(?2, '$.received'), ?3), "
		    "NULL, ?3, ?3, coalesce(json_extract(?2, '$.box'), ?1), ?1, json_extract(?2, '$.id')");
	} else if (!strcmp(kind, "progress")) {
		stmt = st_prep(st, "INSERT INTO hub_reach (announcement_id, box, recipients, queued, sent, delivered, "
		    "failed, updated_at) SELECT json_extract(?2, '$.hub_id'), ?1, json_extract(?2, '$.recipients'), "
		    "json_extract(?2, '$.queued'), json_extract(?2, '$.sent'), json_extract(?2, '$.delivered'), "
		    "json_extract(?2, '$.failed'), ?3 WHERE json_extract(?2, '$.hub_id') IS NOT NULL "
		    "ON CONFLICT (announcement_id, box) DO UPDATE SET recipients = excluded.recipients, "
		    "queued = excluded.queued, sent = excluded.sent, delivered = excluded.delivered, "
		    "failed = excluded.failed, updated_at = excluded.updated_at");
	} else if (!strcmp(kind, "post_status")) {
		stmt = st_prep(st, "UPDATE posts SET status = json_extract(?2, '$.status'), reviewed_at = ?3, "
		    "updated_at = ?3 WHERE via = ?1 AND box_post_id = json_extract(?2, '$.id') AND "
		    "json_extract(?2, '$.status') IN ('pending', 'published', 'rejected') "
		    "AND status != json_extract(?2, '$.status')");
	} else
		return STORE_OK;	/* sms and statistics: the record itself is what the hub keeps */
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, box, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, st_now());
	return st_exec(st, stmt, "applying a record from a box");
}

enum store_status
store_hub_ingest(struct store *st, const char *box, const char *json, char epoch[UPLINK_EPOCH_LEN], char lane[8],
    int64_t *acked, long *added)
{
	sqlite3_stmt	*head = st_prep(st, "SELECT json_extract(?1, '$.epoch'), json_extract(?1, '$.lane'), "
	    "json_extract(?1, '$.box')");
	sqlite3_stmt	*get = st_prep(st, "SELECT acked FROM hub_up_lanes WHERE box = ?1 AND epoch = ?2 AND lane = ?3");
	sqlite3_stmt	*recs = st_prep(st, "SELECT json_extract(value, '$.seq'), json_extract(value, '$.kind'), "
	    "json(json_extract(value, '$.body')) FROM json_each(?1, '$.recs') ORDER BY json_extract(value, '$.seq')");
	sqlite3_stmt	*ins = st_prep(st, "INSERT OR IGNORE INTO hub_records (box, epoch, lane, seq, kind, body, "
	    "received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	sqlite3_stmt	*put = st_prep(st, "INSERT INTO hub_up_lanes (box, epoch, lane, acked) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (box, epoch, lane) DO UPDATE SET acked = excluded.acked");
	char		 mbox[128] = "";
	int		 rc;
	int64_t		 a, seq;
	enum store_status s;
	struct rec { int64_t seq; char *kind, *body; } *rv = NULL;
	int		 nr = 0, i;

	*epoch = '\0';
	*lane = '\0';
	*acked = 0;
	*added = 0;
	if (head == NULL || get == NULL || recs == NULL || ins == NULL || put == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(head, 1, json, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(head)) == SQLITE_ROW) {
		st_col_copy(epoch, UPLINK_EPOCH_LEN, head, 0);
		st_col_copy(lane, 8, head, 1);
		st_col_copy(mbox, sizeof(mbox), head, 2);
	}
	sqlite3_reset(head);
	if (rc != SQLITE_ROW)
		return st_fail(st, rc, "reading a batch from a box");
	if (*epoch == '\0' || (strcmp(lane, "prio") && strcmp(lane, "bulk")) || strcmp(mbox, box)) {
		snprintf(st->errmsg, sizeof(st->errmsg), "a batch without epoch, with lane '%s' or for box '%s'",
		    lane, mbox);
		return STORE_INVALID;
	}
	if ((s = store_begin(st)) != STORE_OK)
		return s;
	sqlite3_bind_text(get, 1, box, -1, SQLITE_STATIC);
	sqlite3_bind_text(get, 2, epoch, -1, SQLITE_STATIC);
	sqlite3_bind_text(get, 3, lane, -1, SQLITE_STATIC);
	a = st_scalar(st, get, 0);
	sqlite3_bind_text(recs, 1, json, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(recs)) == SQLITE_ROW) {
		rv = xreallocarray(rv, nr + 1, sizeof(*rv));
		rv[nr].seq = sqlite3_column_int64(recs, 0);
		rv[nr].kind = col_dup(recs, 1);
		rv[nr].body = col_dup(recs, 2);
		nr++;
	}
	sqlite3_reset(recs);
	s = rc == SQLITE_DONE ? STORE_OK : st_fail(st, rc, "reading records from a box");
	for (i = 0; i < nr && s == STORE_OK; i++) {
		seq = rv[i].seq;
		if (seq <= a)
			continue;	/* a resend of what is committed */
		if (seq != a + 1 || rv[i].kind == NULL || rv[i].body == NULL)
			break;		/* a gap: the box resends from the ack */
		sqlite3_bind_text(ins, 1, box, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, epoch, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, lane, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 4, seq);
		sqlite3_bind_text(ins, 5, rv[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, rv[i].body, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 7, st_now());
		if ((s = st_exec(st, ins, "storing a record from a box")) != STORE_OK)
			break;
		if (sqlite3_changes(st->db) == 1 && (s = hub_apply(st, box, rv[i].kind, rv[i].body)) != STORE_OK)
			break;
		a = seq;
		(*added)++;
	}
	for (i = 0; i < nr; i++) {
		free(rv[i].kind);
		free(rv[i].body);
	}
	free(rv);
	if (s == STORE_OK) {
		sqlite3_bind_text(put, 1, box, -1, SQLITE_STATIC);
		sqlite3_bind_text(put, 2, epoch, -1, SQLITE_STATIC);
		sqlite3_bind_text(put, 3, lane, -1, SQLITE_STATIC);
		sqlite3_bind_int64(put, 4, a);
		s = st_exec(st, put, "recording the ack");
	}
	if (s != STORE_OK) {
		store_rollback(st);
		*added = 0;
		return s;
	}
	if ((s = store_commit(st)) != STORE_OK) {
		*added = 0;
		return s;
	}
	*acked = a;
	return STORE_OK;
}

enum store_status
store_hub_enqueue(struct store *st, const char *hub, const char *epoch, const char *box, const char *lane,
    const char *kind, const char *body, int64_t *seqp)
{
	sqlite3_stmt	*lanes = st_prep(st, "INSERT INTO hub_down_lanes (box, lane, next_seq) VALUES (?1, ?2, 2) "
	    "ON CONFLICT (box, lane) DO UPDATE SET next_seq = next_seq + 1 RETURNING next_seq - 1");
	sqlite3_stmt	*ins = st_prep(st, "INSERT INTO hub_down_out (box, lane, seq, kind, cmd, created_at) VALUES "
	    "(?1, ?2, ?3, ?4, json_object('hub', ?5, 'epoch', ?6, 'box', ?1, 'lane', ?2, 'seq', ?3, 'kind', ?4, "
	    "'body', json(?7)), ?8)");
	int64_t		 seq;
	enum store_status s;

	if (lanes == NULL || ins == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(lanes, 1, box, -1, SQLITE_STATIC);
	sqlite3_bind_text(lanes, 2, lane, -1, SQLITE_STATIC);
	if ((seq = st_scalar(st, lanes, -1)) < 1)
		return STORE_ERROR;
	sqlite3_bind_text(ins, 1, box, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, lane, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 3, seq);
	sqlite3_bind_text(ins, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 5, hub, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, epoch, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 7, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 8, st_now());
	if ((s = st_exec(st, ins, "queueing a command for a box")) == STORE_OK && seqp)
		*seqp = seq;
	return s;
}

/* Whether a box serving box_areas (a comma list) gets a broadcast for areas ("" is everywhere). */
static int
box_serves(const char *box_areas, const char *const *areas, int nareas)
{
	int j;

	for (j = 0; j < nareas; j++)
		/* a box that never said what it serves gets nothing */
		if (*box_areas != '\0' && (*areas[j] == '\0' || areacode_overlaps_list(areas[j], box_areas)))
			return 1;
	return 0;
}

long
store_hub_boxes_for(struct store *st, const char *const *areas, int nareas)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT areas FROM hub_boxes ORDER BY box");
	long		 n = 0;
	int		 rc;

	if (stmt == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		n += box_serves(sqlite3_column_text(stmt, 0) ? (const char *)sqlite3_column_text(stmt, 0) : "", areas,
		    nareas);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		st_fail(st, rc, "reading the boxes");
		return -1;
	}
	return n;
}

enum store_status
store_hub_forward(struct store *st, const char *hub, const char *epoch, int64_t id, const char *text,
    const char *const *areas, int nareas, int priority, time_t expires_at, long *nboxes)
{
	sqlite3_stmt	*boxes = st_prep(st, "SELECT box, areas FROM hub_boxes ORDER BY box");
	sqlite3_stmt	*body = st_prep(st, "SELECT json_object('id', ?1, 'text', ?2, 'areas', json(?3), "
	    "'priority', ?4, 'expires_at', ?5)");
	char		 alist[BUFSIZ], *bj = NULL;
	size_t		 len = 0;
	int		 rc, i, nb = 0;
	struct { char *box, *areas; } *bv = NULL;
	enum store_status s = STORE_OK;

	*nboxes = 0;
	if (boxes == NULL || body == NULL)
		return STORE_ERROR;
	len = (size_t)snprintf(alist, sizeof(alist), "[");
	for (i = 0; i < nareas && len < sizeof(alist) - 24; i++)
		len += (size_t)snprintf(alist + len, sizeof(alist) - len, "%s\"%s\"", i ? "," : "", areas[i]);
	snprintf(alist + len, sizeof(alist) - len, "]");
	while ((rc = sqlite3_step(boxes)) == SQLITE_ROW) {
		bv = xreallocarray(bv, nb + 1, sizeof(*bv));
		bv[nb].box = col_dup(boxes, 0);
		bv[nb].areas = col_dup(boxes, 1);
		nb++;
	}
	sqlite3_reset(boxes);
	if (rc != SQLITE_DONE)
		s = st_fail(st, rc, "reading the boxes");
	sqlite3_bind_int64(body, 1, id);
	sqlite3_bind_text(body, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(body, 3, alist, -1, SQLITE_STATIC);
	sqlite3_bind_int(body, 4, priority);
	sqlite3_bind_int64(body, 5, expires_at);
	if (s == STORE_OK && (rc = sqlite3_step(body)) == SQLITE_ROW)
		bj = col_dup(body, 0);
	sqlite3_reset(body);
	if (s == STORE_OK && bj == NULL)
		s = st_fail(st, rc, "building a broadcast command");
	for (i = 0; i < nb; i++) {
		if (s == STORE_OK && box_serves(bv[i].areas, areas, nareas)) {
			if ((s = store_hub_enqueue(st, hub, epoch, bv[i].box, priority == 0 ? "alert" : "cmd",
			    "broadcast", bj, NULL)) == STORE_OK)
				(*nboxes)++;
		}
		free(bv[i].box);
		free(bv[i].areas);
	}
	free(bv);
	free(bj);
	return s;
}

long
store_hub_recipients(struct store *st, const char *const *areas, int nareas)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT coalesce(sum(e.value), 0) FROM hub_boxes b, "
	    "json_each(json_extract(b.status, '$.subscribers')) e WHERE e.key LIKE ?1 || '%' "
	    "OR ?1 LIKE e.key || '%'");
	long		 n = 0;
	int		 i;

	if (stmt == NULL)
		return -1;
	for (i = 0; i < nareas; i++) {
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, areas[i], -1, SQLITE_STATIC);
		n += (long)st_scalar(st, stmt, 0);
	}
	return n;
}

enum store_status
store_hub_pending(struct store *st, const char *box, const char *lane, int64_t after, int max,
    int (*cb)(void *, int64_t, const char *), void *arg)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT seq, cmd FROM hub_down_out WHERE box = ?1 AND lane = ?2 "
	    "AND seq > ?3 ORDER BY seq LIMIT ?4");
	int		 rc;

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, box, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, lane, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, after);
	sqlite3_bind_int(stmt, 4, max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (cb(arg, sqlite3_column_int64(stmt, 0), (const char *)sqlite3_column_text(stmt, 1)) != 0)
			break;
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_fail(st, rc, "reading commands for a box");
	return STORE_OK;
}

enum store_status
store_hub_acked(struct store *st, const char *box, const char *lane, int64_t seq)
{
	sqlite3_stmt	*up = st_prep(st, "UPDATE hub_down_lanes SET acked = ?3 WHERE box = ?1 AND lane = ?2 "
	    "AND acked < ?3 AND ?3 < next_seq");
	sqlite3_stmt	*del = st_prep(st, "DELETE FROM hub_down_out WHERE box = ?1 AND lane = ?2 AND seq <= ?3");
	enum store_status s;

	if (up == NULL || del == NULL)
		return STORE_ERROR;
	if ((s = store_begin(st)) != STORE_OK)
		return s;
	sqlite3_bind_text(up, 1, box, -1, SQLITE_STATIC);
	sqlite3_bind_text(up, 2, lane, -1, SQLITE_STATIC);
	sqlite3_bind_int64(up, 3, seq);
	if ((s = st_exec(st, up, "recording a box's ack")) != STORE_OK)
		goto fail;
	sqlite3_bind_text(del, 1, box, -1, SQLITE_STATIC);
	sqlite3_bind_text(del, 2, lane, -1, SQLITE_STATIC);
	sqlite3_bind_int64(del, 3, seq);
	if ((s = st_exec(st, del, "dropping acknowledged commands")) != STORE_OK)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return s;
}

enum store_status
store_hub_each_box(struct store *st, int (*cb)(void *, const char *, const char *), void *arg)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT box, state FROM hub_boxes ORDER BY box");
	char		 box[128], state[16];
	int		 rc;
	struct { char box[128], state[16]; } *v = NULL;
	int		 n = 0, i;

	if (stmt == NULL)
		return STORE_ERROR;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		st_col_copy(box, sizeof(box), stmt, 0);
		st_col_copy(state, sizeof(state), stmt, 1);
		v = xreallocarray(v, n + 1, sizeof(*v));
		memcpy(v[n].box, box, sizeof(box));
		memcpy(v[n].state, state, sizeof(state));
		n++;
	}
	sqlite3_reset(stmt);
	/* the callbacks may use the store: call them after the statement is done */
	for (i = 0; i < n; i++)
		if (cb(arg, v[i].box, v[i].state) != 0)
			break;
	free(v);
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, "reading the boxes");
	return STORE_OK;
}

enum store_status
store_list_boxes(struct store *st, store_row_cb cb, void *arg)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT box, (SELECT json_group_array(value) FROM "
	    "json_each('[\"' || replace(areas, ',', '\",\"') || '\"]') WHERE value != '') AS areas, state, "
	    "strftime('%Y-%m-%d %H:%M:%S', last_seen, 'unixepoch') AS last_seen, "
	    "coalesce(json_extract(status, '$.up_pending'), 0) AS up_pending, "
	    "(SELECT count(*) FROM hub_down_out d WHERE d.box = b.box) AS down_pending, "
	    "coalesce(json_extract(status, '$.subscribers_total'), 0) AS subscribers, "
	    "coalesce(json_extract(status, '$.modems_ready'), 0) AS modems_ready, "
	    "coalesce(json_extract(status, '$.modems'), 0) AS modems, "
	    "(SELECT count(*) FROM hub_records r WHERE r.box = b.box) AS records "
	    "FROM hub_boxes b ORDER BY box");

	if (stmt == NULL)
		return STORE_ERROR;
	return st_emit(st, stmt, "areas", cb, arg);
}

enum store_status
store_hub_reach(struct store *st, int64_t id, store_row_cb cb, void *arg)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT b.box AS box, coalesce(r.recipients, 0) AS recipients, "
	    "coalesce(r.queued, 0) AS queued, coalesce(r.sent, 0) AS sent, coalesce(r.delivered, 0) AS delivered, "
	    "coalesce(r.failed, 0) AS failed FROM (SELECT DISTINCT box FROM hub_reach WHERE announcement_id = ?1 "
	    "UNION SELECT box FROM hub_down_out WHERE kind = 'broadcast' AND json_extract(cmd, '$.body.id') = ?1) b "
	    "LEFT JOIN hub_reach r ON r.announcement_id = ?1 AND r.box = b.box ORDER BY b.box");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	return st_emit(st, stmt, NULL, cb, arg);
}

enum store_status
store_post_box(struct store *st, int64_t id, char box[64], int64_t *box_post_id)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT coalesce(via, box), box_post_id FROM posts WHERE id = ?1");
	int		 rc;
	enum store_status s = STORE_NOTFOUND;

	*box = '\0';
	*box_post_id = 0;
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		st_col_copy(box, 64, stmt, 0);
		*box_post_id = sqlite3_column_int64(stmt, 1);
		s = STORE_OK;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_fail(st, rc, "reading a post");
	return s;
}

enum store_status
store_hub_export(struct store *st, int64_t after, long limit, store_row_cb cb, void *arg)
{
	/* OpenDK's pesan: judul, pesan, pengirim, nama_pengirim; keyed by kode_desa; cursor id > last */
	sqlite3_stmt	*stmt = st_prep(st, "SELECT r.id AS id, r.kind AS jenis, r.box AS box, "
	    "json_extract(r.body, '$.area') AS kode_desa, "
	    "CASE r.kind WHEN 'post' THEN 'LAPOR ' || coalesce(json_extract(r.body, '$.kim'), '') "
	    "WHEN 'sms' THEN 'SMS' ELSE r.kind END AS judul, "
	    "coalesce(json_extract(r.body, '$.text'), r.body) AS pesan, json_extract(r.body, '$.from') AS pengirim, "
	    "json_extract(r.body, '$.kim') AS nama_pengirim, json_extract(r.body, '$.status') AS status, "
	    "strftime('%Y-%m-%d %H:%M:%S', coalesce(json_extract(r.body, '$.received'), r.received_at), 'unixepoch') "
	    "AS diterima FROM hub_records r WHERE r.id > ?1 AND r.kind IN ('post', 'progress', 'sms') "
	    "ORDER BY r.id LIMIT ?2");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int64(stmt, 2, limit > 0 ? limit : -1);
	return st_emit(st, stmt, NULL, cb, arg);
}

enum store_status
store_hub_lane(struct store *st, const char *box, const char *lane, int64_t *acked, long *pending)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT coalesce((SELECT acked FROM hub_down_lanes WHERE box = ?1 AND "
	    "lane = ?2), 0), (SELECT count(*) FROM hub_down_out WHERE box = ?1 AND lane = ?2)");
	int		 rc;

	*acked = 0;
	*pending = 0;
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, box, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, lane, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*acked = sqlite3_column_int64(stmt, 0);
		*pending = (long)sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? STORE_OK : st_fail(st, rc, "reading a box's queue");
}

enum store_status
store_json_rows(struct store *st, const char *json, const char *path, int (*cb)(void *, char *const *, int),
    void *arg)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
	    "json_extract(value, '$[2]') FROM json_each(?1, ?2)");
	struct { char *c[3]; } *rows = NULL;
	int		 n = 0, i, j, rc;
	enum store_status s = STORE_OK;

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		rows = xreallocarray(rows, n + 1, sizeof(*rows));
		for (j = 0; j < 3; j++)
			rows[n].c[j] = col_dup(stmt, j);
		n++;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		s = st_fail(st, rc, "reading rows of a command");
	/* the statement is done: the callback may use the store */
	for (i = 0; i < n; i++) {
		if (s == STORE_OK && cb(arg, rows[i].c, 3) != 0)
			s = STORE_ERROR;
		for (j = 0; j < 3; j++)
			free(rows[i].c[j]);
	}
	free(rows);
	return s;
}
