/* test_msisdn — E.164 normalisation of Indonesian numbers and replyability of senders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/msisdn.h"

static const struct {
	const char	*in;
	const char	*out;	/* NULL: rejected, and why contains reason */
	const char	*reason;
} cases[] = {
	{ "081234567890", "+6281234567890", NULL },
	{ "0812-3456-7890", "+6281234567890", NULL },
	{ "0812 3456 7890", "+6281234567890", NULL },
	{ "62812345678", "+62812345678", NULL },
	{ "+62 812 3456 7890", "+6281234567890", NULL },
	{ "+62-812-3456-789", "+628123456789", NULL },
	{ "006281234567890", "+6281234567890", NULL },
	{ "(0711) 352-123", "+62711352123", NULL },
	{ "  0812345678 ", "+62812345678", NULL },
	{ "+6591234567", "+6591234567", NULL },		/* Singapore: kept as given */
	{ "", NULL, "empty" },
	{ "+", NULL, "empty" },
	{ "08123", NULL, "too short" },
	{ "0812345678901234", NULL, "too long" },
	{ "+620812345678", NULL, "a 0 follows the country code" },
	{ "0812abc4567", NULL, "letters" },
	{ "TELKOMSEL", NULL, "letters" },
	{ "812345678", NULL, "not in national" },
	{ "0812_345_678", NULL, "not a digit" },
	{ "+1234567890123456", NULL, "too long" },
};

static void
test_normalise(void **state)
{
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char		 out[MSISDN_MAX] = "";
		const char	*why = NULL;
		int		 rc = msisdn_normalise(cases[i].in, "62", out, &why);

		if (cases[i].out) {
			if (rc != 0 || strcmp(out, cases[i].out) != 0)
				fail_msg("'%s': expected %s, got rc=%d out=%s why=%s", cases[i].in, cases[i].out, rc,
				    out, why ? why : "");
		} else if (rc != -1 || why == NULL || strstr(why, cases[i].reason) == NULL)
			fail_msg("'%s': expected rejection (%s), got rc=%d out=%s why=%s", cases[i].in,
			    cases[i].reason, rc, out, why ? why : "");
	}
}

static void
test_replyable(void **state)
{
	assert_true(msisdn_replyable("+6281234567890"));
	assert_true(msisdn_replyable("+6281234567"));
	assert_true(msisdn_replyable("0812345678"));
	/* the review queued replies to a 7-digit and a 41-digit sender */
	assert_false(msisdn_replyable("+1234567"));
	assert_false(msisdn_replyable("+62812345678901234567890123456789012345678"));
	assert_false(msisdn_replyable("+1234567890123456"));	/* 16 digits: longer than E.164 */
	assert_true(msisdn_replyable("+123456789012345"));
	assert_false(msisdn_replyable("TELKOMSEL"));
	assert_false(msisdn_replyable("BPBD-SUMSEL"));
	assert_false(msisdn_replyable("3636"));		/* short code */
	assert_false(msisdn_replyable("+123456"));
	assert_false(msisdn_replyable(""));
	assert_false(msisdn_replyable(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_replyable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
