/*
 * retention — the daemon's side of bounded storage (see retention.h). A pass walks the inbox,
 * the outbox and the audit log in turn; each step deletes at most KT_RETENTION_BATCH rows
 * (default 500) in one transaction and yields to the loop before the next, so receiving and
 * sending never wait behind a long delete. Passes start every KT_RETENTION_S seconds (default
 * 300). Rows younger than two days are always kept (reply limits and duplicate detection look
 * back a day), and the cut never passes the table's newest time stamp minus the retention, so
 * a clock that jumps years ahead cannot empty the database.
 */
#include <stdlib.h>

#include <event2/event.h>

#include "common/conf.h"
#include "common/env.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/retention.h"
#include "store/store.h"
#include "store/store_retention.h"

#define MIN_KEEP_S	(2 * 86400)

static const char *const table_names[] = { "inbox", "outbox", "audit" };

struct retention {
	struct gateway		*gw;
	struct event		*ev;
	int			 table;		/* where the current pass is; 3 = idle */
	int			 batch;
	long			 interval_s;
	struct retention_info	 info;
	long			 pass_deleted[3];
	int			 failing;
};

static long
keep_s(struct retention *r, int t)
{
	const struct conf	*c = r->gw->conf;
	long			 k = t == STORE_RET_INBOX ? c->keep_inbox_s : t == STORE_RET_OUTBOX ?
				    c->keep_outbox_s : c->keep_audit_s;

	if (k > 0 && k < MIN_KEEP_S && t != STORE_RET_AUDIT)
		k = MIN_KEEP_S;
	return k;
}

static void
arm(struct retention *r, long sec, long usec)
{
	struct timeval	 tv = { sec, usec };

	evtimer_add(r->ev, &tv);
}

static void
step_cb(evutil_socket_t fd, short what, void *arg)
{
	struct retention	*r = arg;
	enum store_status	 s;
	time_t			 now = clock_now(), newest, cut;
	long			 n = 0, k;
	double			 t0;

	if (r->table >= 3) {	/* a new pass */
		r->table = 0;
		r->pass_deleted[0] = r->pass_deleted[1] = r->pass_deleted[2] = 0;
	}
	while (r->table < 3 && (k = keep_s(r, r->table)) == 0)
		r->table++;
	if (r->table < 3) {
		newest = store_retention_newest(r->gw->store, r->table);
		cut = (newest < now ? newest : now) - k;
		t0 = clock_mono();
		s = store_retention_step(r->gw->store, r->table, cut, r->batch, &n);
		t0 = (clock_mono() - t0) * 1000;
		if (s != STORE_OK) {
			if (!r->failing++)
				log_warnx("retention: deleting old %s rows failed: %s; trying again later",
				    table_names[r->table], store_errmsg(r->gw->store));
			r->table = 3;
			arm(r, r->interval_s, 0);
			return;
		}
		r->failing = 0;
		r->info.batches++;
		if (t0 > r->info.longest_batch_ms)
			r->info.longest_batch_ms = t0;
		r->info.deleted[r->table] += n;
		r->pass_deleted[r->table] += n;
		if (n >= r->batch) {
			arm(r, 0, 10000);	/* more: after the loop has served everything else */
			return;
		}
		r->table++;
		if (r->table < 3) {
			arm(r, 0, 10000);
			return;
		}
	}
	r->info.last_pass_at = now;
	if (r->pass_deleted[0] + r->pass_deleted[1] + r->pass_deleted[2] > 0)
		log_info("retention: deleted inbox=%ld outbox=%ld audit=%ld", r->pass_deleted[0],
		    r->pass_deleted[1], r->pass_deleted[2]);
	arm(r, r->interval_s, 0);
}

struct retention *
retention_new(struct gateway *gw)
{
	struct retention	*r = xcalloc(1, sizeof(*r));

	r->gw = gw;
	r->table = 3;
	r->batch = (int)env_long("KT_RETENTION_BATCH", 500);
	r->interval_s = env_long("KT_RETENTION_S", 300);
	r->ev = evtimer_new(gw->base, step_cb, r);
	arm(r, r->interval_s < 10 ? r->interval_s : 10, 0);	/* the first pass soon after start */
	return r;
}

void
retention_free(struct retention *r)
{
	if (r == NULL)
		return;
	event_free(r->ev);
	free(r);
}

void
retention_get_info(struct retention *r, struct retention_info *i)
{
	*i = r->info;
}
