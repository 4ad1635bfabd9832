/*
 * store_web — the web console's accounts, sessions and failed logins, and the listings its pages
 * need (see store_web.h).
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"	/* ct_memcmp */
#include "common/str.h"
#include "common/xmalloc.h"

#include "store/store-internal.h"
#include "store/store_web.h"

static int
name_ok(const char *name)
{
	return str_made_of(name, strlen(name), STORE_USER_NAME_MAX, STR_LOWER STR_DIGITS "._-");
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

int
store_user_hash(const char *password, char *out, size_t len)
{
	struct crypt_data	*cd = xcalloc(1, sizeof(*cd));
	char			 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char		*h;
	int			 rc = -1;

	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) != NULL &&
	    (h = crypt_r(password, salt, cd)) != NULL && h[0] != '*' && strlen(h) < len) {
		snprintf(out, len, "%s", h);
		rc = 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

int
store_user_check(const char *password, const char *hash)
{
	struct crypt_data	*cd;
	const char		*x;
	int			 ok;

	if (hash == NULL || hash[0] == '\0')
		return 0;
	cd = xcalloc(1, sizeof(*cd));
	x = crypt_r(password, hash, cd);
	ok = x != NULL && x[0] != '*' && strlen(x) == strlen(hash) && ct_memcmp(x, hash, strlen(x)) == 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

/* Ends the sessions of user id. */
static enum store_status
end_sessions(struct store *st, int64_t id)
{
	return st_run(st, "ending sessions", "DELETE FROM web_sessions WHERE user_id = ?1", "I", id);
}

enum store_status
store_user_put(struct store *st, const char *name, const char *role, const char *hash, int *created)
{
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
	if ((s = st_run(st, "adding a user", "INSERT INTO web_users (name, role, hash, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO UPDATE SET role = ?2, hash = ?3, updated_at = ?4",
	    "tttI", name, role, hash, (int64_t)st_now())) != STORE_OK || *created)
		return s;
	/* a new password ends the old sessions and forgives the old failures */
	if ((s = end_sessions(st, u.id)) != STORE_OK)
		return s;
	return st_run(st, "clearing failed logins", "DELETE FROM web_login_failures WHERE name = ?1", "t", name);
}

enum store_status
store_user_remove(struct store *st, const char *name)
{
	struct store_user	 u;
	enum store_status	 s;

	if ((s = store_user_get(st, name, &u)) != STORE_OK)
		return s;
	if ((s = end_sessions(st, u.id)) != STORE_OK)
		return s;
	return st_run(st, "removing a user", "DELETE FROM web_users WHERE id = ?1", "I", u.id);
}

enum store_status
store_user_get(struct store *st, const char *name, struct store_user *u)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT id, name, role, hash FROM web_users WHERE name = ?1",
	    "t", name);

	memset(u, 0, sizeof(*u));
	return st_get(st, stmt, "reading a user", "Ittt", &u->id, u->name, sizeof(u->name), u->role, sizeof(u->role),
	    u->hash, sizeof(u->hash));
}

enum store_status
store_list_users(struct store *st, store_row_cb cb, void *arg)
{
	return st_list(st, "SELECT u.name, u.role, "
	    "(SELECT count(*) FROM web_sessions s WHERE s.user_id = u.id) AS sessions, "
	    "datetime(u.created_at, 'unixepoch', 'localtime') AS created FROM web_users u ORDER BY u.name", NULL,
	    cb, arg, "");
}

/* ---- sessions ---- */

enum store_status
store_session_add(struct store *st, const char *id, int64_t user_id, const char *csrf, const char *address,
    time_t now, time_t expires_at)
{
	return st_run(st, "starting a session", "INSERT INTO web_sessions (id, user_id, csrf, address, created_at, "
	    "seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)", "tIttII", id, user_id, csrf, address,
	    (int64_t)now, (int64_t)expires_at);
}

enum store_status
store_session_get(struct store *st, const char *id, time_t now, long idle_s, struct store_session *se)
{
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT u.id, u.name, u.role, s.csrf, s.expires_at, s.seen_at "
	    "FROM web_sessions s JOIN web_users u ON u.id = s.user_id WHERE s.id = ?1", "t", id);
	time_t			 seen = 0;
	enum store_status	 s;

	memset(se, 0, sizeof(*se));
	if ((s = st_get(st, stmt, "reading a session", "ItttTT", &se->user.id, se->user.name, sizeof(se->user.name),
	    se->user.role, sizeof(se->user.role), se->csrf, sizeof(se->csrf), &se->expires_at, &seen)) != STORE_OK)
		return s;
	if (now >= se->expires_at || now - seen > idle_s) {
		store_session_remove(st, id);
		return STORE_NOTFOUND;
	}
	/* the idle clock needs no write per request: a few per idle period are enough */
	if (now - seen >= (idle_s >= 8 ? idle_s / 8 : 1))
		return st_run(st, "touching a session", "UPDATE web_sessions SET seen_at = ?2 WHERE id = ?1", "tI", id,
		    (int64_t)now);
	return STORE_OK;
}

enum store_status
store_session_remove(struct store *st, const char *id)
{
	return st_run(st, "ending a session", "DELETE FROM web_sessions WHERE id = ?1", "t", id);
}

enum store_status
store_sessions_prune(struct store *st, time_t now, long idle_s)
{
	enum store_status	 s;

	if ((s = st_run(st, "pruning sessions", "DELETE FROM web_sessions WHERE expires_at <= ?1 OR seen_at < ?1 - ?2",
	    "II", (int64_t)now, (int64_t)idle_s)) != STORE_OK)
		return s;
	/* failures a day old that hold no lock are forgotten (made-up names must not pile up) */
	return st_run(st, "pruning failed logins", "DELETE FROM web_login_failures WHERE last_at < ?1 - 86400 AND "
	    "locked_until <= ?1", "I", (int64_t)now);
}

/* ---- failed logins ---- */

enum store_status
store_login_allowed(struct store *st, const char *name, const char *address, time_t now, int account_max,
    long lock_s, time_t *until)
{
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT max(CASE WHEN address = ?2 THEN locked_until ELSE 0 END), "
	    "sum(CASE WHEN last_at > ?3 - ?4 THEN failures ELSE 0 END), max(last_at) "
	    "FROM web_login_failures WHERE name = ?1", "ttII", name, address, (int64_t)now, (int64_t)lock_s);
	int64_t			 pair = 0, total = 0, last = 0;
	enum store_status	 s;

	*until = 0;
	if ((s = st_get(st, stmt, "reading failed logins", "III", &pair, &total, &last)) != STORE_OK &&
	    s != STORE_NOTFOUND)
		return s;
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
	sqlite3_stmt		*stmt = st_prepf(st, "INSERT INTO web_login_failures (name, address, failures, "
	    "last_at) VALUES (?1, ?2, 1, ?3) ON CONFLICT (name, address) DO UPDATE SET "
	    "failures = CASE WHEN locked_until > 0 AND locked_until <= ?3 THEN 1 ELSE failures + 1 END, "
	    "locked_until = CASE WHEN locked_until <= ?3 THEN 0 ELSE locked_until END, last_at = ?3 "
	    "RETURNING failures", "ttI", name, address, (int64_t)now);
	int64_t			 n = 0;
	enum store_status	 s;

	*locked = 0;
	/* the upsert is done by the first step (RETURNING) */
	if ((s = st_get(st, stmt, "counting a failed login", "I", &n)) != STORE_OK && s != STORE_NOTFOUND)
		return s;
	if (n < max)
		return STORE_OK;
	*locked = 1;
	return st_run(st, "locking logins", "UPDATE web_login_failures SET locked_until = ?3 WHERE name = ?1 AND "
	    "address = ?2", "ttI", name, address, (int64_t)(now + lock_s));
}

enum store_status
store_login_ok(struct store *st, const char *name, const char *address)
{
	return st_run(st, "clearing failed logins", "DELETE FROM web_login_failures WHERE name = ?1 AND address = ?2",
	    "tt", name, address);
}

/* ---- what the pages show ---- */

enum store_status
store_subscriber_counts(struct store *st, const char *parent, store_row_cb cb, void *arg)
{
	return st_list(st, "SELECT * FROM (SELECT a.code AS area, a.name AS name, "
	    "(SELECT count(DISTINCT s.subscriber_id) FROM subscriptions s JOIN subscribers b "
	    "ON b.id = s.subscriber_id AND b.status = 'active' "
	    "WHERE s.area >= a.code AND s.area < a.code || ':') AS subscribers "
	    "FROM areas a WHERE (?1 IS NULL AND a.level = 1) OR a.parent = ?1) "
	    "WHERE subscribers > 0 ORDER BY area", NULL, cb, arg, "t", parent && *parent ? parent : NULL);
}

enum store_status
store_traffic_since(struct store *st, time_t since, long *received, long *sent)
{
	*received = (long)st_value(st, -1, -1, "SELECT count(*) FROM inbox WHERE received_at >= ?1", "I",
	    (int64_t)since);
	*sent = (long)st_value(st, -1, -1, "SELECT count(*) FROM outbox WHERE sent_at >= ?1", "I", (int64_t)since);
	return *received < 0 || *sent < 0 ? STORE_ERROR : STORE_OK;
}
