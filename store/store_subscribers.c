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
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT id, status FROM subscribers WHERE number = ?1", "t",
	    number);
	enum store_status	 s;

	if ((s = st_row(st, stmt, "reading a subscriber")) == STORE_OK) {
		*id = sqlite3_column_int64(stmt, 0);
		*stopped = strcmp((const char *)sqlite3_column_text(stmt, 1), "stopped") == 0;
		sqlite3_reset(stmt);
		return STORE_OK;
	}
	if (s != STORE_NOTFOUND || !create)
		return s;
	if ((s = st_run(st, "adding a subscriber", "INSERT INTO subscribers (number, name, status, since, created_at, "
	    "updated_at) VALUES (?1, ?2, 'active', ?3, ?3, ?3)", "ttI", number, name && *name ? name : NULL,
	    (int64_t)st_now())) != STORE_OK)
		return s;
	*id = sqlite3_last_insert_rowid(st->db);
	*stopped = 0;
	return STORE_OK;
}

enum store_status
store_subscribe(struct store *st, const char *number, const char *area, const char *name, int *created)
{
	sqlite3_int64		 id;
	int			 stopped;
	enum store_status	 s;

	*created = 0;
	if ((s = subscriber_id(st, number, name, 1, &id, &stopped)) != STORE_OK)
		return s;
	if ((stopped || (name && *name)) && (s = st_run(st, "reactivating a subscriber", "UPDATE subscribers SET "
	    "status = 'active', since = CASE status WHEN 'stopped' THEN ?2 ELSE since END, "
	    "name = coalesce(?3, name), updated_at = ?2 WHERE id = ?1", "IIt", (int64_t)id, (int64_t)st_now(),
	    name && *name ? name : NULL)) != STORE_OK)
		return s;
	if ((s = st_run(st, "subscribing", "INSERT INTO subscriptions (area, subscriber_id, created_at) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING", "tII", area, (int64_t)id, (int64_t)st_now())) != STORE_OK)
		return s;
	*created = sqlite3_changes(st->db) > 0 || stopped;
	return STORE_OK;
}

enum store_status
store_unsubscribe(struct store *st, const char *number, const char *area, int *removed)
{
	sqlite3_int64		 id;
	int			 stopped;
	int64_t			 left;
	enum store_status	 s;

	*removed = 0;
	if ((s = subscriber_id(st, number, NULL, 0, &id, &stopped)) != STORE_OK)
		return s;
	if (area != NULL) {
		if ((s = st_run(st, "unsubscribing", "DELETE FROM subscriptions WHERE subscriber_id = ?1 AND area = ?2",
		    "It", (int64_t)id, area)) != STORE_OK)
			return s;
		*removed = sqlite3_changes(st->db);
		left = st_value(st, 0, -1, "SELECT count(*) FROM subscriptions WHERE subscriber_id = ?1", "I",
		    (int64_t)id);
		if (left < 0)
			return STORE_ERROR;
		if (left > 0)
			return STORE_OK;
	} else {
		if ((s = st_run(st, "unsubscribing", "DELETE FROM subscriptions WHERE subscriber_id = ?1", "I",
		    (int64_t)id)) != STORE_OK)
			return s;
		*removed = sqlite3_changes(st->db);
	}
	/* no subscription left: the number is stopped, and nothing more is sent to it */
	if ((s = st_run(st, "stopping a subscriber", "UPDATE subscribers SET status = 'stopped', since = ?2, "
	    "updated_at = ?2 WHERE id = ?1 AND status <> 'stopped'", "II", (int64_t)id, (int64_t)st_now())) != STORE_OK)
		return s;
	if (area == NULL && sqlite3_changes(st->db) > 0 && *removed == 0)
		*removed = 1;
	return STORE_OK;
}

int
store_subscriber_active(struct store *st, const char *number)
{
	return (int)st_value(st, 0, 0, "SELECT 1 FROM subscribers WHERE number = ?1 AND status = 'active'", "t",
	    number);
}

int
store_subscriber_areas(struct store *st, const char *number, char *buf, size_t len)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT s.area FROM subscriptions s JOIN subscribers b ON "
	    "b.id = s.subscriber_id WHERE b.number = ?1 AND b.status = 'active' ORDER BY s.area", "t", number);
	size_t		 off = 0;
	int		 n = 0;

	if (len)
		buf[0] = '\0';
	if (stmt == NULL)
		return 0;
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

/* the listing's columns, a subscriber's areas as a JSON array */
#define SUBSCRIBER_LISTING "SELECT b.number, (SELECT json_group_array(area) FROM (SELECT area FROM " \
	"subscriptions WHERE subscriber_id = b.id ORDER BY area)) AS areas, b.status, " \
	"datetime(b.since, 'unixepoch', 'localtime') AS since, b.name FROM subscribers b "

enum store_status
store_list_subscribers(struct store *st, const char *area, store_row_cb cb, void *arg)
{
	if (area == NULL || *area == '\0')
		return st_list(st, SUBSCRIBER_LISTING "ORDER BY b.id", "areas", cb, arg, "");
	return st_list(st, SUBSCRIBER_LISTING "WHERE b.id IN (SELECT subscriber_id FROM subscriptions "
	    "WHERE area >= ?1 AND area < ?1 || ':') ORDER BY b.id", "areas", cb, arg, "t", area);
}

long
store_subscriber_count(struct store *st)
{
	return (long)st_value(st, -1, -1, "SELECT count(*) FROM subscribers WHERE status = 'active'", "");
}
