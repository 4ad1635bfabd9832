/*
 * test_router — the SMS router end to end on a real store: subscribe (idempotent), stop (all, one
 * area, confirmed once), INFO, LAPOR, KIM, SIAR with the PIN lockout, help, unknown messages
 * (one help a day), reply suppression (alphanumeric senders, short codes, the deny list, at most
 * reply_limit replies an hour), idempotent routing and catch-up, and the reply templates.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gateway/templates.h"
#include "parsers/gsm7.h"
#include "store/store_announcements.h"
#include "tests/unit/router_fixture.h"

#define A	"+6281200000001"
#define B	"+6281200000002"
#define C	"+6281200000003"
#define SAKO	"1671081001"	/* Sukamaju, Sako, Palembang */

static int
setup(void **state)
{
	return fx_setup("16", "deny = 0811 999 999 9, +6281377777777");
}

static int
teardown(void **state)
{
	return fx_teardown();
}

static void
test_subscribe_idempotent(void **state)
{
	const char	*last;
	char		 areas[128];
	int64_t		 id;

	id = fx_sms(A, "DAFTAR " SAKO);
	assert_string_equal(fx_action(id), "subscribed " SAKO);
	assert_true(store_subscriber_active(fx->gw.store, A));
	assert_int_equal(fx_outbox_to(A, &last), 1);
	if (strstr(last, "Maju (Sako)") == NULL)
		fail_msg("reply: %s", last);
	assert_true(queue_changed > 0);
	/* a second DAFTAR is no error */
	id = fx_sms(A, "reg#" SAKO);
	assert_string_equal(fx_action(id), "already subscribed " SAKO);
	assert_int_equal(store_subscriber_areas(fx->gw.store, A, areas, sizeof(areas)), 1);
	assert_int_equal(fx_outbox_to(A, &last), 2);
	assert_non_null(strstr(last, "sudah terdaftar"));
	/* DAFTAR with no area asks for one */
	id = fx_sms(B, "DAFTAR");
	assert_action_prefix(id, "subscribe: no area");
	assert_int_equal(fx_outbox_to(B, &last), 1);
	assert_non_null(strstr(last, "DAFTAR SUKAMAJU"));
}

static void
test_stop_all_and_back(void **state)
{
	const char	*last;
	char		 areas[128];
	int64_t		 id;

	fx_sms(A, "DAFTAR " SAKO);
	fx_sms(A, "DAFTAR 1671011001");
	assert_int_equal(store_subscriber_areas(fx->gw.store, A, areas, sizeof(areas)), 2);
	id = fx_sms(A, "STOP");
	assert_string_equal(fx_action(id), "stopped all");
	assert_false(store_subscriber_active(fx->gw.store, A));
	assert_int_equal(store_subscriber_areas(fx->gw.store, A, areas, sizeof(areas)), 0);
	assert_int_equal(fx_outbox_count("kind", "confirm"), 1);
	fx_outbox_to(A, &last);
	assert_non_null(strstr(last, "berhenti dari semua"));
	/* confirmed once: a second stop gets nothing */
	id = fx_sms(A, "berhenti");
	assert_action_prefix(id, "stop: already stopped");
	assert_int_equal(fx_outbox_count("kind", "confirm"), 1);
	/* "STOP KIRIM SMS": no area there, stop means stop */
	fx_sms(B, "DAFTAR " SAKO);
	id = fx_sms(B, "Berhenti kirim sms");
	assert_action_prefix(id, "stopped all");
	assert_false(store_subscriber_active(fx->gw.store, B));
	/* a stopped number that subscribes again is active again (this is A's 4th reply this hour) */
	id = fx_sms(A, "DAFTAR " SAKO);
	assert_string_equal(fx_action(id), "subscribed " SAKO ", reply capped");
	assert_true(store_subscriber_active(fx->gw.store, A));
	/* a number that never subscribed */
	id = fx_sms(C, "STOP");
	assert_action_prefix(id, "stop: not subscribed");
}

static void
test_stop_one_area(void **state)
{
	char		 areas[128];
	int64_t		 id;

	fx_sms(A, "DAFTAR " SAKO);
	fx_sms(A, "DAFTAR 1671011001");
	id = fx_sms(A, "UNREG 1671011001");
	assert_string_equal(fx_action(id), "stopped 1671011001");
	assert_int_equal(store_subscriber_areas(fx->gw.store, A, areas, sizeof(areas)), 1);
	assert_string_equal(areas, SAKO);
	assert_true(store_subscriber_active(fx->gw.store, A));
	/* an ambiguous name picks the sender's own subscription */
	id = fx_sms(A, "STOP PENYANDINGAN");
	assert_action_prefix(id, "stop: not subscribed to any 9 places");
	id = fx_sms(A, "STOP SUKAMAJU");
	assert_string_equal(fx_action(id), "stopped " SAKO ", no area left");
	assert_false(store_subscriber_active(fx->gw.store, A));
	assert_int_equal(fx_outbox_count("kind", "confirm"), 2);
}

static void
test_reply_caps(void **state)
{
	int64_t	 id;
	int	 i;

	/* reply_limit (3) automatic replies per hour, then silence */
	for (i = 0; i < 5; i++) {
		id = fx_sms(A, "BANTUAN");
		if (i < 3)
			assert_string_equal(fx_action(id), "help");
		else
			assert_string_equal(fx_action(id), "help, reply capped");
	}
	assert_int_equal(fx_outbox_to(A, NULL), 3);
	/* the cap is per sender */
	id = fx_sms(B, "HELP");
	assert_string_equal(fx_action(id), "help");
	/* acting goes on when the reply is capped */
	id = fx_sms(A, "DAFTAR " SAKO);
	assert_string_equal(fx_action(id), "subscribed " SAKO ", reply capped");
	assert_true(store_subscriber_active(fx->gw.store, A));
	/* a stop confirmation is not capped */
	id = fx_sms(A, "STOP");
	assert_string_equal(fx_action(id), "stopped all");
	assert_int_equal(fx_outbox_to(A, NULL), 4);
}

static void
test_unknown_help_once_a_day(void **state)
{
	const char	*last;
	int64_t		 id;

	id = fx_sms(A, "halo pak, apa kabar");
	assert_string_equal(fx_action(id), "unknown: help sent");
	fx_outbox_to(A, &last);
	assert_non_null(strstr(last, "tidak dikenal"));
	id = fx_sms(A, "halo lagi");
	assert_string_equal(fx_action(id), "unknown: help already sent today");
	id = fx_sms(A, "");
	assert_string_equal(fx_action(id), "unknown: help already sent today");
	assert_int_equal(fx_outbox_to(A, NULL), 1);
	/* asking for help still works */
	id = fx_sms(A, "?");
	assert_string_equal(fx_action(id), "help");
	/* a bare number without a question pending is unknown */
	id = fx_sms(B, "2");
	assert_action_prefix(id, "unknown (a number, no question pending): help sent");
	/* two robots: each gets at most one help a day, then nothing */
	id = fx_sms(C, "Your message could not be delivered");
	assert_string_equal(fx_action(id), "unknown: help sent");
	id = fx_sms(C, "Maaf, pesan tidak dikenal. Kirim DAFTAR <desa> utk ikut info");
	assert_string_equal(fx_action(id), "unknown: help already sent today");
}

static void
test_no_reply_senders(void **state)
{
	int64_t	 id;

	id = fx_sms("TELKOMSEL", "INFO paket murah hari ini");
	assert_action_prefix(id, "ignored: pull from a sender that cannot receive SMS");
	id = fx_sms("12345", "DAFTAR " SAKO);
	assert_action_prefix(id, "ignored: subscribe from a sender that cannot receive SMS");
	assert_false(store_subscriber_active(fx->gw.store, "12345"));
	/* deny list entries are normalised: 0811 999 999 9 is +628119999999 */
	id = fx_sms("+628119999999", "HELP");
	assert_action_prefix(id, "ignored: help from a denied number");
	id = fx_sms("+6281377777777", "halo");
	assert_action_prefix(id, "ignored: unknown from a denied number");
	/* …but a denied subscriber's STOP is honoured, silently */
	{
		int created;

		assert_int_equal(store_subscribe(fx->gw.store, "+6281377777777", SAKO, NULL, &created), STORE_OK);
	}
	id = fx_sms("+6281377777777", "STOP");
	assert_string_equal(fx_action(id), "stopped all, no reply (denied number)");
	assert_false(store_subscriber_active(fx->gw.store, "+6281377777777"));
	assert_int_equal(fx_outbox_count("kind", "confirm"), 0);
	assert_int_equal(fx_outbox_count("kind", "reply"), 0);
}

static void
test_idempotent_and_catch_up(void **state)
{
	int64_t	 id1, id2, id3;

	id1 = fx_sms(A, "HELP");
	router_handle(fx->gw.router, id1);
	router_handle(fx->gw.router, id1);
	assert_int_equal(fx_outbox_to(A, NULL), 1);
	/* rows stored but not routed (a crash, a store failure) are routed at start-up, in order */
	id2 = fx_store(B, "DAFTAR " SAKO);
	id3 = fx_store(B, "STOP");
	assert_string_equal(fx_action(id2), "");
	router_catch_up(fx->gw.router);
	assert_string_equal(fx_action(id2), "subscribed " SAKO);
	assert_string_equal(fx_action(id3), "stopped all");
	assert_false(store_subscriber_active(fx->gw.store, B));
	router_catch_up(fx->gw.router);
	assert_int_equal(fx_outbox_to(B, NULL), 2);
	/* an unknown id is logged, not fatal */
	router_handle(fx->gw.router, 999999);
}

static void
test_info(void **state)
{
	struct store_announcement_new	 a;
	const char			*areas[] = { "1671" }, *last;
	char				 longtext[400];
	int64_t				 id, aid;
	long				 n;
	struct gsm7_count		 c;

	int				 created;

	id = fx_sms(B, "INFO");
	assert_string_equal(fx_action(id), "info: not subscribed");
	fx_sms(B, "DAFTAR " SAKO);
	id = fx_sms(B, "BERITA");
	assert_string_equal(fx_action(id), "info: none");
	assert_int_equal(store_subscribe(fx->gw.store, A, SAKO, NULL, &created), STORE_OK);
	memset(&a, 0, sizeof(a));
	a.areas = areas;
	a.nareas = 1;
	a.priority = OUTBOX_NORMAL;
	a.source = "console";
	a.segments = 1;
	a.encoding = "gsm7";
	assert_int_equal(store_begin(fx->gw.store), STORE_OK);
	a.text = "Kerja bakti Minggu pagi di balai desa.";
	assert_int_equal(store_announcement_add(fx->gw.store, &a, &aid, &n), STORE_OK);
	a.text = "Posyandu Selasa jam 9.";
	assert_int_equal(store_announcement_add(fx->gw.store, &a, &aid, &n), STORE_OK);
	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	assert_int_equal(store_commit(fx->gw.store), STORE_OK);
	id = fx_sms(A, "INFO");
	assert_string_equal(fx_action(id), "info: 2 announcements");
	fx_outbox_to(A, &last);
	/* newest first */
	assert_true(strstr(last, "Posyandu") < strstr(last, "Kerja bakti"));
	assert_non_null(strstr(last, "Kerja bakti"));
	/* a long one: at most 2 SMS */
	assert_int_equal(store_begin(fx->gw.store), STORE_OK);
	a.text = longtext;
	assert_int_equal(store_announcement_add(fx->gw.store, &a, &aid, &n), STORE_OK);
	assert_int_equal(store_commit(fx->gw.store), STORE_OK);
	id = fx_sms(A, "INFO");
	assert_string_equal(fx_action(id), "info: 1 announcement");
	fx_outbox_to(A, &last);
	gsm7_count(last, strlen(last), &c);
	assert_true(c.segments <= 2);
	assert_non_null(strstr(last, "..."));
}

static void
test_report(void **state)
{
	int		 created;
	int64_t		 id;
	const char	*last;

	fx_sms(A, "DAFTAR " SAKO);
	id = fx_sms(A, "LAPOR jalan rusak di RT 3, mohon diperbaiki");
	assert_string_equal(fx_action(id), "report pending #1");
	fx_outbox_to(A, &last);
	assert_non_null(strstr(last, "#1"));
	assert_int_equal(store_begin(fx->gw.store), STORE_OK);
	assert_int_equal(store_leader_add(fx->gw.store, B, "KIM Sukamaju", SAKO, &created), STORE_OK);
	assert_int_equal(store_commit(fx->gw.store), STORE_OK);
	id = fx_sms(B, "lapor: Posyandu pindah ke balai");
	assert_string_equal(fx_action(id), "report published #2");
	id = fx_sms(C, "LAPOR");
	assert_action_prefix(id, "report: empty");
	{
		/* a long report with quotes and non-ASCII text still makes a valid audit record */
		char	*big = malloc(4000);
		size_t	 o = 0;

		o += (size_t)snprintf(big, 4000, "LAPOR \"banjir\" ");
		while (o + 3 < 3000) {
			memcpy(big + o, "\xc3\xa9", 2);
			o += 2;
		}
		big[o] = '\0';
		id = fx_sms(C, big);
		assert_action_prefix(id, "report pending #");
		free(big);
	}
}

static void
test_kim_group(void **state)
{
	int		 created;
	int64_t		 id;
	const char	*last;

	fx_sms(A, "DAFTAR " SAKO);
	fx_sms(C, "DAFTAR " SAKO);
	fx_sms("+6281200000004", "DAFTAR 1671011001");	/* another village: not a member */
	id = fx_sms(A, "KIM rapat sabtu");
	assert_string_equal(fx_action(id), "kim refused: not a leader");
	assert_int_equal(store_begin(fx->gw.store), STORE_OK);
	assert_int_equal(store_leader_add(fx->gw.store, B, "Sukamaju Maju", "167108", &created), STORE_OK);
	assert_int_equal(store_commit(fx->gw.store), STORE_OK);
	fx_sms(B, "DAFTAR " SAKO);	/* the leader is a member too, but not written to */
	id = fx_sms(B, "KIM Rapat Sabtu jam 9 di balai");
	assert_string_equal(fx_action(id), "kim to 2 members");
	assert_int_equal(fx_outbox_count("kind", "kim"), 2);
	fx_outbox_to(C, &last);
	assert_string_equal(last, "KIM Sukamaju Maju: Rapat Sabtu jam 9 di balai");
	fx_outbox_to(B, &last);
	assert_non_null(strstr(last, "2 anggota"));
}

static void
test_siar_pin_lockout(void **state)
{
	int		 created, i;
	int64_t		 id;
	const char	*last;

	fx_sms(C, "DAFTAR " SAKO);
	id = fx_sms(A, "SIAR 123456 1671 Kerja bakti");
	assert_string_equal(fx_action(id), "siar refused: not an official");
	assert_int_equal(store_begin(fx->gw.store), STORE_OK);
	assert_int_equal(store_official_add(fx->gw.store, A, "123456", &created), STORE_OK);
	assert_int_equal(store_commit(fx->gw.store), STORE_OK);
	id = fx_sms(A, "SIAR 123456 1671 Kerja bakti hari Minggu");
	assert_action_prefix(id, "siar #1 to 1 recipients");
	{
		/* the PIN is not kept in clear in the inbox */
		struct fx_rows *rows = calloc(1, sizeof(*rows));

		snprintf(rows->want, sizeof(rows->want), "text");
		snprintf(rows->match_col, sizeof(rows->match_col), "id");
		snprintf(rows->match_val, sizeof(rows->match_val), "%lld", (long long)id);
		assert_int_equal(store_list_inbox(fx->gw.store, 0, 0, fx_rows_cb, rows), STORE_OK);
		assert_string_equal(rows->vals[0], "SIAR ****** 1671 Kerja bakti hari Minggu");
		free(rows);
	}
	assert_int_equal(fx_outbox_count("kind", "announcement"), 1);
	fx_outbox_to(A, &last);
	assert_non_null(strstr(last, "Siaran #1"));
	id = fx_sms(A, "SIAR 123456 TIDAKADA Kerja bakti");
	assert_string_equal(fx_action(id), "siar refused: area not found");
	id = fx_sms(A, "SIAR 123456");
	assert_string_equal(fx_action(id), "siar refused: incomplete, reply capped");
	/* 5 wrong PINs lock SIAR for the number; the right PIN is then refused too */
	for (i = 0; i < 4; i++) {
		id = fx_sms(A, "SIAR 999999 1671 palsu");
		assert_action_prefix(id, "siar refused: wrong pin");
	}
	id = fx_sms(A, "SIAR 999999 1671 palsu");
	assert_action_prefix(id, "siar refused: wrong pin, locked");
	id = fx_sms(A, "SIAR 123456 1671 sekarang benar");
	assert_action_prefix(id, "siar refused: locked");
	assert_int_equal(fx_outbox_count("kind", "announcement"), 1);
}


/* Finding 4 of the security review: the PIN token is masked where the parser found it, so a PIN
 * written with a zero-width space, a soft hyphen or fullwidth digits, or after the word PIN, is
 * not kept in clear; ingest masks it before the first commit and routing uses the held text. */
static void
test_siar_pin_masked(void **state)
{
	static const struct {
		const char *text, *stored;
	} cases[] = {
		{ "SIAR 43\xe2\x80\x8b" "2198 1671 satu", "SIAR ****** 1671 satu" },
		{ "SIAR 4\xc2\xad" "32198 1671 dua", "SIAR ****** 1671 dua" },
		{ "SIAR \xef\xbc\x94\xef\xbc\x93\xef\xbc\x92\xef\xbc\x91\xef\xbc\x99\xef\xbc\x98 1671 tiga",
		  "SIAR ****** 1671 tiga" },
		{ "SIAR PIN 432198 1671 empat", "SIAR PIN ****** 1671 empat" },
	};
	int		 created;
	size_t		 i;
	int64_t		 id;

	fx_sms(C, "DAFTAR " SAKO);
	assert_int_equal(store_begin(fx->gw.store), STORE_OK);
	assert_int_equal(store_official_add(fx->gw.store, A, "432198", &created), STORE_OK);
	assert_int_equal(store_commit(fx->gw.store), STORE_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx_rows	*rows = calloc(1, sizeof(*rows));
		char		*masked;

		/* what ingest does: mask, store the masked text, route */
		assert_int_equal(router_mask_pin(fx->gw.router, A, cases[i].text, &masked), 1);
		assert_string_equal(masked, cases[i].stored);
		id = fx_sms(A, masked);
		free(masked);
		assert_action_prefix(id, "siar #");
		snprintf(rows->want, sizeof(rows->want), "text");
		snprintf(rows->match_col, sizeof(rows->match_col), "id");
		snprintf(rows->match_val, sizeof(rows->match_val), "%lld", (long long)id);
		assert_int_equal(store_list_inbox(fx->gw.store, 0, 0, fx_rows_cb, rows), STORE_OK);
		assert_string_equal(rows->vals[0], cases[i].stored);
		free(rows);
	}
	/* the same, stored in clear (before this fix, or by hand): masked by its offsets when routed */
	id = fx_sms(A, "SIAR 43\xe2\x80\x8b" "2198 1671 lima");
	assert_action_prefix(id, "siar #");
	assert_int_equal(fx_outbox_count("kind", "announcement"), 5);
	/* masked at ingest, then the daemon restarted: the PIN is gone; refused, not counted as wrong */
	id = fx_sms(A, "SIAR ****** 1671 enam");
	assert_action_prefix(id, "siar refused: pin not kept over a restart");
	assert_int_equal(fx_outbox_count("kind", "announcement"), 5);
	/* other messages are left alone */
	{
		char *masked = (char *)"x";

		assert_int_equal(router_mask_pin(fx->gw.router, A, "LAPOR 432198 banjir", &masked), 0);
		assert_null(masked);
	}
}

/* A full disk while routing: nothing half done, the row stays unrouted, catch-up routes it later. */
static void
test_store_failure_retry(void **state)
{
	char	 flag[128];
	FILE	*f;
	int64_t	 id;

	snprintf(flag, sizeof(flag), "/tmp/kt-router-fault-%d", (int)getpid());
	id = fx_store(A, "DAFTAR " SAKO);
	f = fopen(flag, "w");
	fclose(f);
	router_handle(fx->gw.router, id);
	unlink(flag);
	assert_true(store_failed > 0);
	assert_int_equal(fx->gw.store_ok, 0);
	assert_string_equal(fx_action(id), "");
	assert_false(store_subscriber_active(fx->gw.store, A));
	assert_int_equal(fx_outbox_to(A, NULL), 0);
	router_catch_up(fx->gw.router);
	assert_string_equal(fx_action(id), "subscribed " SAKO);
	assert_int_equal(fx_outbox_to(A, NULL), 1);
	assert_int_equal(fx->gw.store_ok, 1);
}

static void
test_templates_fit(void **state)
{
	static const char *const vars[] = { "area", "Sukamaju Sejahtera (Banyuasin Tiga)", "n", "12345",
	    "max", "9", "id", "123456", "kim", "KIM Sukamaju Sejahtera", "name", "SUKAMAJU SEJAHTERA",
	    "suggestions", "Sukamaju, Sukamulya, Sukajadi", "choices", "1 Sukamaju (Sako)",
	    "total", "11", "reason", "wilayah SUKAMAJUX tidak dikenal", "code", "K7QXA", "source", "+62812****7890",
	    "created", "2026-11-27 14:05", "corrects", "123455", "village", "Sukamaju Sejahtera",
	    "delivered", "1480", "targeted", "1520", NULL };
	const char	*langs[] = { "id", "en" };
	char		 out[TEMPLATE_MAX + 1], err[256];
	int		 i, l;

	for (l = 0; l < 2; l++) {
		struct templates *t = templates_new(langs[l], NULL, err, sizeof(err));

		assert_non_null(t);
		for (i = 0; templates_keys[i]; i++) {
			struct gsm7_count c;

			templates_render(t, templates_keys[i], out, sizeof(out), vars);
			gsm7_count(out, strlen(out), &c);
			if (c.segments != 1 || c.encoding != GSM7_ENC_GSM7)
				fail_msg("template %s/%s: %zu segments: %s", langs[l], templates_keys[i],
				    c.segments, out);
			assert_null(strchr(out, '{'));
		}
		templates_free(t);
	}
}

static void
test_templates_override(void **state)
{
	char			 dir[128], path[160], out[200], err[256];
	const char		*vars[] = { "area", "Sako", NULL };
	struct templates	*t;
	FILE			*f;

	snprintf(dir, sizeof(dir), "%s/tpl", fx->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/subscribed", dir);
	f = fopen(path, "w");
	fputs("Sip, {area} {unknown}!\n", f);
	fclose(f);
	t = templates_new("en", dir, err, sizeof(err));
	assert_non_null(t);
	templates_render(t, "subscribed", out, sizeof(out), vars);
	assert_string_equal(out, "Sip, Sako {unknown}!");
	templates_render(t, "help", out, sizeof(out), vars);
	assert_non_null(strstr(out, "JOIN"));
	templates_free(t);
	/* too long: refused with the file named */
	f = fopen(path, "w");
	for (int i = 0; i < 100; i++)
		fputs("0123456789", f);
	fclose(f);
	assert_null(templates_new("id", dir, err, sizeof(err)));
	assert_non_null(strstr(err, "subscribed"));
	/* cut at a character boundary */
	t = templates_new("id", NULL, err, sizeof(err));
	vars[1] = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
	templates_render(t, "stopped_area", out, 26, vars);
	assert_true(strlen(out) <= 25);
	assert_true(((unsigned char)out[strlen(out) - 1] & 0xC0) != 0xC0);
	templates_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_subscribe_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_all_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_one_area, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_help_once_a_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_reply_senders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idempotent_and_catch_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kim_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_siar_pin_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_siar_pin_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_failure_retry, setup, teardown),
		cmocka_unit_test(test_templates_fit),
		cmocka_unit_test_setup_teardown(test_templates_override, setup, teardown),
	};

	char	 fault[160];

	/* the fault VFS (store/store_fault.h) fails every write while the flag file exists */
	snprintf(fault, sizeof(fault), "all:while=/tmp/kt-router-fault-%d:err=full", (int)getpid());
	setenv("KT_FAULT_VFS", fault, 1);
	log_init("test_router", 1, LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
