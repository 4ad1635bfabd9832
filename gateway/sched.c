/*
 * sched — the outbox scheduler (see sched.h).
 *
 * Design: the store is the queue. On a kick (new rows, a modem became ready, a send finished)
 * a deferred event runs dispatch(): it reads a window of due rows (alerts first, then by due
 * time and age), and for every modem with free slots, within its rate and daily limit, picks the
 * first row of the most urgent priority present — preferring recipients of the modem's own
 * operator when a SIM of their operator is not free — checks the recipient's opt-out, marks the
 * row `sending` (committed) and hands it to the modem. Results come back through sched_sent():
 * sent, or retried with exponential backoff and jitter (on another modem where possible), or
 * failed after SCHED_MAX_ATTEMPTS. A modem with SCHED_REST_AFTER consecutive failures and no
 * success is rested for a while. Nothing is held in memory that the store does not also have:
 * after a crash, start-up re-queues `sending` rows.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/conf.h"
#include "common/crash.h"
#include "common/env.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/modem/modem.h"
#include "gateway/sched.h"
#include "parsers/operator.h"
#include "store/store.h"
#include "store/store_field.h"
#include "store/store_modems.h"
#include "gateway/field.h"
#include "gateway/timer.h"
#include "store/store_outbox.h"

#define SCHED_WINDOW		256	/* due rows read per dispatch */
#define SCHED_MAX_ATTEMPTS	5
#define SCHED_REST_AFTER	3	/* consecutive failures before a modem is rested */
#define SCHED_REST_S		300
#define SCHED_TICK_S		5	/* expiry, store recovery, scheduled rows */

struct sched_modem {
	char		 name[72];
	double		 next_at;	/* monotonic: earliest next hand-over under `rate` */
	int		 fails;		/* consecutive, since the last success */
};

struct sched {
	struct gateway		*gw;
	struct event		*ev_kick;
	struct event		*ev_timer;
	struct event		*ev_tick;
	int64_t			*inflight;
	int			 ninflight, capinflight;
	struct sched_modem	*sm;
	int			 nsm;
	unsigned		 rr;		/* round-robin start among modems */
};

static struct sched_modem *
sm_of(struct sched *s, struct modem *m)
{
	const char	*name = modem_info(m)->name;
	int		 i;

	for (i = 0; i < s->nsm; i++)
		if (!strcmp(s->sm[i].name, name))
			return &s->sm[i];
	s->sm = xreallocarray(s->sm, s->nsm + 1, sizeof(*s->sm));
	memset(&s->sm[s->nsm], 0, sizeof(s->sm[0]));
	snprintf(s->sm[s->nsm].name, sizeof(s->sm[0].name), "%s", name);
	return &s->sm[s->nsm++];
}

static const struct conf_modem *
conf_of(struct sched *s, struct modem *m)
{
	const char	*name = modem_info(m)->name;
	int		 i;

	for (i = 0; i < s->gw->conf->nmodems; i++)
		if (!strcmp(s->gw->conf->modems[i].name, name))
			return &s->gw->conf->modems[i];
	return NULL;
}

static const char *
modem_operator(struct modem *m)
{
	return operator_canonical(modem_info(m)->operator_name);
}

static void
inflight_add(struct sched *s, int64_t id)
{
	if (s->ninflight == s->capinflight) {
		s->capinflight = s->capinflight ? s->capinflight * 2 : 16;
		s->inflight = xreallocarray(s->inflight, s->capinflight, sizeof(*s->inflight));
	}
	s->inflight[s->ninflight++] = id;
}

static int
inflight_remove(struct sched *s, int64_t id)
{
	int	 i;

	for (i = 0; i < s->ninflight; i++)
		if (s->inflight[i] == id) {
			s->inflight[i] = s->inflight[--s->ninflight];
			return 1;
		}
	return 0;
}

/* Whether modem m may take one more message now (slots, rate, daily limit). */
static int
modem_can_take(struct sched *s, struct modem *m, double now, double *wake)
{
	const struct conf_modem	*cm = conf_of(s, m);
	struct sched_modem	*sm = sm_of(s, m);

	if (modem_send_slots(m) <= 0)
		return 0;
	if (cm && cm->daily_limit > 0 && modem_info(m)->sent >= cm->daily_limit)
		return 0;
	if (sm->next_at > now) {
		if (*wake == 0 || sm->next_at < *wake)
			*wake = sm->next_at;
		return 0;
	}
	return 1;
}

/* Is some other modem than m, of operator op, able to take a message now? */
static int
other_free_modem(struct sched *s, struct modem *m, const char *op, double now)
{
	int	 i;
	double	 ignore = 0;

	for (i = 0; i < s->gw->nmodems; i++) {
		struct modem *o = s->gw->modems[i];

		if (o == m || !modem_can_take(s, o, now, &ignore))
			continue;
		if (op == NULL || (modem_operator(o) && !strcmp(modem_operator(o), op)))
			return 1;
	}
	return 0;
}

/* How long a failing modem rests: SCHED_REST_S, or KT_SCHED_REST_S (tests that crash workers on
 * purpose and must not wait five minutes for the replies behind them). */
static int
rest_seconds(void)
{
	return (int)env_long("KT_SCHED_REST_S", SCHED_REST_S);
}

/* Is a modem of operator op up (connected, not rested, under its daily limit), busy or not? */
static int
operator_up(struct sched *s, const char *op)
{
	int	 i;

	for (i = 0; i < s->gw->nmodems; i++) {
		struct modem		*o = s->gw->modems[i];
		const struct conf_modem	*cm = conf_of(s, o);
		enum modem_state	 st = modem_info(o)->state;

		if ((st != MODEM_READY && st != MODEM_SENDING) || modem_operator(o) == NULL ||
		    strcmp(modem_operator(o), op) != 0)
			continue;
		if (cm && cm->daily_limit > 0 && modem_info(o)->sent >= cm->daily_limit)
			continue;
		return 1;
	}
	return 0;
}

/* The operator of the modem named name (NULL unknown or gone). */
static const char *
named_operator(struct sched *s, const char *name)
{
	struct modem	*m = modem_find(s->gw, name);

	return m != NULL ? modem_operator(m) : NULL;
}

/* Is a modem of another operator than op up (ready or sending, under its daily limit)? */
static int
other_operator_up(struct sched *s, const char *op, const char *name)
{
	int	 i;

	for (i = 0; i < s->gw->nmodems; i++) {
		struct modem		*o = s->gw->modems[i];
		const char		*oop = modem_operator(o);

		if (!strcmp(modem_info(o)->name, name) || (op && oop && !strcmp(op, oop)))
			continue;
		if (oop != NULL && operator_up(s, oop))
			return 1;
	}
	return 0;
}

/*
 * Escalation: a copy of an announcement handed to the network escalate_after ago without a
 * delivery report (or with a failed one) is queued once more, marked escalated, when a SIM of
 * another operator is up; pick() gives it only to such a SIM. Expiry wins: an expired copy is
 * not escalated, and a queued escalated copy still expires.
 */
static void
escalate(struct sched *s)
{
	struct gateway		*gw = s->gw;
	struct store_undelivered u[64];
	time_t			 now = clock_now();
	int			 n, i, done = 0;

	if (gw->conf->escalate_after_s <= 0 || gw->nmodems < 2)
		return;
	n = store_outbox_undelivered(gw->store, now - gw->conf->escalate_after_s, now, u, 64);
	if (n < 0) {
		gateway_store_failed(gw, "finding undelivered messages");
		return;
	}
	for (i = 0; i < n; i++) {
		if (!other_operator_up(s, named_operator(s, u[i].modem), u[i].modem))
			continue;
		if (store_outbox_escalate(gw->store, u[i].id, now) != STORE_OK) {
			gateway_store_failed(gw, "escalating a message");
			return;
		}
		log_info("out id=%lld modem=%s result=escalated (no delivery within %lds)", (long long)u[i].id,
		    u[i].modem, gw->conf->escalate_after_s);
		done++;
	}
	if (done)
		sched_kick(s);
}

/* Picks the row modem m should send next among cand[0..n) (taken[] marks used ones), or -1. */
static int
pick(struct sched *s, struct modem *m, struct store_outbox_msg *cand, int n, const char *taken, double now)
{
	const char	*mop = modem_operator(m);
	int		 i, prio = -1, fallback = -1;

	for (i = 0; i < n; i++) {
		const char *rop;

		if (taken[i])
			continue;
		if (prio == -1)
			prio = cand[i].priority;
		if (cand[i].priority != prio)
			break;	/* alerts first, on every modem */
		if (cand[i].escalated) {
			/* undelivered through its first SIM: only a SIM of another operator takes it */
			const char *fop = named_operator(s, cand[i].last_modem);

			if (!strcmp(cand[i].last_modem, modem_info(m)->name) || (fop && mop && !strcmp(fop, mop)))
				continue;
			return i;
		}
		rop = operator_of(cand[i].number);
		/* a retry goes to another modem when one is free that will take it: of the recipient's
		 * operator while one of those is up (issue 5 fix: with "any free modem" here a
		 * Telkomsel retry whose last modem was the only Telkomsel SIM was skipped by it and
		 * left by the free Indosat SIM to "its own operator" — queued forever) */
		if (cand[i].attempts > 0 && !strcmp(cand[i].last_modem, modem_info(m)->name) &&
		    other_free_modem(s, m, rop && operator_up(s, rop) ? rop : NULL, now))
			continue;
		if (rop && mop && !strcmp(rop, mop))
			return i;
		/* another operator's number: it waits for a SIM of its own operator while one is up */
		if (fallback == -1 && (rop == NULL || !operator_up(s, rop)))
			fallback = i;
	}
	return fallback;
}

static void
dispatch(struct sched *s)
{
	struct gateway		*gw = s->gw;
	struct store_outbox_msg	 cand[SCHED_WINDOW];
	char			 taken[SCHED_WINDOW];
	int			 n = 0, i, k, sent = 0, any;
	double			 now = clock_mono(), wake = 0;
	time_t			 wall = clock_now();

	if (gw->nmodems == 0)
		return;
	/* anyone free at all? saves a query per kick while every modem is busy */
	for (i = 0, any = 0; i < gw->nmodems && !any; i++)
		any = modem_can_take(s, gw->modems[i], now, &wake);
	if (!any)
		goto arm;
	n = store_outbox_due(gw->store, wall, s->inflight, s->ninflight, cand, SCHED_WINDOW);
	if (n < 0) {
		gateway_store_failed(gw, "reading the queue");
		wake = now + 5;
		goto arm;
	}
	memset(taken, 0, sizeof(taken));
	for (k = 0; k < gw->nmodems; k++) {
		struct modem		*m = gw->modems[(s->rr + k) % gw->nmodems];
		const struct conf_modem	*cm = conf_of(s, m);

		while (modem_can_take(s, m, now, &wake)) {
			struct modem_send_req	 req;
			enum store_status	 st;

			if ((i = pick(s, m, cand, n, taken, now)) == -1)
				break;
			taken[i] = 1;
			if (store_outbox_stopped(gw->store, cand[i].id)) {
				char nb[40];

				log_info("out id=%lld to=%s result=cancelled reason=stopped", (long long)cand[i].id,
				    log_msisdn(cand[i].number, nb));
				continue;
			}
			st = store_outbox_claim(gw->store, cand[i].id, modem_info(m)->name);
			if (st == STORE_NOTFOUND)
				continue;
			if (st != STORE_OK) {
				gateway_store_failed(gw, "claiming a message");
				wake = now + 5;
				goto done;
			}
			gateway_store_recovered(gw);
			CRASH_POINT("sched-claim");
			memset(&req, 0, sizeof(req));
			req.outbox_id = (uint64_t)cand[i].id;
			req.to = cand[i].number;
			req.text = cand[i].text;
			req.want_report = cm ? cm->delivery_reports : 0;
			if (modem_send(m, &req) == -1) {
				/* the modem went away between the check and now: back to the queue */
				store_outbox_retry(gw->store, cand[i].id, 1, wall, "modem not ready");
				break;
			}
			inflight_add(s, cand[i].id);
			sent++;
			if (cm && cm->rate.per_s > 0 && cm->rate.count > 0)
				sm_of(s, m)->next_at = now + (double)cm->rate.per_s / cm->rate.count;
		}
	}
	s->rr++;
done:
	for (i = 0; i < n; i++)
		store_outbox_msg_clear(&cand[i]);
arm:
	{
		/* future rows matter only when fewer than a window of rows are due now */
		time_t	 due = n >= 0 && n < SCHED_WINDOW ? store_outbox_next_due(gw->store, wall) : 0;
		double	 when = wake;

		if (due > 0 && (when == 0 || now + (double)(due - wall) < when))
			when = now + (double)(due - wall);
		if (when > 0) {
			struct timeval tv;
			double d = when - now;

			if (d < 0.001)
				d = 0.001;
			tv.tv_sec = (time_t)d;
			tv.tv_usec = (suseconds_t)((d - (double)tv.tv_sec) * 1e6);
			evtimer_add(s->ev_timer, &tv);
		}
	}
}

static void
kick_cb(evutil_socket_t fd, short ev, void *arg)
{
	dispatch(arg);
}

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct sched	*s = arg;
	long		 n;

	if (store_outbox_expire(s->gw->store, clock_now(), &n) != STORE_OK)
		gateway_store_failed(s->gw, "expiring messages");
	else if (n > 0)
		log_info("sched: expired=%ld", n);
	escalate(s);
	field_tick(s->gw);
	dispatch(s);
}

void
sched_kick(struct sched *s)
{
	if (s != NULL)
		event_active(s->ev_kick, EV_TIMEOUT, 0);
}

/* Backoff before retry number `attempts` (1-based): 5 s, 30 s, 60 s, 120 s …, capped at an hour,
 * ±20% jitter so that retries of a failed batch spread out. */
static time_t
backoff(int attempts)
{
	double	 b = attempts <= 1 ? 5 : 30.0 * (double)(1 << (attempts - 2 > 7 ? 7 : attempts - 2));
	double	 j = 0.8 + 0.4 * ((double)random() / (double)RAND_MAX);

	if (b > 3600)
		b = 3600;
	return (time_t)(b * j + 0.5);
}

void
sched_sent(struct sched *s, struct modem *m, const struct modem_sent *r)
{
	struct gateway		*gw = s->gw;
	struct sched_modem	*sm = sm_of(s, m);
	const char		*name = modem_info(m)->name;
	int64_t			 id = (int64_t)r->outbox_id;
	time_t			 now = clock_now();
	enum store_status	 st = STORE_OK;
	char			 day[16], err[200];

	inflight_remove(s, id);
	CRASH_POINT("send-reference");
	switch (r->result) {
	case SEND_OK:
		st = store_outbox_sent(gw->store, id, r->refs, r->segments);
		if (st == STORE_OK)
			st = store_modem_count(gw->store, name, timefmt_day(now, day, sizeof(day)), 1, 0);
		sm->fails = 0;
		log_info("out id=%lld modem=%s result=sent segments=%d refs=%s", (long long)id, name, r->segments,
		    r->refs);
		break;
	case SEND_PERMFAIL:
		if (r->cms_error)
			snprintf(err, sizeof(err), "+CMS ERROR %d: %.150s", r->cms_error, r->error);
		else
			snprintf(err, sizeof(err), "%.150s", r->error[0] ? r->error : "permanent failure");
		st = store_outbox_retry(gw->store, id, 0, now, err);
		log_info("out id=%lld modem=%s result=failed error=\"%s\"", (long long)id, name, err);
		break;
	case SEND_TEMPFAIL:
	case SEND_UNKNOWN: {
		int	 attempts, retry;
		time_t	 when;

		if (r->cms_error)
			snprintf(err, sizeof(err), "+CMS ERROR %d: %.150s", r->cms_error, r->error);
		else
			snprintf(err, sizeof(err), "%s: %.150s", r->result == SEND_UNKNOWN ? "unknown outcome" :
			    "temporary failure", r->error[0] ? r->error : "no detail");
		attempts = store_outbox_attempts(gw->store, id);
		retry = attempts < SCHED_MAX_ATTEMPTS;
		/* the first retry goes at once to another free modem, if there is one */
		when = now + (attempts <= 1 && other_free_modem(s, m, NULL, clock_mono()) ? 0 : backoff(attempts));
		st = store_outbox_retry(gw->store, id, retry, when, err);
		log_info("out id=%lld modem=%s result=%s attempts=%d error=\"%s\"%s", (long long)id, name,
		    retry ? "retry" : "failed", attempts, err, retry ? "" : " (no attempts left)");
		/* "no network service" from a modem whose worker watches the network: it reports the
		 * modem off the network by itself and back when it returns; resting it would keep it
		 * out of service for SCHED_REST_S after that */
		if (r->cms_error == MODEM_CMS_NO_NETWORK && modem_registered(m) != -1)
			break;
		if (++sm->fails >= SCHED_REST_AFTER) {
			int rest_s = rest_seconds();

			log_warnx("sched: modem=%s failed %d times in a row; resting it for %d s", name, sm->fails,
			    rest_s);
			modem_rest(m, rest_s);
			sm->fails = 0;
		}
		break;
	}
	}
	if (st != STORE_OK)
		gateway_store_failed(gw, "recording a send result");
	else
		gateway_store_recovered(gw);
	sched_kick(s);
}

struct sched *
sched_new(struct gateway *gw, char *err, size_t errlen)
{
	struct sched	*s = xcalloc(1, sizeof(*s));
	long		 n;

	s->gw = gw;
	if (store_outbox_requeue_sending(gw->store, &n) != STORE_OK) {
		snprintf(err, errlen, "re-queueing interrupted sends: %s", store_errmsg(gw->store));
		free(s);
		return NULL;
	}
	if (n > 0)
		log_info("sched: requeued=%ld (on a modem when the daemon stopped; a duplicate is possible "
		    "for those)", n);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	s->ev_kick = event_new(gw->base, -1, 0, kick_cb, s);
	s->ev_timer = evtimer_new(gw->base, kick_cb, s);
	s->ev_tick = timer_every_ms(gw->base, SCHED_TICK_S * 1000, tick_cb, s);
	event_active(s->ev_kick, EV_TIMEOUT, 0);
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	event_free(s->ev_kick);
	event_free(s->ev_timer);
	event_free(s->ev_tick);
	free(s->inflight);
	free(s->sm);
	free(s);
}
