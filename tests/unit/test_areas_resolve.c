/*
 * test_areas_resolve — area arguments resolved by the router against the real Kemendagri areas
 * of South Sumatra (16) from data/wilayah: by code (plain and dotted), by name, by name
 * with district or regency, ambiguous names (a numbered choice in one SMS, answered by the
 * number, expiring after a day), unknown names (suggestions) and areas outside those served.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "parsers/gsm7.h"
#include "store/store_choices.h"
#include "tests/unit/router_fixture.h"

static int	 n_from;

static int
setup(void **state)
{
	return fx_setup("16", "reply_limit = 100");
}

static int
teardown(void **state)
{
	return fx_teardown();
}

/* A fresh sender for each message, so nothing of one case leaks into the next. */
static const char *
sender(void)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "+628130000%04d", ++n_from);
	return buf;
}

struct resolve_case {
	const char	*text;
	const char	*action;	/* expected inbox action, exactly */
};

static void
test_resolve_table(void **state)
{
	static const struct resolve_case cases[] = {
		/* codes */
		{ "DAFTAR 1671081001", "subscribed 1671081001" },
		{ "DAFTAR 16.71.08.1001", "subscribed 1671081001" },
		{ "daftar 167108", "subscribed 167108" },
		{ "DAFTAR 1671", "subscribed 1671" },
		/* a unique village name, with marker words and any case */
		{ "DAFTAR Kungkilan Pendopo Barat", "subscribed 1611102010" },
		{ "reg desa penyandingan kec indralaya", "subscribed 1610042018" },
		/* name + district, name + regency (KOTA PALEMBANG is typed PALEMBANG) */
		{ "DAFTAR SUKAMAJU SAKO", "subscribed 1671081001" },
		{ "DAFTAR SUKAMAJU PALEMBANG", "subscribed 1671081001" },
		{ "REG#Suka-Maju#Sako", "subscribed 1671081001" },
		/* a shortened district: BABAT for Babat Supat */
		{ "DAFTAR SUKAMAJU BABAT", "subscribed 1606142001" },
		/* a district by name */
		{ "DAFTAR KECAMATAN SAKO", "subscribed 167108" },
		/* outside the served areas (16): a code of West Java, unknown codes, phone numbers */
		{ "DAFTAR 3201062001", "subscribe: area not found, 0 suggestions" },
		{ "DAFTAR 1699999999", "subscribe: area not found, 0 suggestions" },
		{ "DAFTAR 08123456789", "subscribe: area not found, 0 suggestions" },
		/* a qualifier that encloses none of them */
		{ "DAFTAR SUKAMAJU JONGGOL", "subscribe: area not found, 3 suggestions" },
	};
	size_t	 i;
	int64_t	 id;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		id = fx_sms(sender(), cases[i].text);
		if (strcmp(fx_action(id), cases[i].action) != 0)
			fail_msg("'%s': action '%s', expected '%s'", cases[i].text, fx_action(id), cases[i].action);
	}
}

static void
test_ambiguous_choice(void **state)
{
	struct store_choice	 c;
	struct gsm7_count	 cnt;
	const char		*from = sender(), *last;
	char			 want[64], areas[64];
	int64_t			 id;
	int			 n;

	/* 11 villages called Sukamaju in South Sumatra: one SMS lists what fits */
	id = fx_sms(from, "DAFTAR SUKAMAJU");
	assert_action_prefix(id, "choice asked ");
	assert_non_null(strstr(fx_action(id), "of 11 options"));
	fx_outbox_to(from, &last);
	gsm7_count(last, strlen(last), &cnt);
	assert_int_equal(cnt.segments, 1);
	assert_non_null(strstr(last, "Ada 11 SUKAMAJU"));
	assert_non_null(strstr(last, "\n1 Sukamaju (Baturaja Barat)"));
	assert_non_null(strstr(last, "\n2 Sukamaju (Lempuing Jaya)"));
	assert_int_equal(store_choice_get(fx->gw.store, from, clock_now(), &c), STORE_OK);
	assert_string_equal(c.action, "subscribe");
	n = c.n;
	assert_true(n >= 3 && n <= STORE_CHOICE_MAX);
	assert_string_equal(c.codes[0], "1601132012");
	/* the pending choice expires after a day */
	assert_int_equal(store_choice_get(fx->gw.store, from, clock_now() + 86400 - 60, &c), STORE_OK);
	assert_int_equal(store_choice_get(fx->gw.store, from, clock_now() + 86400 + 60, &c), STORE_NOTFOUND);
	/* a number out of range is answered, the question stays */
	snprintf(want, sizeof(want), "%d", n + 1);
	id = fx_sms(from, want);
	assert_action_prefix(id, "choice ");
	assert_non_null(strstr(fx_action(id), "out of range"));
	/* "2" picks the second */
	id = fx_sms(from, "2");
	assert_string_equal(fx_action(id), "subscribed 1602222008 (choice 2)");
	assert_int_equal(store_subscriber_areas(fx->gw.store, from, areas, sizeof(areas)), 1);
	assert_string_equal(areas, "1602222008");
	/* answered: a second "2" is no answer any more */
	id = fx_sms(from, "2");
	assert_action_prefix(id, "unknown");
	/* "pilih 1" (a keywords.conf pattern) is not loaded here: the bare number is built in */
}

static void
test_ambiguous_stop(void **state)
{
	const char	*from = sender();
	int64_t		 id;

	fx_sms(from, "DAFTAR PENYANDINGAN INDRALAYA");
	fx_sms(from, "DAFTAR PENYANDINGAN TELUK GELAM");
	/* subscribed to two of the nine: the question lists the choices */
	id = fx_sms(from, "STOP PENYANDINGAN");
	assert_string_equal(fx_action(id), "choice asked 2 of 2 options");
	id = fx_sms(from, "1");
	assert_action_prefix(id, "stopped 1602232007");	/* Teluk Gelam sorts first by code */
	assert_true(store_subscriber_active(fx->gw.store, from));
	/* now only one is left: no question */
	id = fx_sms(from, "BERHENTI PENYANDINGAN");
	assert_string_equal(fx_action(id), "stopped 1610042018, no area left");
}

static void
test_suggestions(void **state)
{
	const char	*from = sender(), *last;
	int64_t		 id;

	id = fx_sms(from, "DAFTAR SUKAMAJUU");
	assert_action_prefix(id, "subscribe: area not found, ");
	fx_outbox_to(from, &last);
	if (strstr(last, "Sukamaju") == NULL && strstr(last, "Suka Maju") == NULL)
		fail_msg("no suggestion in: %s", last);
	/* a typo in the first letters */
	from = sender();
	id = fx_sms(from, "DAFTAR SOKAMAJU");
	fx_outbox_to(from, &last);
	if (strstr(last, "Sukamaju") == NULL && strstr(last, "Suka Maju") == NULL)
		fail_msg("no suggestion in: %s", last);
	/* nothing near */
	from = sender();
	id = fx_sms(from, "DAFTAR QQQQQQQQ");
	assert_string_equal(fx_action(id), "subscribe: area not found, 0 suggestions");
	fx_outbox_to(from, &last);
	assert_non_null(strstr(last, "tidak ditemukan"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ambiguous_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ambiguous_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suggestions, setup, teardown),
	};

	log_init("test_areas_resolve", 1, LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
