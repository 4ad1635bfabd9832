/* test_ussd — the USSD menu loader (errors with line numbers, screen limits) and the state machine
 * over a real store: village choice, paging, retries, stop, report, submenus, expiry, the cap.
 * The gateway_* hooks are gateway/gateway.c's own: with no router or scheduler they render nothing
 * and only track store_ok. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/timefmt.h"
#include "gateway/gateway.h"
#include "gateway/http/ussd.h"
#include "store/store.h"
#include "store/store_roles.h"
#include "tests/unit/fixture.h"

static struct conf	 conf;
static struct gateway	 gw;

static int
setup(void **state)
{
	struct store	*st = fx_store_open("ussd");
	int		 i;
	char		 code[16], name[32], norm[32];

	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_area_put(st, "16", "SUMATERA SELATAN", "SUMATERASELATAN", NULL), STORE_OK);
	assert_int_equal(store_area_put(st, "1671", "KOTA PALEMBANG", "PALEMBANG", "16"), STORE_OK);
	assert_int_equal(store_area_put(st, "1672", "KOTA PRABUMULIH", "PRABUMULIH", "16"), STORE_OK);
	/* 30 districts, each with a Sukamaju: three pages or more */
	for (i = 0; i < 30; i++) {
		snprintf(code, sizeof(code), "1671%02d", i + 1);
		snprintf(name, sizeof(name), "Distrik Nomor %d", i + 1);
		snprintf(norm, sizeof(norm), "DISTRIKNOMOR%d", i + 1);
		assert_int_equal(store_area_put(st, code, name, norm, "1671"), STORE_OK);
		snprintf(code, sizeof(code), "1671%02d1001", i + 1);
		snprintf(name, sizeof(name), "1671%02d", i + 1);
		assert_int_equal(store_area_put(st, code, "Sukamaju", "SUKAMAJU", name), STORE_OK);
	}
	assert_int_equal(store_area_put(st, "167201", "Prabumulih Barat", "PRABUMULIHBARAT", "1672"), STORE_OK);
	assert_int_equal(store_area_put(st, "1672011001", "Karang Raja", "KARANGRAJA", "167201"), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	memset(&conf, 0, sizeof(conf));
	conf.country = "62";
	conf.areas = "1671,1672";
	conf.language = "id";
	memset(&gw, 0, sizeof(gw));
	gw.conf = &conf;
	gw.store = st;
	gw.store_ok = 1;
	*state = st;
	return 0;
}

static const char *
ask(struct ussd *u, const char *sid, const char *text)
{
	static char out[USSD_SCREEN_MAX];

	ussd_answer(u, sid, "081234567890", text, out);
	assert_true(strncmp(out, "CON ", 4) == 0 || strncmp(out, "END ", 4) == 0);
	assert_true(ussd_chars(out) <= USSD_SCREEN_CHARS);
	return out;
}

static void
test_builtin_menu(void **state)
{
	char			 err[256];
	struct ussd_menu	*m = ussd_menu_load_text(ussd_menu_builtin(), "builtin", err, sizeof(err));

	if (m == NULL)
		fail_msg("%s", err);
	ussd_menu_free(m);
	assert_int_equal(ussd_chars("Sélamat"), 7);
}

static void
test_menu_errors(void **state)
{
	static const char *base =
	    "[id]\nmenu.main = T\nmenu.main.1 = A > subscribe\nnext = 0 N\nback = 00 B\ninvalid = X\n"
	    "sub.prompt = p\nsub.choose = c\nsub.suggest = s {name}\nsub.none = n {name}\nsub.done = d\n"
	    "sub.already = a\nnews.title = t\nnews.none = n\nnews.not_subscribed = ns\nreport.prompt = rp\n"
	    "report.empty = re\nreport.pending = p {id}\nreport.published = pu {id}\nstop.confirm = c\n"
	    "stop.done = d\nstop.not_subscribed = n\nstop.cancelled = c\nbad_number = b\nerror = e\n";
	static const struct {
		const char	*extra;
		const char	*want;
	} cases[] = {
		{ "", NULL },
		{ "frobnicate = 1\n", "t:26: frobnicate: unknown key" },
		{ "menu.main.2 = no target\n", "t:26: menu.main.2: an item is 'Label > target'" },
		{ "menu.main.2 = B > fly\n", "unknown target" },
		{ "menu.main.0 = B > news\n", "N from 1 to 9" },
		{ "menu.main.1 = B > news\n", "set twice" },
		{ "menu.main.2 = B > menu.nope\n", "no menu.nope" },
		{ "menu.main.2 = B > text.nope\n", "no text.nope" },
		{ "menu.main.2 = B > lang.xx\n", "no lang.xx" },
		{ "menu.sub.1 = B > news\n", "menu.sub needs a title" },
		{ "text.long = 0123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789012345678901234567890123456789"
		  "01234567890123456789012345678901234567890123456789\n", "text.long is longer than a screen" },
		{ "[en]\nmenu.main = x\n", "t:26: [en] lacks the key next" },
		{ "nonsense\n", "t:26: expected 'key = value'" },
		{ "[Bad Section]\n", "expected [LANGUAGE]" },
		{ "[id]\n", "[id] appears twice" },
	};
	char			 text[4096], err[256];
	struct ussd_menu	*m;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", base, cases[i].extra);
		err[0] = '\0';
		m = ussd_menu_load_text(text, "t", err, sizeof(err));
		if (cases[i].want == NULL) {
			if (m == NULL)
				fail_msg("case %zu: %s", i, err);
			ussd_menu_free(m);
			continue;
		}
		if (m != NULL)
			fail_msg("case %zu loaded; wanted %s", i, cases[i].want);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: got '%s', wanted '%s'", i, err, cases[i].want);
	}
	m = ussd_menu_load_text("menu.main = x\n", "t", err, sizeof(err));
	assert_null(m);
	assert_non_null(strstr(err, "t:1: a key before the first [LANGUAGE] section"));
	m = ussd_menu_load_text("; nothing\n", "t", err, sizeof(err));
	assert_null(m);
	assert_non_null(strstr(err, "no language section"));
}

static void
test_subscribe_pages_retries(void **state)
{
	struct store	*st = *state;
	char		 err[256], p1[USSD_SCREEN_MAX], p2[USSD_SCREEN_MAX], done[USSD_SCREEN_MAX], areas[256];
	struct ussd	*u = ussd_new(&gw, NULL, err, sizeof(err));
	struct ussd_stats s;
	const char	*o;
	char		 text[128];
	int		 pages = 1;

	if (u == NULL)
		fail_msg("%s", err);
	o = ask(u, "a", "");
	assert_non_null(strstr(o, "1 Langganan"));
	snprintf(p1, sizeof(p1), "%s", ask(u, "a", "1*sukamaju"));
	assert_non_null(strstr(p1, "\n1 Sukamaju (Distrik Nomor 1)"));
	assert_non_null(strstr(p1, "0 Berikutnya"));
	snprintf(p2, sizeof(p2), "%s", ask(u, "a", "1*sukamaju*0"));
	assert_null(strstr(p2, "\n1 Sukamaju"));
	assert_string_equal(ask(u, "a", "1*sukamaju*0*00"), p1);
	assert_string_equal(ask(u, "a", "1*sukamaju*0*#"), p1);
	snprintf(text, sizeof(text), "1*sukamaju");
	while (strstr(ask(u, "a", text), "0 Berikutnya") != NULL && pages < 20) {
		strcat(text, "*0");
		pages++;
	}
	assert_true(pages >= 3);
	assert_non_null(strstr(ask(u, "a", text), "30 Sukamaju (Distrik Nomor 30)"));
	/* 31 is out of range; 30 is on the last page but any shown or not number picks */
	assert_true(strncmp(ask(u, "a", "1*sukamaju*31"), "CON Pilihan tidak ada.", 22) == 0);
	snprintf(done, sizeof(done), "%s", ask(u, "a", "1*sukamaju*0*12"));
	assert_non_null(strstr(done, "END Terima kasih! Anda berlangganan info Sukamaju (Distrik Nomor 12)."));
	assert_int_equal(store_subscriber_areas(st, "+6281234567890", areas, sizeof(areas)), 1);
	assert_string_equal(areas, "1671121001");
	/* retries: the same END, not "already" */
	assert_string_equal(ask(u, "a", "1*sukamaju*0*12"), done);
	ask(u, "a", "1*sukamaju");
	assert_string_equal(ask(u, "a", "1*sukamaju*0*12"), done);
	/* another session: already */
	assert_non_null(strstr(ask(u, "b", "1*sukamaju*0*12"), "sudah berlangganan"));
	/* a code, and a name with its qualifier, and a name nowhere */
	assert_non_null(strstr(ask(u, "c", "1*1672011001"), "1 Karang Raja (Prabumulih Barat)"));
	assert_non_null(strstr(ask(u, "d", "1*karang raja prabumulih"), "1 Karang Raja (Prabumulih Barat)"));
	assert_non_null(strstr(ask(u, "e", "1*karang raya"), "karang raya tidak ada. Maksud Anda:\n1 Karang Raja"));
	assert_non_null(strstr(ask(u, "f", "1*zzzzqq"), "tidak ditemukan"));
	ussd_stats(u, &s);
	assert_int_equal(s.actions, 2);	/* a subscribed, b was told "already" */
	ussd_free(u);
}

static void
test_stop_report_news(void **state)
{
	struct store		*st = *state;
	char			 err[256], yes[USSD_SCREEN_MAX];
	struct ussd		*u = ussd_new(&gw, NULL, err, sizeof(err));
	int			 created;

	assert_non_null(u);
	assert_int_equal(store_subscribe(st, "+6281234567890", "1672011001", NULL, &created), STORE_OK);
	assert_non_null(strstr(ask(u, "n1", "2"), "END Belum ada berita"));
	assert_non_null(strstr(ask(u, "s1", "4"), "1 Ya\n2 Tidak"));
	assert_non_null(strstr(ask(u, "s1", "4*2"), "END Tidak jadi"));
	assert_true(store_subscriber_active(st, "+6281234567890"));
	snprintf(yes, sizeof(yes), "%s", ask(u, "s2", "4*1"));
	assert_non_null(strstr(yes, "END Anda sudah berhenti"));
	assert_false(store_subscriber_active(st, "+6281234567890"));
	assert_string_equal(ask(u, "s2", "4*1"), yes);
	assert_non_null(strstr(ask(u, "n2", "2"), "END Anda belum berlangganan"));
	assert_non_null(strstr(ask(u, "r1", "3"), "CON Ketik laporan"));
	assert_non_null(strstr(ask(u, "r1", "3*  "), "CON Laporan kosong"));
	assert_non_null(strstr(ask(u, "r1", "3*a*b"), "END Laporan #1 diterima"));
	assert_non_null(strstr(ask(u, "r1", "3*a*b"), "END Laporan #1 diterima"));
	assert_non_null(strstr(ask(u, "r2", "3*00"), "1 Langganan"));	/* back from the prompt */
	/* English, and a bad number */
	assert_non_null(strstr(ask(u, "l1", "9*4"), "Stop all news?"));
	{
		char out[USSD_SCREEN_MAX];

		ussd_answer(u, "x", "not a number", "", out);
		assert_string_equal(out, "END Nomor Anda tidak dikenali.");
	}
	ussd_free(u);
}

static void
test_custom_menu_expiry_cap(void **state)
{
	static const char *menu =
	    "[id]\nmenu.main = Utama\nmenu.main.1 = Info > menu.info\nmenu.main.2 = Lapor > report\n"
	    "menu.info = Info desa\nmenu.info.1 = Jadwal > text.jadwal\nmenu.info.2 = Daftar > subscribe\n"
	    "text.jadwal = Posyandu tiap Selasa.\nnext = 0 >\nback = 00 <\ninvalid = ?\n"
	    "sub.prompt = Desa?\nsub.choose = Pilih\nsub.suggest = {name}?\nsub.none = {name} tidak ada\n"
	    "sub.done = ok {area}\nsub.already = sudah {area}\nnews.title = B\nnews.none = -\n"
	    "news.not_subscribed = -\nreport.prompt = Lapor?\nreport.empty = Kosong\nreport.pending = #{id}\n"
	    "report.published = #{id}!\nstop.confirm = ?\nstop.done = ok\nstop.not_subscribed = -\n"
	    "stop.cancelled = -\nbad_number = -\nerror = -\n";
	char		 path[80], err[256];
	FILE		*f;
	struct ussd	*u;
	struct ussd_stats s;
	int		 i;

	snprintf(path, sizeof(path), "/tmp/kt-ussd-menu-%d.conf", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(menu, f);
	fclose(f);
	u = ussd_new(&gw, path, err, sizeof(err));
	unlink(path);
	if (u == NULL)
		fail_msg("%s", err);
	assert_string_equal(ask(u, "m", ""), "CON Utama\n1 Info\n2 Lapor");
	assert_string_equal(ask(u, "m", "1"), "CON Info desa\n1 Jadwal\n2 Daftar");
	assert_string_equal(ask(u, "m", "1*1"), "END Posyandu tiap Selasa.");
	assert_string_equal(ask(u, "m2", "1*2"), "CON Desa?");
	assert_string_equal(ask(u, "m2", "1*2*00"), "CON Info desa\n1 Jadwal\n2 Daftar");
	assert_string_equal(ask(u, "m2", "1*2*00*00"), "CON Utama\n1 Info\n2 Lapor");
	assert_string_equal(ask(u, "m2", "1*7"), "CON ?\nInfo desa\n1 Jadwal\n2 Daftar");
	/* expiry: the session in progress is forgotten after the idle time */
	ussd_stats(u, &s);
	assert_int_equal(s.active, 1);	/* m2; m ended */
	ussd_sweep(u, clock_now() + USSD_IDLE_S + 1);
	ussd_stats(u, &s);
	assert_int_equal(s.active, 0);
	assert_int_equal(s.expired, 1);
	/* the cap: the oldest session goes */
	for (i = 0; i < USSD_MAX_SESSIONS + 5; i++) {
		char sid[32];

		snprintf(sid, sizeof(sid), "cap-%d", i);
		ask(u, sid, "");
	}
	ussd_stats(u, &s);
	assert_int_equal(s.active, USSD_MAX_SESSIONS);
	assert_int_equal(s.evicted, 5);
	ussd_free(u);
	/* a missing file */
	assert_null(ussd_new(&gw, "/nonexistent/menu.conf", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/menu.conf"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_menu),
		cmocka_unit_test(test_menu_errors),
		cmocka_unit_test_setup_teardown(test_subscribe_pages_retries, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_stop_report_news, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_custom_menu_expiry_cap, setup, fx_store_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
