/*
 * test_broadcast — what the console and the web console show of a broadcast's estimate: the time
 * to send it as text (broadcast_eta_str), and the modem snapshot it is estimated from when no
 * modem is configured.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "gateway/broadcast.h"
#include "gateway/gateway.h"
#include "gateway/modem/modem.h"
#include "tests/unit/gateway_spy.h"

static const char *
eta(double s)
{
	static char	 buf[64];

	broadcast_eta_str(s, "unknown (no modem ready)", buf, sizeof(buf));
	return buf;
}

static void
test_eta_str(void **state)
{
	char	 small[4];

	assert_string_equal(eta(-1), "unknown (no modem ready)");
	assert_string_equal(eta(0), "0 s");
	assert_string_equal(eta(89.4), "89 s");
	assert_string_equal(eta(600), "10 min");
	assert_string_equal(eta(5399), "90 min");
	assert_string_equal(eta(5400), "1.5 h");
	assert_string_equal(eta(36000), "10.0 h");
	broadcast_eta_str(-1, "tidak diketahui", small, sizeof(small));
	assert_string_equal(small, "tid");	/* cut to the buffer, terminated */
}

static void
test_snapshot_no_modems(void **state)
{
	struct gateway		 gw;
	struct modem_snapshot	 s;

	memset(&gw, 0, sizeof(gw));
	modem_snapshot(&gw, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.up, 0);
	assert_int_equal(s.ready, 0);
	assert_int_equal(s.degraded, 0);
	assert_non_null(s.m);
	modem_snapshot_free(&s);
	assert_null(s.m);
	assert_null(modem_find(&gw, "m1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eta_str),
		cmocka_unit_test(test_snapshot_no_modems),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
