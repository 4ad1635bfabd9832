/* store_posts — the posts table: LAPOR reports and their review (see store_posts.h). */
#include <stdio.h>
#include <string.h>

#include "store/store-internal.h"
#include "store/store_posts.h"

enum store_status
store_post_add(struct store *st, const char *sender, const char *kim, const char *area, const char *text,
    int published, int64_t inbox_id, int64_t *id)
{
	time_t			 now = st_now();
	enum store_status	 s;

	/* no inbox row (0) and no review yet (0) are NULL */
	s = st_run(st, "storing a report", "INSERT INTO posts (sender, kim, area, text, status, inbox_id, "
	    "received_at, reviewed_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, "
	    "nullif(?8, 0), ?7, ?7)", "tttttIII", sender, kim && *kim ? kim : NULL, area && *area ? area : NULL,
	    text, published ? "published" : "pending", inbox_id, (int64_t)now, (int64_t)(published ? now : 0));
	if (s == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return s;
}

enum store_status
store_post_review(struct store *st, int64_t id, int approve)
{
	char			 status[16];
	enum store_status	 s;

	if ((s = st_get(st, st_prepf(st, "SELECT status FROM posts WHERE id = ?1", "I", id), "reading a report", "t",
	    status, sizeof(status))) != STORE_OK)
		return s;
	if (strcmp(status, "pending") != 0) {
		snprintf(st->errmsg, sizeof(st->errmsg), "report %lld is already %s", (long long)id, status);
		return STORE_INVALID;
	}
	return st_run(st, "reviewing a report", "UPDATE posts SET status = ?2, reviewed_at = ?3, updated_at = ?3 "
	    "WHERE id = ?1", "ItI", id, approve ? "published" : "rejected", (int64_t)st_now());
}

enum store_status
store_list_posts(struct store *st, const char *status, store_row_cb cb, void *arg)
{
	return st_list(st, "SELECT id, sender AS \"from\", kim, area, text, status, "
	    "datetime(received_at, 'unixepoch', 'localtime') AS received, box FROM posts "
	    "WHERE ?1 IS NULL OR status = ?1 ORDER BY id", NULL, cb, arg, "t", status);
}

enum store_status
store_post_sender(struct store *st, int64_t id, char *number, size_t len)
{
	return st_get(st, st_prepf(st, "SELECT sender FROM posts WHERE id = ?1", "I", id), "reading a report", "t",
	    number, len);
}
