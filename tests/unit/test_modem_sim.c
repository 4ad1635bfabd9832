/*
 * test_modem_sim — the modem worker and its parent side against modemsim (a simulated AT modem
 * on a pty, libGammu's real AT driver): receiving on +CMTI (plain, UCS-2, long out of order),
 * sending 1/2/3-part messages checked in modemsim's sent log, transliteration, +CMS ERROR
 * permanent vs temporary, USSD and the balance check, a disconnect and re-enumeration recovered,
 * a device glob resolved by IMEI. Skipped (exit 0) when build/modemsim is missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
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
#include "gateway/gateway.h"
#include "gateway/ingest.h"
#include "gateway/modem/modem.h"
#include "store/store.h"
#include "store/store_inbox.h"
#include "tests/unit/fixture.h"
#include "tests/unit/gateway_spy.h"	/* the hooks: sent[], reports[] (matched to the outbox) */
#include "tests/unit/modem_fixture.h"


static struct gateway	 gw;
static struct conf	 conf;
static struct conf_modem cm;
static struct conf_kv	 kv[3];
static char		 dir[256], dbpath[300], simbin[300], link_[300], ctl[300], sentlog[300], devglob[300];
static pid_t		 simpid = -1, decoypid = -1;
static char		 decoy[300], decoyctl[300];
static struct modem	*M;

static int
sim(const char *fmt, ...)
{
	char	 cmd[4096], args[1500];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s ctl %s %s >/dev/null", simbin, ctl, args);
	return system(cmd);
}

static long
q1(const char *sql)
{
	return fx_q1(dbpath, sql);
}

/* Lines of the sent log containing needle. */
static int
sent_lines(const char *needle)
{
	FILE	*f = fopen(sentlog, "r");
	char	 line[8192];
	int	 n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

static int
run_until(int (*cond)(void), double secs)
{
	return fx_run_until(gw.base, cond, secs);
}

static int is_ready(void) { return modem_info(M)->state == MODEM_READY; }
static int is_failed(void) { return modem_info(M)->state == MODEM_FAILED; }

static int
group_setup(void **state)
{
	char	 err[256];
	int	 i;

	log_init("test_modem_sim", 1, getenv("KT_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	snprintf(dir, sizeof(dir), "/tmp/kt-test-msim-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/kt.db", dir);
	snprintf(link_, sizeof(link_), "%s/ttyUSB3", dir);
	snprintf(devglob, sizeof(devglob), "%s/ttyUSB*", dir);
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	snprintf(sentlog, sizeof(sentlog), "%s/sent.jsonl", dir);
	if ((simpid = fork()) == 0) {
		int devnull = open("/dev/null", 1);

		dup2(devnull, 1);
		execl(simbin, "modemsim", "--link", link_, "--ctl", ctl, "--sent-log", sentlog, "--operator",
		    "telkomsel", "--imei", "356938035643809", (char *)NULL);
		_exit(127);
	}
	/* another modem sorts first under the same glob: the worker must pass it over (IMEI) */
	snprintf(decoy, sizeof(decoy), "%s/ttyUSB0", dir);
	snprintf(decoyctl, sizeof(decoyctl), "%s/decoy.ctl", dir);
	if ((decoypid = fork()) == 0) {
		int devnull = open("/dev/null", 1);

		dup2(devnull, 1);
		execl(simbin, "modemsim", "--link", decoy, "--ctl", decoyctl, "--operator", "indosat", "--imei",
		    "111111111111111", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && (access(ctl, F_OK) != 0 || access(decoyctl, F_OK) != 0); i++)
		usleep(20000);
	assert_int_equal(access(link_, F_OK), 0);
	assert_int_equal(access(decoy, F_OK), 0);

	if (mf_gateway_open(&gw, &conf, dbpath, 1, err, sizeof(err)) == NULL)
		fail_msg("%s", err);
	gw.ingest = ingest_new(&gw);
	/* the device is found by IMEI among ttyUSB* */
	mf_modem_conf(&cm, kv, "tsel", "at", "at", devglob);
	cm.balance_ussd = "*888#";
	cm.imei = "356938035643809";
	cm.balance_every_sent = 200;
	M = modem_new(&gw, &cm);
	assert_true(run_until(is_ready, 40));
	return 0;
}

static int
group_teardown(void **state)
{
	char	 cmd[400];
	int	 st;

	modem_free(M);
	mf_gateway_close(&gw);
	if (simpid > 0) {
		kill(simpid, SIGTERM);
		waitpid(simpid, &st, 0);
	}
	if (decoypid > 0) {
		kill(decoypid, SIGTERM);
		waitpid(decoypid, &st, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return 0;
}

static long want_inbox;
static int inbox_has(void) { return q1("SELECT count(*) FROM inbox") >= want_inbox; }

static void
test_identity(void **state)
{
	const struct modem_info *mi = modem_info(M);

	assert_string_equal(mi->imei, "356938035643809");
	assert_string_equal(mi->mccmnc, "51010");
	assert_string_equal(mi->operator_name, "Telkomsel");
}

static void
test_receive(void **state)
{
	assert_int_equal(sim("sms +6281234567890 'DAFTAR SUKAMAJU'"), 0);
	want_inbox = 1;
	assert_true(run_until(inbox_has, 5));
	assert_int_equal(sim("sms --ucs2 +6281234567891 'Halo apa kabar'"), 0);
	assert_int_equal(sim("sms --parts-order 2,1,3 +6281234567892 '%0400d'", 7), 0);
	want_inbox = 3;
	assert_true(run_until(inbox_has, 10));
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE sender = '+6281234567890' AND text = 'DAFTAR SUKAMAJU'"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE coding = 'ucs2' AND text = 'Halo apa kabar'"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE parts >= 2 AND length(text) = 400 AND flags = ''"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox_parts"), 0);
}

static int want_sent;
static int sent_has(void) { return nsent >= want_sent; }

static void
send1(uint64_t id, const char *to, const char *text)
{
	struct modem_send_req r;

	memset(&r, 0, sizeof(r));
	r.outbox_id = id;
	r.to = to;
	r.text = text;
	assert_int_equal(modem_send(M, &r), 0);
}

static void
test_send_parts(void **state)
{
	char	 t2[300], t3[300];

	nsent = 0;
	memset(t2, 'b', 200);
	t2[200] = '\0';
	memset(t3, 'c', 140);
	strcpy(t3 + 140, "\xd8\xb3\xd9\x84\xd9\x85");	/* not GSM-7: UCS-2, 143 chars = 3 parts */
	send1(101, "+6281100000101", "Satu bagian \xe2\x80\x9ckutip\xe2\x80\x9d \xe2\x80\x94 ok\xe2\x80\xa6");
	send1(102, "+6281100000102", t2);
	want_sent = 2;
	assert_true(run_until(sent_has, 30));
	send1(103, "+6281100000103", t3);
	want_sent = 3;
	assert_true(run_until(sent_has, 30));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(sent[i].result, SEND_OK);
		switch (sent[i].outbox_id) {
		case 101: assert_int_equal(sent[i].segments, 1); break;
		case 102: assert_int_equal(sent[i].segments, 2); assert_non_null(strchr(sent[i].refs, ',')); break;
		case 103: assert_int_equal(sent[i].segments, 3); break;
		}
	}
	assert_int_equal(sent_lines("6281100000101"), 1);
	assert_int_equal(sent_lines("6281100000102"), 2);
	assert_int_equal(sent_lines("6281100000103"), 3);
	/* transliterated: plain quotes, dash and dots in GSM 7-bit */
	assert_int_equal(sent_lines("Satu bagian \\\"kutip\\\" - ok..."), 1);
}

static void
test_cms_errors(void **state)
{
	nsent = 0;
	assert_int_equal(sim("fault cms-error 1"), 0);	/* unassigned number: permanent */
	send1(201, "+6281100000201", "x");
	want_sent = 1;
	assert_true(run_until(sent_has, 30));
	assert_int_equal(sent[0].result, SEND_PERMFAIL);
	assert_int_equal(sent[0].cms_error, 1);
	assert_int_equal(sim("fault cms-error 42"), 0);	/* congestion: temporary */
	send1(202, "+6281100000202", "y");
	want_sent = 2;
	assert_true(run_until(sent_has, 30));
	assert_int_equal(sent[1].result, SEND_TEMPFAIL);
	assert_int_equal(sent[1].cms_error, 42);
	assert_int_equal(modem_info(M)->state, MODEM_READY);
}

static int has_balance(void) { return strstr(modem_info(M)->balance, "3.500") != NULL; }

static void
test_ussd_balance(void **state)
{
	assert_int_equal(sim("ussd-reply '*888#' 'Sisa Pulsa Anda Rp 3.500. Aktif s.d. 31-12-2026.'"), 0);
	mf_ussd_done = 0;
	assert_int_equal(modem_ussd(M, "*888#", mf_ussd_cb, NULL), 0);
	assert_true(run_until(mf_ussd_finished, 40));
	assert_int_equal(mf_ussd_done, 1);
	assert_non_null(strstr(mf_ussd_reply, "Rp 3.500"));
	modem_balance_check(M);
	assert_true(run_until(has_balance, 40));
	assert_string_equal(modem_info(M)->balance, "Rp 3.500 (until 2026-12-31) LOW");
	assert_int_equal(modem_info(M)->low_credit, 1);
}

static void
test_disconnect(void **state)
{
	int	 restarts = modem_info(M)->restarts;

	/* the USB stick resets: the pty goes away and comes back (as ttyUSB4; the old name too) */
	assert_int_equal(sim("fault disconnect 2 %s/ttyUSB4", dir), 0);
	assert_true(run_until(is_failed, 40));
	assert_true(run_until(is_ready, 60));
	assert_true(modem_info(M)->restarts > restarts);
	assert_string_equal(modem_info(M)->imei, "356938035643809");	/* not the decoy */
	want_inbox = q1("SELECT count(*) FROM inbox") + 1;
	assert_int_equal(sim("sms +6281234567899 'setelah putus'"), 0);
	assert_true(run_until(inbox_has, 10));
}

static int delivered(void) { return q1("SELECT count(*) FROM outbox WHERE id = 301 AND status = 'delivered'") == 1; }

/* A report requested with the message comes back (+CDS, or stored and read: +CDSI) and moves
 * the outbox row to delivered, matched by reference, number and time. */
static void
test_delivery_report(void **state)
{
	struct modem_send_req	 r;
	sqlite3			*db;
	char			 sql[512];

	assert_int_equal(sim("reports on"), 0);
	nsent = 0;
	memset(&r, 0, sizeof(r));
	r.outbox_id = 301;
	r.to = "+6281100000301";
	r.text = "tolong konfirmasi";
	r.want_report = 1;
	assert_int_equal(modem_send(M, &r), 0);
	want_sent = 1;
	assert_true(run_until(sent_has, 30));
	assert_int_equal(sent[0].result, SEND_OK);
	/* the scheduler's part: the row is sent with these references */
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "INSERT INTO outbox (id, number, text, kind, status, modem, refs, sent_at, "
	    "created_at, updated_at) VALUES (301, '+6281100000301', 'x', 'manual', 'sent', 'tsel', '%s', "
	    "strftime('%%s','now'), 0, 0)", sent[0].refs);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_true(run_until(delivered, 20));
	assert_int_equal(sim("reports off"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_receive),
		cmocka_unit_test(test_send_parts),
		cmocka_unit_test(test_cms_errors),
		cmocka_unit_test(test_ussd_balance),
		cmocka_unit_test(test_delivery_report),
		cmocka_unit_test(test_disconnect),
	};
	const char *b = getenv("BUILD");

	snprintf(simbin, sizeof(simbin), "%s/modemsim", b ? b : "build");
	if (access(simbin, X_OK) != 0) {
		printf("skipped: %s not built\n", simbin);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	spy_deliver_reports = 1;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
