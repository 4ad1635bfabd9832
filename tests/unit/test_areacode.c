/* test_areacode — code shapes and containment in the served-areas list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/areacode.h"

static void
test_level(void **state)
{
	assert_int_equal(areacode_level("16"), 1);
	assert_int_equal(areacode_level("1671"), 2);
	assert_int_equal(areacode_level("167101"), 3);
	assert_int_equal(areacode_level("1671011001"), 4);
	assert_int_equal(areacode_level("167"), 0);
	assert_int_equal(areacode_level("16710110011"), 0);
	assert_int_equal(areacode_level("16a1"), 0);
	assert_int_equal(areacode_level(""), 0);
}

static void
test_lists(void **state)
{
	assert_true(areacode_in_list("1671011001", "1671"));
	assert_true(areacode_in_list("1671011001", "31, 1671"));
	assert_true(areacode_in_list("1672011001", ""));
	assert_true(areacode_in_list("1672011001", NULL));
	assert_true(areacode_in_list("1672011001", " , "));
	assert_false(areacode_in_list("1672011001", "1671"));
	assert_false(areacode_in_list("16", "1671"));		/* the province is wider than what is served */
	assert_true(areacode_overlaps_list("16", "1671"));	/* … but a broadcast to it reaches 1671 */
	assert_true(areacode_overlaps_list("1671011001", "1671,1672"));
	assert_false(areacode_overlaps_list("31", "1671,1672"));
	assert_false(areacode_overlaps_list("1672", "1671"));
	assert_true(areacode_listed("1671011001", "1671011001"));
	assert_true(areacode_listed("1671011001", "16,1671011001,1672"));
	assert_false(areacode_listed("1671011001", "16710110011,1671"));
	assert_false(areacode_listed("1671", "1671011001"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level),
		cmocka_unit_test(test_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
