/*
 * test_modem — the modem worker and its parent side on Gammu's dummy driver, end to end through
 * ingest and the store: receive (plain, UCS-2, long out of order, duplicate, binary, missing
 * part), delete only after commit, send (1/2/3 parts, transliteration), USSD, a killed worker
 * respawned, a stopped (hung) worker killed by the watchdog. The gateway_* hooks are
 * tests/unit/gateway_spy.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/utf8.h"
#include "gateway/gateway.h"
#include "gateway/ingest.h"
#include "gateway/modem/modem.h"
#include "gateway/modem/modem_worker.h"
#include "store/store.h"
#include "store/store_inbox.h"
#include "tests/unit/fixture.h"
#include "tests/unit/gateway_spy.h"	/* the hooks: routed[], sent[], store_failed */
#include "tests/unit/modem_fixture.h"


/* ---- fixture ---- */
static struct gateway	 gw;
static struct conf	 conf;
static struct conf_modem cm;
static struct conf_kv	 kv[3];
static char		 dir[256], dbpath[300];
static struct modem	*M;

static void
write_sms(int folder, int loc, const char *number, const char *coding, const char *text_utf8, const char *hexraw,
    const char *udh, const char *when)
{
	char		 path[512], tmp[512], hex[4096] = "";
	unsigned char	 ucs[2048];
	size_t		 n, i;
	FILE		*f;

	if (hexraw)
		snprintf(hex, sizeof(hex), "%s", hexraw);
	else {
		n = utf8_to_ucs2(text_utf8, ucs, sizeof(ucs) / 2);
		for (i = 0; i < 2 * n; i++)
			sprintf(hex + 2 * i, "%02X", ucs[i]);
	}
	snprintf(path, sizeof(path), "%s/sms/%d", dir, folder);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sms/%d/%d", dir, folder, loc);
	snprintf(tmp, sizeof(tmp), "%s/sms/%d/.%d", dir, folder, loc);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fprintf(f, "[SMSBackup000]\nSMSC = \"+6281100000\"\nPDU = Deliver\nState = UnRead\nNumber = \"%s\"\n", number);
	if (coding)
		fprintf(f, "Coding = %s\n", coding);
	fprintf(f, "DateTime = %s\n", when ? when : "20261127T120000");
	/* lines of at most 200 hex characters */
	for (i = 0; i * 200 < strlen(hex); i++)
		fprintf(f, "Text%02zu = %.200s\n", i, hex + i * 200);
	if (udh)
		fprintf(f, "UDH = %s\n", udh);
	fclose(f);
	assert_int_equal(rename(tmp, path), 0);
}

static long
q1(const char *sql)
{
	return fx_q1(dbpath, sql);
}

/* Runs the loop until cond() or the deadline; returns cond(). */
static int
run_until(int (*cond)(void), double secs)
{
	return fx_run_until(gw.base, cond, secs);
}

static int is_ready(void) { return modem_info(M)->state == MODEM_READY; }

static int
setup(void **state)
{
	char		 err[256];
	static struct modem *mods[1];

	log_init("test_modem", 1, getenv("KT_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	snprintf(dir, sizeof(dir), "/tmp/kt-test-modem-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/kt.db", dir);
	if (mf_gateway_open(&gw, &conf, dbpath, 1, err, sizeof(err)) == NULL)
		fail_msg("%s", err);
	gw.ingest = ingest_new(&gw);
	mf_modem_conf(&cm, kv, "dummy1", "dummy", "none", dir);
	cm.poll_ms = 200;
	cm.command_timeout_s = 10;
	nrouted = nsent = store_failed = 0;
	M = modem_new(&gw, &cm);
	mods[0] = M;
	gw.modems = mods;
	gw.nmodems = 1;
	assert_true(run_until(is_ready, 15));
	return 0;
}

static int
teardown(void **state)
{
	char	 cmd[400];

	modem_free(M);
	mf_gateway_close(&gw);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return 0;
}

/* ---- receiving ---- */

static int want_inbox;
static int inbox_has(void) { return q1("SELECT count(*) FROM inbox") >= want_inbox && mf_files_in(dir, 1) == 0; }

/* The raw PDU of an AT+CMGR reply, found in libGammu's text debug log (modem_worker.c). */
static void
test_raw_pdu_from_log(void **state)
{
	static const struct {
		const char	*log, *want;
	} cases[] = {
		/* as libGammu 1.42 logs a reply its decoder then refuses */
		{ "Getting SMS\nSENDING frame type 0x00/length 0x0A/10\n1 \"AT+CMGR=2\"\n2 \"+CMGR: 1,,7\"\n"
		  "3 \"91947122982661\"\n4 \"OK\"\nChecking line: OK\nNumber too long!\n", "91947122982661" },
		{ "1 \"AT+CMGR=1\"\r\n2 \"+CMGR: 0,,3\"\r\n3 \"00abCD\"\r\n4 \"OK\"\r\n", "00ABCD" },
		/* the listing's entries too; the last one wins */
		{ "2 \"+CMGL: 1,1,,2\"\n3 \"0001\"\n4 \"+CMGL: 2,1,,2\"\n5 \"0002\"\n", "0002" },
		/* no PDU: an error, an empty slot, odd or non-hex lines, a PDU line with no header */
		{ "1 \"AT+CMGR=2\"\n2 \"+CMS ERROR: 321\"\n", "" },
		{ "2 \"+CMGR: 0,,1\"\n3 \"ABC\"\n", "" },
		{ "2 \"+CMGR: 0,,1\"\n3 \"XYZW\"\n", "" },
		{ "3 \"0791\"\n", "" },
		{ "2 \"+CMGR: 0,,1\"\n\n3 \"0791\"\n", "" },
		{ "", "" },
	};
	char	 out[64];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = mw_raw_pdu_from_log(cases[i].log, out, sizeof(out));

		assert_string_equal(out, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
	/* longer than the room: not cut, not taken */
	assert_int_equal(mw_raw_pdu_from_log("2 \"+CMGR: 0,,3\"\n3 \"000102\"\n", out, 6), 0);
}

static void
test_receive(void **state)
{
	char	 ucs[64];

	write_sms(1, 1, "081234567890", "Default_No_Compression", "DAFTAR SUKAMAJU", NULL, NULL, NULL);
	write_sms(1, 2, "+6281299990000", "Unicode_No_Compression", "Halo \xe2\x80\x94 apa kabar? \xf0\x9f\x98\x80",
	    NULL, NULL, NULL);
	/* a long message, parts out of order */
	write_sms(1, 3, "+6281211112222", "Default_No_Compression", " dunia", NULL, "050003A70202", NULL);
	write_sms(1, 4, "+6281211112222", "Default_No_Compression", "Halo", NULL, "050003A70201", NULL);
	/* the first message again (an SMSC re-delivery): stored once */
	write_sms(1, 5, "081234567890", "Default_No_Compression", "DAFTAR SUKAMAJU", NULL, NULL, NULL);
	/* binary */
	write_sms(1, 6, "+6281233334444", NULL, NULL, "0102030405FF", NULL, NULL);
	want_inbox = 4;
	assert_true(run_until(inbox_has, 10));
	assert_int_equal(q1("SELECT count(*) FROM inbox"), 4);
	assert_int_equal(nrouted, 4);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE sender = '+6281234567890' AND text = 'DAFTAR SUKAMAJU' "
	    "AND coding = 'gsm7' AND modem = 'dummy1'"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE coding = 'ucs2' AND text LIKE 'Halo % apa kabar? %'"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE text = 'Halo dunia' AND parts = 2 AND flags = ''"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE text = '0102030405FF' AND coding = '8bit' "
	    "AND flags = 'binary'"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox_parts"), 0);
	assert_int_equal(modem_info(M)->received, 4);
	assert_int_equal(q1("SELECT received FROM modem_counters WHERE modem = 'dummy1'"), 4);
	(void)ucs;
}

static int parts_waiting(void) { return q1("SELECT count(*) FROM inbox_parts") == 1 && mf_files_in(dir, 1) == 0; }
static int incomplete_stored(void) { return q1("SELECT count(*) FROM inbox WHERE flags = 'incomplete'") == 1; }

static void
test_missing_part(void **state)
{
	/* part 1 of 3 arrives, its siblings never do */
	write_sms(1, 7, "+6281255556666", "Default_No_Compression", "Bagian satu", NULL, "050003550301", NULL);
	assert_true(run_until(parts_waiting, 10));
	assert_int_equal(q1("SELECT count(*) FROM inbox"), 0);
	/* a duplicate of the waiting part changes nothing */
	write_sms(1, 8, "+6281255556666", "Default_No_Compression", "Bagian satu", NULL, "050003550301", NULL);
	assert_true(run_until(parts_waiting, 10));
	conf.incomplete_timeout_s = 1;
	sleep(2);
	assert_int_equal(ingest_expire(gw.ingest), 1);
	assert_true(run_until(incomplete_stored, 2));
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE text = 'Bagian satu' AND parts = 1"), 1);
	assert_int_equal(q1("SELECT received FROM modem_counters WHERE modem = 'dummy1'"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox_parts"), 0);
	assert_int_equal(nrouted, 1);
	assert_int_equal(modem_info(M)->received, 1);
}

/* A re-read after a crash between commit and delete: the parts of an assembled message and a
 * single message come back; nothing is stored twice. */
static void
test_reread_dedup(void **state)
{
	write_sms(1, 1, "+6281277778888", "Default_No_Compression", "satu ", NULL, "050003110201", NULL);
	write_sms(1, 2, "+6281277778888", "Default_No_Compression", "dua", NULL, "050003110202", NULL);
	write_sms(1, 3, "+6281277778888", "Default_No_Compression", "INFO", NULL, NULL, NULL);
	want_inbox = 2;
	assert_true(run_until(inbox_has, 10));
	write_sms(1, 4, "+6281277778888", "Default_No_Compression", "dua", NULL, "050003110202", NULL);
	write_sms(1, 5, "+6281277778888", "Default_No_Compression", "INFO", NULL, NULL, NULL);
	write_sms(1, 6, "+6281277778888", "Default_No_Compression", "satu ", NULL, "050003110201", NULL);
	want_inbox = 2;
	assert_true(run_until(inbox_has, 10));
	assert_int_equal(q1("SELECT count(*) FROM inbox"), 2);
	assert_int_equal(q1("SELECT count(*) FROM inbox_parts"), 0);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE text = 'satu dua'"), 1);
	assert_int_equal(nrouted, 2);
}

/* ---- sending ---- */

static int want_sent;
static int sent_has(void) { return nsent >= want_sent; }

static void
test_send(void **state)
{
	struct modem_send_req	 r;
	char			 long7[400], longu[400];
	int			 i;

	memset(&r, 0, sizeof(r));
	r.to = "+6281234567890";
	/* 160 characters with typography: transliterated, still one SMS */
	memset(long7, 'a', 150);
	strcpy(long7 + 150, "\xe2\x80\x9cok\xe2\x80\x9d \xe2\x80\xa6");	/* “ok” … = 8 chars */
	r.outbox_id = 1;
	r.text = long7;
	assert_int_equal(modem_send_slots(M), 2);
	assert_int_equal(modem_send(M, &r), 0);
	r.outbox_id = 2;
	r.text = "Pendek";
	assert_int_equal(modem_send(M, &r), 0);
	assert_int_equal(modem_send_slots(M), 0);
	assert_int_equal(modem_send(M, &r), -1);
	want_sent = 2;
	assert_true(run_until(sent_has, 10));
	/* 200 GSM-7 characters: 2 parts */
	memset(long7, 'b', 200);
	long7[200] = '\0';
	r.outbox_id = 3;
	r.text = long7;
	assert_int_equal(modem_send(M, &r), 0);
	/* 150 characters of UCS-2 (an emoji keeps it UCS-2): 3 parts */
	memset(longu, 'c', 147);
	strcpy(longu + 147, "\xd8\xb3\xd9\x84\xd9\x85");	/* Arabic: not GSM-7 */
	r.outbox_id = 4;
	r.text = longu;
	assert_int_equal(modem_send(M, &r), 0);
	want_sent = 4;
	assert_true(run_until(sent_has, 10));
	for (i = 0; i < 4; i++) {
		assert_int_equal(sent[i].result, SEND_OK);
		assert_true(strlen(sent[i].refs) > 0);
	}
	for (i = 0; i < 4; i++) {
		int want = sent[i].outbox_id == 1 ? 1 : sent[i].outbox_id == 2 ? 1 : sent[i].outbox_id == 3 ? 2 : 3;

		assert_int_equal(sent[i].segments, want);
	}
	assert_string_equal(sent[2].outbox_id == 3 ? sent[2].refs : sent[3].refs, "255,255");
	assert_int_equal(modem_info(M)->sent, 4);
	assert_int_equal(modem_info(M)->state, MODEM_READY);
}

/* ---- USSD ---- */


static void
test_ussd(void **state)
{
	mf_ussd_done = 0;
	assert_int_equal(modem_ussd(M, "*888#", mf_ussd_cb, NULL), 0);
	assert_true(run_until(mf_ussd_finished, 10));
	assert_int_equal(mf_ussd_done, 1);
	assert_non_null(strstr(mf_ussd_reply, "*888#"));
}

/* ---- respawn and watchdog ---- */

static int is_failed(void) { return modem_info(M)->state == MODEM_FAILED; }

static void
test_respawn(void **state)
{
	pid_t			 pid = modem_worker_pid(M);
	struct modem_send_req	 r;

	assert_true(pid > 0);
	memset(&r, 0, sizeof(r));
	r.to = "+6281234567890";
	r.text = "x";
	r.outbox_id = 9;
	/* stop the worker, hand it a message, kill it: the send comes back (TEMPFAIL: never started) */
	kill(pid, SIGSTOP);
	assert_int_equal(modem_send(M, &r), 0);
	kill(pid, SIGKILL);
	assert_true(run_until(is_failed, 5));
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].outbox_id, 9);
	assert_int_equal(sent[0].result, SEND_TEMPFAIL);
	assert_true(run_until(is_ready, 15));
	assert_int_equal(modem_info(M)->restarts, 1);
	assert_true(modem_worker_pid(M) != pid);
	/* and it works again */
	write_sms(1, 1, "+6281277778888", "Default_No_Compression", "lagi", NULL, NULL, NULL);
	want_inbox = 1;
	assert_true(run_until(inbox_has, 10));
}

static void
test_watchdog(void **state)
{
	pid_t	 pid = modem_worker_pid(M);

	cm.command_timeout_s = 2;
	kill(pid, SIGSTOP);	/* a hung USB read, as far as the daemon can tell */
	mf_ussd_done = 0;
	assert_int_equal(modem_ussd(M, "*123#", mf_ussd_cb, NULL), 0);
	assert_true(run_until(is_failed, 6));
	assert_int_equal(mf_ussd_done, -1);
	assert_non_null(strstr(modem_info(M)->last_error, "watchdog"));
	cm.command_timeout_s = 10;
	assert_true(run_until(is_ready, 15));
	assert_true(modem_worker_pid(M) != pid);
}

/* Stopping the modem with sends in flight: the worker finishes them and the results come back. */
static void
test_stop_reports(void **state)
{
	struct modem_send_req	 r;

	memset(&r, 0, sizeof(r));
	r.to = "+6281234567890";
	r.text = "sebelum berhenti";
	r.outbox_id = 31;
	assert_int_equal(modem_send(M, &r), 0);
	r.outbox_id = 32;
	assert_int_equal(modem_send(M, &r), 0);
	modem_free(M);
	M = NULL;
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[0].result, SEND_OK);
	assert_int_equal(sent[1].result, SEND_OK);
}

/* The security review: a U+0000 inside a UCS-2 SMS cut the stored text (the SIM copy is then
 * deleted: lost), and a lone surrogate was stored as invalid UTF-8. */
static void
test_ucs2_nul_surrogate(void **state)
{
	/* "a" NUL "b" lone-high "c" lone-low "d" pair(U+1F600) */
	static const unsigned char in[] = { 0, 'a', 0, 0, 0, 'b', 0xd8, 0x00, 0, 'c', 0xdc, 0x00, 0, 'd',
	    0xd8, 0x3d, 0xde, 0x00, 0, 0 };
	char	 out[64];

	ucs2n_to_utf8(in, 9, out, sizeof(out));
	assert_string_equal(out, "a\xe2\x90\x80" "b\xef\xbf\xbd" "c\xef\xbf\xbd" "d\xf0\x9f\x98\x80");
	/* the NUL-terminated form stops at the NUL, as before */
	ucs2_to_utf8(in, out, sizeof(out));
	assert_string_equal(out, "a");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_pdu_from_log),
		cmocka_unit_test(test_ucs2_nul_surrogate),
		cmocka_unit_test_setup_teardown(test_receive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reread_dedup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ussd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_respawn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_reports, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
