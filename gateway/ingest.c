/*
 * ingest — commit, then ack, then route. A worker's batch is one transaction: every part is
 * stored (or recognised as a duplicate) and every stored delivery report applied before the
 * worker hears it may delete anything. A crash between commit and delete re-reads the batch,
 * and dedup keeps it from being stored twice; a crash before the commit loses nothing because
 * nothing was deleted. A failed commit (disk full) acks nothing: the worker offers the batch
 * again after MW_RESEND_S.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "common/conf.h"
#include "common/crash.h"
#include "common/log.h"
#include "common/msisdn.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/ingest.h"
#include "gateway/netclock.h"
#include "gateway/modem/modem.h"
#include "gateway/modem/modem_worker.h"
#include "gateway/router.h"
#include "gateway/timer.h"
#include "store/store_inbox.h"
#include "store/store_modems.h"
#include "store/store_outbox.h"

#define EXPIRE_EVERY_S	30
#define EXPIRE_MAX	256

struct ingest {
	struct gateway		*gw;
	struct event		*expire;
	struct ingest_stats	 stats;
};

/* The configured country code; NULL lets msisdn_normalise() take its default. */
static const char *
country(const struct ingest *ing)
{
	return ing->gw->conf ? ing->gw->conf->country : NULL;
}

static long
timeout_s(const struct ingest *ing)
{
	return ing->gw->conf && ing->gw->conf->incomplete_timeout_s > 0 ? ing->gw->conf->incomplete_timeout_s :
	    CONF_INCOMPLETE_TIMEOUT_S;
}

static void
route(struct ingest *ing, const int64_t *ids, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		gateway_inbox_stored(ing->gw, ids[i]);
}

static void
masked_free(char **masked, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(masked[i]);
	free(masked);
}

int
ingest_report(struct ingest *ing, const char *modem_name, const struct modem_report *r, int in_batch)
{
	enum store_status	 s;
	char			 nbuf[40];

	s = store_outbox_delivery(ing->gw->store, modem_name, r->number, r->reference, r->at, r->delivered, NULL);
	if (s == STORE_OK && !in_batch)
		log_info("report modem=%s to=%s ref=%d status=%s", modem_name, log_msisdn(r->number, nbuf),
		    r->reference, r->status);
	return s == STORE_OK || s == STORE_NOTFOUND ? 0 : -1;
}

/* A status report stored on the SIM, as ingest_report() takes it (sender: its number normalised). */
static void
report_of_part(const struct ingest_part *p, const char *sender, time_t now, struct modem_report *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->number, sizeof(r->number), "%s", sender);
	r->reference = p->report_ref;
	r->at = p->smsc_at ? p->smsc_at : now;
	r->delivered = p->report_delivered;
	snprintf(r->status, sizeof(r->status), "%s", p->report_status ? p->report_status : "");
}

/* What one batch did, counted part by part. */
struct tally {
	int64_t	*ids;		/* inbox rows stored, routed after the commit */
	int	 nids;
	int	 dups;
	int	 reports;
	int	 raw;
};

/* The network's time is at least the newest SMSC time stamp (netclock.c). */
static void
batch_netclock(struct ingest *ing, const char *modem_name, const struct ingest_part *p, int n)
{
	int	 i;

	for (i = 0; i < n && ing->gw->netclock != NULL; i++)
		if (p[i].kind != MW_PART_REPORT)
			netclock_smsc(ing->gw->netclock, modem_name, p[i].smsc_at);
}

/* An undecodable part: committed like any message before the SIM slot is freed; never routed. */
static int
add_raw(struct ingest *ing, const char *modem_name, const struct ingest_part *p, time_t now, struct tally *t)
{
	enum store_status	 s;
	int64_t			 id = 0;

	s = store_inbox_add_undecodable(ing->gw->store, modem_name, p->text, now, &id);
	if (s == STORE_DUP) {
		t->dups++;
		return 0;
	}
	if (s != STORE_OK)
		return -1;
	t->raw++;
	log_warnx("ingest id=%lld modem=%s event=undecodable bytes=%zu: kept raw in the inbox",
	    (long long)id, modem_name, strlen(p->text) / 2);
	return 0;
}

static int
add_sms(struct ingest *ing, const char *modem_name, const struct ingest_part *p, const char *sender,
    time_t now, char **masked, struct tally *t)
{
	struct store_sms	 sm;
	enum store_status	 s;
	int64_t			 id = 0;

	memset(&sm, 0, sizeof(sm));
	sm.modem = modem_name;
	sm.sender = sender;
	sm.smsc_at = p->smsc_at;
	sm.text = p->text;
	/* a SIAR's PIN never reaches the disk, not even the -wal: masked before the commit */
	if (p->seq <= 1 && ing->gw->router != NULL && router_mask_pin(ing->gw->router, sender, p->text, masked))
		sm.text = *masked;
	sm.coding = p->coding;
	sm.udh = p->udh;
	sm.concat_ref = p->concat_ref;
	sm.total = p->total;
	sm.seq = p->seq;
	sm.received_at = now;
	s = store_inbox_add(ing->gw->store, &sm, &id);
	if (s == STORE_DUP) {
		t->dups++;
		return 0;
	}
	if (s != STORE_OK)
		return -1;
	if (id > 0)
		t->ids[t->nids++] = id;
	return 0;
}

/* One part inside the batch's transaction; -1 when the store failed. */
static int
add_part(struct ingest *ing, const char *modem_name, const struct ingest_part *p, time_t now, char **masked,
    struct tally *t)
{
	struct modem_report	 r;
	char			 e164[MSISDN_MAX];
	const char		*why, *sender = p->sender;

	if (msisdn_normalise(p->sender, country(ing), e164, &why) == 0)
		sender = e164;
	if (p->kind == MW_PART_RAW)
		return add_raw(ing, modem_name, p, now, t);
	if (p->kind == MW_PART_REPORT) {
		report_of_part(p, sender, now, &r);
		if (ingest_report(ing, modem_name, &r, 1) == -1)
			return -1;
		t->reports++;
		return 0;
	}
	return add_sms(ing, modem_name, p, sender, now, masked, t);
}

/* Every part stored and the day's count kept, all in one transaction; -1 when it failed. */
static int
batch_commit(struct ingest *ing, const char *modem_name, const struct ingest_part *p, int n, time_t now,
    char **masked, struct tally *t)
{
	struct store	*st = ing->gw->store;
	int		 i;
	char		 day[16];

	if (store_begin(st) != STORE_OK)
		return -1;
	for (i = 0; i < n; i++)
		if (add_part(ing, modem_name, &p[i], now, &masked[i], t) == -1)
			goto fail_tx;
	if (t->nids && store_modem_count(st, modem_name, timefmt_day(now, day, sizeof(day)), 0, t->nids) != STORE_OK)
		goto fail_tx;
	return store_commit(st) == STORE_OK ? 0 : -1;
fail_tx:
	store_rollback(st);
	return -1;
}

/* After the commit: the worker may delete, the counters move, the new rows are routed. */
static void
batch_committed(struct ingest *ing, struct modem *m, const char *modem_name, uint64_t batch, int n,
    const struct tally *t)
{
	int	 i;

	if (!ing->gw->store_ok)
		gateway_store_recovered(ing->gw);
	if (m != NULL) {
		modem_sms_committed(m, batch);
		if (t->nids)
			modem_count_received(m, t->nids);
		if (t->raw)
			modem_count_undecodable(m, t->raw);
	}
	ing->stats.stored += t->nids;
	ing->stats.dups += t->dups;
	ing->stats.reports += t->reports;
	ing->stats.undecodable += t->raw;
	log_debug("ingest modem=%s batch=%llu parts=%d stored=%d dups=%d reports=%d", modem_name,
	    (unsigned long long)batch, n, t->nids, t->dups, t->reports);
	for (i = 0; i < t->nids; i++)
		log_debug("ingest id=%lld modem=%s", (long long)t->ids[i], modem_name);
	route(ing, t->ids, t->nids);
}

int
ingest_batch(struct ingest *ing, struct modem *m, const char *modem_name, uint64_t batch,
    const struct ingest_part *p, int n)
{
	struct tally	 t;
	char		**masked = xcalloc(n ? (size_t)n : 1, sizeof(*masked));
	time_t		 now;
	int		 rc = 0;

	memset(&t, 0, sizeof(t));
	t.ids = xcalloc(n ? (size_t)n : 1, sizeof(*t.ids));
	batch_netclock(ing, modem_name, p, n);
	now = clock_now();
	ing->stats.batches++;
	ing->stats.parts += n;
	if (batch_commit(ing, modem_name, p, n, now, masked, &t) == 0) {
		CRASH_POINT("inbox-commit");
		batch_committed(ing, m, modem_name, batch, n, &t);
	} else {
		ing->stats.failures++;
		log_debug("ingest modem=%s batch=%llu event=commit-failed (nothing deleted; retried)", modem_name,
		    (unsigned long long)batch);
		gateway_store_failed(ing->gw, "committing received messages");
		rc = -1;
	}
	free(t.ids);
	masked_free(masked, n);
	return rc;
}

int
ingest_expire(struct ingest *ing)
{
	struct store		*st = ing->gw->store;
	int64_t			 ids[EXPIRE_MAX];
	char			 (*names)[72] = NULL;
	int			 n = 0, i;
	enum store_status	 s;
	time_t			 now = clock_now();
	char			 day[16];

	if (store_inbox_parts_waiting(st) == 0)
		return 0;
	if ((s = store_begin(st)) != STORE_OK)
		goto fail;
	if ((s = store_inbox_expire(st, clock_now() - timeout_s(ing), ids, EXPIRE_MAX, &n)) != STORE_OK) {
		store_rollback(st);
		goto fail;
	}
	names = xcalloc(n ? (size_t)n : 1, sizeof(*names));
	timefmt_day(now, day, sizeof(day));
	for (i = 0; i < n; i++) {
		/* an incomplete message is a received message too: count it for its modem */
		if (store_inbox_modem(st, ids[i], names[i], sizeof(names[i])) != STORE_OK || !*names[i])
			continue;
		if ((s = store_modem_count(st, names[i], day, 0, 1)) != STORE_OK) {
			store_rollback(st);
			goto fail;
		}
	}
	if ((s = store_commit(st)) != STORE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		struct modem *m = modem_find(ing->gw, names[i]);

		if (m != NULL)
			modem_count_received(m, 1);
		log_info("ingest id=%lld modem=%s event=stored-incomplete", (long long)ids[i], names[i]);
	}
	ing->stats.incomplete += n;
	route(ing, ids, n);
	free(names);
	return n;
fail:
	free(names);
	gateway_store_failed(ing->gw, "storing incomplete long messages");
	return -1;
}

static void
expire_cb(evutil_socket_t fd, short what, void *arg)
{
	ingest_expire(arg);
}

struct ingest *
ingest_new(struct gateway *gw)
{
	struct ingest	*ing = xcalloc(1, sizeof(*ing));
	long		 every;

	ing->gw = gw;
	every = timeout_s(ing) / 4;
	if (every > EXPIRE_EVERY_S)
		every = EXPIRE_EVERY_S;
	if (every < 1)
		every = 1;
	if (gw->base)
		ing->expire = timer_every_ms(gw->base, every * 1000, expire_cb, ing);
	return ing;
}

void
ingest_free(struct ingest *ing)
{
	if (ing == NULL)
		return;
	if (ing->expire)
		event_free(ing->expire);
	free(ing);
}

const struct ingest_stats *
ingest_stats(const struct ingest *ing)
{
	return &ing->stats;
}
