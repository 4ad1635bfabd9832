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
	sqlite3_stmt		*stmt = st_prep(st, "SELECT epoch FROM uplink_meta WHERE id = 1");
	enum store_status	 s;

	s = st_get(st, stmt, "reading the uplink epoch", "t", epoch, (size_t)UPLINK_EPOCH_LEN);
	return s == STORE_NOTFOUND ? st_fail(st, SQLITE_DONE, "reading the uplink epoch") : s;
}

enum store_status
store_uplink_enqueue(struct store *st, const char *lane, const char *kind, const char *body, int64_t *seq)
{
	int64_t			 s;
	enum store_status	 r;

	if ((s = st_value(st, -1, -1, "UPDATE uplink_lanes SET next_seq = next_seq + 1 WHERE lane = ?1 "
	    "RETURNING next_seq - 1", "t", lane)) < 0)
		return STORE_ERROR;
	if ((r = st_run(st, "queueing an uplink record", "INSERT INTO uplink_out (lane, seq, kind, body, created_at) "
	    "VALUES (?1, ?2, ?3, json(?4), ?5)", "tIttI", lane, s, kind, body, (int64_t)st_now())) == STORE_OK && seq)
		*seq = s;
	return r;
}

/* Runs a SELECT of (cursor id, kind, body) rows and enqueues each; returns the last id or -1. */
static int64_t
export_rows(struct store *st, sqlite3_stmt *stmt, const char *lane, long *n)
{
	int64_t			 last = 0;
	struct st_rows		 r;
	enum store_status	 s = st_rows(st, stmt, "reading records to export", &r);
	int			 i;

	for (i = 0; i < r.n && s == STORE_OK; i++)
		if ((s = store_uplink_enqueue(st, lane, st_rows_text(&r, i, 1), st_rows_text(&r, i, 2), NULL)) ==
		    STORE_OK) {
			last = st_rows_int(&r, i, 0);
			(*n)++;
		}
	st_rows_free(&r);
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

/* The sender as the hub sees it: whole when ?2 (uplink share_numbers), else its last four digits. */
#define FROM_SENDER \
	"CASE WHEN ?2 THEN sender WHEN length(sender) > 4 THEN '****' || substr(sender, -4) ELSE sender END"

enum store_status
store_uplink_export(struct store *st, int share_numbers, int max, long *n)
{
	/* inbox rows in id order, stopping before the first one the router has not finished */
	sqlite3_stmt	*sms = st_prep(st, "SELECT id, 'sms', json_object('id', id, 'from', "
	    FROM_SENDER ", "
	    "'modem', modem, 'text', text, 'received', received_at, 'action', action) FROM inbox "
	    "WHERE id > (SELECT inbox_cursor FROM uplink_meta WHERE id = 1) AND id < coalesce((SELECT min(id) "
	    "FROM inbox WHERE action IS NULL AND id > (SELECT inbox_cursor FROM uplink_meta WHERE id = 1)), "
	    "9223372036854775807) ORDER BY id LIMIT ?1");
	sqlite3_stmt	*posts = st_prep(st, "SELECT id, 'post', json_object('id', id, 'from', "
	    FROM_SENDER ", "
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
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT next_seq, acked, acked_at, "
	    "(SELECT count(*) FROM uplink_out WHERE lane = ?1) FROM uplink_lanes WHERE lane = ?1", "t", lane);

	memset(l, 0, sizeof(*l));
	return st_get(st, stmt, "reading an uplink lane", "IITl", &l->next_seq, &l->acked, &l->acked_at, &l->pending);
}

enum store_status
store_uplink_batch(struct store *st, const char *box, const char *lane, int64_t after, int max, char **json,
    int64_t *last, int *n)
{
	/* an aggregate: always one row */
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT json_object('v', 1, 'box', ?1, 'epoch', "
	    "(SELECT epoch FROM uplink_meta WHERE id = 1), 'lane', ?2, 'recs', json_group_array(json_object("
	    "'seq', seq, 'kind', kind, 'body', json(body)))), max(seq), count(*) FROM (SELECT seq, kind, body "
	    "FROM uplink_out WHERE lane = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4)", "ttIi", box, lane, after, max);
	enum store_status	 s;

	*json = NULL;
	*last = after;
	*n = 0;
	if ((s = st_row(st, stmt, "reading uplink records")) != STORE_OK)
		return s;
	if (sqlite3_column_int(stmt, 2) > 0) {
		*json = col_dup(stmt, 0);
		*last = sqlite3_column_int64(stmt, 1);
		*n = sqlite3_column_int(stmt, 2);
	}
	sqlite3_reset(stmt);
	return STORE_OK;
}

/* Records an acknowledgement and drops what it covers, in one transaction: up (bound) moves the
 * lane's ack, del (bound) drops the rows up to it; with moved_only nothing is dropped (and nothing
 * committed) when up changed no row. */
static enum store_status
take_ack(struct store *st, sqlite3_stmt *up, const char *what_up, sqlite3_stmt *del, const char *what_del,
    int moved_only)
{
	enum store_status	 s;

	if ((s = store_begin(st)) != STORE_OK)
		return s;
	if ((s = st_exec(st, up, what_up)) != STORE_OK)
		goto fail;
	if (moved_only && sqlite3_changes(st->db) == 0) {
		store_rollback(st);
		return STORE_OK;
	}
	if ((s = st_exec(st, del, what_del)) != STORE_OK)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return s;
}

/* Whether the other side acknowledged seq although this database numbered only below next_seq:
 * then it was restored from a backup (says so in errmsg). box NULL: the hub acknowledged. */
static int
beyond_sent(struct store *st, const char *box, const char *lane, int64_t seq, int64_t next_seq)
{
	if (seq < next_seq)
		return 0;
	snprintf(st->errmsg, sizeof(st->errmsg), "%s%s acknowledged seq %lld on lane %s, beyond what this database "
	    "sent", box ? "box " : "the hub", box ? box : "", (long long)seq, lane);
	return 1;
}

enum store_status
store_uplink_acked(struct store *st, const char *lane, int64_t seq)
{
	sqlite3_stmt		*up = st_prep(st, "UPDATE uplink_lanes SET acked = ?2, acked_at = ?3 "
	    "WHERE lane = ?1 AND acked < ?2 AND ?2 < next_seq");
	sqlite3_stmt		*del = st_prep(st, "DELETE FROM uplink_out WHERE lane = ?1 AND seq <= ?2");

	if (up == NULL || del == NULL)
		return STORE_ERROR;
	if (beyond_sent(st, NULL, lane, seq, st_value(st, INT64_MAX, INT64_MAX, "SELECT next_seq FROM uplink_lanes "
	    "WHERE lane = ?1", "t", lane)))
		return STORE_INVALID;
	st_bind(up, "tII", lane, seq, (int64_t)st_now());
	st_bind(del, "tI", lane, seq);
	return take_ack(st, up, "recording an uplink ack", del, "dropping acknowledged records", 1);
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
		st_bind(mn, "t", lanes[i]);
		m = st_scalar(st, mn, 1);
		st_bind(neg, "t", lanes[i]);
		st_bind(pos, "tI", lanes[i], m - 1);
		st_bind(ln, "t", lanes[i]);
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
	/* an aggregate: always one row */
	sqlite3_stmt	*stmt = st_prep(st, "SELECT json_group_object(area, n), coalesce(sum(n), 0) FROM "
	    "(SELECT s.area AS area, count(*) AS n FROM subscriptions s JOIN subscribers b ON b.id = s.subscriber_id "
	    "WHERE b.status = 'active' GROUP BY s.area)");

	*json = NULL;
	*total = 0;
	return st_get(st, stmt, "counting subscribers per area", "dl", json, total);
}

enum store_downlink
store_downlink_check(struct store *st, const char *lane, const char *epoch, int64_t seq, int64_t *applied)
{
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT epoch, applied FROM downlink_lanes WHERE lane = ?1", "t",
	    lane);
	char			 cur[UPLINK_EPOCH_LEN] = "";
	enum store_status	 s;

	*applied = 0;
	if ((s = st_get(st, stmt, "reading a downlink lane", "tI", cur, sizeof(cur), applied)) != STORE_OK) {
		if (s == STORE_NOTFOUND)
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
store_downlink_applied(struct store *st, const char *lane, const char *epoch, int64_t seq, const char *id)
{
	enum store_status	 s;
	time_t			 now = st_now();

	if ((s = st_run(st, "recording an applied command", "UPDATE downlink_lanes SET epoch = ?2, applied = ?3 "
	    "WHERE lane = ?1", "ttI", lane, epoch, seq)) != STORE_OK || id == NULL || *id == '\0')
		return s;
	if ((s = st_run(st, "recording an applied command's id", "INSERT OR REPLACE INTO downlink_applied "
	    "(lane, epoch, seq, id, at) VALUES (?1, ?2, ?3, ?4, ?5)", "ttItI", lane, epoch, seq, id,
	    (int64_t)now)) != STORE_OK)
		return s;
	return st_run(st, "forgetting old command ids", "DELETE FROM downlink_applied WHERE at < ?1", "I",
	    (int64_t)(now - DOWNLINK_IDS_KEEP_S));
}

enum store_status
store_downlink_id_at(struct store *st, const char *lane, const char *epoch, int64_t seq, char id[UPLINK_ID_LEN])
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT id FROM downlink_applied WHERE lane = ?1 AND epoch = ?2 AND seq = ?3",
	    "ttI", lane, epoch, seq);

	*id = '\0';
	return st_get(st, stmt, "reading an applied command's id", "t", id, (size_t)UPLINK_ID_LEN);
}

int
store_downlink_seen(struct store *st, const char *id)
{
	return id != NULL && *id != '\0' &&
	    st_value(st, 0, 0, "SELECT 1 FROM downlink_applied WHERE id = ?1 LIMIT 1", "t", id) == 1;
}

enum store_status
store_downlink_announcement(struct store *st, int64_t id, int64_t hub_id)
{
	return st_run(st, "linking an announcement to the hub's", "INSERT OR REPLACE INTO downlink_announcements "
	    "(announcement_id, hub_id) VALUES (?1, ?2)", "II", id, hub_id);
}

/* Whether row i of the progress rows (id, progress, reported) changed since it was reported. */
static int
progress_changed(const struct st_rows *r, int i)
{
	const char	*p = st_rows_text(r, i, 1), *rep = st_rows_text(r, i, 2);

	return p != NULL && (rep == NULL || strcmp(p, rep) != 0);
}

enum store_status
store_downlink_progress(struct store *st, long *n)
{
	/* local counts plus what boxes below reported (a regency hub passes its boxes' reach up) */
	sqlite3_stmt		*stmt = st_prep(st, "SELECT d.announcement_id, json_object('hub_id', d.hub_id, "
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
	sqlite3_stmt		*mark = st_prep(st, "UPDATE downlink_announcements SET reported = ?2 WHERE "
	    "announcement_id = ?1");
	struct st_rows		 r;
	int			 i, k = 0;
	enum store_status	 s;

	*n = 0;
	if (stmt == NULL || mark == NULL)
		return STORE_ERROR;
	st_bind(stmt, "I", (int64_t)st_now());
	s = st_rows(st, stmt, "reading announcement progress", &r);
	for (i = 0; i < r.n; i++)
		k += progress_changed(&r, i);
	if (s == STORE_OK && k > 0 && (s = store_begin(st)) == STORE_OK) {
		for (i = 0; i < r.n && s == STORE_OK; i++) {
			if (!progress_changed(&r, i))
				continue;
			if ((s = store_uplink_enqueue(st, "prio", "progress", st_rows_text(&r, i, 1), NULL)) != STORE_OK)
				break;
			st_bind(mark, "It", st_rows_int(&r, i, 0), st_rows_text(&r, i, 1));
			s = st_exec(st, mark, "marking progress reported");
		}
		if (s == STORE_OK && (s = store_commit(st)) == STORE_OK)
			*n = k;
		else if (s != STORE_OK)
			store_rollback(st);
	}
	st_rows_free(&r);
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
		st_bind(stmt, "tt", json, paths[i]);
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
	return st_run(st, "recording a box's status", "INSERT INTO hub_boxes (box, areas, state, last_seen, status, "
	    "created_at, updated_at) VALUES (?1, coalesce(json_extract(?3, '$.areas'), ''), ?2, ?4, "
	    "coalesce(json(?3), '{}'), ?4, ?4) ON CONFLICT (box) DO UPDATE SET state = ?2, last_seen = ?4, "
	    "updated_at = ?4, areas = coalesce(json_extract(?3, '$.areas'), areas), "
	    "status = coalesce(json(?3), status)", "tttI", box, state, status_json, (int64_t)st_now());
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
	st_bind(stmt, "ttI", box, body, (int64_t)st_now());
	return st_exec(st, stmt, "applying a record from a box");
}

/* The epoch and lane of a batch from box; STORE_INVALID (errmsg says why) when it has no epoch, an
 * unknown lane or another box's name. */
static enum store_status
batch_head(struct store *st, const char *box, const char *json, char epoch[UPLINK_EPOCH_LEN], char lane[8])
{
	/* json_extract of a batch: always one row */
	sqlite3_stmt		*head = st_prepf(st, "SELECT json_extract(?1, '$.epoch'), json_extract(?1, "
	    "'$.lane'), json_extract(?1, '$.box')", "t", json);
	char			 mbox[128] = "";
	enum store_status	 s;

	*epoch = '\0';
	*lane = '\0';
	if ((s = st_row(st, head, "reading a batch from a box")) != STORE_OK)
		return s;
	st_col_copy(epoch, UPLINK_EPOCH_LEN, head, 0);
	st_col_copy(lane, 8, head, 1);
	st_col_copy(mbox, sizeof(mbox), head, 2);
	sqlite3_reset(head);
	if (*epoch == '\0' || (strcmp(lane, "prio") && strcmp(lane, "bulk")) || strcmp(mbox, box)) {
		snprintf(st->errmsg, sizeof(st->errmsg), "a batch without epoch, with lane '%s' or for box '%s'",
		    lane, mbox);
		return STORE_INVALID;
	}
	return STORE_OK;
}

enum store_status
store_hub_ingest(struct store *st, const char *box, const char *json, char epoch[UPLINK_EPOCH_LEN], char lane[8],
    int64_t *acked, long *added)
{
	sqlite3_stmt	*get = st_prep(st, "SELECT acked FROM hub_up_lanes WHERE box = ?1 AND epoch = ?2 AND lane = ?3");
	sqlite3_stmt	*recs = st_prep(st, "SELECT json_extract(value, '$.seq'), json_extract(value, '$.kind'), "
	    "json(json_extract(value, '$.body')) FROM json_each(?1, '$.recs') ORDER BY json_extract(value, '$.seq')");
	sqlite3_stmt	*ins = st_prep(st, "INSERT OR IGNORE INTO hub_records (box, epoch, lane, seq, kind, body, "
	    "received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	sqlite3_stmt	*put = st_prep(st, "INSERT INTO hub_up_lanes (box, epoch, lane, acked) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (box, epoch, lane) DO UPDATE SET acked = excluded.acked");
	int64_t			 a, seq;
	enum store_status	 s;
	struct st_rows		 rv;
	int			 i;
	const char		*kind, *body;

	*acked = 0;
	*added = 0;
	if ((s = batch_head(st, box, json, epoch, lane)) != STORE_OK)
		return s;
	if (get == NULL || recs == NULL || ins == NULL || put == NULL)
		return STORE_ERROR;
	if ((s = store_begin(st)) != STORE_OK)
		return s;
	st_bind(get, "ttt", box, epoch, lane);
	a = st_scalar(st, get, 0);
	st_bind(recs, "t", json);
	s = st_rows(st, recs, "reading records from a box", &rv);
	for (i = 0; i < rv.n && s == STORE_OK; i++) {
		seq = st_rows_int(&rv, i, 0);
		kind = st_rows_text(&rv, i, 1);
		body = st_rows_text(&rv, i, 2);
		if (seq <= a)
			continue;	/* a resend of what is committed */
		if (seq != a + 1 || kind == NULL || body == NULL)
			break;		/* a gap: the box resends from the ack */
		st_bind(ins, "tttIttI", box, epoch, lane, seq, kind, body, (int64_t)st_now());
		if ((s = st_exec(st, ins, "storing a record from a box")) != STORE_OK)
			break;
		if (sqlite3_changes(st->db) == 1 && (s = hub_apply(st, box, kind, body)) != STORE_OK)
			break;
		a = seq;
		(*added)++;
	}
	st_rows_free(&rv);
	if (s == STORE_OK) {
		st_bind(put, "tttI", box, epoch, lane, a);
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
	int64_t			 seq;
	enum store_status	 s;

	if ((seq = st_value(st, -1, -1, "INSERT INTO hub_down_lanes (box, lane, next_seq) VALUES (?1, ?2, 2) "
	    "ON CONFLICT (box, lane) DO UPDATE SET next_seq = next_seq + 1 RETURNING next_seq - 1", "tt", box,
	    lane)) < 1)
		return STORE_ERROR;
	/* id: random, so that a box knows a command again when a restored hub renumbers it */
	if ((s = st_run(st, "queueing a command for a box", "INSERT INTO hub_down_out (box, lane, seq, kind, cmd, "
	    "created_at) VALUES (?1, ?2, ?3, ?4, json_object('hub', ?5, 'epoch', ?6, 'box', ?1, 'lane', ?2, 'seq', "
	    "?3, 'id', lower(hex(randomblob(8))), 'kind', ?4, 'body', json(?7)), ?8)", "ttIttttI", box, lane, seq,
	    kind, hub, epoch, body,
	    (int64_t)st_now())) == STORE_OK && seqp)
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
	enum store_status s;

	while ((s = st_row(st, stmt, "reading the boxes")) == STORE_OK)
		n += box_serves(sqlite3_column_text(stmt, 0) ? (const char *)sqlite3_column_text(stmt, 0) : "", areas,
		    nareas);
	return s == STORE_NOTFOUND ? n : -1;
}

enum store_status
store_hub_forward(struct store *st, const char *hub, const char *epoch, int64_t id, const char *text,
    const char *const *areas, int nareas, int priority, time_t expires_at, long *nboxes)
{
	sqlite3_stmt		*boxes = st_prep(st, "SELECT box, areas FROM hub_boxes ORDER BY box");
	sqlite3_stmt		*body = st_prep(st, "SELECT json_object('id', ?1, 'text', ?2, 'areas', json(?3), "
	    "'priority', ?4, 'expires_at', ?5)");
	char			 alist[BUFSIZ], *bj = NULL;
	size_t			 len = 0;
	int			 i;
	struct st_rows		 bv;
	enum store_status	 s;

	*nboxes = 0;
	if (boxes == NULL || body == NULL)
		return STORE_ERROR;
	len = (size_t)snprintf(alist, sizeof(alist), "[");
	for (i = 0; i < nareas && len < sizeof(alist) - 24; i++)
		len += (size_t)snprintf(alist + len, sizeof(alist) - len, "%s\"%s\"", i ? "," : "", areas[i]);
	snprintf(alist + len, sizeof(alist) - len, "]");
	s = st_rows(st, boxes, "reading the boxes", &bv);
	st_bind(body, "ItiI", id, text, alist, priority, (int64_t)expires_at);
	/* json_object: always one row */
	if (s == STORE_OK)
		s = st_get(st, body, "building a broadcast command", "d", &bj);
	for (i = 0; i < bv.n && s == STORE_OK; i++)
		if (box_serves(st_rows_text(&bv, i, 1), areas, nareas)) {
			if ((s = store_hub_enqueue(st, hub, epoch, st_rows_text(&bv, i, 0), priority == 0 ? "alert" :
			    "cmd", "broadcast", bj, NULL)) == STORE_OK)
				(*nboxes)++;
		}
	st_rows_free(&bv);
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
		st_bind(stmt, "t", areas[i]);
		n += (long)st_scalar(st, stmt, 0);
	}
	return n;
}

enum store_status
store_hub_pending(struct store *st, const char *box, const char *lane, int64_t after, int max,
    int (*cb)(void *, int64_t, const char *), void *arg)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT seq, cmd FROM hub_down_out WHERE box = ?1 AND lane = ?2 "
	    "AND seq > ?3 ORDER BY seq LIMIT ?4", "ttIi", box, lane, after, max);
	enum store_status s;

	while ((s = st_row(st, stmt, "reading commands for a box")) == STORE_OK)
		if (cb(arg, sqlite3_column_int64(stmt, 0), (const char *)sqlite3_column_text(stmt, 1)) != 0) {
			sqlite3_reset(stmt);
			break;
		}
	return s == STORE_NOTFOUND ? STORE_OK : s;
}

enum store_status
store_hub_acked(struct store *st, const char *box, const char *lane, int64_t seq)
{
	sqlite3_stmt		*up = st_prep(st, "UPDATE hub_down_lanes SET acked = ?3 WHERE box = ?1 AND lane = ?2 "
	    "AND acked < ?3 AND ?3 < next_seq");
	sqlite3_stmt		*del = st_prep(st, "DELETE FROM hub_down_out WHERE box = ?1 AND lane = ?2 AND seq <= ?3");

	if (up == NULL || del == NULL)
		return STORE_ERROR;
	if (beyond_sent(st, box, lane, seq, st_value(st, INT64_MAX, INT64_MAX, "SELECT next_seq FROM hub_down_lanes "
	    "WHERE box = ?1 AND lane = ?2", "tt", box, lane)))
		return STORE_INVALID;
	st_bind(up, "ttI", box, lane, seq);
	st_bind(del, "ttI", box, lane, seq);
	return take_ack(st, up, "recording a box's ack", del, "dropping acknowledged commands", 0);
}

enum store_status
store_hub_rebase(struct store *st, const char *box, const char *lane, int64_t applied, long *n)
{
	/* in two steps, so that the key stays unique on the way */
	sqlite3_stmt	*neg = st_prepf(st, "UPDATE hub_down_out SET seq = -seq WHERE box = ?1 AND lane = ?2", "tt",
	    box, lane);
	sqlite3_stmt	*pos = st_prepf(st, "UPDATE hub_down_out SET seq = n.seq, cmd = json_set(cmd, '$.seq', n.seq) "
	    "FROM (SELECT seq AS old, ?3 + row_number() OVER (ORDER BY seq DESC) AS seq FROM hub_down_out "
	    "WHERE box = ?1 AND lane = ?2) n WHERE box = ?1 AND lane = ?2 AND hub_down_out.seq = n.old", "ttI",
	    box, lane, applied);
	sqlite3_stmt	*ln = st_prepf(st, "UPDATE hub_down_lanes SET acked = ?3, next_seq = ?3 + 1 + (SELECT count(*) "
	    "FROM hub_down_out o WHERE o.box = ?1 AND o.lane = ?2) WHERE box = ?1 AND lane = ?2 AND acked <= ?3",
	    "ttI", box, lane, applied);
	enum store_status s;

	*n = 0;
	if (neg == NULL || pos == NULL || ln == NULL)
		return STORE_ERROR;
	if ((s = store_begin(st)) != STORE_OK)
		return s;
	if ((s = st_exec(st, ln, "moving a box's lane on")) != STORE_OK)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		/* an old answer: the lane is already past it */
		store_rollback(st);
		return STORE_OK;
	}
	if ((s = st_exec(st, neg, "renumbering commands")) != STORE_OK ||
	    (s = st_exec(st, pos, "renumbering commands")) != STORE_OK)
		goto fail;
	*n = sqlite3_changes(st->db);
	return store_commit(st);
fail:
	store_rollback(st);
	return s;
}

enum store_status
store_hub_each_box(struct store *st, int (*cb)(void *, const char *, const char *), void *arg)
{
	sqlite3_stmt		*stmt = st_prep(st, "SELECT box, state FROM hub_boxes ORDER BY box");
	char			 box[128], state[16];
	struct st_rows		 r;
	enum store_status	 s;
	int			 i;

	s = st_rows(st, stmt, "reading the boxes", &r);
	/* the callbacks may use the store: st_rows read all first */
	for (i = 0; i < r.n; i++) {
		st_rows_copy(box, sizeof(box), &r, i, 0);
		st_rows_copy(state, sizeof(state), &r, i, 1);
		if (cb(arg, box, state) != 0)
			break;
	}
	st_rows_free(&r);
	return s;
}

enum store_status
store_list_boxes(struct store *st, store_row_cb cb, void *arg)
{
	return st_list(st, "SELECT box, (SELECT json_group_array(value) FROM "
	    "json_each('[\"' || replace(areas, ',', '\",\"') || '\"]') WHERE value != '') AS areas, state, "
	    "strftime('%Y-%m-%d %H:%M:%S', last_seen, 'unixepoch') AS last_seen, "
	    "coalesce(json_extract(status, '$.up_pending'), 0) AS up_pending, "
	    "(SELECT count(*) FROM hub_down_out d WHERE d.box = b.box) AS down_pending, "
	    "coalesce(json_extract(status, '$.subscribers_total'), 0) AS subscribers, "
	    "coalesce(json_extract(status, '$.modems_ready'), 0) AS modems_ready, "
	    "coalesce(json_extract(status, '$.modems'), 0) AS modems, "
	    "(SELECT count(*) FROM hub_records r WHERE r.box = b.box) AS records "
	    "FROM hub_boxes b ORDER BY box", "areas", cb, arg, "");
}

enum store_status
store_hub_reach(struct store *st, int64_t id, store_row_cb cb, void *arg)
{
	return st_list(st, "SELECT b.box AS box, coalesce(r.recipients, 0) AS recipients, "
	    "coalesce(r.queued, 0) AS queued, coalesce(r.sent, 0) AS sent, coalesce(r.delivered, 0) AS delivered, "
	    "coalesce(r.failed, 0) AS failed FROM (SELECT DISTINCT box FROM hub_reach WHERE announcement_id = ?1 "
	    "UNION SELECT box FROM hub_down_out WHERE kind = 'broadcast' AND json_extract(cmd, '$.body.id') = ?1) b "
	    "LEFT JOIN hub_reach r ON r.announcement_id = ?1 AND r.box = b.box ORDER BY b.box", NULL, cb, arg, "I",
	    id);
}

enum store_status
store_post_box(struct store *st, int64_t id, char box[64], int64_t *box_post_id)
{
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT coalesce(via, box), box_post_id FROM posts WHERE id = ?1",
	    "I", id);
	enum store_status	 s;

	*box = '\0';
	*box_post_id = 0;
	if ((s = st_row(st, stmt, "reading a post")) != STORE_OK)
		return s;
	/* a post that came from no box */
	s = STORE_NOTFOUND;
	if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		st_col_copy(box, 64, stmt, 0);
		*box_post_id = sqlite3_column_int64(stmt, 1);
		s = STORE_OK;
	}
	sqlite3_reset(stmt);
	return s;
}

enum store_status
store_hub_export(struct store *st, int64_t after, long limit, store_row_cb cb, void *arg)
{
	/* OpenDK's pesan: judul, pesan, pengirim, nama_pengirim; keyed by kode_desa; cursor id > last */
	return st_list(st, "SELECT r.id AS id, r.kind AS jenis, r.box AS box, "
	    "json_extract(r.body, '$.area') AS kode_desa, "
	    "CASE r.kind WHEN 'post' THEN 'LAPOR ' || coalesce(json_extract(r.body, '$.kim'), '') "
	    "WHEN 'sms' THEN 'SMS' ELSE r.kind END AS judul, "
	    "coalesce(json_extract(r.body, '$.text'), r.body) AS pesan, json_extract(r.body, '$.from') AS pengirim, "
	    "json_extract(r.body, '$.kim') AS nama_pengirim, json_extract(r.body, '$.status') AS status, "
	    "strftime('%Y-%m-%d %H:%M:%S', coalesce(json_extract(r.body, '$.received'), r.received_at), 'unixepoch') "
	    "AS diterima FROM hub_records r WHERE r.id > ?1 AND r.kind IN ('post', 'progress', 'sms') "
	    "ORDER BY r.id LIMIT ?2", NULL, cb, arg, "II", after, (int64_t)(limit > 0 ? limit : -1));
}

enum store_status
store_hub_lane(struct store *st, const char *box, const char *lane, int64_t *acked, long *pending)
{
	/* two scalar subqueries: always one row */
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT coalesce((SELECT acked FROM hub_down_lanes WHERE box = ?1 "
	    "AND lane = ?2), 0), (SELECT count(*) FROM hub_down_out WHERE box = ?1 AND lane = ?2)", "tt", box, lane);

	*acked = 0;
	*pending = 0;
	return st_get(st, stmt, "reading a box's queue", "Il", acked, pending);
}

enum store_status
store_json_rows(struct store *st, const char *json, const char *path,
    int (*cb)(void *, const char *const *, int), void *arg)
{
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
	    "json_extract(value, '$[2]') FROM json_each(?1, ?2)", "tt", json, path);
	const char		*c[3];
	struct st_rows		 r;
	int			 i, j;
	enum store_status	 s;

	s = st_rows(st, stmt, "reading rows of a command", &r);
	/* the statement is done: the callback may use the store */
	for (i = 0; i < r.n && s == STORE_OK; i++) {
		for (j = 0; j < 3; j++)
			c[j] = st_rows_text(&r, i, j);
		if (cb(arg, c, 3) != 0)
			s = STORE_ERROR;
	}
	st_rows_free(&r);
	return s;
}
