/* store_choices — the pending_choices table: numbered choices waiting for a reply (see
 * store_choices.h). */
#include <stdio.h>
#include <string.h>

#include "store/store-internal.h"
#include "store/store_choices.h"

enum store_status
store_choice_put(struct store *st, const char *number, const char *action, const char *const *codes, int n,
    time_t expires_at)
{
	sqlite3_stmt	*stmt = st_prep(st, "INSERT INTO pending_choices (number, action, options, created_at, "
	    "expires_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (number) DO UPDATE SET action = excluded.action, "
	    "options = excluded.options, created_at = excluded.created_at, expires_at = excluded.expires_at");
	char		 json[STORE_CHOICE_MAX * 20 + 4];
	size_t		 off = 0;
	int		 i;

	if (stmt == NULL)
		return STORE_ERROR;
	json[off++] = '[';
	for (i = 0; i < n && i < STORE_CHOICE_MAX; i++)
		off += (size_t)snprintf(json + off, sizeof(json) - off, "%s\"%.15s\"", i ? "," : "", codes[i]);
	json[off++] = ']';
	json[off] = '\0';
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, json, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 4, st_now());
	sqlite3_bind_int64(stmt, 5, expires_at);
	return st_exec(st, stmt, "storing a choice");
}

enum store_status
store_choice_get(struct store *st, const char *number, time_t now, struct store_choice *c)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT p.action, j.value FROM pending_choices p, json_each(p.options) j "
	    "WHERE p.number = ?1 AND p.expires_at > ?2 ORDER BY j.key");
	int		 rc;

	memset(c, 0, sizeof(*c));
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		st_col_copy(c->action, sizeof(c->action), stmt, 0);
		if (c->n < STORE_CHOICE_MAX) {
			st_col_copy(c->codes[c->n], sizeof(c->codes[0]), stmt, 1);
			c->n++;
		}
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, "reading a choice");
	return c->n > 0 ? STORE_OK : STORE_NOTFOUND;
}

enum store_status
store_choice_clear(struct store *st, const char *number)
{
	sqlite3_stmt *stmt = st_prep(st, "DELETE FROM pending_choices WHERE number = ?1");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	return st_exec(st, stmt, "clearing a choice");
}
