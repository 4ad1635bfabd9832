/*
 * store_subscribers — subscribers and their subscriptions. A subscription to an area covers
 * every area inside it: membership is a code-prefix range (area >= C AND area < C || ':'),
 * which the (area, subscriber_id) primary key answers without recursion.
 */
#include <stdio.h>
#include <string.h>

#include "store/store-internal.h"

static enum store_status
subscriber_id(struct store *st, const char *number, const char *name, int create, sqlite3_int64 *id, int *stopped)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	stmt = st_prep(st, "SELECT id, status FROM subscribers WHERE number = ?1");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(stmt, 0);
		*stopped = strcmp((const char *)sqlite3_column_text(stmt, 1), "stopped") == 0;
		sqlite3_reset(stmt);
		return STORE_OK;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, "reading a subscriber");
	if (!create)
		return STORE_NOTFOUND;
	stmt = st_prep(st, "INSERT INTO subscribers (number, name, status, since, created_at, updated_at) "
	    "VALUES (?1, ?2, 'active', ?3, ?3, ?3)");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	st_bind_text(stmt, 2, name && *name ? name : NULL);
	sqlite3_bind_int64(stmt, 3, st_now());
	if ((rc = sqlite3_step(stmt)) != SQLITE_DONE) {
		sqlite3_reset(stmt);
		return st_fail(st, rc, "adding a subscriber");
	}
	sqlite3_reset(stmt);
	*id = sqlite3_last_insert_rowid(st->db);
	*stopped = 0;
	return STORE_OK;
}

enum store_status
store_subscribe(struct store *st, const char *number, const char *area, const char *name, int *created)
{
	sqlite3_stmt		*stmt;
	sqlite3_int64		 id;
	int			 stopped;
	enum store_status	 s;

	*created = 0;
	if ((s = subscriber_id(st, number, name, 1, &id, &stopped)) != STORE_OK)
		return s;
	if (stopped || (name && *name)) {
		stmt = st_prep(st, "UPDATE subscribers SET status = 'active', "
		    "since = CASE status WHEN 'stopped' THEN ?2 ELSE since END, "
		    "name = coalesce(?3, name), updated_at = ?2 WHERE id = ?1");
		if (stmt == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, st_now());
		st_bind_text(stmt, 3, name && *name ? name : NULL);
		if ((s = st_exec(st, stmt, "reactivating a subscriber")) != STORE_OK)
			return s;
	}
	stmt = st_prep(st, "INSERT INTO subscriptions (area, subscriber_id, created_at) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT DO NOTHING");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, area, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, id);
	sqlite3_bind_int64(stmt, 3, st_now());
	if ((s = st_exec(st, stmt, "subscribing")) != STORE_OK)
		return s;
	*created = sqlite3_changes(st->db) > 0 || stopped;
	return STORE_OK;
}

enum store_status
store_unsubscribe(struct store *st, const char *number, const char *area, int *removed)
{
	sqlite3_stmt		*stmt;
	sqlite3_int64		 id;
	int			 stopped, left = 0;
	enum store_status	 s;

	*removed = 0;
	if ((s = subscriber_id(st, number, NULL, 0, &id, &stopped)) != STORE_OK)
		return s;
	if (area != NULL) {
		stmt = st_prep(st, "DELETE FROM subscriptions WHERE subscriber_id = ?1 AND area = ?2");
		if (stmt == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_text(stmt, 2, area, -1, SQLITE_STATIC);
		if ((s = st_exec(st, stmt, "unsubscribing")) != STORE_OK)
			return s;
		*removed = sqlite3_changes(st->db);
		stmt = st_prep(st, "SELECT count(*) FROM subscriptions WHERE subscriber_id = ?1");
		if (stmt == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(stmt, 1, id);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			left = sqlite3_column_int(stmt, 0);
		sqlite3_reset(stmt);
		if (left > 0)
			return STORE_OK;
	} else {
		stmt = st_prep(st, "DELETE FROM subscriptions WHERE subscriber_id = ?1");
		if (stmt == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(stmt, 1, id);
		if ((s = st_exec(st, stmt, "unsubscribing")) != STORE_OK)
			return s;
		*removed = sqlite3_changes(st->db);
	}
	/* no subscription left: the number is stopped, and nothing more is sent to it */
	stmt = st_prep(st, "UPDATE subscribers SET status = 'stopped', since = ?2, updated_at = ?2 "
	    "WHERE id = ?1 AND status <> 'stopped'");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, st_now());
	if ((s = st_exec(st, stmt, "stopping a subscriber")) != STORE_OK)
		return s;
	if (area == NULL && sqlite3_changes(st->db) > 0 && *removed == 0)
		*removed = 1;
	return STORE_OK;
}

int
store_subscriber_active(struct store *st, const char *number)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT 1 FROM subscribers WHERE number = ?1 AND status = 'active'");
	int		 active;

	if (stmt == NULL)
		return 0;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	active = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	return active;
}

int
store_subscriber_areas(struct store *st, const char *number, char *buf, size_t len)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT s.area FROM subscriptions s JOIN subscribers b ON "
	    "b.id = s.subscriber_id WHERE b.number = ?1 AND b.status = 'active' ORDER BY s.area");
	size_t		 off = 0;
	int		 n = 0;

	if (len)
		buf[0] = '\0';
	if (stmt == NULL)
		return 0;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(stmt, 0);
		int w = snprintf(buf + off, len - off, "%s%s", n ? "," : "", a);

		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
		n++;
	}
	sqlite3_reset(stmt);
	return n;
}

enum store_status
store_list_subscribers(struct store *st, const char *area, store_row_cb cb, void *arg)
{
	sqlite3_stmt	*stmt;

	if (area == NULL || *area == '\0') {
		stmt = st_prep(st, "SELECT b.number, (SELECT json_group_array(area) FROM (SELECT area FROM "
		    "subscriptions WHERE subscriber_id = b.id ORDER BY area)) AS areas, b.status, "
		    "datetime(b.since, 'unixepoch', 'localtime') AS since, b.name FROM subscribers b ORDER BY b.id");
	} else {
		stmt = st_prep(st, "SELECT b.number, (SELECT json_group_array(area) FROM (SELECT area FROM "
		    "subscriptions WHERE subscriber_id = b.id ORDER BY area)) AS areas, b.status, "
		    "datetime(b.since, 'unixepoch', 'localtime') AS since, b.name FROM subscribers b "
		    "WHERE b.id IN (SELECT subscriber_id FROM subscriptions WHERE area >= ?1 AND area < ?1 || ':') "
		    "ORDER BY b.id");
		if (stmt)
			sqlite3_bind_text(stmt, 1, area, -1, SQLITE_TRANSIENT);
	}
	if (stmt == NULL)
		return STORE_ERROR;
	return st_emit(st, stmt, "areas", cb, arg);
}

long
store_subscriber_count(struct store *st)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT count(*) FROM subscribers WHERE status = 'active'");
	long		 n = -1;

	if (stmt)
		n = st_scalar(st, stmt, n);
	return n;
}
