/*
 * store_web — the web console's accounts, sessions and failed logins, and the listings its pages
 * need (see store_web.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "store/store-internal.h"
#include "store/store_web.h"

static int
name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > STORE_USER_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) && !strchr("._-", name[i]))
			return 0;
	return 1;
}

static int
role_ok(const char *role)
{
	return role && (!strcmp(role, "viewer") || !strcmp(role, "operator") || !strcmp(role, "official") ||
	    !strcmp(role, "admin"));
}

/* ---- accounts ---- */

enum store_status
store_user_valid(struct store *st, const char *name, const char *role)
{
	if (!name_ok(name)) {
		snprintf(st->errmsg, sizeof(st->errmsg), "'%s' is not a user name: 1-%d characters of a-z, 0-9, "
		    "'.', '_' and '-'", name, STORE_USER_NAME_MAX);
		return STORE_INVALID;
	}
	if (!role_ok(role)) {
		snprintf(st->errmsg, sizeof(st->errmsg), "'%s' is not a role: viewer, operator, official or admin",
		    role ? role : "");
		return STORE_INVALID;
	}
	return STORE_OK;
}

enum store_status
store_user_put(struct store *st, const char *name, const char *role, const char *hash, int *created)
{
	sqlite3_stmt		*stmt;
	struct store_user	 u;
	enum store_status	 s;

	if ((s = store_user_valid(st, name, role)) != STORE_OK)
		return s;
	if (hash == NULL || *hash == '\0' || strlen(hash) >= STORE_HASH_MAX) {
		snprintf(st->errmsg, sizeof(st->errmsg), "bad password hash");
		return STORE_INVALID;
	}
	s = store_user_get(st, name, &u);
	if (s != STORE_OK && s != STORE_NOTFOUND)
		return s;
	*created = s == STORE_NOTFOUND;
	stmt = st_prep(st, "INSERT INTO web_users (name, role, hash, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO UPDATE SET role = ?2, hash = ?3, updated_at = ?4");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, st_now());
	if ((s = st_exec(st, stmt, "adding a user")) != STORE_OK || *created)
		return s;
	/* a new password ends the old sessions and forgives the old failures */
	stmt = st_prep(st, "DELETE FROM web_sessions WHERE user_id = ?1");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, u.id);
	if ((s = st_exec(st, stmt, "ending sessions")) != STORE_OK)
		return s;
	stmt = st_prep(st, "DELETE FROM web_login_failures WHERE name = ?1");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	return st_exec(st, stmt, "clearing failed logins");
}

enum store_status
store_user_remove(struct store *st, const char *name)
{
	struct store_user	 u;
	sqlite3_stmt		*stmt;
	enum store_status	 s;

	if ((s = store_user_get(st, name, &u)) != STORE_OK)
		return s;
	stmt = st_prep(st, "DELETE FROM web_sessions WHERE user_id = ?1");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, u.id);
	if ((s = st_exec(st, stmt, "ending sessions")) != STORE_OK)
		return s;
	stmt = st_prep(st, "DELETE FROM web_users WHERE id = ?1");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, u.id);
	return st_exec(st, stmt, "removing a user");
}

enum store_status
store_user_get(struct store *st, const char *name, struct store_user *u)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT id, name, role, hash FROM web_users WHERE name = ?1");
	int		 rc;

	memset(u, 0, sizeof(*u));
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		u->id = sqlite3_column_int64(stmt, 0);
		st_col_copy(u->name, sizeof(u->name), stmt, 1);
		st_col_copy(u->role, sizeof(u->role), stmt, 2);
		st_col_copy(u->hash, sizeof(u->hash), stmt, 3);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	return rc == SQLITE_ROW ? STORE_OK : st_fail(st, rc, "reading a user");
}

enum store_status
store_list_users(struct store *st, store_row_cb cb, void *arg)
{
	sqlite3_stmt *stmt = st_prep(st, "SELECT u.name, u.role, "
	    "(SELECT count(*) FROM web_sessions s WHERE s.user_id = u.id) AS sessions, "
	    "datetime(u.created_at, 'unixepoch', 'localtime') AS created FROM web_users u ORDER BY u.name");

	if (stmt == NULL)
		return STORE_ERROR;
	return st_emit(st, stmt, NULL, cb, arg);
}

/* ---- sessions ---- */

enum store_status
store_session_add(struct store *st, const char *id, int64_t user_id, const char *csrf, const char *address,
    time_t now, time_t expires_at)
{
	sqlite3_stmt *stmt = st_prep(st, "INSERT INTO web_sessions (id, user_id, csrf, address, created_at, "
	    "seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_text(stmt, 3, csrf, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, now);
	sqlite3_bind_int64(stmt, 6, expires_at);
	return st_exec(st, stmt, "starting a session");
}

enum store_status
store_session_get(struct store *st, const char *id, time_t now, long idle_s, struct store_session *se)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT u.id, u.name, u.role, s.csrf, s.expires_at, s.seen_at "
	    "FROM web_sessions s JOIN web_users u ON u.id = s.user_id WHERE s.id = ?1");
	time_t		 seen = 0;
	int		 rc;

	memset(se, 0, sizeof(*se));
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		se->user.id = sqlite3_column_int64(stmt, 0);
		st_col_copy(se->user.name, sizeof(se->user.name), stmt, 1);
		st_col_copy(se->user.role, sizeof(se->user.role), stmt, 2);
		st_col_copy(se->csrf, sizeof(se->csrf), stmt, 3);
		se->expires_at = sqlite3_column_int64(stmt, 4);
		seen = sqlite3_column_int64(stmt, 5);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	if (rc != SQLITE_ROW)
		return st_fail(st, rc, "reading a session");
	if (now >= se->expires_at || now - seen > idle_s) {
		store_session_remove(st, id);
		return STORE_NOTFOUND;
	}
	/* the idle clock needs no write per request: a few per idle period are enough */
	if (now - seen >= (idle_s >= 8 ? idle_s / 8 : 1)) {
		stmt = st_prep(st, "UPDATE web_sessions SET seen_at = ?2 WHERE id = ?1");
		if (stmt == NULL)
			return STORE_ERROR;
		sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 2, now);
		return st_exec(st, stmt, "touching a session");
	}
	return STORE_OK;
}

enum store_status
store_session_remove(struct store *st, const char *id)
{
	sqlite3_stmt *stmt = st_prep(st, "DELETE FROM web_sessions WHERE id = ?1");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	return st_exec(st, stmt, "ending a session");
}

enum store_status
store_sessions_prune(struct store *st, time_t now, long idle_s)
{
	sqlite3_stmt		*stmt = st_prep(st, "DELETE FROM web_sessions WHERE expires_at <= ?1 OR seen_at < ?1 - ?2");
	enum store_status	 s;

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, idle_s);
	if ((s = st_exec(st, stmt, "pruning sessions")) != STORE_OK)
		return s;
	/* failures a day old that hold no lock are forgotten (made-up names must not pile up) */
	stmt = st_prep(st, "DELETE FROM web_login_failures WHERE last_at < ?1 - 86400 AND locked_until <= ?1");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, now);
	return st_exec(st, stmt, "pruning failed logins");
}

/* ---- failed logins ---- */

enum store_status
store_login_allowed(struct store *st, const char *name, const char *address, time_t now, int account_max,
    long lock_s, time_t *until)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT max(CASE WHEN address = ?2 THEN locked_until ELSE 0 END), "
	    "sum(CASE WHEN last_at > ?3 - ?4 THEN failures ELSE 0 END), max(last_at) "
	    "FROM web_login_failures WHERE name = ?1");
	int64_t		 pair = 0, total = 0, last = 0;
	int		 rc;

	*until = 0;
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	sqlite3_bind_int64(stmt, 4, lock_s);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		pair = sqlite3_column_int64(stmt, 0);
		total = sqlite3_column_int64(stmt, 1);
		last = sqlite3_column_int64(stmt, 2);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_fail(st, rc, "reading failed logins");
	if (pair > now) {
		*until = pair;
		return STORE_INVALID;
	}
	if (account_max > 0 && total >= account_max && last + lock_s > now) {
		*until = last + lock_s;
		return STORE_INVALID;
	}
	return STORE_OK;
}

enum store_status
store_login_failed(struct store *st, const char *name, const char *address, time_t now, int max, long lock_s,
    int *locked)
{
	sqlite3_stmt	*stmt = st_prep(st, "INSERT INTO web_login_failures (name, address, failures, last_at) "
	    "VALUES (?1, ?2, 1, ?3) ON CONFLICT (name, address) DO UPDATE SET "
	    "failures = CASE WHEN locked_until > 0 AND locked_until <= ?3 THEN 1 ELSE failures + 1 END, "
	    "locked_until = CASE WHEN locked_until <= ?3 THEN 0 ELSE locked_until END, last_at = ?3 "
	    "RETURNING failures");
	int64_t		 n = 0;
	int		 rc;

	*locked = 0;
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, "counting a failed login");
	if (n < max)
		return STORE_OK;
	stmt = st_prep(st, "UPDATE web_login_failures SET locked_until = ?3 WHERE name = ?1 AND address = ?2");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now + lock_s);
	*locked = 1;
	return st_exec(st, stmt, "locking logins");
}

enum store_status
store_login_ok(struct store *st, const char *name, const char *address)
{
	sqlite3_stmt *stmt = st_prep(st, "DELETE FROM web_login_failures WHERE name = ?1 AND address = ?2");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	return st_exec(st, stmt, "clearing failed logins");
}

/* ---- what the pages show ---- */

enum store_status
store_subscriber_counts(struct store *st, const char *parent, store_row_cb cb, void *arg)
{
	sqlite3_stmt *stmt = st_prep(st, "SELECT * FROM (SELECT a.code AS area, a.name AS name, "
	    "(SELECT count(DISTINCT s.subscriber_id) FROM subscriptions s JOIN subscribers b "
	    "ON b.id = s.subscriber_id AND b.status = 'active' "
	    "WHERE s.area >= a.code AND s.area < a.code || ':') AS subscribers "
	    "FROM areas a WHERE (?1 IS NULL AND a.level = 1) OR a.parent = ?1) "
	    "WHERE subscribers > 0 ORDER BY area");

	if (stmt == NULL)
		return STORE_ERROR;
	st_bind_text(stmt, 1, parent && *parent ? parent : NULL);
	return st_emit(st, stmt, NULL, cb, arg);
}

enum store_status
store_traffic_since(struct store *st, time_t since, long *received, long *sent)
{
	sqlite3_stmt *a = st_prep(st, "SELECT count(*) FROM inbox WHERE received_at >= ?1");
	sqlite3_stmt *b = st_prep(st, "SELECT count(*) FROM outbox WHERE sent_at >= ?1");

	*received = *sent = 0;
	if (a == NULL || b == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(a, 1, since);
	sqlite3_bind_int64(b, 1, since);
	*received = (long)st_scalar(st, a, -1);
	*sent = (long)st_scalar(st, b, -1);
	return *received < 0 || *sent < 0 ? STORE_ERROR : STORE_OK;
}

