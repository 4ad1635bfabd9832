/*
 * test_ingest — ingest batches straight into a real store (no worker): long messages across
 * batches and out of order, duplicates, ref reuse, binary parts, status reports stored on the
 * SIM matched to outbox rows, delivery-report matching by reference, number and time window, and
 * the one function that applies reports, live or stored on the SIM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/conf.h"
#include "common/log.h"
#include "gateway/gateway.h"
#include "gateway/ingest.h"
#include "gateway/modem/modem.h"
#include "gateway/modem/modem_worker.h"
#include "store/store.h"
#include "store/store_outbox.h"
#include "tests/unit/fixture.h"
#include "tests/unit/gateway_spy.h"
#include "tests/unit/modem_fixture.h"


static struct gateway	 gw;
static struct conf	 conf;
static struct ingest	*ing;
static char		 dbpath[128];

static long
q1(const char *sql)
{
	return fx_q1(dbpath, sql);
}

static int
setup(void **state)
{
	char	 err[256];
	int	 fd;

	log_init("test_ingest", 1, LOG_LVL_WARN);
	snprintf(dbpath, sizeof(dbpath), "/tmp/kt-test-ingest-XXXXXX");
	fd = mkstemp(dbpath);
	close(fd);
	unlink(dbpath);
	if (mf_gateway_open(&gw, &conf, dbpath, 0, err, sizeof(err)) == NULL)
		fail_msg("%s", err);
	ing = ingest_new(&gw);	/* no event base: no timer */
	nrouted = 0;
	return 0;
}

static int
teardown(void **state)
{
	ingest_free(ing);
	store_close(gw.store);
	fx_db_unlink(dbpath);
	return 0;
}

static struct ingest_part
part(const char *from, const char *text, int ref, int total, int seq, time_t at)
{
	struct ingest_part p;

	memset(&p, 0, sizeof(p));
	p.kind = MW_PART_SMS;
	p.sender = from;
	p.smsc = "+6281100000";
	p.smsc_at = at;
	p.coding = "gsm7";
	p.text = text;
	p.udh = ref >= 0 ? "050003000000" : "";
	p.concat_ref = ref;
	p.total = total;
	p.seq = seq;
	p.report_ref = -1;
	p.report_delivered = -1;
	p.report_status = "";
	return p;
}

static void
test_long_across_batches(void **state)
{
	struct ingest_part	 a[3];

	a[0] = part("081111111111", "tiga", 7, 3, 3, 1000);
	assert_int_equal(ingest_batch(ing, NULL, "m1", 1, a, 1), 0);
	a[0] = part("081111111111", "satu ", 7, 3, 1, 1000);
	a[1] = part("081111111111", "tiga", 7, 3, 3, 1000);	/* the same part again */
	assert_int_equal(ingest_batch(ing, NULL, "m1", 2, a, 2), 0);
	assert_int_equal(q1("SELECT count(*) FROM inbox"), 0);
	assert_int_equal(q1("SELECT count(*) FROM inbox_parts"), 2);
	a[0] = part("081111111111", "dua ", 7, 3, 2, 1001);
	assert_int_equal(ingest_batch(ing, NULL, "m1", 3, a, 1), 0);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE text = 'satu dua tiga' AND parts = 3 AND "
	    "sender = '+6281111111111'"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox_parts"), 0);
	assert_int_equal(nrouted, 1);
	/* every part re-read after a crash before the delete: nothing new */
	a[0] = part("081111111111", "satu ", 7, 3, 1, 1000);
	a[1] = part("081111111111", "dua ", 7, 3, 2, 1001);
	a[2] = part("081111111111", "tiga", 7, 3, 3, 1000);
	assert_int_equal(ingest_batch(ing, NULL, "m1", 4, a, 3), 0);
	assert_int_equal(q1("SELECT count(*) FROM inbox"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox_parts"), 0);
	assert_int_equal(nrouted, 1);
	assert_int_equal(ingest_stats(ing)->dups, 4);
	assert_int_equal(q1("SELECT received FROM modem_counters WHERE modem = 'm1'"), 1);
}

static void
test_ref_reuse(void **state)
{
	struct ingest_part	 a[4];

	/* two long messages of one sender with the same 8-bit reference, interleaved */
	a[0] = part("+6282222222222", "A1", 9, 2, 1, 2000);
	a[1] = part("+6282222222222", "B1", 9, 2, 1, 2100);
	a[2] = part("+6282222222222", "A2", 9, 2, 2, 2000);
	a[3] = part("+6282222222222", "B2", 9, 2, 2, 2100);
	assert_int_equal(ingest_batch(ing, NULL, "m1", 1, a, 4), 0);
	assert_int_equal(q1("SELECT count(*) FROM inbox"), 2);
	assert_int_equal(q1("SELECT count(*) FROM inbox_parts"), 0);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE text IN ('A1A2', 'B1B2')"), 2);
}

static void
test_single_dup_and_binary(void **state)
{
	struct ingest_part	 a[4];

	a[0] = part("+6283333333333", "INFO", -1, 1, 1, 3000);
	a[1] = part("+6283333333333", "INFO", -1, 1, 1, 3000);	/* SMSC re-delivery */
	a[2] = part("+6283333333333", "INFO", -1, 1, 1, 3060);	/* sent again a minute later: new */
	a[3] = part("TELKOMSEL", "0A0B", -1, 1, 1, 3000);
	a[3].coding = "8bit";
	assert_int_equal(ingest_batch(ing, NULL, "m1", 1, a, 4), 0);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE text = 'INFO'"), 2);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE sender = 'TELKOMSEL' AND flags = 'binary' "
	    "AND coding = '8bit'"), 1);
	assert_int_equal(nrouted, 3);
}

/* A message the worker could not decode: kept raw, flagged, never routed, once. */
static void
test_undecodable(void **state)
{
	struct ingest_part	 a[3];

	a[0] = part("+6283333333333", "BANTUAN", -1, 1, 1, 3000);
	a[1] = part("", "91947122982661", -1, 1, 1, 0);
	a[1].kind = MW_PART_RAW;
	a[1].coding = "pdu";
	a[1].smsc = "";
	a[2] = a[1];	/* the same PDU again (re-read before its delete): a duplicate */
	assert_int_equal(ingest_batch(ing, NULL, "m1", 1, a, 3), 0);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE text = '91947122982661' AND coding = 'pdu' "
	    "AND flags = 'undecodable' AND action = 'undecodable' AND sender = '' AND modem = 'm1'"), 1);
	assert_int_equal(nrouted, 1);	/* only BANTUAN */
	assert_int_equal(ingest_stats(ing)->undecodable, 1);
	assert_int_equal(ingest_stats(ing)->dups, 1);
	/* another batch with it (the ack was lost): still one row, nothing routed */
	assert_int_equal(ingest_batch(ing, NULL, "m1", 2, &a[1], 1), 0);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE flags = 'undecodable'"), 1);
	assert_int_equal(nrouted, 1);
	/* nothing routes it later either (start-up routes rows without an action) */
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE action IS NULL AND flags = 'undecodable'"), 0);
}

static void
test_expire(void **state)
{
	struct ingest_part	 a[1];

	a[0] = part("+6284444444444", "awal saja", 3, 4, 1, 4000);
	assert_int_equal(ingest_batch(ing, NULL, "m1", 1, a, 1), 0);
	assert_int_equal(ingest_expire(ing), 0);	/* not old yet */
	conf.incomplete_timeout_s = 1;
	sleep(2);
	assert_int_equal(ingest_expire(ing), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox WHERE text = 'awal saja' AND flags = 'incomplete'"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox_parts"), 0);
}

static void
outbox_row(int64_t id, const char *number, const char *refs, long ago, const char *modem)
{
	char	 sql[512];

	snprintf(sql, sizeof(sql), "INSERT INTO outbox (id, number, text, kind, status, modem, refs, sent_at, "
	    "created_at, updated_at) VALUES (%lld, '%s', 'x', 'reply', 'sent', '%s', '%s', strftime('%%s','now') - %ld, "
	    "0, 0)", (long long)id, number, modem, refs, ago);
	assert_int_not_equal(q1(sql), -2);
}

static void
test_delivery_reports(void **state)
{
	int64_t			 id;
	time_t			 now = time(NULL);
	struct ingest_part	 a[1];

	outbox_row(1, "+6281234567890", "12,13", 60, "m1");
	outbox_row(2, "+6281234567890", "12", 5 * 86400, "m1");	/* too old */
	outbox_row(3, "+6289999999999", "12", 60, "m1");
	outbox_row(4, "+6281234567890", "40", 60, "m1");
	assert_int_equal(store_outbox_delivery(gw.store, "m1", "+6281234567890", 13, now, 1, &id), STORE_OK);
	assert_int_equal(id, 1);
	assert_int_equal(q1("SELECT count(*) FROM outbox WHERE id = 1 AND status = 'delivered'"), 1);
	assert_int_equal(store_outbox_delivery(gw.store, "m1", "+6281234567890", 99, now, 1, &id), STORE_NOTFOUND);
	assert_int_equal(store_outbox_delivery(gw.store, "m2", "+6289999999999", 12, now, 1, &id), STORE_NOTFOUND);
	/* a report still pending changes nothing; a failure fails the row */
	assert_int_equal(store_outbox_delivery(gw.store, NULL, "+6289999999999", 12, now, -1, &id), STORE_OK);
	assert_int_equal(q1("SELECT count(*) FROM outbox WHERE id = 3 AND status = 'sent'"), 1);
	assert_int_equal(store_outbox_delivery(gw.store, NULL, "+6289999999999", 12, now, 0, &id), STORE_OK);
	assert_int_equal(q1("SELECT count(*) FROM outbox WHERE id = 3 AND status = 'failed'"), 1);
	assert_int_equal(q1("SELECT count(*) FROM outbox WHERE id = 2 AND status = 'sent'"), 1);
	/* a status report stored on the SIM, national number format, through ingest */
	a[0] = part("081234567890", "", -1, 1, 1, now);
	a[0].kind = MW_PART_REPORT;
	a[0].report_ref = 40;
	a[0].report_delivered = 1;
	assert_int_equal(ingest_batch(ing, NULL, "m1", 1, a, 1), 0);
	assert_int_equal(q1("SELECT count(*) FROM outbox WHERE id = 4 AND status = 'delivered'"), 1);
	assert_int_equal(q1("SELECT count(*) FROM inbox"), 0);
	assert_int_equal(ingest_stats(ing)->reports, 1);
}

/* One function applies delivery reports, whether a worker passes one on live or one was stored on
 * the SIM and arrives in a batch: the same matching, the same outcomes. */
static void
test_report_live_and_stored(void **state)
{
	struct modem_report	 r;
	struct ingest_part	 a[1];
	time_t			 now = time(NULL);

	outbox_row(5, "+6281234567890", "21", 60, "m1");
	outbox_row(6, "+6281234567890", "22", 60, "m1");
	outbox_row(7, "+6281234567890", "23", 60, "m2");
	/* live, as gateway_modem_report passes it on */
	memset(&r, 0, sizeof(r));
	snprintf(r.number, sizeof(r.number), "+6281234567890");
	r.reference = 21;
	r.at = now;
	r.delivered = 1;
	snprintf(r.status, sizeof(r.status), "Delivered");
	assert_int_equal(ingest_report(ing, "m1", &r, 0), 0);
	assert_int_equal(q1("SELECT count(*) FROM outbox WHERE id = 5 AND status = 'delivered'"), 1);
	r.reference = 23;	/* sent by another modem: matches nothing, changes nothing, no error */
	assert_int_equal(ingest_report(ing, "m1", &r, 0), 0);
	assert_int_equal(q1("SELECT count(*) FROM outbox WHERE id = 7 AND status = 'sent'"), 1);
	/* stored on the SIM: national format, no SMSC time (now is used), failed for good */
	a[0] = part("081234567890", "", -1, 1, 1, 0);
	a[0].kind = MW_PART_REPORT;
	a[0].report_ref = 22;
	a[0].report_delivered = 0;
	a[0].report_status = "Failed";
	assert_int_equal(ingest_batch(ing, NULL, "m1", 1, a, 1), 0);
	assert_int_equal(q1("SELECT count(*) FROM outbox WHERE id = 6 AND status = 'failed'"), 1);
	a[0].report_ref = 23;
	assert_int_equal(ingest_batch(ing, NULL, "m1", 2, a, 1), 0);
	assert_int_equal(q1("SELECT count(*) FROM outbox WHERE id = 7 AND status = 'sent'"), 1);
	assert_int_equal(ingest_stats(ing)->reports, 2);	/* the batch's reports; live ones are not parts */
	assert_int_equal(q1("SELECT count(*) FROM inbox"), 0);
	/* the store failing: the live report says so; the batch acks nothing and reports the failure */
	assert_int_not_equal(q1("DROP TABLE outbox"), -2);
	r.reference = 21;
	assert_int_equal(ingest_report(ing, "m1", &r, 0), -1);
	store_failed = 0;
	assert_int_equal(ingest_batch(ing, NULL, "m1", 3, a, 1), -1);
	assert_int_equal(store_failed, 1);
	assert_int_equal(ingest_stats(ing)->reports, 2);
	assert_int_equal(ingest_stats(ing)->failures, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_long_across_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ref_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_dup_and_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undecodable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_live_and_stored, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
