/* test_store_web — the web console's accounts, sessions (idle and absolute expiry) and the
 * lock after wrong passwords, per account and address and for the account as a whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_web.h"
#include "tests/unit/fixture.h"


static int
setup(void **state)
{
	*state = fx_store_open("store-web");
	return 0;
}

static void
test_users(void **state)
{
	struct store		*st = *state;
	struct store_user	 u;
	int			 created;

	assert_int_equal(store_user_put(st, "Budi", "official", "$y$x", &created), STORE_INVALID);
	assert_int_equal(store_user_put(st, "budi", "root", "$y$x", &created), STORE_INVALID);
	assert_int_equal(store_user_put(st, "budi", "official", "", &created), STORE_INVALID);
	assert_int_equal(store_user_put(st, "budi", "official", "$y$one", &created), STORE_OK);
	assert_true(created);
	assert_int_equal(store_user_get(st, "budi", &u), STORE_OK);
	assert_string_equal(u.role, "official");
	assert_string_equal(u.hash, "$y$one");
	/* a new password ends the sessions */
	assert_int_equal(store_session_add(st, "s1", u.id, "c1", "127.0.0.1", 1000, 9000), STORE_OK);
	assert_int_equal(store_user_put(st, "budi", "viewer", "$y$two", &created), STORE_OK);
	assert_false(created);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT count(*) FROM web_sessions"), 0);
	assert_int_equal(store_user_get(st, "budi", &u), STORE_OK);
	assert_string_equal(u.role, "viewer");
	assert_int_equal(store_user_remove(st, "budi"), STORE_OK);
	assert_int_equal(store_user_remove(st, "budi"), STORE_NOTFOUND);
	assert_int_equal(store_user_get(st, "budi", &u), STORE_NOTFOUND);
}

static void
test_sessions(void **state)
{
	struct store		*st = *state;
	struct store_user	 u;
	struct store_session	 se;
	int			 created;

	assert_int_equal(store_user_put(st, "vera", "viewer", "$y$h", &created), STORE_OK);
	assert_int_equal(store_user_get(st, "vera", &u), STORE_OK);
	assert_int_equal(store_session_add(st, "abc", u.id, "tok", "10.0.0.2", 1000, 1000 + 3600), STORE_OK);
	assert_int_equal(store_session_get(st, "abc", 1100, 600, &se), STORE_OK);
	assert_string_equal(se.user.name, "vera");
	assert_string_equal(se.user.role, "viewer");
	assert_string_equal(se.csrf, "tok");
	assert_string_equal(se.user.hash, "");
	assert_int_equal(store_session_get(st, "nope", 1100, 600, &se), STORE_NOTFOUND);
	/* seen at 1100: still alive at 1650, idle-expired at 2300 */
	assert_int_equal(store_session_get(st, "abc", 1650, 600, &se), STORE_OK);
	assert_int_equal(store_session_get(st, "abc", 1650 + 601, 600, &se), STORE_NOTFOUND);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT count(*) FROM web_sessions"), 0);
	/* the absolute expiry wins over activity */
	assert_int_equal(store_session_add(st, "def", u.id, "tok", "10.0.0.2", 1000, 1500), STORE_OK);
	assert_int_equal(store_session_get(st, "def", 1400, 600, &se), STORE_OK);
	assert_int_equal(store_session_get(st, "def", 1500, 600, &se), STORE_NOTFOUND);
	/* logout */
	assert_int_equal(store_session_add(st, "ghi", u.id, "tok", "10.0.0.2", 1000, 5000), STORE_OK);
	assert_int_equal(store_session_remove(st, "ghi"), STORE_OK);
	assert_int_equal(store_session_get(st, "ghi", 1001, 600, &se), STORE_NOTFOUND);
	/* prune */
	assert_int_equal(store_session_add(st, "old", u.id, "tok", "10.0.0.2", 1000, 5000), STORE_OK);
	assert_int_equal(store_sessions_prune(st, 3000, 600), STORE_OK);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT count(*) FROM web_sessions"), 0);
}

static void
test_lock(void **state)
{
	struct store	*st = *state;
	time_t		 until;
	int		 locked, i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(store_login_allowed(st, "opi", "10.0.0.1", 1000 + i, 20, 900, &until), STORE_OK);
		assert_int_equal(store_login_failed(st, "opi", "10.0.0.1", 1000 + i, 5, 900, &locked), STORE_OK);
		assert_false(locked);
	}
	assert_int_equal(store_login_failed(st, "opi", "10.0.0.1", 1004, 5, 900, &locked), STORE_OK);
	assert_true(locked);
	assert_int_equal(store_login_allowed(st, "opi", "10.0.0.1", 1005, 20, 900, &until), STORE_INVALID);
	assert_int_equal(until, 1004 + 900);
	/* another address is not locked by these five */
	assert_int_equal(store_login_allowed(st, "opi", "10.0.0.9", 1005, 20, 900, &until), STORE_OK);
	/* after the lock, the count starts again */
	assert_int_equal(store_login_allowed(st, "opi", "10.0.0.1", 1904, 20, 900, &until), STORE_OK);
	assert_int_equal(store_login_failed(st, "opi", "10.0.0.1", 1905, 5, 900, &locked), STORE_OK);
	assert_false(locked);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT failures FROM web_login_failures WHERE address = '10.0.0.1'"), 1);
	/* a right password forgets that pair */
	assert_int_equal(store_login_ok(st, "opi", "10.0.0.1"), STORE_OK);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT count(*) FROM web_login_failures"), 0);
	/* many addresses together lock the account everywhere */
	for (i = 0; i < 20; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "10.1.0.%d", i);
		assert_int_equal(store_login_failed(st, "opi", addr, 3000, 5, 900, &locked), STORE_OK);
	}
	assert_int_equal(store_login_allowed(st, "opi", "10.2.0.1", 3001, 20, 900, &until), STORE_INVALID);
	assert_int_equal(store_login_allowed(st, "opi", "10.2.0.1", 3901, 20, 900, &until), STORE_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_users, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, fx_store_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
