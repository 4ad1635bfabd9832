/*
 * test_roles — store_roles: SHA-256 against the FIPS 180-4 vectors, officials' PINs (yescrypt,
 * 6 digits at least, never stored in clear, a fresh salt per record; old SHA-256 rows rehashed), the SIAR lockout (5 wrong PINs lock
 * for an hour, the lock expires, a new PIN clears it), leaders, posts and their review, pending
 * choices and their expiry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/hex.h"
#include "common/sha256.h"
#include "store/store.h"
#include "store/store_choices.h"
#include "store/store_posts.h"
#include "store/store_roles.h"
#include "tests/unit/fixture.h"

#define OFF	"+6281211110000"


static int
setup(void **state)
{
	*state = fx_store_open("roles");
	return 0;
}

static void
test_sha256_vectors(void **state)
{
	static const struct {
		const char	*in;
		const char	*hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
		  "mnopqrstnopqrstu", "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	uint8_t		 out[SHA256_LEN];
	char		 hex[2 * SHA256_LEN + 1];
	struct sha256	 c;
	size_t		 i;
	int		 k;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256(v[i].in, strlen(v[i].in), out);
		assert_string_equal(hex_encode(out, SHA256_LEN, hex), v[i].hex);
	}
	/* a million 'a', fed in odd chunks */
	sha256_init(&c);
	for (k = 0; k < 1000000 / 7; k++)
		sha256_update(&c, "aaaaaaa", 7);
	sha256_update(&c, "aaaaaaa", 1000000 % 7);
	sha256_final(&c, out);
	assert_string_equal(hex_encode(out, SHA256_LEN, hex),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	assert_int_equal(hex_decode(hex, out, sizeof(out)), SHA256_LEN);
	assert_int_equal(hex_decode("zz", out, sizeof(out)), -1);
	assert_int_equal(ct_memcmp("abcd", "abcd", 4), 0);
	assert_int_not_equal(ct_memcmp("abcd", "abce", 4), 0);
}

/* Every text column of the roles table, concatenated. */
static void
raw_roles(char *buf, size_t len)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	size_t		 off = 0;
	int		 i;

	buf[0] = '\0';
	assert_int_equal(sqlite3_open(fx_dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT * FROM roles", -1, &stmt, NULL), SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		for (i = 0; i < sqlite3_column_count(stmt); i++) {
			const char *t = (const char *)sqlite3_column_text(stmt, i);

			off += (size_t)snprintf(buf + off, len - off, "%s|", t ? t : "");
		}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

static void
test_pin_hashed(void **state)
{
	struct store	*st = *state;
	char		 raw[4096], *h1, *p, sql[512], salthex[33], hashhex[65];
	uint8_t		 salt[16], hash[SHA256_LEN];
	int		 created, tries;
	time_t		 until, now = time(NULL);

	/* a new PIN has 6 to 12 digits (a 4-digit one fell to an offline search in 15 s) */
	assert_int_equal(store_official_add(st, OFF, "2468", &created), STORE_INVALID);
	assert_int_equal(store_official_add(st, OFF, "12345", &created), STORE_INVALID);
	assert_int_equal(store_official_add(st, OFF, "1234567890123", &created), STORE_INVALID);
	assert_int_equal(store_official_add(st, OFF, "12a456", &created), STORE_INVALID);
	assert_int_equal(store_official_add(st, OFF, "739105", &created), STORE_OK);
	assert_int_equal(created, 1);
	assert_int_equal(store_official_add(st, "+6281211110001", "739105", &created), STORE_OK);
	raw_roles(raw, sizeof(raw));
	/* the PIN never appears; it is a yescrypt string, different for two records with the same PIN */
	assert_null(strstr(raw, "739105"));
	p = strstr(raw, OFF "|official||||$y$");
	assert_non_null(p);
	h1 = strdup(p + strlen(OFF "|official||||"));
	h1[strcspn(h1, "|")] = '\0';
	assert_true(strlen(h1) > 40);
	p = strstr(raw, "+6281211110001|official||||$y$");
	assert_non_null(p);
	assert_null(strstr(p, h1));
	free(h1);
	assert_int_equal(store_official_check_pin(st, OFF, "739105", now, &tries, &until), STORE_PIN_OK);
	assert_int_equal(store_official_check_pin(st, "+6281299999999", "739105", now, &tries, &until),
	    STORE_PIN_NOT_OFFICIAL);
	/* re-adding changes the PIN */
	assert_int_equal(store_official_add(st, OFF, "246813", &created), STORE_OK);
	assert_int_equal(created, 0);
	assert_int_equal(store_official_check_pin(st, OFF, "739105", now, &tries, &until), STORE_PIN_WRONG);
	assert_int_equal(store_official_check_pin(st, OFF, "246813", now, &tries, &until), STORE_PIN_OK);

	/* a row from before: a 4-digit PIN under salted SHA-256 still works, and is rehashed */
	memset(salt, 7, sizeof(salt));
	pin_hash(salt, sizeof(salt), "2468", hash);
	hex_encode(salt, sizeof(salt), salthex);
	hex_encode(hash, sizeof(hash), hashhex);
	snprintf(sql, sizeof(sql), "UPDATE roles SET pin_salt = '%s', pin_hash = '%s' WHERE number = '%s'",
	    salthex, hashhex, OFF);
	fx_q1(fx_dbpath, sql);
	assert_int_equal(store_official_check_pin(st, OFF, "1357", now, &tries, &until), STORE_PIN_WRONG);
	assert_int_equal(store_official_check_pin(st, OFF, "2468", now, &tries, &until), STORE_PIN_OK);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT count(*) FROM roles WHERE number = '" OFF "' AND "
	    "pin_salt IS NULL AND pin_hash LIKE '$y$%'"), 1);
	assert_int_equal(store_official_check_pin(st, OFF, "2468", now, &tries, &until), STORE_PIN_OK);
}

static void
test_pin_lockout(void **state)
{
	struct store	*st = *state;
	int		 created, tries, i;
	time_t		 until, now = time(NULL);

	assert_int_equal(store_official_add(st, OFF, "123456", &created), STORE_OK);
	/* a right PIN resets the count */
	for (i = 0; i < 4; i++) {
		assert_int_equal(store_official_check_pin(st, OFF, "000000", now, &tries, &until), STORE_PIN_WRONG);
		assert_int_equal(tries, 4 - i);
	}
	assert_int_equal(store_official_check_pin(st, OFF, "123456", now, &tries, &until), STORE_PIN_OK);
	for (i = 0; i < 4; i++)
		assert_int_equal(store_official_check_pin(st, OFF, "", now, &tries, &until), STORE_PIN_WRONG);
	assert_int_equal(store_official_check_pin(st, OFF, "99999999999", now, &tries, &until),
	    STORE_PIN_LOCKED_NOW);
	assert_int_equal(until, now + 3600);
	/* locked: even the right PIN is refused, and not counted */
	assert_int_equal(store_official_check_pin(st, OFF, "123456", now + 10, &tries, &until), STORE_PIN_LOCKED);
	assert_int_equal(store_official_check_pin(st, OFF, "123456", now + 3599, &tries, &until), STORE_PIN_LOCKED);
	/* after the hour: a fresh set of tries */
	assert_int_equal(store_official_check_pin(st, OFF, "000000", now + 3601, &tries, &until), STORE_PIN_WRONG);
	assert_int_equal(tries, 4);
	assert_int_equal(store_official_check_pin(st, OFF, "123456", now + 3602, &tries, &until), STORE_PIN_OK);
	/* a new PIN from the console clears a lock */
	for (i = 0; i < 5; i++)
		store_official_check_pin(st, OFF, "000000", now, &tries, &until);
	assert_int_equal(store_official_check_pin(st, OFF, "123456", now, &tries, &until), STORE_PIN_LOCKED);
	assert_int_equal(store_official_add(st, OFF, "567856", &created), STORE_OK);
	assert_int_equal(store_official_check_pin(st, OFF, "567856", now, &tries, &until), STORE_PIN_OK);
	/* removing the role */
	assert_int_equal(store_role_remove(st, OFF, "official"), STORE_OK);
	assert_int_equal(store_role_remove(st, OFF, "official"), STORE_NOTFOUND);
	assert_int_equal(store_official_check_pin(st, OFF, "567856", now, &tries, &until), STORE_PIN_NOT_OFFICIAL);
}

static void
test_leaders(void **state)
{
	struct store		*st = *state;
	struct store_leader	 l;
	int			 created;

	assert_int_equal(store_leader_get(st, OFF, &l), STORE_NOTFOUND);
	assert_int_equal(store_leader_add(st, OFF, "KIM Sukamaju", "1671081001", &created), STORE_OK);
	assert_int_equal(created, 1);
	assert_int_equal(store_leader_add(st, OFF, "KIM Sukamaju Jaya", "167108", &created), STORE_OK);
	assert_int_equal(created, 0);
	assert_int_equal(store_leader_get(st, OFF, &l), STORE_OK);
	assert_string_equal(l.kim, "KIM Sukamaju Jaya");
	assert_string_equal(l.area, "167108");
	/* a leader may also be an official: two roles */
	assert_int_equal(store_official_add(st, OFF, "123456", &created), STORE_OK);
	assert_int_equal(store_role_remove(st, OFF, "leader"), STORE_OK);
	assert_int_equal(store_leader_get(st, OFF, &l), STORE_NOTFOUND);
}

struct rows {
	int	 n;
	char	 status[8][16];
	char	 from[8][24];
};

static int
rows_cb(void *arg, const struct table_row *r)
{
	struct rows	*rows = arg;
	int		 i;

	for (i = 0; i < r->n && rows->n < 8; i++) {
		if (!strcmp(r->names[i], "status"))
			snprintf(rows->status[rows->n], 16, "%s", r->values[i]);
		if (!strcmp(r->names[i], "from"))
			snprintf(rows->from[rows->n], 24, "%s", r->values[i]);
	}
	rows->n++;
	return 0;
}

static void
test_posts(void **state)
{
	struct store	*st = *state;
	struct rows	 rows;
	int64_t		 id1, id2;

	assert_int_equal(store_post_add(st, OFF, NULL, "1671081001", "jalan rusak", 0, 0, &id1), STORE_OK);
	assert_int_equal(store_post_add(st, OFF, "KIM A", "1671081001", "posyandu", 1, 0, &id2), STORE_OK);
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(store_list_posts(st, "pending", rows_cb, &rows), STORE_OK);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.from[0], OFF);
	assert_int_equal(store_post_review(st, id1, 1), STORE_OK);
	assert_int_equal(store_post_review(st, id1, 0), STORE_INVALID);
	assert_non_null(strstr(store_errmsg(st), "already published"));
	assert_int_equal(store_post_review(st, id2, 0), STORE_INVALID);
	assert_int_equal(store_post_review(st, 999, 1), STORE_NOTFOUND);
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(store_list_posts(st, NULL, rows_cb, &rows), STORE_OK);
	assert_int_equal(rows.n, 2);
	assert_string_equal(rows.status[0], "published");
	assert_string_equal(rows.status[1], "published");
}

static void
test_choices(void **state)
{
	struct store		*st = *state;
	struct store_choice	 c;
	const char		*codes[] = { "1671081001", "1606142001", "1601132012" };
	time_t			 now = time(NULL);

	assert_int_equal(store_choice_get(st, OFF, now, &c), STORE_NOTFOUND);
	assert_int_equal(store_choice_put(st, OFF, "subscribe", codes, 3, now + 86400), STORE_OK);
	assert_int_equal(store_choice_get(st, OFF, now, &c), STORE_OK);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.action, "subscribe");
	assert_string_equal(c.codes[1], "1606142001");
	/* a new question replaces the old */
	assert_int_equal(store_choice_put(st, OFF, "unsubscribe", codes + 1, 2, now + 86400), STORE_OK);
	assert_int_equal(store_choice_get(st, OFF, now, &c), STORE_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.codes[0], "1606142001");
	assert_int_equal(store_choice_get(st, OFF, now + 86401, &c), STORE_NOTFOUND);
	assert_int_equal(store_choice_clear(st, OFF), STORE_OK);
	assert_int_equal(store_choice_get(st, OFF, now, &c), STORE_NOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test_setup_teardown(test_pin_hashed, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_pin_lockout, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_leaders, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_posts, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_choices, setup, fx_store_teardown),
	};

	log_init("test_roles", 1, LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
