/* store_posts — the posts table: LAPOR reports and their review (see store_posts.h). */
#include <stdio.h>
#include <string.h>

#include "store/store-internal.h"
#include "store/store_posts.h"

enum store_status
store_post_add(struct store *st, const char *sender, const char *kim, const char *area, const char *text,
    int published, int64_t inbox_id, int64_t *id)
{
	sqlite3_stmt		*stmt = st_prep(st, "INSERT INTO posts (sender, kim, area, text, status, inbox_id, "
	    "received_at, reviewed_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?7)");
	time_t			 now = st_now();
	enum store_status	 s;

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, sender, -1, SQLITE_STATIC);
	st_bind_text(stmt, 2, kim && *kim ? kim : NULL);
	st_bind_text(stmt, 3, area && *area ? area : NULL);
	sqlite3_bind_text(stmt, 4, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, published ? "published" : "pending", -1, SQLITE_STATIC);
	if (inbox_id)
		sqlite3_bind_int64(stmt, 6, inbox_id);
	sqlite3_bind_int64(stmt, 7, now);
	if (published)
		sqlite3_bind_int64(stmt, 8, now);
	if ((s = st_exec(st, stmt, "storing a report")) == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return s;
}

enum store_status
store_post_review(struct store *st, int64_t id, int approve)
{
	sqlite3_stmt		*stmt = st_prep(st, "SELECT status FROM posts WHERE id = ?1");
	char			 status[16] = "";
	int			 rc;
	enum store_status	 s;

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		st_col_copy(status, sizeof(status), stmt, 0);
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	if (rc != SQLITE_ROW)
		return st_fail(st, rc, "reading a report");
	if (strcmp(status, "pending") != 0) {
		snprintf(st->errmsg, sizeof(st->errmsg), "report %lld is already %s", (long long)id, status);
		return STORE_INVALID;
	}
	stmt = st_prep(st, "UPDATE posts SET status = ?2, reviewed_at = ?3, updated_at = ?3 WHERE id = ?1");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, approve ? "published" : "rejected", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, st_now());
	s = st_exec(st, stmt, "reviewing a report");
	return s;
}

enum store_status
store_list_posts(struct store *st, const char *status, store_row_cb cb, void *arg)
{
	sqlite3_stmt *stmt = st_prep(st, "SELECT id, sender AS \"from\", kim, area, text, status, "
	    "datetime(received_at, 'unixepoch', 'localtime') AS received, box FROM posts "
	    "WHERE ?1 IS NULL OR status = ?1 ORDER BY id");

	if (stmt == NULL)
		return STORE_ERROR;
	st_bind_text(stmt, 1, status);
	return st_emit(st, stmt, NULL, cb, arg);
}

enum store_status
store_post_sender(struct store *st, int64_t id, char *number, size_t len)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT sender FROM posts WHERE id = ?1");
	int		 rc;

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		st_col_copy(number, len, stmt, 0);
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	return rc == SQLITE_ROW ? STORE_OK : st_fail(st, rc, "reading a report");
}
