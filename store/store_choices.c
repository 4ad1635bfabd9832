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
	char		 json[STORE_CHOICE_MAX * 20 + 4];
	size_t		 off = 0;
	int		 i;

	json[off++] = '[';
	for (i = 0; i < n && i < STORE_CHOICE_MAX; i++)
		off += (size_t)snprintf(json + off, sizeof(json) - off, "%s\"%.15s\"", i ? "," : "", codes[i]);
	json[off++] = ']';
	json[off] = '\0';
	return st_run(st, "storing a choice", "INSERT INTO pending_choices (number, action, options, created_at, "
	    "expires_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (number) DO UPDATE SET action = excluded.action, "
	    "options = excluded.options, created_at = excluded.created_at, expires_at = excluded.expires_at",
	    "tttII", number, action, json, (int64_t)st_now(), (int64_t)expires_at);
}

enum store_status
store_choice_get(struct store *st, const char *number, time_t now, struct store_choice *c)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT p.action, j.value FROM pending_choices p, json_each(p.options) j "
	    "WHERE p.number = ?1 AND p.expires_at > ?2 ORDER BY j.key", "tI", number, (int64_t)now);
	int		 rc;

	memset(c, 0, sizeof(*c));
	if (stmt == NULL)
		return STORE_ERROR;
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
	return st_run(st, "clearing a choice", "DELETE FROM pending_choices WHERE number = ?1", "t", number);
}
