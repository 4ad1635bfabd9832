/* test_env — the KT_* knobs: a usable number is taken, anything else falls back to the default. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "common/env.h"

#define KNOB	"KT_TEST_ENV_KNOB"

static long
long_of(const char *v)
{
	if (v == NULL)
		unsetenv(KNOB);
	else
		setenv(KNOB, v, 1);
	return env_long(KNOB, 77);
}

static double
double_of(const char *v)
{
	if (v == NULL)
		unsetenv(KNOB);
	else
		setenv(KNOB, v, 1);
	return env_double(KNOB, 7.5);
}

static void
test_long(void **state)
{
	assert_int_equal(long_of("5"), 5);
	assert_int_equal(long_of("86400"), 86400);
	assert_int_equal(long_of(NULL), 77);
	assert_int_equal(long_of(""), 77);
	assert_int_equal(long_of("0"), 77);
	assert_int_equal(long_of("-3"), 77);
	assert_int_equal(long_of("10x"), 77);
	assert_int_equal(long_of("abc"), 77);
}

static void
test_double(void **state)
{
	assert_true(double_of("20") == 20.0);
	assert_true(double_of("0.25") == 0.25);
	assert_true(double_of("0") == 0.0);
	assert_true(double_of(NULL) == 7.5);
	assert_true(double_of("") == 7.5);
	assert_true(double_of("-1") == 7.5);
	assert_true(double_of("2s") == 7.5);
	assert_true(double_of("nan") == 7.5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_double),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
