/*
 * bench_year — a year of a busy box in minutes, through the store API the daemon uses (printed by
 * `make bench`, never asserted): every simulated day BENCH_IN_PER_DAY SMS arrive (stored, routed,
 * answered, the answer sent) and on the first of each month a broadcast reaches every one of
 * BENCH_SUBSCRIBERS subscribers; the retention pass of the daemon (store_retention_step in batches
 * of 500) runs every day with the default keep_inbox=180d, keep_outbox=90d, keep_audit=730d. The
 * clock is moved with clock_set_correction. Prints, every 30 days: database and WAL size, live rows,
 * and how long the console's listings (inbox, outbox, announcements) and the retention take.
 * The size must level off once the first rows pass their retention.
 * Environment: BENCH_DAYS (365), BENCH_IN_PER_DAY (2700), BENCH_SUBSCRIBERS (100000).
 * Defaults: ~1M messages in and ~2.2M out.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "store/store.h"
#include "store/store_inbox.h"
#include "store/store_announcements.h"
#include "store/store_outbox.h"
#include "store/store_retention.h"

#define DAY		86400L
#define VILLAGES	20

static long
envl(const char *n, long d)
{
	const char *e = getenv(n);

	return e && atol(e) > 0 ? atol(e) : d;
}

static long long
fsize(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (long long)sb.st_size : 0;
}

static int
count_cb(void *arg, const struct table_row *r)
{
	(*(long *)arg)++;
	return 0;
}

static void
must(enum store_status s, struct store *st, const char *what)
{
	if (s != STORE_OK && s != STORE_DUP) {
		fprintf(stderr, "bench_year: %s: %s\n", what, store_errmsg(st));
		exit(1);
	}
}

/* Claims and sends every due row, 2000 per transaction (the daemon does one per message; the
 * bench measures storage, not fsyncs). */
static long
send_all(struct store *st)
{
	struct store_outbox_msg	 m[2000];
	int			 n, i;
	long			 total = 0;

	for (;;) {
		must(store_begin(st), st, "begin");
		if ((n = store_outbox_due(st, clock_now(), NULL, 0, m, 2000)) <= 0) {
			store_rollback(st);
			return total;
		}
		for (i = 0; i < n; i++) {
			must(store_outbox_claim(st, m[i].id, "bench"), st, "claim");
			must(store_outbox_sent(st, m[i].id, "1", 1), st, "sent");
			store_outbox_msg_clear(&m[i]);
		}
		must(store_commit(st), st, "commit");
		total += n;
	}
}

int
main(void)
{
	long		 days = envl("BENCH_DAYS", 365), inday = envl("BENCH_IN_PER_DAY", 2700);
	long		 subs = envl("BENCH_SUBSCRIBERS", 100000), d, i, n, total_in = 0, total_out = 0;
	long		 keep[3] = { 180 * DAY, 90 * DAY, 730 * DAY }, deleted = 0;
	char		 dir[] = "/tmp/kt-bench-year-XXXXXX", path[128], wal[160], err[256], num[32];
	char		 code[32], text[96];
	int		 created;
	struct store	*st;
	double		 start = clock_mono(), ret_s = 0;
	int		 t;

	log_init("bench_year", 1, LOG_LVL_WARN);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/kentongan.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if ((st = store_open(path, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_year: %s\n", err);
		return 1;
	}
	must(store_begin(st), st, "begin");
	must(store_area_put(st, "16", "SUMATERA SELATAN", "sumateraselatan", NULL), st, "area");
	must(store_area_put(st, "1671", "KOTA PALEMBANG", "kotapalembang", "16"), st, "area");
	must(store_area_put(st, "167101", "ILIR BARAT II", "ilirbaratii", "1671"), st, "area");
	for (i = 0; i < VILLAGES; i++) {
		snprintf(code, sizeof(code), "16710110%02ld", i + 1);
		snprintf(text, sizeof(text), "DESA%ld", i + 1);
		must(store_area_put(st, code, text, text, "167101"), st, "area");
	}
	for (i = 0; i < subs; i++) {
		snprintf(num, sizeof(num), "+62812%08ld", i);
		snprintf(code, sizeof(code), "16710110%02ld", i % VILLAGES + 1);
		must(store_subscribe(st, num, code, NULL, &created), st, "subscribe");
	}
	must(store_commit(st), st, "commit");
	printf("   %ld days, %ld SMS in a day, a broadcast to %ld subscribers every 30 days; keep_inbox=180d "
	    "keep_outbox=90d keep_audit=730d\n", days, inday, subs);
	printf("   %5s %9s %9s %9s %9s %8s %8s %8s %9s\n", "day", "db MB", "wal MB", "inbox", "outbox",
	    "inbox ms", "outbx ms", "ann ms", "retain s");
	for (d = 0; d < days; d++) {
		clock_set_correction(d * DAY);
		if (d % 30 == 0) {
			const char		*areas[] = { "1671" };
			struct store_announcement_new a = { .text = "Siaran bulanan: jadwal posyandu dan ronda.",
			    .areas = areas, .nareas = 1, .priority = 1, .source = "console", .segments = 1,
			    .encoding = "gsm7" };
			int64_t			 id;
			long			 rec;

			must(store_begin(st), st, "begin");
			must(store_announcement_add(st, &a, &id, &rec), st, "announcement");
			must(store_audit(st, "console", "broadcast", NULL), st, "audit");
			must(store_commit(st), st, "commit");
		}
		must(store_begin(st), st, "begin");
		for (i = 0; i < inday; i++) {
			struct store_sms	 sms = { .modem = "bench", .coding = "gsm7", .udh = "",
			    .concat_ref = -1, .total = 1, .seq = 1 };
			struct store_outbox_new	 o = { .kind = OUTBOX_REPLY, .priority = 1 };
			int64_t			 id = 0, oid;

			snprintf(num, sizeof(num), "+62813%08ld", (d * inday + i) % 500000);
			snprintf(text, sizeof(text), "LAPOR hari %ld pesan %ld jalan rusak", d, i);
			sms.sender = num;
			sms.text = text;
			sms.smsc_at = sms.received_at = clock_now();
			must(store_inbox_add(st, &sms, &id), st, "inbox");
			must(store_inbox_set_action(st, id, "report pending"), st, "action");
			o.number = num;
			o.text = "Terima kasih, laporan diterima.";
			o.inbox_id = id;
			must(store_outbox_add(st, &o, &oid), st, "reply");
			if (i % 1000 == 0)
				must(store_audit(st, "sms", "report", NULL), st, "audit");
		}
		must(store_commit(st), st, "commit");
		total_in += inday;
		total_out += send_all(st);
		/* the daemon's retention pass, as retention.c runs it */
		{
			double r0 = clock_mono();

			for (t = 0; t < 3; t++) {
				time_t newest = store_retention_newest(st, t), now = clock_now();

				do {
					must(store_retention_step(st, t, (newest < now ? newest : now) - keep[t], 500, &n),
					    st, "retention");
					deleted += n;
				} while (n == 500);
			}
			ret_s += clock_mono() - r0;
		}
		if (d % 30 == 29 || d == days - 1) {
			long	 nin = 0, nout = 0, nann = 0, rows_in = 0;
			double	 a, b, c, e;
			struct store_queue_counts q;

			a = clock_mono();
			must(store_list_inbox(st, clock_now() - DAY, 50, count_cb, &nin), st, "inbox listing");
			b = clock_mono();
			must(store_list_outbox(st, "sent", 50, count_cb, &nout), st, "outbox listing");
			c = clock_mono();
			must(store_list_announcements(st, 20, count_cb, &nann), st, "announcements");
			e = clock_mono();
			must(store_list_inbox(st, 0, 0, count_cb, &rows_in), st, "inbox rows");
			must(store_queue_counts(st, &q), st, "outbox rows");
			printf("   %5ld %9.1f %9.1f %9ld %9ld %8.1f %8.1f %8.1f %9.1f\n", d + 1, fsize(path) / 1e6,
			    fsize(wal) / 1e6, rows_in, q.queued + q.sending + q.sent + q.delivered + q.failed + q.expired +
			    q.cancelled, (b - a) * 1e3, (c - b) * 1e3, (e - c) * 1e3, ret_s);
			fflush(stdout);
			ret_s = 0;
		}
	}
	printf("   %ld SMS in, %ld out, %ld old rows deleted, in %.0f s\n", total_in, total_out, deleted,
	    clock_mono() - start);
	store_close(st);
	snprintf(err, sizeof(err), "rm -rf %s", dir);
	if (system(err) != 0)
		return 1;
	return 0;
}
