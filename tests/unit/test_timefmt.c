/* test_timefmt — the user-facing times: every form timefmt_parse() accepts (and a few it must
 * refuse), and the day string that keys the per-day counters, in a fixed time zone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/timefmt.h"

/* 2026-11-27 14:30:15 in UTC+7 (WIB, as a POSIX TZ: no tzdata needed, no daylight saving time) */
#define NOW	((time_t)1795764615)

static int
setup(void **state)
{
	setenv("TZ", "WIB-7", 1);
	tzset();
	return 0;
}

static time_t
parsed(const char *s)
{
	time_t	 t = 0;

	assert_int_equal(timefmt_parse(s, NOW, &t), 0);
	return t;
}

static void
test_day(void **state)
{
	char	 day[TIMEFMT_DAY_LEN], small[8];

	assert_string_equal(timefmt_day(NOW, day, sizeof(day)), "2026-11-27");
	/* local midnight is the first second of the day, UTC midnight is still the same local day */
	assert_string_equal(timefmt_day(NOW - (14 * 3600 + 30 * 60 + 15), day, sizeof(day)), "2026-11-27");
	assert_string_equal(timefmt_day(NOW - (14 * 3600 + 30 * 60 + 16), day, sizeof(day)), "2026-11-26");
	assert_string_equal(timefmt_day(NOW + 9 * 3600 + 29 * 60 + 44, day, sizeof(day)), "2026-11-27");
	assert_string_equal(timefmt_day(NOW + 9 * 3600 + 29 * 60 + 45, day, sizeof(day)), "2026-11-28");
	/* too small a buffer gives "", never a cut date that would key the wrong counter */
	assert_string_equal(timefmt_day(NOW, small, sizeof(small)), "");
}

static void
test_parse_forms(void **state)
{
	char	 buf[32];

	assert_int_equal(parsed("now"), NOW);
	assert_int_equal(parsed("+10m"), NOW + 600);
	assert_int_equal(parsed("-1h"), NOW - 3600);
	assert_int_equal(parsed("2026-11-27 14:00:05"), NOW - 30 * 60 - 10);
	assert_int_equal(parsed("2026-11-27T14:00:05"), NOW - 30 * 60 - 10);
	assert_int_equal(parsed("2026-11-27 14:00"), NOW - 30 * 60 - 15);
	assert_int_equal(parsed("2026-11-27T14:00"), NOW - 30 * 60 - 15);
	/* a bare date is its local midnight */
	assert_int_equal(parsed("2026-11-28"), NOW + 9 * 3600 + 29 * 60 + 45);
	/* a time of day: today while it is ahead, tomorrow once it has passed */
	assert_int_equal(parsed("15:00"), NOW + 29 * 60 + 45);
	assert_int_equal(parsed("14:00"), NOW - 30 * 60 - 15 + 86400);
	assert_string_equal(timefmt_local(parsed("2026-12-01 08:05"), buf, sizeof(buf)), "2026-12-01 08:05:00");
}

static void
test_duration(void **state)
{
	char	 buf[32];

	assert_string_equal(timefmt_duration(0, buf, sizeof(buf)), "0 s");
	assert_string_equal(timefmt_duration(89, buf, sizeof(buf)), "89 s");
	assert_string_equal(timefmt_duration(90, buf, sizeof(buf)), "2 min");
	assert_string_equal(timefmt_duration(5399, buf, sizeof(buf)), "90 min");
	assert_string_equal(timefmt_duration(5400, buf, sizeof(buf)), "1.5 h");
	assert_string_equal(timefmt_duration(86400, buf, sizeof(buf)), "24.0 h");
}

static void
test_parse_bad(void **state)
{
	const char	*bad[] = { "", "tomorrow", "2026-11-27 14", "2026-11-27x", "14:00 ", "+", "+10x",
	    "2026-11-27 14:00:05Z" };
	time_t		 t = 42;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(timefmt_parse(bad[i], NOW, &t), -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_duration),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
