/*
 * modem — the daemon side of one modem. Spawns the worker (modem_worker.c) by fork() over a
 * socketpair and speaks PROTO_W_* frames with it on the event loop (a bufferevent).
 *
 * State machine:
 *   spawn -> CONNECTING --HELLO--> READY <--> SENDING (sends in flight)
 *   any state --worker EOF / watchdog / bad frame--> FAILED --backoff--> spawn
 *   READY --modem_rest()--> DISABLED --timer--> READY;  enabled = no: DISABLED for good
 * Watchdog: while the worker owes an answer (connect, send, USSD, ping) and has sent nothing
 * for command_timeout seconds, it is killed. An idle worker is pinged every PING_IDLE_S.
 * When a worker dies, sends handed to the modem are reported SEND_UNKNOWN, others
 * SEND_TEMPFAIL. Respawns back off 1, 2, 4 … 60 s; a minute of health resets the backoff.
 * Touches the store only to load the per-day counters (sched.c and ingest.c write them).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "common/conf.h"
#include "common/env.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/msisdn.h"
#include "common/proto.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/ingest.h"
#include "paths.h"	/* MODEM_CONFIGS_DIR, from PREFIX */
#include "gateway/modem/modem.h"
#include "gateway/netclock.h"
#include "gateway/timer.h"
#include "gateway/modem/modem_worker.h"
#include "gateway/modem/worker_confine.h"
#include "parsers/balance.h"
#include "store/store_modems.h"

#define MODEM_INFLIGHT		2	/* sends handed over at once: the worker never idles */
#define PING_IDLE_S		10
#define BACKOFF_MAX_S		60
#define HEALTHY_S		60
#define BALANCE_FIRST_S		5	/* first balance check after connecting */

struct inflight {
	uint64_t	 outbox_id;
	int		 started;
};

struct ussd_req {
	uint64_t	 id;
	modem_ussd_cb	 cb;
	void		*arg;
	struct ussd_req	*next;
};

struct modem {
	struct gateway		*gw;
	const struct conf_modem	*cm;
	struct modem_info	 info;
	pid_t			 pid;
	struct bufferevent	*bev;
	struct event		*tick;
	struct event		*respawn;
	unsigned		 gen;		/* bumped when the worker goes away */
	int			 alive;
	int			 hello;
	int			 rested;
	int			 offnet;	/* the worker says: not registered on the network */
	int			 registered;	/* its last look: 1, 0, -1 unknown */
	time_t			 rest_until;
	double			 busy_since;
	double			 last_rx;
	double			 ready_at;
	int			 ping_out;
	uint64_t		 next_id;
	struct inflight		 fl[MODEM_INFLIGHT];
	int			 nfl;
	struct ussd_req		*ussd;
	int			 backoff_s;
	char			 worker_error[160];
	/* counters (in memory; the rows are written by sched.c and ingest.c) */
	char			 day[16];
	/* balance */
	time_t			 next_balance;
	long			 sent_since_balance;
	int			 balance_running;
	pid_t			 zombies[16];
	int			 nzombies;
	/* poisoned messages (see struct mw_plan): what the worker said it is reading, what it was
	 * reading when it went away (judged once its exit status is known), the next worker's plan */
	int			 reading_folder, reading_location;
	int			 lost_folder, lost_location;
	pid_t			 verdict_pid;
	struct mw_plan		 plan;
	/* slots the worker cannot decode nor read raw (its SIMSTATE), left on the modem */
	int			 nundec;
	int			 undec_last;
};

static void	kill_worker(pid_t);
static struct balance_table	*balance_tab;
static int			 balance_tried;

static void
today(char out[16])
{
	timefmt_day(clock_now(), out, 16);
}

const char *
modem_state_str(enum modem_state s)
{
	switch (s) {
	case MODEM_CONNECTING:	return "connecting";
	case MODEM_READY:	return "ready";
	case MODEM_SENDING:	return "sending";
	case MODEM_FAILED:	return "failed";
	case MODEM_DISABLED:	return "disabled";
	}
	return "?";
}

const char *
modem_state_label(const struct modem_info *mi)
{
	if (mi->degraded && (mi->state == MODEM_READY || mi->state == MODEM_SENDING))
		return "degraded";
	return modem_state_str(mi->state);
}

const struct modem_info *
modem_info(const struct modem *m)
{
	return &m->info;
}

const char *
modem_name(const struct modem *m)
{
	return m->cm->name;
}

void
modem_snapshot(const struct gateway *gw, struct modem_snapshot *s)
{
	int	 i;

	memset(s, 0, sizeof(*s));
	s->m = xcalloc(gw->nmodems > 0 ? (size_t)gw->nmodems : 1, sizeof(*s->m));
	for (i = 0; i < gw->nmodems; i++) {
		struct modem_fact *f = &s->m[s->n++];

		f->info = gw->modems[i]->info;
		f->label = modem_state_label(&f->info);
		f->up = f->info.state == MODEM_READY || f->info.state == MODEM_SENDING;
		s->up += f->up;
		s->ready += f->up && !f->info.degraded;
		s->degraded += f->up && f->info.degraded;
	}
}

void
modem_snapshot_free(struct modem_snapshot *s)
{
	free(s->m);
	s->m = NULL;
	s->n = 0;
}

struct modem *
modem_find(const struct gateway *gw, const char *name)
{
	int	 i;

	for (i = 0; gw->modems != NULL && i < gw->nmodems; i++)
		if (gw->modems[i] != NULL && !strcmp(gw->modems[i]->info.name, name))
			return gw->modems[i];
	return NULL;
}

pid_t
modem_worker_pid(const struct modem *m)
{
	return m->alive ? m->pid : -1;
}

static void
set_state(struct modem *m, enum modem_state st)
{
	if (m->info.state == st)
		return;
	log_debug("modem=%s state=%s from=%s", m->cm->name, modem_state_str(st), modem_state_str(m->info.state));
	m->info.state = st;
	m->info.since = clock_now();
	gateway_modem_changed(m->gw, m);
}

static enum modem_state
idle_state(const struct modem *m)
{
	if (!m->cm->enabled || m->rested)
		return MODEM_DISABLED;
	if (!m->hello)
		return m->alive ? MODEM_CONNECTING : MODEM_FAILED;
	if (m->offnet)
		return MODEM_CONNECTING;	/* to the network: searching, or denied */
	return m->nfl ? MODEM_SENDING : MODEM_READY;
}

static int
outstanding(const struct modem *m)
{
	int		 n = m->nfl + m->ping_out + (m->hello ? 0 : 1);
	struct ussd_req	*u;

	for (u = m->ussd; u; u = u->next)
		n++;
	return n;
}

/* The worker now owes an answer: start its clock if it was idle. */
static void
owe(struct modem *m)
{
	if (outstanding(m) == 0 || m->busy_since == 0)
		m->busy_since = clock_mono();
}

static void
w_frame(struct modem *m, uint16_t type, uint64_t reqid, struct pbuf *b)
{
	struct proto_hdr h;

	if (m->bev == NULL)
		return;
	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	h.type = type;
	h.len = b ? (uint32_t)b->len : 0;
	h.reqid = reqid;
	bufferevent_write(m->bev, &h, sizeof(h));
	if (b && b->len)
		bufferevent_write(m->bev, b->buf, b->len);
}

/* ---- counters ---- */

static void
counters_roll(struct modem *m)
{
	char	 d[16];

	today(d);
	if (strcmp(d, m->day) == 0)
		return;
	snprintf(m->day, sizeof(m->day), "%s", d);
	m->info.sent = m->info.received = 0;
	if (m->gw->store)
		store_modem_counts(m->gw->store, m->cm->name, m->day, &m->info.sent, &m->info.received);
}

void
modem_count_undecodable(struct modem *m, int n)
{
	m->info.undecodable += n;
}

void
modem_count_received(struct modem *m, int n)
{
	counters_roll(m);
	m->info.received += n;
}

/* ---- balance ---- */

/* The operators' balance patterns: operators.conf in modem-configs/ (conf_modem_configs). */
static void
balance_load(const struct gateway *gw)
{
	char	*path, *text, err[300];

	if (balance_tried)
		return;
	balance_tried = 1;
	xasprintf(&path, "%s/operators.conf", conf_modem_configs(gw->conf, MODEM_CONFIGS_DIR));
	if ((text = fs_read_text(path, 1 << 20, "balance patterns", err, sizeof(err))) == NULL)
		log_warnx("modem: %s; balances are not read", err);
	else if ((balance_tab = balance_table_parse(text, err, sizeof(err))) == NULL)
		log_warnx("modem: %s:%s: balance patterns ignored", path, err);
	else
		log_debug("modem: balance patterns from %s", path);
	free(text);
	free(path);
}

static const char *
modem_operator(struct modem *m)
{
	const char *op = NULL;

	balance_load(m->gw);
	if (balance_tab == NULL)
		return NULL;
	if (*m->cm->operator_name)
		op = balance_operator(balance_tab, m->cm->operator_name);
	if (op == NULL && *m->info.mccmnc)
		op = balance_operator(balance_tab, m->info.mccmnc);
	return op;
}

static void
balance_cb(void *arg, const char *reply, const char *why)
{
	struct modem		*m = arg;
	struct balance_result	 r;
	const char		*op;

	m->balance_running = 0;
	m->next_balance = clock_now() + (m->cm->balance_interval_s > 0 ? m->cm->balance_interval_s : 21600);
	m->sent_since_balance = 0;
	if (reply == NULL) {
		log_warnx("modem=%s event=balance-failed why=\"%s\"", m->cm->name, why ? why : "?");
		return;
	}
	snprintf(m->info.balance_raw, sizeof(m->info.balance_raw), "%s", reply);
	op = modem_operator(m);
	if (op == NULL || balance_parse(balance_tab, op, reply, &r) == -1) {
		log_warnx("modem=%s event=balance-unparsed operator=%s reply=\"%.120s\"", m->cm->name,
		    op ? op : "unknown", reply);
		return;
	}
	balance_format(&r, m->info.balance, sizeof(m->info.balance));
	m->info.low_credit = r.low;
	if (r.low)
		log_warnx("modem=%s event=low-credit balance=\"%s\"", m->cm->name, m->info.balance);
	else
		log_info("modem=%s event=balance balance=\"%s\"", m->cm->name, m->info.balance);
	gateway_modem_changed(m->gw, m);
}

static void
balance_maybe(struct modem *m)
{
	if (!m->hello || m->balance_running || m->cm->balance_ussd == NULL || *m->cm->balance_ussd == '\0')
		return;
	if (clock_now() < m->next_balance && !(m->cm->balance_every_sent > 0 &&
	    m->sent_since_balance >= m->cm->balance_every_sent))
		return;
	if (modem_ussd(m, m->cm->balance_ussd, balance_cb, m) == 0)
		m->balance_running = 1;
}

/* ---- worker lifecycle ---- */

static void	modem_spawn(struct modem *);

/* A crash signal is the worker's own doing (the daemon only ever sends SIGKILL). */
static int
crash_signal(int status)
{
	if (!WIFSIGNALED(status))
		return 0;
	switch (WTERMSIG(status)) {
	case SIGSEGV: case SIGABRT: case SIGBUS: case SIGILL: case SIGFPE: case SIGSYS: case SIGTRAP:
		return 1;
	}
	return 0;
}

static double
quarantine_retry_s(void)
{
	return env_double("KT_QUARANTINE_RETRY_S", MW_QUARANTINE_RETRY_S);
}

/* What status shows while messages are left alone (a new connection keeps it, see on_hello). */
static void
quarantine_note(struct modem *m)
{
	const struct mw_plan *p = &m->plan;

	m->info.quarantined = p->nskip + m->nundec;
	if (p->nskip == 0)
		return;
	snprintf(m->info.last_error, sizeof(m->info.last_error), "%d message(s) crash libGammu and are left "
	    "on the modem, unread (latest: %s slot %d); delete them there", p->nskip,
	    p->skip[p->nskip - 1].folder == 1 ? "SIM" : "phone memory", p->skip[p->nskip - 1].location);
}

/* The worker that went away while reading has an exit status now: if libGammu crashed on a
 * message, read carefully from now on, and leave that message alone (struct mw_plan). */
static void
reading_verdict(struct modem *m, int status)
{
	struct mw_plan	*p = &m->plan;
	int		 f = m->lost_folder, l = m->lost_location, i;

	m->verdict_pid = 0;
	if (!crash_signal(status) || f == MW_READING_DONE)
		return;
	if (!p->careful) {
		p->careful = 1;
		log_warnx("modem=%s event=receive-crashed signal=%d: libGammu died reading the messages; "
		    "reading them one by one from now on", m->cm->name, WTERMSIG(status));
	}
	if (f == MW_READING_PASS)
		return;
	for (i = 0; i < p->nskip; i++)
		if (p->skip[i].folder == f && p->skip[i].location == l) {
			p->retry_at = clock_mono() + quarantine_retry_s();	/* a retry crashed again */
			return;
		}
	if (p->nskip == MW_QUARANTINE_MAX) {
		log_warnx("modem=%s event=quarantine-full folder=%d location=%d: more than %d messages "
		    "crash libGammu; clear the modem's memory", m->cm->name, f, l, MW_QUARANTINE_MAX);
		return;
	}
	p->retry_at = clock_mono() + quarantine_retry_s();
	p->skip[p->nskip].folder = f;
	p->skip[p->nskip].location = l;
	p->nskip++;
	quarantine_note(m);
	log_warnx("modem=%s event=quarantine folder=%d location=%d signal=%d: the message there crashes "
	    "libGammu's decoder; it is skipped from now on and stays on the modem until deleted by hand",
	    m->cm->name, f, l, WTERMSIG(status));
}

/* A worker killed by SIGSYS made a system call its seccomp filter forbids (worker_confine.c):
 * said plainly, since it means the worker was attacked or libGammu needs something new. */
static void
sigsys_note(struct modem *m, pid_t pid, int status)
{
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		return;
	snprintf(m->info.last_error, sizeof(m->info.last_error), "the worker was killed by its seccomp "
	    "filter: a forbidden system call (the kernel log names it); respawned");
	log_warnx("modem=%s event=worker-seccomp pid=%d: the worker made a system call its filter forbids "
	    "and was killed (an attack through the modem, or libGammu needs a call the filter lacks: "
	    "worker_seccomp = no in [gateway] turns it off)", m->cm->name, (int)pid);
}

static void
reap(struct modem *m)
{
	int	 i, status;

	for (i = 0; i < m->nzombies; i++) {
		pid_t r = waitpid(m->zombies[i], &status, WNOHANG);

		if (r == m->zombies[i])
			sigsys_note(m, r, status);

		if (r == m->zombies[i] && r == m->verdict_pid)
			reading_verdict(m, status);
		if (r == m->zombies[i] || (r == -1 && errno == ECHILD)) {
			m->zombies[i--] = m->zombies[--m->nzombies];
		}
	}
}

static void
modem_lost(struct modem *m, const char *why)
{
	struct inflight	 fl[MODEM_INFLIGHT];
	struct ussd_req	*u, *next;
	int		 nfl, i, status, was_healthy, delay;
	char		 exitbuf[48] = "";
	pid_t		 r;

	if (!m->alive)
		return;
	m->alive = 0;
	m->gen++;
	was_healthy = m->hello && clock_mono() - m->ready_at >= HEALTHY_S;
	m->hello = 0;
	m->offnet = 0;		/* the next worker looks again */
	m->registered = -1;
	m->ping_out = 0;
	m->busy_since = 0;
	if (m->bev) {
		bufferevent_free(m->bev);
		m->bev = NULL;
	}
	m->lost_folder = m->reading_folder;
	m->lost_location = m->reading_location;
	m->reading_folder = MW_READING_DONE;
	m->verdict_pid = m->pid;
	kill_worker(m->pid);
	r = waitpid(m->pid, &status, WNOHANG);
	if (r == m->pid) {
		if (WIFEXITED(status))
			snprintf(exitbuf, sizeof(exitbuf), " exit=%d", WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			snprintf(exitbuf, sizeof(exitbuf), " signal=%d", WTERMSIG(status));
	} else if (r == 0 && m->nzombies < (int)(sizeof(m->zombies) / sizeof(m->zombies[0])))
		m->zombies[m->nzombies++] = m->pid;
	m->info.restarts++;
	if (*m->worker_error)
		snprintf(m->info.last_error, sizeof(m->info.last_error), "%s", m->worker_error);
	else if (r == m->pid && WIFEXITED(status) && WEXITSTATUS(status) == MW_EXIT_LOST)
		snprintf(m->info.last_error, sizeof(m->info.last_error), "%s: the connection to the modem broke",
		    why);
	else
		snprintf(m->info.last_error, sizeof(m->info.last_error), "%s", why);
	m->worker_error[0] = '\0';
	if (was_healthy)
		m->backoff_s = 0;
	delay = m->backoff_s ? m->backoff_s : 1;
	m->backoff_s = delay * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : delay * 2;
	log_warnx("modem=%s event=worker-lost why=\"%s\" error=\"%s\"%s inflight=%d restart_in=%ds", m->cm->name,
	    why, m->info.last_error, exitbuf, m->nfl, delay);
	if (r == m->pid)
		sigsys_note(m, r, status);
	if (r == m->pid)
		reading_verdict(m, status);

	nfl = m->nfl;
	memcpy(fl, m->fl, sizeof(fl));
	m->nfl = 0;
	u = m->ussd;
	m->ussd = NULL;
	m->balance_running = 0;
	if (m->cm->enabled) {
		struct timeval tv = { delay, 0 };

		evtimer_add(m->respawn, &tv);
	}
	set_state(m, idle_state(m));
	for (i = 0; i < nfl; i++) {
		struct modem_sent s;

		memset(&s, 0, sizeof(s));
		s.outbox_id = fl[i].outbox_id;
		s.result = fl[i].started ? SEND_UNKNOWN : SEND_TEMPFAIL;
		snprintf(s.error, sizeof(s.error), "modem worker lost: %s", why);
		gateway_modem_sent(m->gw, m, &s);
	}
	for (; u; u = next) {
		next = u->next;
		u->cb(u->arg, NULL, m->info.last_error);
		free(u);
	}
	if (nfl)
		gateway_modem_changed(m->gw, m);
}

static void
on_hello(struct modem *m, struct pbuf *b)
{
	const char *manu = pbuf_get_str(b), *model = pbuf_get_str(b), *imei = pbuf_get_str(b);
	const char *imsi = pbuf_get_str(b), *net = pbuf_get_str(b), *mccmnc = pbuf_get_str(b);
	const char *dev = pbuf_get_str(b);
	uint32_t caps = pbuf_get_u32(b);

	if (b->err) {
		modem_lost(m, "malformed HELLO from the worker");
		return;
	}
	snprintf(m->info.imei, sizeof(m->info.imei), "%s", imei);
	snprintf(m->info.imsi, sizeof(m->info.imsi), "%s", imsi);
	snprintf(m->info.mccmnc, sizeof(m->info.mccmnc), "%s", mccmnc);
	if (*m->cm->operator_name)
		snprintf(m->info.operator_name, sizeof(m->info.operator_name), "%s", m->cm->operator_name);
	else {
		const char *op = modem_operator(m);
		const char *disp = op ? balance_display(balance_tab, op) : NULL;

		snprintf(m->info.operator_name, sizeof(m->info.operator_name), "%s", disp ? disp : net);
	}
	m->info.last_error[0] = '\0';
	m->info.degraded = 0;	/* the new worker's passes tell */
	quarantine_note(m);
	m->hello = 1;
	m->ready_at = clock_mono();
	m->busy_since = outstanding(m) ? clock_mono() : 0;
	if (m->next_balance == 0)
		m->next_balance = clock_now() + BALANCE_FIRST_S;
	log_info("modem=%s event=ready device=%s manufacturer=\"%s\" model=\"%s\" operator=\"%s\" mccmnc=%s "
	    "caps=%u restarts=%d", m->cm->name, dev, manu, model, m->info.operator_name, mccmnc, caps,
	    m->info.restarts);
	set_state(m, idle_state(m));
	gateway_modem_changed(m->gw, m);
}

static void
on_status(struct modem *m, struct pbuf *b)
{
	uint32_t	 st = pbuf_get_u32(b);
	int64_t		 sig = pbuf_get_i64(b);
	const char	*net = pbuf_get_str(b), *mccmnc = pbuf_get_str(b), *err = pbuf_get_str(b);
	int64_t		 reg = pbuf_get_i64(b);

	if (b->err) {
		modem_lost(m, "malformed STATUS from the worker");
		return;
	}
	if (st == MODEM_FAILED) {
		/* the worker says why before it exits; keep it for the lost report */
		snprintf(m->worker_error, sizeof(m->worker_error), "%s", err);
		snprintf(m->info.last_error, sizeof(m->info.last_error), "%s", err);
		return;
	}
	m->info.signal = (int)sig;
	m->registered = (int)reg;
	if ((reg == 0) != m->offnet) {
		/* off the network: no sends for it, and its operator's numbers go to other SIMs */
		m->offnet = reg == 0;
		if (m->offnet)
			snprintf(m->info.last_error, sizeof(m->info.last_error), "not registered on the network");
		else if (!strcmp(m->info.last_error, "not registered on the network"))
			m->info.last_error[0] = '\0';
		log_info("modem=%s event=%s", m->cm->name, m->offnet ? "off-network" : "on-network");
		set_state(m, idle_state(m));
		gateway_modem_changed(m->gw, m);
	}
	if (*mccmnc)
		snprintf(m->info.mccmnc, sizeof(m->info.mccmnc), "%s", mccmnc);
	if (!*m->cm->operator_name && *net && !modem_operator(m))
		snprintf(m->info.operator_name, sizeof(m->info.operator_name), "%s", net);
}

static void
on_sms_in(struct modem *m, uint64_t batch, struct pbuf *b)
{
	uint32_t		 n = pbuf_get_u32(b), i;
	struct ingest_part	*p;

	if (b->err || n > 100000) {
		modem_lost(m, "malformed SMS_IN from the worker");
		return;
	}
	p = xcalloc(n ? n : 1, sizeof(*p));
	for (i = 0; i < n && !b->err; i++) {
		p[i].kind = (int)pbuf_get_u32(b);
		p[i].folder = pbuf_get_i64(b);
		p[i].location = pbuf_get_i64(b);
		p[i].sender = pbuf_get_str(b);
		p[i].smsc = pbuf_get_str(b);
		p[i].smsc_at = (time_t)pbuf_get_i64(b);
		p[i].coding = pbuf_get_str(b);
		p[i].text = pbuf_get_str(b);
		p[i].udh = pbuf_get_str(b);
		p[i].concat_ref = (int)pbuf_get_i64(b);
		p[i].total = (int)pbuf_get_u32(b);
		p[i].seq = (int)pbuf_get_u32(b);
		p[i].report_ref = (int)pbuf_get_i64(b);
		p[i].report_delivered = (int)pbuf_get_i64(b);
		p[i].report_status = pbuf_get_str(b);
	}
	if (b->err) {
		free(p);
		modem_lost(m, "malformed SMS_IN from the worker");
		return;
	}
	if (m->gw->ingest != NULL)
		ingest_batch(m->gw->ingest, m, m->cm->name, batch, p, (int)n);
	else
		log_warnx("modem=%s event=batch-dropped why=\"no ingest\" n=%u", m->cm->name, n);
	free(p);
}

static void
on_sent(struct modem *m, struct pbuf *b)
{
	struct modem_sent	 s;
	uint64_t		 id = pbuf_get_u64(b);
	uint32_t		 result = pbuf_get_u32(b);
	uint32_t		 segs = pbuf_get_u32(b);
	const char		*refs = pbuf_get_str(b);
	uint32_t		 cms = pbuf_get_u32(b);
	const char		*err = pbuf_get_str(b);
	int			 i;

	if (b->err || (result > SEND_UNKNOWN && result != MW_SEND_STARTED)) {
		modem_lost(m, "malformed SENT from the worker");
		return;
	}
	for (i = 0; i < m->nfl; i++)
		if (m->fl[i].outbox_id == id)
			break;
	if (i == m->nfl) {
		log_warnx("modem=%s event=sent-unknown outbox=%llu", m->cm->name, (unsigned long long)id);
		return;
	}
	if (result == MW_SEND_STARTED) {
		m->fl[i].started = 1;
		return;
	}
	m->fl[i] = m->fl[--m->nfl];
	memset(&s, 0, sizeof(s));
	s.outbox_id = id;
	s.result = (enum send_result)result;
	s.segments = (int)segs;
	snprintf(s.refs, sizeof(s.refs), "%s", refs);
	s.cms_error = (int)cms;
	snprintf(s.error, sizeof(s.error), "%s", err);
	if (s.result == SEND_OK) {
		counters_roll(m);
		m->info.sent++;		/* the store's row is the scheduler's (store_modem_count) */
		m->sent_since_balance++;
	} else
		log_info("modem=%s event=send-failed outbox=%llu result=%u cms=%u error=\"%s\"", m->cm->name,
		    (unsigned long long)id, result, cms, err);
	if (m->nfl == 0 && outstanding(m) == 0)
		m->busy_since = 0;
	if (m->hello)
		set_state(m, idle_state(m));
	gateway_modem_sent(m->gw, m, &s);
	gateway_modem_changed(m->gw, m);
}

static void
on_ussd_reply(struct modem *m, uint64_t reqid, struct pbuf *b)
{
	uint32_t	 ok = pbuf_get_u32(b);
	const char	*reply = pbuf_get_str(b), *why = pbuf_get_str(b);
	struct ussd_req	**pp, *u;

	if (b->err) {
		modem_lost(m, "malformed USSD_REPLY from the worker");
		return;
	}
	for (pp = &m->ussd; *pp; pp = &(*pp)->next)
		if ((*pp)->id == reqid)
			break;
	if ((u = *pp) == NULL)
		return;
	*pp = u->next;
	u->cb(u->arg, ok ? reply : NULL, ok ? NULL : why);
	free(u);
}

static void
on_report(struct modem *m, struct pbuf *b)
{
	struct modem_report	 r;
	const char		*num = pbuf_get_str(b);
	int64_t			 ref = pbuf_get_i64(b), at = pbuf_get_i64(b), del = pbuf_get_i64(b);
	const char		*st = pbuf_get_str(b), *why;
	char			 e164[MSISDN_MAX];

	if (b->err) {
		modem_lost(m, "malformed REPORT from the worker");
		return;
	}
	memset(&r, 0, sizeof(r));
	if (msisdn_normalise(num, m->gw->conf ? m->gw->conf->country : NULL, e164, &why) == 0)
		snprintf(r.number, sizeof(r.number), "%s", e164);
	else
		snprintf(r.number, sizeof(r.number), "%s", num);
	r.reference = (int)ref;
	r.at = (time_t)at;
	r.delivered = (int)del;
	snprintf(r.status, sizeof(r.status), "%s", st);
	gateway_modem_report(m->gw, m, &r);
}

static void
on_clock(struct modem *m, struct pbuf *b)
{
	int64_t	 at = pbuf_get_i64(b), mono_ms = pbuf_get_i64(b);

	if (b->err) {
		modem_lost(m, "malformed CLOCK from the worker");
		return;
	}
	if (m->gw->netclock != NULL)
		netclock_reading(m->gw->netclock, m->cm->name, (time_t)at, (double)mono_ms / 1000);
}

static void
on_reading(struct modem *m, struct pbuf *b)
{
	int64_t	 f = pbuf_get_i64(b), l = pbuf_get_i64(b);

	if (b->err || f < MW_READING_PASS || f > 1000 || l < -1 || l > INT32_MAX) {
		modem_lost(m, "malformed READING from the worker");
		return;
	}
	m->reading_folder = (int)f;
	m->reading_location = (int)l;
	/* a careful pass that read every occupied slot: whatever crashed libGammu is gone */
	if (f == MW_READING_DONE && l == 0 && m->plan.careful) {
		log_info("modem=%s event=careful-off: every message on the modem was read; ordinary passes "
		    "again", m->cm->name);
		if (m->plan.nskip)
			m->info.last_error[0] = '\0';
		memset(&m->plan, 0, sizeof(m->plan));
		m->info.quarantined = m->nundec;
	}
}

#define READ_ERROR_PREFIX	"cannot read messages: "

/* What a pass left on the SIM: undecodable slots, other messages, reads that keep failing. */
static void
on_simstate(struct modem *m, struct pbuf *b)
{
	uint32_t	 n = pbuf_get_u32(b), i, found, other, cleared, failed;
	int64_t		 last;
	const char	*err;
	int		 was_degraded = m->info.degraded, undec_last = -1;

	for (i = 0; i < n && i <= MW_QUARANTINE_MAX && !b->err; i++) {
		(void)pbuf_get_i64(b);
		undec_last = (int)pbuf_get_i64(b);
	}
	found = pbuf_get_u32(b);
	last = pbuf_get_i64(b);
	other = pbuf_get_u32(b);
	cleared = pbuf_get_u32(b);
	failed = pbuf_get_u32(b);
	err = pbuf_get_str(b);
	if (b->err || n > MW_QUARANTINE_MAX || last < -1 || last > INT32_MAX) {
		modem_lost(m, "malformed SIMSTATE from the worker");
		return;
	}
	m->nundec = (int)n;
	m->undec_last = undec_last;
	m->info.quarantined = m->plan.nskip + m->nundec;
	m->info.other_on_sim = (int)other;
	m->info.other_cleared += cleared;
	if (found && last >= 0) {
		int left = 0;

		/* the latest one: still on the SIM, or kept raw in the inbox and deleted there */
		left = n > 0 && undec_last == last;
		snprintf(m->info.last_error, sizeof(m->info.last_error), "slot %lld: cannot decode (%s)",
		    (long long)last, left ? "its raw PDU is unreadable too: left on the SIM" :
		    "kept raw in the inbox as undecodable");
	}
	m->info.degraded = failed >= MW_DEGRADED_PASSES;
	if (m->info.degraded)
		snprintf(m->info.last_error, sizeof(m->info.last_error), READ_ERROR_PREFIX "%s (%u passes)",
		    *err ? err : "?", failed);
	else if (was_degraded && !strncmp(m->info.last_error, READ_ERROR_PREFIX, strlen(READ_ERROR_PREFIX)))
		m->info.last_error[0] = '\0';
	if (m->info.degraded != was_degraded) {
		if (m->info.degraded)
			log_warnx("modem=%s event=degraded why=\"%s\"", m->cm->name, m->info.last_error);
		else
			log_info("modem=%s event=reading-again", m->cm->name);
	}
	if (found || cleared || m->info.degraded != was_degraded)
		gateway_modem_changed(m->gw, m);
}

static void
on_frame(struct modem *m, const struct proto_hdr *h, void *payload)
{
	struct pbuf b;

	pbuf_reader(&b, payload, h->len);
	switch (h->type) {
	case PROTO_W_HELLO:
		on_hello(m, &b);
		break;
	case PROTO_W_STATUS:
		on_status(m, &b);
		break;
	case PROTO_W_SMS_IN:
		on_sms_in(m, h->reqid, &b);
		break;
	case PROTO_W_SENT:
		on_sent(m, &b);
		break;
	case PROTO_W_USSD_REPLY:
		on_ussd_reply(m, h->reqid, &b);
		break;
	case PROTO_W_PONG:
		m->ping_out = 0;
		break;
	case PROTO_W_REPORT:
		on_report(m, &b);
		break;
	case PROTO_W_READING:
		on_reading(m, &b);
		break;
	case PROTO_W_SIMSTATE:
		on_simstate(m, &b);
		break;
	case PROTO_W_CLOCK:
		on_clock(m, &b);
		break;
	default:
		modem_lost(m, "unexpected frame type from the worker");
		break;
	}
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct modem		*m = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	unsigned		 gen = m->gen;

	m->last_rx = clock_mono();
	/* any frame is progress: the worker is alive and working through its queue */
	m->busy_since = m->last_rx;
	for (;;) {
		struct proto_hdr	 h;
		unsigned char		 hb[sizeof(h)];
		size_t			 avail = evbuffer_get_length(in);
		enum proto_check	 c;
		void			*payload;

		if (avail < sizeof(h))
			break;
		evbuffer_copyout(in, hb, sizeof(h));
		c = proto_check(hb, avail, &h);
		if (c == PROTO_NEED_MORE)
			break;
		if (c != PROTO_FRAME_OK || h.type < PROTO_W_HELLO || h.type > PROTO_W_MAX) {
			modem_lost(m, c != PROTO_FRAME_OK ? proto_check_str(c) : "not a worker frame");
			return;
		}
		evbuffer_drain(in, sizeof(h));
		payload = xmalloc(h.len + 1);
		evbuffer_remove(in, payload, h.len);
		((char *)payload)[h.len] = '\0';
		on_frame(m, &h, payload);
		free(payload);
		if (m->gen != gen)	/* the worker was dropped while handling the frame */
			return;
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct modem *m = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		modem_lost(m, (what & BEV_EVENT_EOF) ? "worker exited" : "worker socket error");
}

/* Kills a worker and whatever it started (its process group, see child_setup). */
static void
kill_worker(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

static void
child_setup(int fd)
{
	sigset_t	 none;
	int		 i, devnull;

	for (i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* its own process group: a helper libGammu starts (socat for proxyat) dies with it, and a
	 * terminal's Ctrl-C reaches only the daemon, which stops its workers itself */
	setpgid(0, 0);
	closelog();
	if (fd != 3) {
		if (dup2(fd, 3) == -1)
			_exit(MW_EXIT_CONNECT);
	} else
		fcntl(3, F_SETFD, 0);
	if ((devnull = open("/dev/null", O_RDWR)) != -1) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		if (devnull > 3)
			close(devnull);
	}
	/* nothing of the daemon's survives: its store, its event base, its sockets */
	close_range(4, ~0U, 0);
}

static void
modem_spawn(struct modem *m)
{
	int	 sv[2];
	pid_t	 pid;

	reap(m);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		struct timeval tv = { 5, 0 };

		log_warn("modem=%s event=spawn-failed what=socketpair", m->cm->name);
		evtimer_add(m->respawn, &tv);
		return;
	}
	fflush(stderr);
	if ((pid = fork()) == -1) {
		struct timeval tv = { 5, 0 };

		log_warn("modem=%s event=spawn-failed what=fork", m->cm->name);
		close(sv[0]);
		close(sv[1]);
		evtimer_add(m->respawn, &tv);
		return;
	}
	if (pid == 0) {
		child_setup(sv[1]);
		worker_confine_prepare(m->gw->conf);
		modem_worker_main(3, m->cm, &m->plan);
	}
	close(sv[1]);
	setpgid(pid, pid);	/* as the child does: whichever runs first makes the group */
	evutil_make_socket_nonblocking(sv[0]);
	m->pid = pid;
	m->bev = bufferevent_socket_new(m->gw->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(m->bev, read_cb, NULL, event_cb, m);
	bufferevent_enable(m->bev, EV_READ | EV_WRITE);
	m->alive = 1;
	m->hello = 0;
	m->busy_since = clock_mono();
	m->last_rx = m->busy_since;
	log_info("modem=%s event=spawn pid=%d", m->cm->name, (int)pid);
	set_state(m, MODEM_CONNECTING);
}

static void
respawn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct modem *m = arg;

	if (!m->alive && m->cm->enabled)
		modem_spawn(m);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct modem	*m = arg;
	double		 now = clock_mono();

	if (m->nzombies)
		reap(m);
	if (m->alive) {
		long limit = m->cm->command_timeout_s > 0 ? m->cm->command_timeout_s : 60;

		if (outstanding(m) > 0 && m->busy_since > 0 && now - m->busy_since > limit) {
			char why[96];

			snprintf(why, sizeof(why), "watchdog: no answer from the modem within %lds", limit);
			m->worker_error[0] = '\0';
			modem_lost(m, why);
		} else if (m->hello && outstanding(m) == 0 && now - m->last_rx >= PING_IDLE_S) {
			m->ping_out = 1;
			m->busy_since = now;
			w_frame(m, PROTO_W_PING, ++m->next_id, NULL);
		}
	}
	if (m->rested && clock_now() >= m->rest_until) {
		m->rested = 0;
		set_state(m, idle_state(m));
	}
	counters_roll(m);
	balance_maybe(m);
}

struct modem *
modem_new(struct gateway *gw, const struct conf_modem *cm)
{
	struct modem	*m = xcalloc(1, sizeof(*m));

	m->gw = gw;
	m->registered = -1;
	m->cm = cm;
	m->info.name = cm->name;
	m->info.signal = -1;
	m->info.since = clock_now();
	m->pid = -1;
	if (*cm->operator_name)
		snprintf(m->info.operator_name, sizeof(m->info.operator_name), "%s", cm->operator_name);
	today(m->day);
	if (gw->store)
		store_modem_counts(gw->store, cm->name, m->day, &m->info.sent, &m->info.received);
	m->tick = timer_every_ms(gw->base, 1000, tick_cb, m);
	m->respawn = evtimer_new(gw->base, respawn_cb, m);
	if (!cm->enabled) {
		m->info.state = MODEM_DISABLED;
		snprintf(m->info.last_error, sizeof(m->info.last_error), "enabled = no");
		return m;
	}
	m->info.state = MODEM_CONNECTING;
	modem_spawn(m);
	return m;
}

/* Reads what the worker still says after QUIT (send results) for up to `secs`. */
static void
drain_results(struct modem *m, int fd, double secs)
{
	double	 end = clock_mono() + secs;

	while (m->nfl > 0 && clock_mono() < end) {
		struct pollfd		 pfd = { .fd = fd, .events = POLLIN };
		struct proto_hdr	 h;
		void			*payload;
		int			 ms = (int)((end - clock_mono()) * 1000);

		if (poll(&pfd, 1, ms > 0 ? ms : 0) != 1)
			break;
		if (proto_read(fd, &h, &payload) == -1)
			break;
		if (h.type == PROTO_W_SENT) {
			struct pbuf b;

			pbuf_reader(&b, payload, h.len);
			on_sent(m, &b);
		}
		free(payload);
	}
}

/*
 * A worker's last writes: whatever is still queued in the bufferevent goes first (copied: a
 * bufferevent's output cannot be drained from outside), then QUIT, blocking on fd.
 */
static void
write_quit(struct modem *m, int fd)
{
	struct proto_hdr h;
	struct evbuffer	*out = bufferevent_get_output(m->bev);
	size_t		 len = evbuffer_get_length(out), off = 0, at = 0;
	uint8_t		*pending = xmalloc(len + sizeof(h));
	/* evbuffer_copyout refuses a bufferevent's (start-frozen) output; peek does not */
	int		 nv = evbuffer_peek(out, -1, NULL, NULL, 0), k;
	struct evbuffer_iovec *v = xcalloc(nv > 0 ? (size_t)nv : 1, sizeof(*v));

	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	h.type = PROTO_W_QUIT;
	nv = evbuffer_peek(out, -1, NULL, v, nv);
	for (k = 0; k < nv && at < len; k++) {
		size_t l = v[k].iov_len < len - at ? v[k].iov_len : len - at;

		memcpy(pending + at, v[k].iov_base, l);
		at += l;
	}
	free(v);
	memcpy(pending + len, &h, sizeof(h));
	len += sizeof(h);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	while (off < len) {
		ssize_t w = write(fd, pending + off, len - off);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			log_debug("modem=%s event=quit-write-failed", m->cm->name);
			break;
		}
		off += (size_t)w;
	}
	free(pending);
}

/* Asks a live worker politely to stop: it finishes the sends it has, reports them, and exits
 * (results still in our buffer are handled first); then reaps it, killing it after 1 s. */
static void
stop_worker(struct modem *m)
{
	int	 fd = bufferevent_getfd(m->bev), i, status;

	read_cb(m->bev, m);
	bufferevent_flush(m->bev, EV_WRITE, BEV_FLUSH);
	if (m->alive) {
		write_quit(m, fd);
		log_debug("modem=%s event=stopping inflight=%d", m->cm->name, m->nfl);
		m->hello = 0;	/* no new sends from hooks called below */
		drain_results(m, fd, 3.0);
		bufferevent_free(m->bev);
		m->bev = NULL;
	}
	for (i = 0; i < 100; i++) {
		if (waitpid(m->pid, &status, WNOHANG) != 0)
			break;
		usleep(10000);
	}
	if (i == 100) {
		kill_worker(m->pid);
		waitpid(m->pid, &status, 0);
	} else
		kill(-m->pid, SIGKILL);	/* helpers that outlived it */
	m->alive = 0;
}

/* Sends that never came back: the scheduler retries them (or start-up re-queues them). */
static void
fail_inflight(struct modem *m)
{
	struct inflight	 fl[MODEM_INFLIGHT];
	int		 i, nfl = m->nfl;

	memcpy(fl, m->fl, sizeof(fl));
	m->nfl = 0;
	for (i = 0; i < nfl; i++) {
		struct modem_sent s;

		memset(&s, 0, sizeof(s));
		s.outbox_id = fl[i].outbox_id;
		s.result = fl[i].started ? SEND_UNKNOWN : SEND_TEMPFAIL;
		snprintf(s.error, sizeof(s.error), "modem stopped");
		gateway_modem_sent(m->gw, m, &s);
	}
}

void
modem_free(struct modem *m)
{
	struct ussd_req	*u, *next;
	int		 i, status;

	if (m == NULL)
		return;
	if (m->alive)
		stop_worker(m);
	for (i = 0; i < m->nzombies; i++) {
		kill_worker(m->zombies[i]);
		waitpid(m->zombies[i], &status, 0);
	}
	fail_inflight(m);
	for (u = m->ussd; u; u = next) {
		next = u->next;
		u->cb(u->arg, NULL, "modem stopped");
		free(u);
	}
	event_free(m->tick);
	event_free(m->respawn);
	free(m);
}

int
modem_registered(const struct modem *m)
{
	return m->hello ? m->registered : -1;
}

int
modem_send_slots(const struct modem *m)
{
	if (!m->alive || !m->hello || m->rested || m->offnet || !m->cm->enabled)
		return 0;
	if (m->cm->daily_limit > 0 && m->info.sent + m->nfl >= m->cm->daily_limit)
		return 0;
	return MODEM_INFLIGHT - m->nfl;
}

int
modem_send(struct modem *m, const struct modem_send_req *req)
{
	struct pbuf b;

	if (modem_send_slots(m) <= 0)
		return -1;
	owe(m);
	pbuf_init(&b);
	pbuf_u64(&b, req->outbox_id);
	pbuf_str(&b, req->to);
	pbuf_str(&b, req->text);
	pbuf_u32(&b, req->want_report || m->cm->delivery_reports ? 1 : 0);
	w_frame(m, PROTO_W_SEND, req->outbox_id, &b);
	pbuf_free(&b);
	m->fl[m->nfl].outbox_id = req->outbox_id;
	m->fl[m->nfl].started = 0;
	m->nfl++;
	/* no hook from here: the scheduler is the caller */
	if (m->info.state != MODEM_SENDING) {
		m->info.state = MODEM_SENDING;
		m->info.since = clock_now();
	}
	return 0;
}

int
modem_ussd(struct modem *m, const char *code, modem_ussd_cb cb, void *arg)
{
	struct ussd_req	*u, **pp;
	struct pbuf	 b;

	if (!m->alive || !m->hello || code == NULL || *code == '\0' || strlen(code) > 160)
		return -1;
	owe(m);
	u = xcalloc(1, sizeof(*u));
	u->id = ++m->next_id;
	u->cb = cb;
	u->arg = arg;
	for (pp = &m->ussd; *pp; pp = &(*pp)->next)
		;
	*pp = u;
	pbuf_init(&b);
	pbuf_str(&b, code);
	w_frame(m, PROTO_W_USSD, u->id, &b);
	pbuf_free(&b);
	return 0;
}

void
modem_rest(struct modem *m, int seconds)
{
	if (seconds <= 0) {
		m->rested = 0;
	} else {
		m->rested = 1;
		m->rest_until = clock_now() + seconds;
		log_info("modem=%s event=rest seconds=%d", m->cm->name, seconds);
	}
	set_state(m, idle_state(m));
}

void
modem_sms_committed(struct modem *m, uint64_t batch)
{
	w_frame(m, PROTO_W_SMS_ACK, batch, NULL);
}

void
modem_balance_check(struct modem *m)
{
	m->next_balance = 0;
	balance_maybe(m);
}
