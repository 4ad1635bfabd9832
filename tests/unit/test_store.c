/* test_store — migrations, subscriptions by code prefix, fan-out, the outbox state machine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_field.h"
#include "store/store_announcements.h"
#include "store/store_outbox.h"
#include "tests/unit/fixture.h"


static int
setup(void **state)
{
	*state = fx_store_open("store");
	return 0;
}

static void
load_areas(struct store *st)
{
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_area_put(st, "16", "SUMATERA SELATAN", "SUMATERASELATAN", NULL), STORE_OK);
	assert_int_equal(store_area_put(st, "1671", "KOTA PALEMBANG", "PALEMBANG", "16"), STORE_OK);
	assert_int_equal(store_area_put(st, "167101", "Ilir Barat II", "ILIRBARATII", "1671"), STORE_OK);
	assert_int_equal(store_area_put(st, "1671011001", "Sukamaju", "SUKAMAJU", "167101"), STORE_OK);
	assert_int_equal(store_area_put(st, "1671011002", "Sukarami", "SUKARAMI", "167101"), STORE_OK);
	assert_int_equal(store_area_put(st, "1672", "KOTA PRABUMULIH", "PRABUMULIH", "16"), STORE_OK);
	assert_int_equal(store_area_put(st, "167201", "Prabumulih Barat", "PRABUMULIHBARAT", "1672"), STORE_OK);
	assert_int_equal(store_area_put(st, "1672011001", "Sukamaju", "SUKAMAJU", "167201"), STORE_OK);
	assert_int_equal(store_area_put(st, "31", "DKI JAKARTA", "DKIJAKARTA", NULL), STORE_OK);
	assert_int_equal(store_area_put(st, "3171", "KOTA JAKARTA SELATAN", "JAKARTASELATAN", "31"), STORE_OK);
	assert_int_equal(store_area_put(st, "12345", "bad", "BAD", NULL), STORE_INVALID);
	assert_int_equal(store_commit(st), STORE_OK);
}

static int
count_cb(void *arg, const struct table_row *r)
{
	(*(long *)arg)++;
	return 0;
}

/* A database made by migration 1 alone is upgraded to the latest version when opened. */
static void
test_migrate_from_v1(void **state)
{
	char		 err[512], path[80];
	struct store	*st;

	snprintf(path, sizeof(path), "/tmp/kt-v1-%d.db", (int)getpid());
	unlink(path);
	st = store_open(path, STORE_NO_MIGRATE, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_version(st), 0);
	assert_int_equal(store_migrate(st, 1), STORE_OK);
	assert_int_equal(store_version(st), 1);
	assert_int_equal(store_area_put(st, "16", "SUMATERA SELATAN", "SUMATERASELATAN", NULL), STORE_OK);
	store_close(st);
	st = store_open(path, 0, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_version(st), store_latest_version());
	assert_true(store_latest_version() >= 2);
	assert_int_equal(store_area_count(st), 1);	/* data kept */
	assert_int_equal(store_integrity(st, count_cb, &(long){ 0 }), STORE_OK);
	store_close(st);
	/* a database newer than the program is refused with a clear message */
	st = store_open(path, STORE_NO_MIGRATE, err, sizeof(err));
	assert_non_null(st);
	store_close(st);
	unlink(path);
}

static void
test_not_a_database(void **state)
{
	char		 err[512], path[80];
	FILE		*f;

	snprintf(path, sizeof(path), "/tmp/kt-junk-%d.db", (int)getpid());
	f = fopen(path, "w");
	fputs("this is not an sqlite file, just some text that is long enough to have a header.......", f);
	fclose(f);
	assert_null(store_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	unlink(path);
}

static void
test_subscriptions(void **state)
{
	struct store	*st = *state;
	int		 created, removed;
	char		 areas[256];
	long		 n;

	load_areas(st);
	assert_int_equal(store_subscribe(st, "+6281200000001", "1671011001", NULL, &created), STORE_OK);
	assert_int_equal(created, 1);
	/* a second DAFTAR is not an error and changes nothing */
	assert_int_equal(store_subscribe(st, "+6281200000001", "1671011001", NULL, &created), STORE_OK);
	assert_int_equal(created, 0);
	assert_int_equal(store_subscribe(st, "+6281200000001", "1672011001", NULL, &created), STORE_OK);
	assert_int_equal(store_subscriber_areas(st, "+6281200000001", areas, sizeof(areas)), 2);
	assert_string_equal(areas, "1671011001,1672011001");
	assert_int_equal(store_subscribe(st, "+6281200000002", "1671011002", "Bu Siti", &created), STORE_OK);
	assert_int_equal(store_subscribe(st, "+6281200000003", "3171", NULL, &created), STORE_OK);

	/* an area reaches the subscribers of every area inside it, each once */
	{
		const char *a1[] = { "1671" }, *a2[] = { "16" }, *a3[] = { "16", "1671", "1671011001" },
		    *a4[] = { "167101" }, *a5[] = { "1672", "31" }, *a6[] = { "" };

		assert_int_equal(store_recipients_count(st, a1, 1), 2);
		assert_int_equal(store_recipients_count(st, a2, 1), 2);
		assert_int_equal(store_recipients_count(st, a3, 3), 2);
		assert_int_equal(store_recipients_count(st, a4, 1), 2);
		assert_int_equal(store_recipients_count(st, a5, 2), 2);
		assert_int_equal(store_recipients_count(st, a6, 1), 3);
	}
	n = 0;
	assert_int_equal(store_list_subscribers(st, "167101", count_cb, &n), STORE_OK);
	assert_int_equal(n, 2);

	/* unsubscribe from one area keeps the other */
	assert_int_equal(store_unsubscribe(st, "+6281200000001", "1672011001", &removed), STORE_OK);
	assert_int_equal(removed, 1);
	assert_true(store_subscriber_active(st, "+6281200000001"));
	/* STOP with no area stops everything at once */
	assert_int_equal(store_unsubscribe(st, "+6281200000001", NULL, &removed), STORE_OK);
	assert_int_equal(removed, 1);
	assert_false(store_subscriber_active(st, "+6281200000001"));
	{
		const char *a[] = { "16" };

		assert_int_equal(store_recipients_count(st, a, 1), 1);
	}
	assert_int_equal(store_unsubscribe(st, "+6289999999999", NULL, &removed), STORE_NOTFOUND);
	/* a stopped number that subscribes again is active again */
	assert_int_equal(store_subscribe(st, "+6281200000001", "1671011001", NULL, &created), STORE_OK);
	assert_int_equal(created, 1);
	assert_true(store_subscriber_active(st, "+6281200000001"));
}

static void
test_fanout_and_outbox(void **state)
{
	struct store			*st = *state;
	struct store_announcement_new	 a;
	const char			*areas[] = { "1671", "167101" };
	struct store_outbox_msg		 m[8];
	struct store_progress		 p;
	int64_t				 id, rid;
	long				 recipients, n;
	int				 created, i, removed;

	load_areas(st);
	store_subscribe(st, "+6281200000001", "1671011001", NULL, &created);
	store_subscribe(st, "+6281200000001", "1671011002", NULL, &created);
	store_subscribe(st, "+6281400000002", "1671011002", NULL, &created);
	store_subscribe(st, "+6281700000003", "1672011001", NULL, &created);

	a = (struct store_announcement_new){ .text = "Posyandu besok jam 8", .areas = areas, .nareas = 2,
	    .priority = OUTBOX_NORMAL, .source = "console" };
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_announcement_add(st, &a, &id, &recipients), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(recipients, 2);	/* overlapping areas: one copy each */

	/* an alert queued later goes first */
	{
		struct store_outbox_new o = { .number = "+6281700000003", .text = "BANJIR", .kind = OUTBOX_ANNOUNCEMENT,
		    .priority = OUTBOX_ALERT };

		assert_int_equal(store_outbox_add(st, &o, &rid), STORE_OK);
	}
	n = store_outbox_due(st, time(NULL) + 1, NULL, 0, m, 8);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].id, rid);
	assert_string_equal(m[0].text, "BANJIR");
	assert_string_equal(m[1].text, "Posyandu besok jam 8");	/* the announcement's text */
	for (i = 0; i < n; i++)
		store_outbox_msg_clear(&m[i]);

	/* rows in flight are skipped */
	n = store_outbox_due(st, time(NULL) + 1, &rid, 1, m, 8);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		store_outbox_msg_clear(&m[i]);

	/* queued → sending → queued (retry) → sending → sent */
	assert_int_equal(store_outbox_claim(st, rid, "m1"), STORE_OK);
	assert_int_equal(store_outbox_claim(st, rid, "m2"), STORE_NOTFOUND);	/* no double claim */
	assert_int_equal(store_outbox_retry(st, rid, 1, time(NULL) + 3600, "+CMS ERROR 38"), STORE_OK);
	n = store_outbox_due(st, time(NULL) + 1, NULL, 0, m, 8);
	assert_int_equal(n, 2);		/* the retry waits for its backoff */
	for (i = 0; i < n; i++)
		store_outbox_msg_clear(&m[i]);
	assert_true(store_outbox_next_due(st, time(NULL) + 1) > time(NULL) + 3000);
	assert_int_equal(store_outbox_attempts(st, rid), 1);

	/* a crash while sending: start-up re-queues */
	n = store_outbox_due(st, time(NULL) + 1, NULL, 0, m, 8);
	assert_int_equal(store_outbox_claim(st, m[0].id, "m1"), STORE_OK);
	assert_int_equal(store_outbox_requeue_sending(st, &recipients), STORE_OK);
	assert_int_equal(recipients, 1);
	for (i = 0; i < n; i++)
		store_outbox_msg_clear(&m[i]);

	/* stop means stop: the announcement row for a stopped number is cancelled at hand-over */
	assert_int_equal(store_unsubscribe(st, "+6281400000002", NULL, &removed), STORE_OK);
	n = store_outbox_due(st, time(NULL) + 1, NULL, 0, m, 8);
	for (i = 0; i < n; i++) {
		int stopped = store_outbox_stopped(st, m[i].id);

		assert_int_equal(stopped, !strcmp(m[i].number, "+6281400000002"));
		if (!stopped) {
			assert_int_equal(store_outbox_claim(st, m[i].id, "m1"), STORE_OK);
			assert_int_equal(store_outbox_sent(st, m[i].id, "12", 1), STORE_OK);
		}
		store_outbox_msg_clear(&m[i]);
	}
	assert_int_equal(store_announcement_progress(st, id, &p), STORE_OK);
	assert_int_equal(p.recipients, 2);
	assert_int_equal(p.sent, 1);
	assert_int_equal(p.cancelled, 1);
	assert_int_equal(store_announcement_progress(st, 999, &p), STORE_NOTFOUND);
	/* the confirmation of a stop still goes */
	{
		struct store_outbox_new o = { .number = "+6281400000002", .text = "Anda berhenti", .kind = OUTBOX_CONFIRM,
		    .priority = OUTBOX_NORMAL };
		int64_t cid;

		assert_int_equal(store_outbox_add(st, &o, &cid), STORE_OK);
		assert_int_equal(store_outbox_stopped(st, cid), 0);
	}
	/* expiry */
	{
		struct store_outbox_new o = { .number = "+6281200000001", .text = "old", .kind = OUTBOX_ANNOUNCEMENT,
		    .priority = OUTBOX_NORMAL, .expires_at = time(NULL) - 1 };
		int64_t eid;

		assert_int_equal(store_outbox_add(st, &o, &eid), STORE_OK);
		assert_int_equal(store_outbox_expire(st, time(NULL), &n), STORE_OK);
		assert_int_equal(n, 1);
	}
}

/* Suggestions look at every candidate before the served-area filter (not the first 200). */
static void
test_suggest_served_only(void **state)
{
	struct store		*st = *state;
	struct store_area	 out[5];
	char			 code[16], name[32];
	int			 i, n;

	assert_int_equal(store_begin(st), STORE_OK);
	for (i = 0; i < 300; i++) {
		snprintf(code, sizeof(code), "11010120%02d", i % 100);
		code[6] = (char)('1' + i / 100);
		snprintf(name, sizeof(name), "SUKAJAYA%03d", i);
		assert_int_equal(store_area_put(st, code, name, name, NULL), STORE_OK);
	}
	assert_int_equal(store_area_put(st, "3201012001", "Sukamaju Kidul", "SUKAMAJUKIDUL", NULL), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	n = store_area_suggest(st, "SUKAMJU", "32", out, 5);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].code, "3201012001");
	assert_int_equal(store_area_suggest(st, "SUKAMJU", "", out, 5), 5);
}

/* Pending alerts (self-approval refused, fan-out at approval, expiry), cancel, codes, corrections
 * and the escalation sweep. */
static void
test_field_features(void **state)
{
	struct store			*st = *state;
	struct store_announcement_new	 a;
	const char			*areas[] = { "1671011001" };
	struct store_ann_brief		 b;
	struct store_undelivered	 u[4];
	char				 state_[16];
	int64_t				 id, rid, ids[4];
	long				 n, rows = 0;
	int				 created, k;

	load_areas(st);
	store_subscribe(st, "+6281200000001", "1671011001", NULL, &created);
	a = (struct store_announcement_new){ .text = "AWAS banjir", .areas = areas, .nareas = 1,
	    .priority = OUTBOX_ALERT, .source = "console", .requested_by = "console:alice", .code = "K7QXA",
	    .pending = 1, .approve_by = time(NULL) + 3600 };
	assert_int_equal(store_announcement_add(st, &a, &id, &n), STORE_OK);
	assert_int_equal(n, 1);	/* the count it would have; no rows yet */
	assert_int_equal(fx_q1(fx_dbpath, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(store_announcement_code_used(st, "K7QXA"), 1);
	assert_int_equal(store_announcement_code_used(st, "K7QXC"), 0);
	assert_int_equal(store_announcement_by_code(st, "K7QXA", &b), STORE_OK);
	assert_int_equal(b.id, id);
	assert_string_equal(b.state, "pending");
	assert_string_equal(b.requested_by, "console:alice");
	rows = 0;
	assert_int_equal(store_announcements_pending(st, count_cb, &rows), STORE_OK);
	assert_int_equal(rows, 1);
	/* a subscriber joining while it waits is a recipient */
	store_subscribe(st, "+6281200000002", "1671011001", NULL, &created);
	assert_int_equal(store_announcement_approve(st, id, "console:alice", time(NULL), &n), STORE_INVALID);
	assert_non_null(strstr(store_errmsg(st), "different official"));
	assert_int_equal(store_announcement_approve(st, id, "+6281299990000", time(NULL), &n), STORE_OK);
	assert_int_equal(n, 2);
	rows = 0;
	assert_int_equal(store_announcements_pending(st, count_cb, &rows), STORE_OK);
	assert_int_equal(rows, 0);
	assert_int_equal(store_correction_count(st, id), 0);	/* nothing handed to the network yet */
	assert_int_equal(store_announcement_approve(st, id, "console:bob", time(NULL), &n), STORE_INVALID);
	assert_int_equal(store_announcement_state(st, id, state_), STORE_OK);
	assert_string_equal(state_, "active");
	assert_int_equal(store_announcement_approve(st, 999, "console:bob", time(NULL), &n), STORE_NOTFOUND);

	/* expiry of another pending one */
	a.code = "K7QXC";
	a.approve_by = time(NULL) - 1;
	assert_int_equal(store_announcement_add(st, &a, &rid, &n), STORE_OK);
	assert_int_equal(store_announcement_expire_pending(st, time(NULL), ids, 4, &k), STORE_OK);
	assert_int_equal(k, 1);
	assert_int_equal(ids[0], rid);
	assert_int_equal(store_announcement_approve(st, rid, "console:bob", time(NULL), &n), STORE_INVALID);
	assert_int_equal(store_announcement_cancel(st, rid, &n), STORE_INVALID);

	/* both copies sent, one delivered; one stops; the correction goes to the other only */
	assert_int_equal(store_outbox_claim(st, 1, "tsel"), STORE_OK);
	assert_int_equal(store_outbox_sent(st, 1, "5", 1), STORE_OK);
	assert_int_equal(store_outbox_claim(st, 2, "tsel"), STORE_OK);
	assert_int_equal(store_outbox_sent(st, 2, "6", 1), STORE_OK);
	assert_int_equal(store_outbox_delivery(st, "tsel", "+6281200000001", 5, time(NULL), 1, NULL), STORE_OK);
	rows = 0;
	assert_int_equal(store_announcement_reach(st, id, count_cb, &rows), STORE_OK);
	assert_int_equal(rows, 3);	/* village, district, regency */
	assert_int_equal(store_announcement_reach(st, 999, count_cb, &rows), STORE_NOTFOUND);
	/* undelivered after 0 s: only the copy without a report; once */
	assert_int_equal(store_outbox_undelivered(st, time(NULL) + 1, time(NULL), u, 4), 1);
	assert_int_equal(u[0].id, 2);
	assert_string_equal(u[0].modem, "tsel");
	assert_int_equal(store_outbox_escalate(st, 2, time(NULL)), STORE_OK);
	assert_int_equal(store_outbox_undelivered(st, time(NULL) + 1, time(NULL), u, 4), 0);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT escalated FROM outbox WHERE id = 2 AND status = 'queued'"), 1);

	assert_int_equal(store_correction_count(st, id), 2);
	store_unsubscribe(st, "+6281200000002", NULL, &k);
	assert_int_equal(store_correction_count(st, id), 1);	/* one who stopped is not corrected */
	a = (struct store_announcement_new){ .text = "RALAT: jam 9", .areas = areas, .nareas = 1,
	    .priority = OUTBOX_NORMAL, .source = "console", .code = "K7QXE", .corrects = id };
	assert_int_equal(store_announcement_add(st, &a, &rid, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT count(*) FROM outbox o WHERE o.announcement_id = "
	    "(SELECT max(id) FROM announcements) AND o.number = '+6281200000001'"), 1);
	/* cancel stops the queued copies */
	assert_int_equal(store_announcement_cancel(st, rid, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_announcement_cancel(st, rid, &n), STORE_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_from_v1),
		cmocka_unit_test(test_not_a_database),
		cmocka_unit_test_setup_teardown(test_subscriptions, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_fanout_and_outbox, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_suggest_served_only, setup, fx_store_teardown),
		cmocka_unit_test_setup_teardown(test_field_features, setup, fx_store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
