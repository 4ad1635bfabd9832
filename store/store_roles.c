/*
 * store_roles — roles, posts, pending choices and the router's view of the inbox (see
 * store_roles.h). PINs are never stored or logged in clear: yescrypt through libcrypt's crypt_r
 * (pin_hash holds the whole "$y$…" string, pin_salt is NULL), compared in constant time. A PIN is
 * a few digits, so only a slow hash makes a stolen database worth little. Rows from before have
 * pin_salt + SHA-256 (common/sha256); they still verify and are rehashed with yescrypt then.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/sha256.h"
#include "common/xmalloc.h"
#include "store/store-internal.h"
#include "store/store_roles.h"

/* ---- inbox ---- */

enum store_status
store_inbox_get(struct store *st, int64_t id, struct store_inbox_row *r)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT id, modem, sender, text, flags, action IS NOT NULL, "
	    "received_at FROM inbox WHERE id = ?1");
	int		 rc;

	memset(r, 0, sizeof(*r));
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		r->id = sqlite3_column_int64(stmt, 0);
		st_col_copy(r->modem, sizeof(r->modem), stmt, 1);
		st_col_copy(r->sender, sizeof(r->sender), stmt, 2);
		r->text = xstrdup((const char *)sqlite3_column_text(stmt, 3));
		if (r->text == NULL)
			r->text = xstrdup("");
		st_col_copy(r->flags, sizeof(r->flags), stmt, 4);
		r->routed = sqlite3_column_int(stmt, 5);
		r->received_at = sqlite3_column_int64(stmt, 6);
		sqlite3_reset(stmt);
		return STORE_OK;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	return st_fail(st, rc, "reading an inbox row");
}

void
store_inbox_row_clear(struct store_inbox_row *r)
{
	free(r->text);
	memset(r, 0, sizeof(*r));
}

enum store_status
store_inbox_set_action(struct store *st, int64_t id, const char *action)
{
	sqlite3_stmt *stmt = st_prep(st, "UPDATE inbox SET action = ?2, updated_at = ?3 WHERE id = ?1");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, action, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, st_now());
	return st_exec(st, stmt, "recording what was done with a message");
}

enum store_status
store_inbox_set_text(struct store *st, int64_t id, const char *text)
{
	sqlite3_stmt *stmt = st_prep(st, "UPDATE inbox SET text = ?2, updated_at = ?3 WHERE id = ?1");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, st_now());
	return st_exec(st, stmt, "masking a message");
}

int
store_inbox_unrouted(struct store *st, int64_t after, int64_t *ids, int max)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT id FROM inbox WHERE action IS NULL AND id > ?1 "
	    "ORDER BY id LIMIT ?2");
	int		 n = 0, rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int(stmt, 2, max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		st_fail(st, rc, "finding unrouted messages");
		return -1;
	}
	return n;
}

long
store_unknown_replies_since(struct store *st, const char *number, time_t since)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT count(*) FROM outbox o JOIN inbox i ON i.id = o.inbox_id "
	    "WHERE o.number = ?1 AND o.created_at >= ?2 AND o.kind = 'reply' AND i.action LIKE 'unknown%'");
	long		 n = 0;

	if (stmt == NULL)
		return 0;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, since);
	n = st_scalar(st, stmt, n);
	return n;
}

/* ---- roles ---- */

static int
role_exists(struct store *st, const char *number, const char *role)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT 1 FROM roles WHERE number = ?1 AND role = ?2");
	int		 found;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, role, -1, SQLITE_STATIC);
	found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	return found;
}

enum store_status
store_leader_add(struct store *st, const char *number, const char *kim, const char *area, int *created)
{
	sqlite3_stmt	*stmt;
	int		 exists;

	if ((exists = role_exists(st, number, "leader")) < 0)
		return STORE_ERROR;
	*created = !exists;
	stmt = st_prep(st, "INSERT INTO roles (number, role, kim, area, created_at, updated_at) "
	    "VALUES (?1, 'leader', ?2, ?3, ?4, ?4) ON CONFLICT (number, role) DO UPDATE SET "
	    "kim = excluded.kim, area = excluded.area, updated_at = excluded.updated_at");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, kim, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, area, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, st_now());
	return st_exec(st, stmt, "storing a KIM leader");
}

enum store_status
store_leader_get(struct store *st, const char *number, struct store_leader *l)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT number, coalesce(kim, ''), coalesce(area, '') FROM roles "
	    "WHERE number = ?1 AND role = 'leader'");
	int		 rc;

	memset(l, 0, sizeof(*l));
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		st_col_copy(l->number, sizeof(l->number), stmt, 0);
		st_col_copy(l->kim, sizeof(l->kim), stmt, 1);
		st_col_copy(l->area, sizeof(l->area), stmt, 2);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	return st_fail(st, rc, "reading a KIM leader");
}

enum store_status
store_role_remove(struct store *st, const char *number, const char *role)
{
	sqlite3_stmt		*stmt = st_prep(st, "DELETE FROM roles WHERE number = ?1 AND role = ?2");
	enum store_status	 s;

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, role, -1, SQLITE_STATIC);
	if ((s = st_exec(st, stmt, "removing a role")) != STORE_OK)
		return s;
	return sqlite3_changes(st->db) > 0 ? STORE_OK : STORE_NOTFOUND;
}

enum store_status
store_list_roles(struct store *st, store_row_cb cb, void *arg)
{
	sqlite3_stmt *stmt = st_prep(st, "SELECT number, role, kim, area, CASE WHEN locked_until > ?1 THEN "
	    "datetime(locked_until, 'unixepoch', 'localtime') END AS locked_until, "
	    "datetime(created_at, 'unixepoch', 'localtime') AS created FROM roles ORDER BY role, number");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, st_now());
	return st_emit(st, stmt, NULL, cb, arg);
}

/* A new PIN: STORE_PIN_MIN to STORE_PIN_MAX digits. */
static int
pin_valid(const char *pin)
{
	size_t n = strlen(pin);

	return n >= STORE_PIN_MIN && n <= STORE_PIN_MAX && strspn(pin, "0123456789") == n;
}

/* A PIN given to SIAR: officials from before the 6-digit minimum keep their 4-digit PINs. */
static int
pin_checkable(const char *pin)
{
	size_t n = strlen(pin);

	return n >= STORE_PIN_MIN_OLD && n <= STORE_PIN_MAX && strspn(pin, "0123456789") == n;
}

/* yescrypt of pin with a fresh salt into out (CRYPT_OUTPUT_SIZE); -1 with errmsg set. */
static int
pin_crypt_new(struct store *st, const char *pin, char *out)
{
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data	*cd;
	int			 rc = -1;

	if (crypt_gensalt_rn("$y$", 0, NULL, 0, setting, sizeof(setting)) == NULL) {
		snprintf(st->errmsg, sizeof(st->errmsg), "crypt_gensalt (yescrypt): %s", strerror(errno));
		return -1;
	}
	cd = xcalloc(1, sizeof(*cd));
	if (crypt_r(pin, setting, cd) == NULL || cd->output[0] == '*')
		snprintf(st->errmsg, sizeof(st->errmsg), "crypt_r (yescrypt): %s", strerror(errno));
	else {
		snprintf(out, CRYPT_OUTPUT_SIZE, "%s", cd->output);
		rc = 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* Whether pin matches a stored yescrypt (or other crypt(5)) string. */
static int
pin_crypt_check(const char *pin, const char *stored)
{
	struct crypt_data	*cd = xcalloc(1, sizeof(*cd));
	size_t			 n = strlen(stored);
	int			 ok;

	ok = crypt_r(pin, stored, cd) != NULL && cd->output[0] != '*' && strlen(cd->output) == n &&
	    ct_memcmp(cd->output, stored, n) == 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

/* Stores a new yescrypt hash of pin for an official (an upgrade from SHA-256, or a new PIN). */
static enum store_status
pin_store(struct store *st, const char *number, const char *pin)
{
	sqlite3_stmt		*stmt;
	char			 hash[CRYPT_OUTPUT_SIZE];
	enum store_status	 s;

	if (pin_crypt_new(st, pin, hash) == -1)
		return STORE_ERROR;
	stmt = st_prep(st, "INSERT INTO roles (number, role, pin_salt, pin_hash, created_at, updated_at) "
	    "VALUES (?1, 'official', NULL, ?2, ?3, ?3) ON CONFLICT (number, role) DO UPDATE SET "
	    "pin_salt = NULL, pin_hash = excluded.pin_hash, failed_pins = 0, locked_until = 0, "
	    "updated_at = excluded.updated_at");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, st_now());
	s = st_exec(st, stmt, "storing an official");
	explicit_bzero(hash, sizeof(hash));
	return s;
}

enum store_status
store_official_add(struct store *st, const char *number, const char *pin, int *created)
{
	int	 exists;

	if (!pin_valid(pin)) {
		snprintf(st->errmsg, sizeof(st->errmsg), "the PIN must be %d to %d digits", STORE_PIN_MIN,
		    STORE_PIN_MAX);
		return STORE_INVALID;
	}
	if ((exists = role_exists(st, number, "official")) < 0)
		return STORE_ERROR;
	*created = !exists;
	return pin_store(st, number, pin);
}

enum store_pin
store_official_check_pin(struct store *st, const char *number, const char *pin, time_t now, int *tries_left,
    time_t *locked_until)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT coalesce(pin_salt, ''), coalesce(pin_hash, ''), failed_pins, "
	    "locked_until FROM roles WHERE number = ?1 AND role = 'official'");
	uint8_t		 salt[64], want[SHA256_LEN], got[SHA256_LEN];
	char		 stored[CRYPT_OUTPUT_SIZE] = "";
	int		 rc, saltlen = -1, wantlen = -1, failed = 0, ok, legacy = 0;
	time_t		 until = 0;

	*tries_left = 0;
	*locked_until = 0;
	if (stmt == NULL)
		return STORE_PIN_ERROR;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		st_col_copy(stored, sizeof(stored), stmt, 1);
		if (stored[0] != '$') {
			saltlen = hex_decode((const char *)sqlite3_column_text(stmt, 0), salt, sizeof(salt));
			wantlen = hex_decode(stored, want, sizeof(want));
			legacy = 1;
		}
		failed = sqlite3_column_int(stmt, 2);
		until = sqlite3_column_int64(stmt, 3);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return STORE_PIN_NOT_OFFICIAL;
	if (rc != SQLITE_ROW) {
		st_fail(st, rc, "reading an official");
		return STORE_PIN_ERROR;
	}
	if (until > now) {
		*locked_until = until;
		return STORE_PIN_LOCKED;
	}
	if (until != 0)
		failed = 0;	/* the lock expired: a fresh set of tries */
	if (!legacy)
		ok = stored[0] == '$' && pin_checkable(pin) && pin_crypt_check(pin, stored);
	else {
		ok = saltlen > 0 && wantlen == SHA256_LEN && pin_checkable(pin);
		if (ok) {
			pin_hash(salt, (size_t)saltlen, pin, got);
			ok = ct_memcmp(got, want, SHA256_LEN) == 0;
			explicit_bzero(got, sizeof(got));
		}
		/* a right PIN under the old fast hash: rehash it now that it is known */
		if (ok && pin_store(st, number, pin) != STORE_OK)
			return STORE_PIN_ERROR;
	}
	explicit_bzero(stored, sizeof(stored));
	if (ok) {
		failed = 0;
		until = 0;
	} else {
		failed++;
		until = failed >= STORE_PIN_TRIES ? now + STORE_PIN_LOCK_S : 0;
	}
	stmt = st_prep(st, "UPDATE roles SET failed_pins = ?2, locked_until = ?3, updated_at = ?4 "
	    "WHERE number = ?1 AND role = 'official'");
	if (stmt == NULL)
		return STORE_PIN_ERROR;
	sqlite3_bind_text(stmt, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, until ? 0 : failed);
	sqlite3_bind_int64(stmt, 3, until);
	sqlite3_bind_int64(stmt, 4, st_now());
	if (st_exec(st, stmt, "counting PIN tries") != STORE_OK)
		return STORE_PIN_ERROR;
	if (ok)
		return STORE_PIN_OK;
	if (until) {
		*locked_until = until;
		return STORE_PIN_LOCKED_NOW;
	}
	*tries_left = STORE_PIN_TRIES - failed;
	return STORE_PIN_WRONG;
}

/* ---- posts ---- */

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

/* ---- pending choices ---- */

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

/* ---- area names ---- */

enum store_status
store_area_names(struct store *st, const char *prefixes, int (*cb)(void *, const char *, const char *),
    void *arg)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT norm, min(name) FROM areas WHERE code >= ?1 AND "
	    "code < ?1 || ':' GROUP BY norm");
	const char	*p = prefixes ? prefixes : "";
	char		 one[16];
	int		 rc = SQLITE_DONE, stop = 0, any = 0;

	if (stmt == NULL)
		return STORE_ERROR;
	while (!stop && (*p || !any)) {
		size_t n;

		while (*p == ',' || *p == ' ')
			p++;
		n = strcspn(p, ", ");
		if (n == 0 && any)
			break;
		any = 1;
		snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n : sizeof(one) - 1), p);
		p += n;
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, one, -1, SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			if (cb(arg, (const char *)sqlite3_column_text(stmt, 0),
			    (const char *)sqlite3_column_text(stmt, 1)) != 0) {
				stop = 1;
				rc = SQLITE_DONE;
				break;
			}
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? STORE_OK : st_fail(st, rc, "listing area names");
}

/* ---- KIM group messages ---- */

enum store_status
store_kim_queue(struct store *st, const char *area, const char *except, const char *text, int64_t inbox_id,
    long *n)
{
	sqlite3_stmt		*stmt = st_prep(st, "INSERT INTO outbox (number, text, kind, priority, inbox_id, "
	    "not_before, expires_at, created_at, updated_at) SELECT b.number, ?3, 'kim', 1, ?4, ?5, 0, ?5, ?5 "
	    "FROM subscribers b WHERE b.status = 'active' AND b.number <> ?2 AND b.id IN (SELECT subscriber_id "
	    "FROM subscriptions WHERE area >= ?1 AND area < ?1 || ':') ORDER BY b.id");
	enum store_status	 s;

	*n = 0;
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, area, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, except, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, text, -1, SQLITE_STATIC);
	if (inbox_id)
		sqlite3_bind_int64(stmt, 4, inbox_id);
	sqlite3_bind_int64(stmt, 5, st_now());
	if ((s = st_exec(st, stmt, "queueing a KIM message")) == STORE_OK)
		*n = sqlite3_changes(st->db);
	return s;
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
