/* test_str — common/str.c's small checks: str_is_digits (USSD menu choices, /proc pid names). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/str.h"

static void
test_is_digits(void **state)
{
	assert_true(str_is_digits("0"));
	assert_true(str_is_digits("1234567890"));
	assert_false(str_is_digits(""));
	assert_false(str_is_digits(" 1"));
	assert_false(str_is_digits("1 "));
	assert_false(str_is_digits("-1"));
	assert_false(str_is_digits("+62"));
	assert_false(str_is_digits("12a"));
	assert_false(str_is_digits("\xd9\xa1"));	/* ARABIC-INDIC DIGIT ONE is no ASCII digit */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
