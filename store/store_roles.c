/*
 * store_roles — the roles table: KIM leaders and officials (see store_roles.h). PINs are never
 * stored or logged in clear: yescrypt through libcrypt's crypt_r (pin_hash holds the whole "$y$…"
 * string, pin_salt is NULL), compared in constant time. A PIN is a few digits, so only a slow hash
 * makes a stolen database worth little. Rows from before have pin_salt + SHA-256 (common/sha256);
 * they still verify and are rehashed with yescrypt then.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/sha256.h"
#include "store/store-internal.h"
#include "store/store_roles.h"
#include "store/store_web.h"	/* store_user_hash, store_user_check */

static int
role_exists(struct store *st, const char *number, const char *role)
{
	return (int)st_value(st, 0, -1, "SELECT 1 FROM roles WHERE number = ?1 AND role = ?2", "tt", number, role);
}

enum store_status
store_leader_add(struct store *st, const char *number, const char *kim, const char *area, int *created)
{
	int	 exists;

	if ((exists = role_exists(st, number, "leader")) < 0)
		return STORE_ERROR;
	*created = !exists;
	return st_run(st, "storing a KIM leader", "INSERT INTO roles (number, role, kim, area, created_at, "
	    "updated_at) VALUES (?1, 'leader', ?2, ?3, ?4, ?4) ON CONFLICT (number, role) DO UPDATE SET "
	    "kim = excluded.kim, area = excluded.area, updated_at = excluded.updated_at", "tttI", number, kim, area,
	    (int64_t)st_now());
}

enum store_status
store_leader_get(struct store *st, const char *number, struct store_leader *l)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT number, coalesce(kim, ''), coalesce(area, '') "
	    "FROM roles WHERE number = ?1 AND role = 'leader'", "t", number);

	memset(l, 0, sizeof(*l));
	return st_get(st, stmt, "reading a KIM leader", "ttt", l->number, sizeof(l->number), l->kim, sizeof(l->kim),
	    l->area, sizeof(l->area));
}

enum store_status
store_role_remove(struct store *st, const char *number, const char *role)
{
	enum store_status s = st_run(st, "removing a role", "DELETE FROM roles WHERE number = ?1 AND role = ?2",
	    "tt", number, role);

	if (s != STORE_OK)
		return s;
	return sqlite3_changes(st->db) > 0 ? STORE_OK : STORE_NOTFOUND;
}

enum store_status
store_list_roles(struct store *st, store_row_cb cb, void *arg)
{
	return st_list(st, "SELECT number, role, kim, area, CASE WHEN locked_until > ?1 THEN "
	    "datetime(locked_until, 'unixepoch', 'localtime') END AS locked_until, "
	    "datetime(created_at, 'unixepoch', 'localtime') AS created FROM roles ORDER BY role, number", NULL, cb, arg,
	    "I", (int64_t)st_now());
}

/* min to STORE_PIN_MAX digits: a new PIN needs STORE_PIN_MIN; a PIN given to SIAR STORE_PIN_MIN_OLD
 * (officials from before the 6-digit minimum keep their 4-digit PINs). */
static int
pin_digits(const char *pin, size_t min)
{
	size_t n = strlen(pin);

	return n >= min && n <= STORE_PIN_MAX && strspn(pin, "0123456789") == n;
}

/* Stores a new yescrypt hash of pin for an official (an upgrade from SHA-256, or a new PIN). */
static enum store_status
pin_store(struct store *st, const char *number, const char *pin)
{
	char			 hash[CRYPT_OUTPUT_SIZE];
	enum store_status	 s;

	/* the same yescrypt crypt(3) string as a web account's password */
	if (store_user_hash(pin, hash, sizeof(hash)) == -1) {
		snprintf(st->errmsg, sizeof(st->errmsg), "hashing a PIN (yescrypt): %s", strerror(errno));
		return STORE_ERROR;
	}
	s = st_run(st, "storing an official", "INSERT INTO roles (number, role, pin_salt, pin_hash, created_at, "
	    "updated_at) VALUES (?1, 'official', NULL, ?2, ?3, ?3) ON CONFLICT (number, role) DO UPDATE SET "
	    "pin_salt = NULL, pin_hash = excluded.pin_hash, failed_pins = 0, locked_until = 0, "
	    "updated_at = excluded.updated_at", "ttI", number, hash, (int64_t)st_now());
	explicit_bzero(hash, sizeof(hash));
	return s;
}

enum store_status
store_official_add(struct store *st, const char *number, const char *pin, int *created)
{
	int	 exists;

	if (!pin_digits(pin, STORE_PIN_MIN)) {
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
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT coalesce(pin_salt, ''), coalesce(pin_hash, ''), "
	    "failed_pins, locked_until FROM roles WHERE number = ?1 AND role = 'official'", "t", number);
	uint8_t			 salt[64], want[SHA256_LEN], got[SHA256_LEN];
	char			 stored[CRYPT_OUTPUT_SIZE] = "";
	int			 saltlen = -1, wantlen = -1, failed, ok, legacy = 0;
	time_t			 until;
	enum store_status	 s;

	*tries_left = 0;
	*locked_until = 0;
	if ((s = st_row(st, stmt, "reading an official")) != STORE_OK)
		return s == STORE_NOTFOUND ? STORE_PIN_NOT_OFFICIAL : STORE_PIN_ERROR;
	st_col_copy(stored, sizeof(stored), stmt, 1);
	if (stored[0] != '$') {
		saltlen = hex_decode((const char *)sqlite3_column_text(stmt, 0), salt, sizeof(salt));
		wantlen = hex_decode(stored, want, sizeof(want));
		legacy = 1;
	}
	failed = sqlite3_column_int(stmt, 2);
	until = sqlite3_column_int64(stmt, 3);
	sqlite3_reset(stmt);
	if (until > now) {
		*locked_until = until;
		return STORE_PIN_LOCKED;
	}
	if (until != 0)
		failed = 0;	/* the lock expired: a fresh set of tries */
	if (!legacy)
		ok = stored[0] == '$' && pin_digits(pin, STORE_PIN_MIN_OLD) && store_user_check(pin, stored);
	else {
		ok = saltlen > 0 && wantlen == SHA256_LEN && pin_digits(pin, STORE_PIN_MIN_OLD);
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
	if (st_run(st, "counting PIN tries", "UPDATE roles SET failed_pins = ?2, locked_until = ?3, updated_at = ?4 "
	    "WHERE number = ?1 AND role = 'official'", "tiII", number, until ? 0 : failed, (int64_t)until,
	    (int64_t)st_now()) != STORE_OK)
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
