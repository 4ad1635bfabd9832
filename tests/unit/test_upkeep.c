/* test_upkeep — the store side of backups (a copy taken in steps while rows are written) and of
 * retention (batches, reach kept, queued rows and young rows left alone). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/timefmt.h"
#include "store/store.h"
#include "store/store_backup.h"
#include "store/store_announcements.h"
#include "store/store_outbox.h"
#include "store/store_retention.h"
#include "tests/unit/fixture.h"

static char	 copypath[80];

static int
setup(void **state)
{
	struct store	*st = fx_store_open("upkeep");
	int		 created, i;
	char		 num[32];

	snprintf(copypath, sizeof(copypath), "/tmp/kt-upkeep-%d-copy.db", (int)getpid());
	unlink(copypath);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_area_put(st, "16", "SUMSEL", "sumsel", NULL), STORE_OK);
	assert_int_equal(store_area_put(st, "1671", "PALEMBANG", "palembang", "16"), STORE_OK);
	assert_int_equal(store_area_put(st, "1671011001", "DESA A", "desaa", "1671"), STORE_OK);
	assert_int_equal(store_area_put(st, "1671011002", "DESA B", "desab", "1671"), STORE_OK);
	for (i = 0; i < 10; i++) {
		snprintf(num, sizeof(num), "+628120000%04d", i);
		assert_int_equal(store_subscribe(st, num, i < 6 ? "1671011001" : "1671011002", NULL, &created),
		    STORE_OK);
	}
	assert_int_equal(store_commit(st), STORE_OK);
	*state = st;
	return 0;
}

static int
teardown(void **state)
{
	clock_set_correction(0);
	unlink(copypath);
	return fx_store_teardown(state);
}

static int64_t
announce(struct store *st)
{
	const char			*areas[] = { "1671" };
	struct store_announcement_new	 a = { .text = "Rapat desa", .areas = areas, .nareas = 1,
	    .priority = 1, .source = "console", .segments = 1, .encoding = "gsm7" };
	int64_t				 id;
	long				 n;

	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_announcement_add(st, &a, &id, &n), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(n, 10);
	return id;
}

static void
test_backup_while_writing(void **state)
{
	struct store		*st = *state;
	struct store_backup	*b;
	struct store_check	 c;
	char			 err[512];
	int			 r, steps = 0, done, total;

	b = store_backup_begin(st, copypath, err, sizeof(err));
	assert_non_null(b);
	do {
		r = store_backup_step(b, 1, &done, &total, err, sizeof(err));
		/* the daemon writes between steps, through the same connection */
		if (steps++ == 3)
			announce(st);
	} while (r == 0);
	assert_int_equal(r, 1);
	assert_true(steps > 5);
	assert_int_equal(access(copypath, F_OK), 0);
	{
		char tmp[96];

		snprintf(tmp, sizeof(tmp), "%s.tmp", copypath);
		assert_int_not_equal(access(tmp, F_OK), 0);
	}
	store_backup_free(b);
	assert_int_equal(store_check_file(copypath, &c, err, sizeof(err)), STORE_OK);
	assert_int_equal(c.version, store_latest_version());
	assert_int_equal(c.announcements, 1);		/* written mid-copy, and in the copy */
	assert_int_equal(c.outbox, 10);
	assert_int_equal(c.subscribers, 10);
	{
		/* one self-contained file: the header's read/write versions say rollback journal (1), not WAL (2) */
		unsigned char	 h[20];
		FILE		*f = fopen(copypath, "rb");

		assert_non_null(f);
		assert_int_equal(fread(h, 1, sizeof(h), f), sizeof(h));
		fclose(f);
		assert_int_equal(h[18], 1);
		assert_int_equal(h[19], 1);
	}
	/* the live database is refused as a destination; a non-database fails the check */
	assert_null(store_backup_begin(st, fx_dbpath, err, sizeof(err)));
	assert_non_null(strstr(err, "live database"));
	assert_int_not_equal(store_check_file("/etc/hostname", &c, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_check_file("/nonexistent/x.db", &c, err, sizeof(err)), STORE_NOTFOUND);
}

static void
test_retention_keeps_reach(void **state)
{
	struct store		*st = *state;
	struct store_outbox_msg	 m[16];
	struct store_progress	 before, after;
	int64_t			 ann = announce(st), reply;
	struct store_outbox_new	 o = { .number = "+6281200000001", .text = "balasan", .kind = OUTBOX_REPLY,
	    .priority = 1 };
	int			 n, i;
	long			 deleted, total = 0;

	n = store_outbox_due(st, clock_now(), NULL, 0, m, 16);
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++) {
		assert_int_equal(store_outbox_claim(st, m[i].id, "tsel"), STORE_OK);
		if (i < 8)
			assert_int_equal(store_outbox_sent(st, m[i].id, "1", 1), STORE_OK);
		else if (i == 8)
			assert_int_equal(store_outbox_retry(st, m[i].id, 0, 0, "bad number"), STORE_OK);
		/* i == 9 stays 'sending' */
		store_outbox_msg_clear(&m[i]);
	}
	assert_int_equal(store_outbox_add(st, &o, &reply), STORE_OK);	/* queued: never deleted */
	assert_int_equal(store_announcement_progress(st, ann, &before), STORE_OK);

	/* nothing is old yet */
	assert_int_equal(store_retention_step(st, STORE_RET_OUTBOX, clock_now() - 86400, 3, &deleted), STORE_OK);
	assert_int_equal(deleted, 0);
	/* a cut past every row: batches of 3 until none is left */
	do {
		assert_int_equal(store_retention_step(st, STORE_RET_OUTBOX, clock_now() + 10, 3, &deleted),
		    STORE_OK);
		assert_true(deleted <= 3);
		total += deleted;
	} while (deleted == 3);
	assert_int_equal(total, 9);				/* 8 sent + 1 failed; sending and queued stay */
	assert_int_equal(fx_q1(fx_dbpath, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT count(*) FROM outbox WHERE status = 'queued'"), 1);
	assert_int_equal(store_announcement_progress(st, ann, &after), STORE_OK);
	assert_int_equal(after.sent, before.sent);
	assert_int_equal(after.failed, before.failed);
	assert_int_equal(after.sending, 1);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT sum(n) FROM announcement_reach WHERE area = '1671011001'") +
	    fx_q1(fx_dbpath, "SELECT sum(n) FROM announcement_reach WHERE area = '1671011002'"), 9);
	assert_int_equal(fx_q1(fx_dbpath, "SELECT count(*) FROM announcements"), 1);
	/* the newest row's time bounds the cut */
	assert_true(store_retention_newest(st, STORE_RET_OUTBOX) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backup_while_writing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_keeps_reach, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
