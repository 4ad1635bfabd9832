/*
 * http — the USSD callback, /health and /metrics over evhttp (see http.h).
 *
 * One evhttp server on the daemon's loop. libevent bounds what a client can make us hold: the
 * request line and headers (HTTP_MAX_HEADERS_SIZE), the body ([http] max_body, 413), and the time
 * a connection may stay silent ([http] timeout). A slowloris client that keeps dribbling bytes is
 * never silent, so the time a whole request may take is bounded here too: every connection's
 * input buffer has a callback that notes when its request began and shuts the socket down once
 * the request is older than the timeout (libevent 2.1 has no hook for that). Since nothing here
 * blocks, a slow client never delays the others meanwhile. Everything else is checked in the
 * handler: header count (431), method (405), token (401), content type (415), the form body (400
 * for NUL bytes, bad %-escapes, invalid UTF-8, missing fields).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/backup.h"
#include "gateway/http/http.h"
#include "gateway/ingest.h"
#include "gateway/netclock.h"
#include "gateway/retention.h"
#include "gateway/modem/modem.h"
#include "gateway/router.h"
#include "gateway/http/ussd.h"
#include "gateway/web/web.h"
#include "store/store.h"
#include "store/store_announcements.h"
#include "store/store_outbox.h"
#include "store/store_modems.h"

#define SESSION_ID_MAX	USSD_ID_MAX
#define METRICS_MODEMS	64
#define METRICS_BROADCASTS 10
#define FRESH_MAX	64	/* connections accepted and not yet heard from */

#define PENDING_MAX	256	/* accepted connections waiting to be counted (per loop turn) */
#define FLOOD_LOG_S	60	/* at most one line per minute about refused connections */

/* What the request deadline and the connection cap know of one connection, indexed by its socket. */
struct conn_slot {
	const void	*bev;		/* the connection's bufferevent (only compared, never followed) */
	int64_t		 start_ms;	/* when its current request began; 0 between requests */
	int		 closed;
	int		 live;		/* counted against max_connections */
	dev_t		 dev;		/* the socket's identity: a closed and reused fd differs */
	ino_t		 ino;
};

/* the status codes counted one by one in /metrics; anything else goes to "other" (what libevent
 * refuses itself, such as 413 for a body over max_body, is not seen here) */
static const int http_codes[] = { 200, 400, 401, 404, 405, 415, 431, 503, 303, 403, 429 };
#define NCODES	(sizeof(http_codes) / sizeof(http_codes[0]))

struct http {
	struct gateway			*gw;
	struct evhttp			*eh;
	struct evhttp_bound_socket	*sock;
	struct ussd			*ussd;
	struct web			*web;		/* the web console under /console/ */
	SSL_CTX				*tls;		/* [http] cert and key: HTTPS only; NULL plain HTTP */
	char				 addr[80];
	char				*token;
	int				 loopback;
	struct http_stats		 st;
	long				 by_code[NCODES + 1];
	int64_t				 deadline_ms;
	struct conn_slot		*conns;
	int				 nconns;
	const void			*fresh[FRESH_MAX];	/* new bufferevents, to tell a reused address */
	int				 nfresh;
	long				 slow_closed;
	/* the connection cap: evhttp 2.1 has none, and tells nobody when a connection ends */
	long				 max_conns;
	int				 nlive;
	struct bufferevent		*pending[PENDING_MAX];	/* referenced until counted */
	int				 npending;
	struct event			*count_ev;
	struct event			*resume_ev;	/* accepting again after EMFILE/ENFILE */
	long				 refused, refused_logged, accept_pauses;
	long				 bad_tokens, bad_tokens_logged;
	time_t				 bad_token_logged_at;
	time_t				 flood_logged_at;
};

/* The endpoint whose connections the input callbacks watch (one per daemon). */
static struct http *http_live;

/* ---- helpers ---- */

/* Compares in time that depends only on the lengths, not on where the strings differ. */
static int
token_eq(const char *given, const char *want)
{
	size_t		 gl = strlen(given), wl = strlen(want), n = gl > wl ? gl : wl, i;
	unsigned char	 d = gl != wl;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(i < gl ? given[i] : 0) ^ (unsigned char)(i < wl ? want[i] : 0);
	return d == 0;
}

/* Whether a Content-Type is exactly the form type, parameters aside ("…; charset=utf-8"). */
static int
form_type(const char *ct)
{
	static const char	 want[] = "application/x-www-form-urlencoded";
	size_t			 n = sizeof(want) - 1;

	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	for (ct += n; *ct == ' ' || *ct == '\t'; ct++)
		;
	return *ct == '\0' || *ct == ';';
}

/* Whether every '%' starts a valid, non-NUL escape. */
static int
escapes_valid(const char *s)
{
	for (; (s = strchr(s, '%')) != NULL; s += 3) {
		if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]))
			return 0;
		if (s[1] == '0' && s[2] == '0')
			return 0;
	}
	return 1;
}

static void
count(struct http *h, int code)
{
	size_t i;

	h->st.requests++;
	if (code >= 200 && code < 300)
		h->st.ok++;
	else if (code >= 400 && code < 500)
		h->st.client_errors++;
	if (code == 401)
		h->st.unauthorized++;
	if (code == 503)
		h->st.unavailable++;
	for (i = 0; i < NCODES && http_codes[i] != code; i++)
		;
	h->by_code[i]++;
}

static const char *
reason_of(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 415: return "Unsupported Media Type";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

/* Sends what is in the request's output buffer (plus body, if any) with a text/plain type. */
static void
reply(struct http *h, struct evhttp_request *req, int code, const char *body)
{
	struct evkeyvalq	*oh = evhttp_request_get_output_headers(req);
	struct evbuffer		*b = evhttp_request_get_output_buffer(req);

	if (evhttp_find_header(oh, "Content-Type") == NULL)
		evhttp_add_header(oh, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(oh, "Cache-Control", "no-store");
	if (code == 401)
		evhttp_add_header(oh, "WWW-Authenticate", "Bearer realm=\"kentongan\"");
	if (body != NULL) {
		evbuffer_add(b, body, strlen(body));
		evbuffer_add(b, "\n", 1);
	}
	evhttp_send_reply(req, code, reason_of(code), NULL);
	count(h, code);
}

static void
method_not_allowed(struct http *h, struct evhttp_request *req, const char *allow)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
	reply(h, req, 405, "method not allowed here");
}

static int	authorized_check(struct http *, struct evhttp_request *, struct evkeyvalq *, struct evkeyvalq *);

/* A request without the right token: one info line a minute at most, with the count and the latest
 * client (someone guessing tokens shows in the log without filling it). */
static void
token_failed(struct http *h, struct evhttp_request *req)
{
	struct evhttp_connection	*evcon = evhttp_request_get_connection(req);
	char				*addr = NULL;
	ev_uint16_t			 port = 0;
	time_t				 now = time(NULL);

	h->bad_tokens++;
	if (now - h->bad_token_logged_at < 60)
		return;
	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &addr, &port);
	log_info("http: %ld request%s without a valid token since %s; the latest from %s:%u (next report in "
	    "a minute at the earliest)", h->bad_tokens - h->bad_tokens_logged, h->bad_tokens -
	    h->bad_tokens_logged == 1 ? "" : "s", h->bad_token_logged_at ? "the last report" : "start",
	    addr ? addr : "?", (unsigned)port);
	h->bad_token_logged_at = now;
	h->bad_tokens_logged = h->bad_tokens;
}

/* Whether the request carries the token: header, query parameter or form field. */
static int
authorized(struct http *h, struct evhttp_request *req, struct evkeyvalq *query, struct evkeyvalq *form)
{
	int ok = authorized_check(h, req, query, form);

	if (!ok)
		token_failed(h, req);
	return ok;
}

static int
authorized_check(struct http *h, struct evhttp_request *req, struct evkeyvalq *query, struct evkeyvalq *form)
{
	const char	*a, *t;
	int		 ok = 0;

	if (h->token[0] == '\0')
		return 1;
	a = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0) {
		for (a += 7; *a == ' '; a++)
			;
		ok |= token_eq(a, h->token);
	}
	if (query != NULL && (t = evhttp_find_header(query, "token")) != NULL)
		ok |= token_eq(t, h->token);
	if (form != NULL && (t = evhttp_find_header(form, "token")) != NULL)
		ok |= token_eq(t, h->token);
	return ok;
}

/* ---- /health ---- */

/* In service, but a modem cannot read its messages: say which. */
static void
health_degraded(const struct modem_snapshot *s, char *why, size_t len)
{
	size_t	 o;
	int	 i;

	o = (size_t)snprintf(why, len, "ok; degraded:");
	for (i = 0; i < s->n && o < len; i++) {
		const struct modem_fact *f = &s->m[i];

		if (f->up && f->info.degraded)
			o += (size_t)snprintf(why + o, len - o, " %s (%s)", f->info.name, f->info.last_error);
	}
}

/* Out of service: the store, or every modem's state. */
static void
health_down(const struct gateway *gw, const struct modem_snapshot *s, char *why, size_t len)
{
	size_t	 o;
	int	 i;

	if (!gw->store_ok) {
		snprintf(why, len, "store failing (a commit failed; see the log)");
		return;
	}
	if (s->n == 0) {
		snprintf(why, len, "no modem configured");
		return;
	}
	o = (size_t)snprintf(why, len, "no modem ready:");
	for (i = 0; i < s->n && o < len; i++) {
		const struct modem_info *mi = &s->m[i].info;

		o += (size_t)snprintf(why + o, len - o, " %s %s%s%s%s", mi->name, s->m[i].label,
		    mi->degraded ? " (" : "", mi->degraded ? mi->last_error : "", mi->degraded ? ")" : "");
		if (i + 1 < s->n && o < len)
			o += (size_t)snprintf(why + o, len - o, ",");
	}
}

static void
health(struct http *h, struct evhttp_request *req)
{
	struct modem_snapshot	 s;
	char			 why[512];

	modem_snapshot(h->gw, &s);
	if (h->gw->store_ok && s.ready > 0 && s.degraded == 0)
		reply(h, req, 200, "ok");
	else if (h->gw->store_ok && s.ready > 0) {
		health_degraded(&s, why, sizeof(why));
		reply(h, req, 200, why);
	} else {
		health_down(h->gw, &s, why, sizeof(why));
		reply(h, req, 503, why);
	}
	modem_snapshot_free(&s);
}

/* ---- /metrics ---- */

static void
family(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one sample without labels. */
static void
metric1(struct evbuffer *b, const char *name, const char *type, const char *help, long long v)
{
	family(b, name, type, help);
	evbuffer_add_printf(b, "%s %lld\n", name, v);
}

/* A label value with \, " and newline escaped. */
static const char *
label(const char *v, char *out, size_t len)
{
	size_t o = 0;

	for (; *v && o + 3 < len; v++) {
		if (*v == '\\' || *v == '"') {
			out[o++] = '\\';
			out[o++] = *v;
		} else if (*v == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else
			out[o++] = *v;
	}
	out[o] = '\0';
	return out;
}

struct bcast {
	long	 id, recipients, queued, sending, sent, delivered, failed;
};

struct bcasts {
	struct bcast	 b[METRICS_BROADCASTS];
	int		 n;
};

/* The columns of store_list_announcements() that /metrics shows. */
static const struct {
	const char	*name;
	size_t		 off;
} bcast_cols[] = {
	{ "id", offsetof(struct bcast, id) },
	{ "recipients", offsetof(struct bcast, recipients) },
	{ "queued", offsetof(struct bcast, queued) },
	{ "sending", offsetof(struct bcast, sending) },
	{ "sent", offsetof(struct bcast, sent) },
	{ "delivered", offsetof(struct bcast, delivered) },
	{ "failed", offsetof(struct bcast, failed) },
};

static int
bcast_cb(void *arg, const struct table_row *row)
{
	struct bcasts	*bs = arg;
	struct bcast	*b;
	int		 i;
	size_t		 c;

	if (bs->n == METRICS_BROADCASTS)
		return 1;
	b = &bs->b[bs->n++];
	memset(b, 0, sizeof(*b));
	for (i = 0; i < row->n; i++)
		for (c = 0; c < sizeof(bcast_cols) / sizeof(bcast_cols[0]); c++)
			if (!strcmp(row->names[i], bcast_cols[c].name))
				*(long *)((char *)b + bcast_cols[c].off) = row->values[i] ? atol(row->values[i]) : 0;
	return 0;
}

/* clock, backups and retention (issue 17) */
static void
metrics_upkeep(struct gateway *gw, struct evbuffer *b)
{
	struct netclock_info	 ni;
	struct backup_info	 bi;
	struct retention_info	 ri;

	if (gw->netclock != NULL) {
		netclock_get_info(gw->netclock, &ni);
		metric1(b, "kentongan_clock_offset_seconds", "gauge",
		    "the network's time minus the system clock at the last reading", ni.offset_s);
		metric1(b, "kentongan_clock_corrected", "gauge",
		    "1 while the system clock is off and the network's time is used", ni.correction_s != 0);
	}
	if (gw->backup != NULL) {
		backup_get_info(gw->backup, &bi);
		metric1(b, "kentongan_backup_failures_total", "counter", "backups that failed since start",
		    bi.failures);
		metric1(b, "kentongan_backup_failing", "gauge", "1 when the last backup attempt failed",
		    bi.last_error != NULL);
		metric1(b, "kentongan_backup_last_ok_timestamp_seconds", "gauge", "when the last backup was written",
		    (long long)bi.last_ok_at);
	}
	if (gw->retention != NULL) {
		retention_get_info(gw->retention, &ri);
		family(b, "kentongan_retention_deleted_total", "counter", "old rows deleted by retention since start");
		evbuffer_add_printf(b, "kentongan_retention_deleted_total{table=\"inbox\"} %ld\n"
		    "kentongan_retention_deleted_total{table=\"outbox\"} %ld\n"
		    "kentongan_retention_deleted_total{table=\"audit\"} %ld\n", ri.deleted[0], ri.deleted[1],
		    ri.deleted[2]);
	}
}


/* what came in from the modems' batches since start (gateway/ingest.c) */
static void
metrics_ingest(struct gateway *gw, struct evbuffer *b)
{
	const struct ingest_stats *is;

	if (gw->ingest == NULL)
		return;
	is = ingest_stats(gw->ingest);
	metric1(b, "kentongan_ingest_batches_total", "counter", "batches of received parts the modems handed over",
	    is->batches);
	metric1(b, "kentongan_ingest_duplicates_total", "counter",
	    "parts received again (a modem offering a batch a second time) and not stored twice", is->dups);
	metric1(b, "kentongan_ingest_reports_total", "counter",
	    "delivery reports read from the modems' storage (not messages: never in the inbox)", is->reports);
	metric1(b, "kentongan_ingest_failures_total", "counter",
	    "batches whose commit failed (nothing deleted from the modem; offered again)", is->failures);
}

/* the daemon itself */
static void
metrics_daemon(struct gateway *gw, struct evbuffer *b)
{
	metric1(b, "kentongan_up", "gauge", "1: the daemon answers", 1);
	metric1(b, "kentongan_store_ok", "gauge", "1 when the store takes writes, 0 after a failed commit",
	    gw->store_ok ? 1 : 0);
	metric1(b, "kentongan_uptime_seconds", "gauge", "seconds since the daemon started",
	    (long)(clock_now() - gw->started_at));
}

/* The live per-modem families, in the order /metrics shows them. */
enum modem_metric {
	MM_UP, MM_INFO, MM_SIGNAL, MM_LOW_CREDIT, MM_RESTARTS, MM_QUARANTINED, MM_UNDECODABLE, MM_SIM_OTHER,
	MM_DEGRADED, MM_SENT, MM_RECEIVED,
};

static const struct {
	enum modem_metric	 what;
	const char		*name, *type, *help;
} modem_metrics[] = {
	{ MM_UP, "kentongan_modem_up", "gauge", "1 when the modem is ready or sending" },
	{ MM_INFO, "kentongan_modem_info", "gauge",
	    "always 1; the labels tell the modem's state, operator and balance" },
	{ MM_SIGNAL, "kentongan_modem_signal_percent", "gauge", "signal strength (absent while unknown)" },
	{ MM_LOW_CREDIT, "kentongan_modem_low_credit", "gauge",
	    "1 when the last balance check found the credit low" },
	{ MM_RESTARTS, "kentongan_modem_restarts_total", "counter", "worker restarts since the daemon started" },
	{ MM_QUARANTINED, "kentongan_modem_quarantined", "gauge", "messages left on the modem unread: they crash "
	    "libGammu, or cannot be decoded nor read raw" },
	{ MM_UNDECODABLE, "kentongan_modem_undecodable_total", "counter", "messages libGammu could not decode, "
	    "kept raw in the inbox, since the daemon started" },
	{ MM_SIM_OTHER, "kentongan_modem_sim_other", "gauge", "messages on the SIM that are not received ones "
	    "(sent copies, drafts)" },
	{ MM_DEGRADED, "kentongan_modem_degraded", "gauge", "1 when the modem's reads keep failing" },
	{ MM_SENT, "kentongan_modem_sent_today", "gauge", "SMS sent by the modem today" },
	{ MM_RECEIVED, "kentongan_modem_received_today", "gauge", "SMS received by the modem today" },
};

/* One modem's value of a family; 0 when it has none (a signal not known yet). */
static int
modem_metric_value(const struct modem_fact *f, enum modem_metric what, long *v)
{
	const struct modem_info *mi = &f->info;

	switch (what) {
	case MM_UP:		*v = f->up; break;
	case MM_INFO:		*v = 1; break;
	case MM_SIGNAL:		*v = mi->signal; return mi->signal >= 0;
	case MM_LOW_CREDIT:	*v = mi->low_credit ? 1 : 0; break;
	case MM_RESTARTS:	*v = mi->restarts; break;
	case MM_QUARANTINED:	*v = mi->quarantined; break;
	case MM_UNDECODABLE:	*v = mi->undecodable; break;
	case MM_SIM_OTHER:	*v = mi->other_on_sim; break;
	case MM_DEGRADED:	*v = mi->degraded ? 1 : 0; break;
	case MM_SENT:		*v = mi->sent; break;
	case MM_RECEIVED:	*v = mi->received; break;
	}
	return 1;
}

/* modems: the live state */
static void
metrics_modems(struct evbuffer *b, const struct modem_snapshot *s)
{
	char	 l1[160], l2[160], l3[160];
	size_t	 k;
	int	 i;
	long	 v = 0;

	for (k = 0; k < sizeof(modem_metrics) / sizeof(modem_metrics[0]); k++) {
		family(b, modem_metrics[k].name, modem_metrics[k].type, modem_metrics[k].help);
		for (i = 0; i < s->n; i++) {
			const struct modem_fact *f = &s->m[i];

			if (modem_metrics[k].what == MM_INFO)
				evbuffer_add_printf(b, "%s{modem=\"%s\",state=\"%s\",operator=\"%s\","
				    "balance=\"%s\"} 1\n", modem_metrics[k].name, label(f->info.name, l1, sizeof(l1)),
				    f->label, label(f->info.operator_name, l2, sizeof(l2)),
				    label(f->info.balance, l3, sizeof(l3)));
			else if (modem_metric_value(f, modem_metrics[k].what, &v))
				evbuffer_add_printf(b, "%s{modem=\"%s\"} %ld\n", modem_metrics[k].name,
				    label(f->info.name, l1, sizeof(l1)), v);
		}
	}
}

/* modems: the totals kept in the store (configured modems first, then any seen before) */
static void
metrics_totals(struct gateway *gw, struct evbuffer *b, const struct modem_snapshot *s)
{
	static const char *fam[3][2] = {
		{ "kentongan_messages_sent_total", "SMS sent, per modem" },
		{ "kentongan_messages_received_total", "SMS received, per modem" },
		{ "kentongan_messages_failed_total", "outgoing SMS failed for good, per modem that last tried" },
	};
	struct store_modem_total	 tot[METRICS_MODEMS];
	char				 l1[160];
	int				 i, j, k, nt;

	if ((nt = store_modem_totals(gw->store, tot, METRICS_MODEMS)) < 0)
		return;
	for (i = 0; i < s->n && nt < METRICS_MODEMS; i++) {
		for (j = 0; j < nt && strcmp(tot[j].modem, s->m[i].info.name); j++)
			;
		if (j == nt) {
			memset(&tot[nt], 0, sizeof(tot[nt]));
			snprintf(tot[nt].modem, sizeof(tot[nt].modem), "%s", s->m[i].info.name);
			nt++;
		}
	}
	for (k = 0; k < 3; k++) {
		family(b, fam[k][0], "counter", fam[k][1]);
		for (j = 0; j < nt; j++)
			evbuffer_add_printf(b, "%s{modem=\"%s\"} %ld\n", fam[k][0], label(tot[j].modem, l1, sizeof(l1)),
			    k == 0 ? tot[j].sent : k == 1 ? tot[j].received : tot[j].failed);
	}
}

/* the queue */
static void
metrics_queue(struct gateway *gw, struct evbuffer *b)
{
	struct store_queue_counts	 q;

	if (store_queue_counts(gw->store, &q) != STORE_OK)
		return;
	family(b, "kentongan_queue_depth", "gauge", "messages waiting to be sent, per priority");
	evbuffer_add_printf(b, "kentongan_queue_depth{priority=\"alert\"} %ld\n", q.queued_alert);
	evbuffer_add_printf(b, "kentongan_queue_depth{priority=\"normal\"} %ld\n", q.queued - q.queued_alert);
	family(b, "kentongan_outbox_messages", "gauge", "outgoing messages in the store, per status");
	evbuffer_add_printf(b, "kentongan_outbox_messages{status=\"queued\"} %ld\n"
	    "kentongan_outbox_messages{status=\"sending\"} %ld\n"
	    "kentongan_outbox_messages{status=\"sent\"} %ld\n"
	    "kentongan_outbox_messages{status=\"delivered\"} %ld\n"
	    "kentongan_outbox_messages{status=\"failed\"} %ld\n"
	    "kentongan_outbox_messages{status=\"expired\"} %ld\n"
	    "kentongan_outbox_messages{status=\"cancelled\"} %ld\n",
	    q.queued, q.sending, q.sent, q.delivered, q.failed, q.expired, q.cancelled);
}

/* the uplink roles: reporting to a hub, and being one */
static void
metrics_links(struct gateway *gw, struct evbuffer *b)
{
	if (gw->up.enabled) {
		metric1(b, "kentongan_uplink_up", "gauge", "1 while the link to the hub's broker is up", gw->up.online);
		metric1(b, "kentongan_uplink_backlog", "gauge", "records waiting for the hub's acknowledgement",
		    gw->up.backlog);
		metric1(b, "kentongan_uplink_offline_seconds", "gauge", "seconds since the link went down (0 while up)",
		    gw->up.offline_since ? (long)(clock_now() - gw->up.offline_since) : 0L);
		metric1(b, "kentongan_uplink_last_ack_timestamp_seconds", "gauge", "when the hub last acknowledged",
		    (long long)gw->up.last_ack_at);
		metric1(b, "kentongan_uplink_commands_refused_total", "counter",
		    "hub commands refused: bad signature, replay, another box", gw->up.refused);
	}
	if (gw->down.enabled) {
		metric1(b, "kentongan_hub_up", "gauge", "1 while the hub is connected to its broker", gw->down.online);
		family(b, "kentongan_hub_boxes", "gauge", "boxes known to the hub, per state");
		evbuffer_add_printf(b, "kentongan_hub_boxes{state=\"online\"} %ld\n", gw->down.boxes_online);
		evbuffer_add_printf(b, "kentongan_hub_boxes{state=\"offline\"} %ld\n",
		    gw->down.boxes - gw->down.boxes_online);
		metric1(b, "kentongan_hub_commands_pending", "gauge", "commands waiting for boxes to acknowledge",
		    gw->down.backlog);
	}
}

/* broadcasts: the latest few */
static void
metrics_broadcasts(struct gateway *gw, struct evbuffer *b)
{
	static const char	*status[] = { "queued", "sending", "sent", "delivered", "failed" };
	struct bcasts		 bs;
	int			 i, k;

	memset(&bs, 0, sizeof(bs));
	if (store_list_announcements(gw->store, METRICS_BROADCASTS, bcast_cb, &bs) != STORE_OK)
		return;
	family(b, "kentongan_broadcast_recipients", "gauge", "recipients of the latest announcements");
	for (i = 0; i < bs.n; i++)
		evbuffer_add_printf(b, "kentongan_broadcast_recipients{announcement=\"%ld\"} %ld\n", bs.b[i].id,
		    bs.b[i].recipients);
	family(b, "kentongan_broadcast_messages", "gauge",
	    "messages of the latest announcements, per status (progress)");
	for (i = 0; i < bs.n; i++) {
		const long v[] = { bs.b[i].queued, bs.b[i].sending, bs.b[i].sent, bs.b[i].delivered, bs.b[i].failed };

		for (k = 0; k < 5; k++)
			evbuffer_add_printf(b, "kentongan_broadcast_messages{announcement=\"%ld\",status=\"%s\"} %ld\n",
			    bs.b[i].id, status[k], v[k]);
	}
}

/* USSD sessions and the automatic replies' budget */
static void
metrics_ussd(struct http *h, struct evbuffer *b)
{
	struct ussd_stats	 us;

	ussd_stats(h->ussd, &us);
	metric1(b, "kentongan_ussd_sessions_active", "gauge", "USSD sessions in progress", us.active);
	metric1(b, "kentongan_ussd_sessions_total", "counter", "USSD sessions started", us.total);
	metric1(b, "kentongan_ussd_sessions_expired_total", "counter", "USSD sessions forgotten after the idle time",
	    us.expired);
	metric1(b, "kentongan_ussd_sessions_evicted_total", "counter", "USSD sessions dropped to stay under the cap",
	    us.evicted);
	metric1(b, "kentongan_ussd_requests_total", "counter", "USSD callbacks answered", us.requests);
	metric1(b, "kentongan_ussd_actions_total", "counter", "subscriptions, stops and reports made over USSD",
	    us.actions);
}

static void
metrics_replies(struct gateway *gw, struct evbuffer *b)
{
	metric1(b, "kentongan_replies_last_hour", "gauge", "automatic replies (reply, confirm) queued in the last hour",
	    store_outbox_auto_replies_since(gw->store, clock_now() - 3600));
	metric1(b, "kentongan_reply_budget", "gauge", "[gateway] reply_budget: automatic replies an hour (0 = none)",
	    gw->conf->reply_budget);
	family(b, "kentongan_replies_dropped_total", "counter",
	    "automatic replies dropped because the budget was spent");
	evbuffer_add_printf(b, "kentongan_replies_dropped_total{reason=\"budget\"} %ld\n",
	    gw->router ? router_budget_dropped(gw->router) : 0);
}

static void
metrics_http(struct http *h, struct evbuffer *b)
{
	size_t	 c;

	metric1(b, "kentongan_http_connections_refused_total", "counter",
	    "connections closed at once because [http] max_connections were open", h->refused);
	metric1(b, "kentongan_http_accept_pauses_total", "counter",
	    "times accepting paused for a second because the daemon was out of file descriptors", h->accept_pauses);
	family(b, "kentongan_http_requests_total", "counter", "HTTP requests answered, per status code");
	/* this request is counted after it is sent: count it now (a 200) so the figure includes it */
	for (c = 0; c <= NCODES; c++) {
		long n = h->by_code[c] + (c == 0 ? 1 : 0);

		if (c < NCODES)
			evbuffer_add_printf(b, "kentongan_http_requests_total{code=\"%d\"} %ld\n", http_codes[c], n);
		else
			evbuffer_add_printf(b, "kentongan_http_requests_total{code=\"other\"} %ld\n", n);
	}
}

static void
metrics(struct http *h, struct evhttp_request *req)
{
	struct gateway		*gw = h->gw;
	struct evbuffer		*b = evhttp_request_get_output_buffer(req);
	struct modem_snapshot	 s;

	metrics_daemon(gw, b);
	metrics_upkeep(gw, b);
	modem_snapshot(gw, &s);
	metrics_modems(b, &s);
	metrics_totals(gw, b, &s);
	modem_snapshot_free(&s);
	metrics_ingest(gw, b);
	metrics_queue(gw, b);
	metrics_links(gw, b);
	metric1(b, "kentongan_subscribers_active", "gauge", "numbers subscribed to at least one area",
	    store_subscriber_count(gw->store));
	metrics_broadcasts(gw, b);
	metrics_ussd(h, b);
	metric1(b, "kentongan_http_slow_clients_closed_total", "counter",
	    "connections closed because their request took longer than [http] timeout", h->slow_closed);
	metrics_replies(gw, b);
	metrics_http(h, b);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	reply(h, req, 200, NULL);
}

/* ---- /ussd ---- */

static void
ussd(struct http *h, struct evhttp_request *req, struct evkeyvalq *query)
{
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	const char		*ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	const char		*sid, *num, *text, *why = NULL;
	struct evkeyvalq	 form;
	char			*body, screen[USSD_SCREEN_MAX];
	size_t			 len = evbuffer_get_length(in);
	int			 code = 400;

	TAILQ_INIT(&form);
	if (ct != NULL && !form_type(ct)) {
		reply(h, req, 415, "expected application/x-www-form-urlencoded");
		return;
	}
	body = xmalloc(len + 1);
	evbuffer_copyout(in, body, len);
	body[len] = '\0';
	if (memchr(body, '\0', len) != NULL)
		why = "the body contains NUL bytes";
	else if (!escapes_valid(body))
		why = "the body has a bad %-escape";
	else if (evhttp_parse_query_str(body, &form) == -1)
		why = "the body is not a form (name=value&…)";
	if (why != NULL)
		goto out;
	if (!authorized(h, req, query, &form)) {
		code = 401;
		why = "a valid token is needed (Authorization: Bearer TOKEN)";
		goto out;
	}
	sid = evhttp_find_header(&form, "sessionId");
	num = evhttp_find_header(&form, "phoneNumber");
	if ((text = evhttp_find_header(&form, "text")) == NULL)
		text = "";
	if (sid == NULL || *sid == '\0' || num == NULL)
		why = "sessionId and phoneNumber are required";
	else if (strlen(sid) > SESSION_ID_MAX)
		why = "sessionId is too long";
	else if (strlen(text) > USSD_TEXT_MAX)
		why = "text is too long";
	else if (!utf8_valid(sid, strlen(sid)) || !utf8_valid(num, strlen(num)) ||
	    !utf8_valid(text, strlen(text)))
		why = "the fields must be UTF-8";
	if (why != NULL)
		goto out;
	ussd_answer(h->ussd, sid, num, text, screen);
	h->st.ussd++;
	evbuffer_add(evhttp_request_get_output_buffer(req), screen, strlen(screen));
	reply(h, req, 200, NULL);
	free(body);
	evhttp_clear_headers(&form);
	return;
out:
	log_debug("http: /ussd refused code=%d: %s", code, why);
	reply(h, req, code, why);
	free(body);
	evhttp_clear_headers(&form);
}

/* ---- the request deadline ---- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct conn_slot *
conn_slot(struct http *h, evutil_socket_t fd)
{
	if (fd < 0)
		return NULL;
	if (fd >= h->nconns) {
		int n = fd + 64;

		h->conns = xreallocarray(h->conns, (size_t)n, sizeof(*h->conns));
		memset(h->conns + h->nconns, 0, sizeof(*h->conns) * (size_t)(n - h->nconns));
		h->nconns = n;
	}
	return &h->conns[fd];
}

/* Whether bev was accepted and not heard from yet (and forgets it). */
static int
fresh_take(struct http *h, const void *bev)
{
	int i, found = 0;

	for (i = 0; i < h->nfresh; )
		if (h->fresh[i] == bev) {
			h->fresh[i] = h->fresh[--h->nfresh];
			found = 1;
		} else
			i++;
	return found;
}

/* Data arrived on a connection: start its request's clock, or end a request that took too long. */
static void
input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct http		*h = http_live;
	struct bufferevent	*bev = arg;
	struct conn_slot	*c;
	evutil_socket_t		 fd;
	int64_t			 now;

	if (h == NULL || info->n_added == 0 || (fd = bufferevent_getfd(bev)) < 0 ||
	    (c = conn_slot(h, fd)) == NULL)
		return;
	now = now_ms();
	if (fresh_take(h, bev) || c->bev != bev) {
		c->bev = bev;
		c->start_ms = now;
		c->closed = 0;
		return;
	}
	if (c->start_ms == 0)
		c->start_ms = now;
	else if (now - c->start_ms > h->deadline_ms && !c->closed) {
		c->closed = 1;
		h->slow_closed++;
		log_info("http: closing a connection whose request took over %llds", (long long)h->deadline_ms / 1000);
		/* evhttp reads the end of the stream next and frees the connection itself */
		shutdown(fd, SHUT_RDWR);
	}
}

static struct bufferevent *
bev_cb(struct event_base *base, void *arg)
{
	struct http		*h = arg;
	struct bufferevent	*bev;

	if (h->tls != NULL) {
		SSL *ssl = SSL_new(h->tls);

		if (ssl == NULL)
			return NULL;
		/* the SSL is freed with the bufferevent (BEV_OPT_CLOSE_ON_FREE) */
		bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	} else
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);

	if (bev == NULL)
		return NULL;
	evbuffer_add_cb(bufferevent_get_input(bev), input_cb, bev);
	if (h->nfresh == FRESH_MAX)
		memmove(h->fresh, h->fresh + 1, sizeof(h->fresh[0]) * (FRESH_MAX - 1));
	else
		h->nfresh++;
	h->fresh[h->nfresh - 1] = bev;
	/* evhttp gives the bufferevent its socket after this returns: count it once the listener's
	 * turn is over (a reference keeps it valid even if evhttp drops it meanwhile) */
	if (h->npending < PENDING_MAX) {
		bufferevent_incref(bev);
		h->pending[h->npending++] = bev;
		if (h->npending == 1)
			event_active(h->count_ev, EV_TIMEOUT, 0);
	}
	return bev;
}

/* Whether the socket in slot c (fd) is still the connection counted there. */
static int
slot_alive(struct conn_slot *c, int fd)
{
	struct stat	 sb;

	return fstat(fd, &sb) == 0 && S_ISSOCK(sb.st_mode) && sb.st_dev == c->dev && sb.st_ino == c->ino;
}

/* Counts the connections still open (the closed ones are noticed here, by their sockets). */
static void
recount(struct http *h)
{
	int fd;

	h->nlive = 0;
	for (fd = 0; fd < h->nconns; fd++) {
		struct conn_slot *c = &h->conns[fd];

		if (!c->live)
			continue;
		if (slot_alive(c, fd))
			h->nlive++;
		else
			c->live = 0;
	}
}

static void
flood_log(struct http *h, const char *what)
{
	time_t now = time(NULL);

	if (now - h->flood_logged_at < FLOOD_LOG_S)
		return;
	h->flood_logged_at = now;
	log_warnx("http: %s; %ld connection%s refused so far, accept paused %ld time%s (max_connections=%ld; "
	    "next report in %ds at the earliest)", what, h->refused, h->refused == 1 ? "" : "s", h->accept_pauses,
	    h->accept_pauses == 1 ? "" : "s", h->max_conns, FLOOD_LOG_S);
}

/* New connections of this loop turn: each is counted, or closed when the cap is reached. */
static void
count_cb(evutil_socket_t unused, short what, void *arg)
{
	struct http	*h = arg;
	int		 i;

	for (i = 0; i < h->npending; i++) {
		struct bufferevent	*bev = h->pending[i];
		evutil_socket_t		 fd = bufferevent_getfd(bev);
		struct conn_slot	*c;
		struct stat		 sb;

		if (fd >= 0 && (c = conn_slot(h, fd)) != NULL && fstat(fd, &sb) == 0) {
			if (h->nlive >= h->max_conns)
				recount(h);
			if (h->nlive >= h->max_conns) {
				h->refused++;
				c->live = 0;
				/* evhttp reads the end of the stream next and frees the connection itself */
				shutdown(fd, SHUT_RDWR);
				flood_log(h, "too many connections at once");
			} else {
				c->live = 1;
				c->dev = sb.st_dev;
				c->ino = sb.st_ino;
				h->nlive++;
			}
		}
		bufferevent_decref(bev);
	}
	h->npending = 0;
}

static void
resume_cb(evutil_socket_t unused, short what, void *arg)
{
	struct http *h = arg;

	if (h->sock != NULL)
		evconnlistener_enable(evhttp_bound_socket_get_listener(h->sock));
}

/* accept() failed. Out of descriptors (EMFILE, ENFILE) the listener would be woken again at once
 * and spin: it pauses for a second instead. libevent's own line per failure is replaced by ours. */
static void
accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct http	*h = http_live;	/* arg is the listener's: evhttp's own, not ours */
	int		 err = EVUTIL_SOCKET_ERROR();

	if (h == NULL)
		return;

	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		struct timeval tv = { 1, 0 };

		evconnlistener_disable(lev);
		evtimer_add(h->resume_ev, &tv);
		h->accept_pauses++;
		flood_log(h, err == EMFILE || err == ENFILE ? "out of file descriptors, accept paused for 1s" :
		    "out of memory for sockets, accept paused for 1s");
	} else if (time(NULL) - h->flood_logged_at >= FLOOD_LOG_S) {
		h->flood_logged_at = time(NULL);
		log_warnx("http: accept: %s", strerror(err));
	}
}

/* A whole request arrived: the connection's clock stops until the next one. */
static void
request_arrived(struct http *h, struct evhttp_request *req)
{
	struct evhttp_connection	*evcon = evhttp_request_get_connection(req);
	struct bufferevent		*bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	struct conn_slot		*c;

	if (bev != NULL && (c = conn_slot(h, bufferevent_getfd(bev))) != NULL && c->bev == bev)
		c->start_ms = 0;
}

/* ---- dispatch ---- */

static void
request_cb(struct evhttp_request *req, void *arg)
{
	struct http		*h = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char		*qs = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	enum evhttp_cmd_type	 m = evhttp_request_get_command(req);
	struct evkeyvalq	*hdrs = evhttp_request_get_input_headers(req);
	struct evkeyvalq	 query;
	struct evkeyval		*kv;
	int			 nh = 0;

	TAILQ_INIT(&query);
	request_arrived(h, req);
	TAILQ_FOREACH(kv, hdrs, next)
		nh++;
	if (nh > HTTP_MAX_HEADERS) {
		reply(h, req, 431, "too many header lines");
		return;
	}
	if (path == NULL || *path == '\0') {
		reply(h, req, 400, "no path");
		return;
	}
	if (qs != NULL && (!escapes_valid(qs) || evhttp_parse_query_str(qs, &query) == -1)) {
		reply(h, req, 400, "bad query string");
		goto out;
	}
	if (strcmp(path, "/console") == 0 || strncmp(path, "/console/", 9) == 0) {
		/* the console has its own accounts: the machine token is not asked for there */
		count(h, web_handle(h->web, req, path, qs, h->tls != NULL));
	} else if (strcmp(path, "/health") == 0) {
		if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD)
			method_not_allowed(h, req, "GET, HEAD");
		else
			health(h, req);
	} else if (strcmp(path, "/metrics") == 0) {
		if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD)
			method_not_allowed(h, req, "GET, HEAD");
		else if (!authorized(h, req, &query, NULL))
			reply(h, req, 401, "a valid token is needed (Authorization: Bearer TOKEN)");
		else
			metrics(h, req);
	} else if (strcmp(path, "/ussd") == 0) {
		if (m != EVHTTP_REQ_POST)
			method_not_allowed(h, req, "POST");
		else
			ussd(h, req, &query);
	} else
		reply(h, req, 404, "not found: try POST /ussd, GET /health, GET /metrics or /console/");
out:
	evhttp_clear_headers(&query);
}

/* ---- the module ---- */

/* The TLS context of [http] cert and key; NULL with err set when they cannot be used. */
static SSL_CTX *
tls_new(const struct conf *conf, char *err, size_t errlen)
{
	SSL_CTX		*ctx = SSL_CTX_new(TLS_server_method());
	unsigned long	 e;

	if (ctx == NULL) {
		snprintf(err, errlen, "http: TLS: cannot create a context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate_chain_file(ctx, conf->http_cert) != 1) {
		e = ERR_get_error();
		snprintf(err, errlen, "[http] cert = %s: not a usable PEM certificate (%s)", conf->http_cert,
		    ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "unknown error");
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, conf->http_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		e = ERR_get_error();
		snprintf(err, errlen, "[http] key = %s: not the PEM private key of cert (%s)", conf->http_key,
		    ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "unknown error");
		goto fail;
	}
	return ctx;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

static int
split_listen(const char *listen, char *host, size_t hlen, unsigned short *port)
{
	const char	*colon = strrchr(listen, ':');
	size_t		 n;
	long		 p;
	char		*end;

	if (colon == NULL)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end || p < 1 || p > 65535)
		return -1;
	n = (size_t)(colon - listen);
	if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	if (n >= hlen)
		return -1;
	snprintf(host, hlen, "%.*s", (int)n, listen);
	if (*host == '\0')
		snprintf(host, hlen, "0.0.0.0");
	*port = (unsigned short)p;
	return 0;
}

struct http *
http_new(struct gateway *gw, char *err, size_t errlen)
{
	const struct conf		*conf = gw->conf;
	struct http			*h = xcalloc(1, sizeof(*h));
	struct sockaddr_storage		 ss;
	socklen_t			 sl = sizeof(ss);
	char				 host[64], ip[INET6_ADDRSTRLEN];
	unsigned short			 port;
	evutil_socket_t			 fd;

	h->gw = gw;
	h->token = xstrdup(conf->http_token ? conf->http_token : "");
	if (split_listen(conf->http_listen, host, sizeof(host), &port) == -1) {
		snprintf(err, errlen, "[http] listen = %s: expected ADDRESS:PORT", conf->http_listen);
		goto fail;
	}
	if ((h->ussd = ussd_new(gw, conf->http_menu, err, errlen)) == NULL)
		goto fail;
	h->web = web_new(gw);
	if ((conf->http_cert && *conf->http_cert) != (conf->http_key && *conf->http_key)) {
		snprintf(err, errlen, "[http] cert and key go together: set both for HTTPS, or neither");
		goto fail;
	}
	if (conf->http_cert && *conf->http_cert && (h->tls = tls_new(conf, err, errlen)) == NULL)
		goto fail;
	if ((h->eh = evhttp_new(gw->base)) == NULL) {
		snprintf(err, errlen, "http: evhttp_new failed");
		goto fail;
	}
	evhttp_set_max_body_size(h->eh, conf->http_max_body);
	evhttp_set_max_headers_size(h->eh, HTTP_MAX_HEADERS_SIZE);
	evhttp_set_timeout(h->eh, (int)conf->http_timeout_s);
	/* every method reaches the handler, which answers 405 rather than libevent's 501 */
	evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(h->eh, request_cb, h);
	evhttp_set_bevcb(h->eh, bev_cb, h);
	h->deadline_ms = conf->http_timeout_s * 1000;
	h->max_conns = conf->http_max_connections > 0 ? conf->http_max_connections : 256;
	{
		/* the cap must leave descriptors for the store, the control socket and the modems */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    (rlim_t)h->max_conns + 64 > rl.rlim_cur) {
			long lim = rl.rlim_cur > 128 ? (long)rl.rlim_cur - 64 : 64;

			log_warnx("http: max_connections=%ld is too close to the limit of open files (%llu): using %ld",
			    h->max_conns, (unsigned long long)rl.rlim_cur, lim);
			h->max_conns = lim;
		}
	}
	h->count_ev = event_new(gw->base, -1, 0, count_cb, h);
	h->resume_ev = evtimer_new(gw->base, resume_cb, h);
	if ((h->sock = evhttp_bind_socket_with_handle(h->eh, host, port)) == NULL) {
		snprintf(err, errlen, "[http] listen = %s: cannot listen there (%s); is another program using "
		    "the port?", conf->http_listen, strerror(errno));
		goto fail;
	}
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(h->sock), accept_error_cb);
	fd = evhttp_bound_socket_get_fd(h->sock);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		snprintf(err, errlen, "http: getsockname: %s", strerror(errno));
		goto fail;
	}
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		h->loopback = (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
		snprintf(h->addr, sizeof(h->addr), "%s:%u", ip, ntohs(sin->sin_port));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		h->loopback = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
		snprintf(h->addr, sizeof(h->addr), "[%s]:%u", ip, ntohs(sin6->sin6_port));
	}
	if (!h->loopback) {
		if (!conf_token_strong(h->token)) {
			snprintf(err, errlen, "[http] listen = %s is not the loopback: the token must be a long "
			    "random string (at least %d characters, not change-me; e.g. openssl rand -hex 24)",
			    conf->http_listen, CONF_TOKEN_MIN);
			goto fail;
		}
		log_warnx("http: listening on %s, off the loopback: only the token protects it; put it "
		    "behind a firewall or a TLS proxy", h->addr);
	} else if (h->token[0] == '\0')
		log_info("http: no token set: any program on this host may call the endpoint");
	log_info("http: listening on %s%s (POST /ussd, GET /health, GET /metrics, /console/) max_body=%ld "
	    "timeout=%lds", h->tls ? "https://" : "", h->addr, conf->http_max_body, conf->http_timeout_s);
	http_live = h;
	return h;
fail:
	http_free(h);
	return NULL;
}

int
http_reload_menu(struct http *h, char *err, size_t errlen)
{
	return ussd_reload(h->ussd, h->gw->conf->http_menu, err, errlen);
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	if (http_live == h)
		http_live = NULL;
	if (h->eh != NULL)
		evhttp_free(h->eh);
	while (h->npending > 0)
		bufferevent_decref(h->pending[--h->npending]);
	if (h->count_ev != NULL)
		event_free(h->count_ev);
	if (h->resume_ev != NULL)
		event_free(h->resume_ev);
	free(h->conns);
	ussd_free(h->ussd);
	web_free(h->web);
	if (h->tls != NULL)
		SSL_CTX_free(h->tls);
	free(h->token);
	free(h);
}

const char *
http_address(const struct http *h)
{
	return h->addr;
}

void
http_stats(const struct http *h, struct http_stats *out)
{
	struct ussd_stats us;

	*out = h->st;
	out->connections = h->nlive;
	out->refused = h->refused;
	out->accept_pauses = h->accept_pauses;
	ussd_stats(h->ussd, &us);
	out->ussd_active = us.active;
	out->ussd_sessions = us.total;
}

static int
str_differ(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

int
http_conf_changed(const struct conf *a, const struct conf *b)
{
	return a->http_enabled != b->http_enabled || str_differ(a->http_listen, b->http_listen) ||
	    str_differ(a->http_token, b->http_token) || str_differ(a->http_menu, b->http_menu) ||
	    a->http_max_body != b->http_max_body || a->http_timeout_s != b->http_timeout_s ||
	    str_differ(a->http_cert, b->http_cert) || str_differ(a->http_key, b->http_key) ||
	    a->http_max_connections != b->http_max_connections ||
	    str_differ(a->language, b->language);
}
