/*
 * store_retention — batched deletes of old inbox, outbox and audit rows (see store_retention.h).
 * A batch is "the first max matching rows by id": its highest id bounds both the reach
 * aggregation and the delete, so both see the same rows inside the one transaction.
 */
#include "store/store-internal.h"
#include "store/store_retention.h"

#define OUT_DONE "status IN ('sent', 'delivered', 'failed', 'expired', 'cancelled') AND updated_at < ?1"

static const char *const batch_end_sql[] = {
	[STORE_RET_INBOX] = "SELECT max(id) FROM (SELECT id FROM inbox WHERE received_at < ?1 AND action IS NOT NULL "
	    "ORDER BY id LIMIT ?2)",
	/* rows are created in id order, so those created before the cut are a prefix of the ids: the
	 * scan stops at the first younger row instead of reading a million young ones every pass */
	[STORE_RET_OUTBOX] = "SELECT max(id) FROM (SELECT id FROM outbox WHERE id < coalesce((SELECT id FROM outbox "
	    "WHERE created_at >= ?1 ORDER BY id LIMIT 1), 9e18) AND " OUT_DONE " ORDER BY id LIMIT ?2)",
	[STORE_RET_AUDIT] = "SELECT max(id) FROM (SELECT id FROM audit WHERE id < coalesce((SELECT id FROM audit "
	    "WHERE at >= ?1 ORDER BY id LIMIT 1), 9e18) AND at < ?1 ORDER BY id LIMIT ?2)",
};
static const char *const delete_sql[] = {
	[STORE_RET_INBOX] = "DELETE FROM inbox WHERE id <= ?2 AND received_at < ?1 AND action IS NOT NULL",
	[STORE_RET_OUTBOX] = "DELETE FROM outbox WHERE id <= ?2 AND " OUT_DONE,
	[STORE_RET_AUDIT] = "DELETE FROM audit WHERE id <= ?2 AND at < ?1",
};
static const char *const newest_sql[] = {
	[STORE_RET_INBOX] = "SELECT max(received_at) FROM inbox",
	[STORE_RET_OUTBOX] = "SELECT updated_at FROM outbox ORDER BY id DESC LIMIT 1",
	[STORE_RET_AUDIT] = "SELECT at FROM audit ORDER BY id DESC LIMIT 1",
};

/* each recipient counted once, under their village inside the announcement's areas */
static const char reach_sql[] =
    "INSERT INTO announcement_reach (announcement_id, area, status, n) "
    "SELECT o.announcement_id, coalesce((SELECT min(s.area) FROM subscribers b "
    "JOIN subscriptions s ON s.subscriber_id = b.id, announcements a, json_each(a.areas) j "
    "WHERE b.number = o.number AND a.id = o.announcement_id AND s.area >= j.value "
    "AND s.area < j.value || ':'), '') AS area, o.status, count(*) "
    "FROM outbox o WHERE o.id <= ?2 AND o.announcement_id IS NOT NULL AND o." OUT_DONE
    " GROUP BY 1, 2, 3 "
    "ON CONFLICT (announcement_id, area, status) DO UPDATE SET n = n + excluded.n";

enum store_status
store_retention_step(struct store *st, enum store_ret_table t, time_t cut, int max, long *n)
{
	enum store_status	 s;
	int64_t			 end;

	*n = 0;
	if ((s = store_begin(st)) != STORE_OK)
		return s;
	/* -1 nothing old enough, -2 the statement failed to prepare */
	if ((end = st_value(st, -1, -2, batch_end_sql[t], "Ii", (int64_t)cut, max)) < 0) {
		store_rollback(st);
		return end == -1 ? STORE_OK : STORE_ERROR;
	}
	if (t == STORE_RET_OUTBOX) {
		if ((s = st_run(st, "keeping the reach counts", reach_sql, "II", (int64_t)cut, end)) != STORE_OK)
			goto fail;
	}
	if ((s = st_run(st, "deleting old rows", delete_sql[t], "II", (int64_t)cut, end)) != STORE_OK)
		goto fail;
	*n = sqlite3_changes(st->db);
	return store_commit(st);
fail:
	store_rollback(st);
	*n = 0;
	return s;
}

time_t
store_retention_newest(struct store *st, enum store_ret_table t)
{
	return (time_t)st_value(st, 0, 0, newest_sql[t], "");
}
