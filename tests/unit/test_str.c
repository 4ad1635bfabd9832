/* test_str — common/str.c's small checks: str_is_digits (USSD menu choices, /proc pid names) and
 * str_made_of, the one "every character from this set, 1 to max of them" check behind
 * web user names, USSD menu names and the uplink's topic ids. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/str.h"

#define NAME	STR_LOWER STR_DIGITS "._-"

static const struct {
	const char	*s;
	size_t		 max;
	const char	*allowed;
	int		 ok;
} cases[] = {
	{ "admin", 32, NAME, 1 },
	{ "a.b_c-9", 32, NAME, 1 },
	{ "", 32, NAME, 0 },				/* empty */
	{ "Admin", 32, NAME, 0 },			/* upper case not in the set */
	{ "box-1", 5, STR_LOWER STR_DIGITS "-", 1 },	/* exactly max */
	{ "box-12", 5, STR_LOWER STR_DIGITS "-", 0 },	/* one over */
	{ "Box_1", 48, STR_LOWER STR_UPPER STR_DIGITS "-_", 1 },
	{ "box/1", 48, STR_LOWER STR_UPPER STR_DIGITS "-_", 0 },
	{ "b\xc3\xa9", 48, STR_LOWER, 0 },		/* UTF-8 bytes are never in a set */
	{ "a b", 48, STR_LOWER, 0 },
};

static void
test_cases(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (str_made_of(cases[i].s, strlen(cases[i].s), cases[i].max, cases[i].allowed) != cases[i].ok)
			fail_msg("case %zu \"%s\": expected %d", i, cases[i].s, cases[i].ok);
}

static void
test_length_is_counted_not_the_terminator(void **state)
{
	(void)state;
	/* a NUL inside the counted bytes is not a character of any set */
	assert_int_equal(str_made_of("ab\0c", 4, 8, STR_LOWER), 0);
	/* only the first n bytes count */
	assert_int_equal(str_made_of("ab/", 2, 8, STR_LOWER), 1);
}

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

/* The counted form looks at s[0..len) only: the parsers' word spans, modemsim's options. */
static void
test_digits_n(void **state)
{
	(void)state;
	assert_true(str_digits_n("12ab", 2));
	assert_false(str_digits_n("12ab", 3));
	assert_false(str_digits_n("12", 0));
	assert_true(str_digits_n("0812345678", 10));
	assert_false(str_digits_n("08/12", 5));
	assert_false(str_digits_n("08:12", 5));	/* ':' follows '9' in ASCII */
	assert_false(str_digits_n("\xd9\xa1", 2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_digits),
		cmocka_unit_test(test_digits_n),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_length_is_counted_not_the_terminator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
