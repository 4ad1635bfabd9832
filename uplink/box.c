/*
 * box — the box role ([uplink]): reports to the hub and applies its signed commands.
 *
 * Up: a timer copies new inbox rows and posts into uplink_out (SQL only, so it runs whether the
 * link is up or not) and, while connected, publishes batches from the last acknowledged seq of
 * each lane, prio first, at most UPLINK_WINDOW records ahead. The hub answers with the highest
 * contiguous seq it committed; only then are records deleted. On every (re)connect, and when acks
 * stop coming for UPLINK_RESEND_S, sending starts again from the ack.
 * Down: a command is acted on only if its Ed25519 signature verifies with hub_key, it names this
 * box, and its seq is the next of its lane (store_downlink_check); the effect and the new seq
 * commit in one transaction, then the box acknowledges up. Anything else is refused, logged and
 * audited, and sends no SMS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/areacode.h"
#include "common/conf.h"
#include "common/msisdn.h"
#include "common/log.h"
#include "common/str.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/broadcast.h"
#include "gateway/gateway.h"
#include "gateway/modem/modem.h"
#include "gateway/relay.h"
#include "store/store.h"
#include "store/store_outbox.h"
#include "store/store_posts.h"
#include "store/store_uplink.h"
#include "uplink/mqlink.h"
#include "uplink/sign.h"
#include "uplink/uplink-internal.h"
#include "uplink/uplink.h"

struct lane {
	const char		*name;
	struct uplink_window	 w;
};

struct uplink {
	struct gateway	*gw;
	struct uplink_conn conn;
	struct sign_key	*hub_key;
	char		 epoch[UPLINK_EPOCH_LEN];
	char		 box[64];	/* [uplink] box, fixed until a restart */
	int		 share_numbers;
	char		 t_up[96], t_down[96], t_status[UPLINK_TOPIC_MAX];
	struct lane	 lanes[2];
	time_t		 status_at, progress_at, stats_at;
	int		 status_dirty;
	int		 modems_ready;	/* as last reported */
	long		 subscribers;
};

static void	update_stats(struct uplink *);

static void
refuse(struct uplink *u, const char *why, const struct uplink_cmd *c)
{
	char	 detail[512], e1[128], e2[64];

	u->gw->up.refused++;
	log_warnx("uplink: command refused reason=\"%s\" hub=%s box=%s lane=%s seq=%s kind=%s", why,
	    c && c->hub ? c->hub : "-", c && c->box ? c->box : "-", c && c->lane ? c->lane : "-",
	    c && c->seq ? c->seq : "-", c && c->kind ? c->kind : "-");
	snprintf(detail, sizeof(detail), "{\"reason\":\"%s\",\"box\":\"%s\",\"lane\":\"%s\",\"seq\":%s}",
	    json_escape(why, e1, sizeof(e1)), json_escape(c && c->box ? c->box : "", e2, sizeof(e2)),
	    c && c->lane && (!strcmp(c->lane, "alert") || !strcmp(c->lane, "cmd")) ? c->lane : "",
	    c && c->seq && str_is_digits(c->seq) ? c->seq : "null");
	if (store_audit(u->gw->store, "uplink", "command refused", detail) != STORE_OK)
		log_warnx("uplink: auditing a refused command: %s", store_errmsg(u->gw->store));
}

/* The modems ready or sending, as the box reports them to the hub. */
static int
modems_up(struct gateway *gw)
{
	struct modem_snapshot	 s;

	modem_snapshot(gw, &s);
	modem_snapshot_free(&s);
	return s.up;
}

static void
send_status(struct uplink *u, const char *state)
{
	struct gateway	*gw = u->gw;
	char		*counts = NULL, *msg = NULL, areas[512];
	long		 total = 0;
	int		 ready = modems_up(gw);

	if (store_uplink_subscriber_counts(gw->store, &counts, &total) != STORE_OK)
		log_warnx("uplink: counting subscribers: %s", store_errmsg(gw->store));
	json_escape(gw->conf->areas, areas, sizeof(areas));
	xasprintf(&msg, "{\"v\":1,\"box\":\"%s\",\"state\":\"%s\",\"epoch\":\"%s\",\"areas\":\"%s\","
	    "\"modems\":%d,\"modems_ready\":%d,\"subscribers\":%s,\"subscribers_total\":%ld,\"up_pending\":%ld,"
	    "\"version\":\"%s\"}", u->box, state, u->epoch, areas, gw->nmodems, ready,
	    counts ? counts : "{}", total, gw->up.backlog, KT_VERSION);
	if (mqlink_publish(u->conn.link, u->t_status, msg, strlen(msg), 1) == 0) {
		u->status_at = clock_now();
		u->status_dirty = 0;
	}
	free(counts);
	free(msg);
}

/* Acknowledges lane up to seq; reused > 0 also names a number the hub reused (uplink_ack_parse). */
static void
send_ack(struct uplink *u, const char *hub_epoch, const char *lane, int64_t seq, int64_t reused)
{
	char	 topic[UPLINK_TOPIC_MAX], msg[256], extra[40] = "";

	snprintf(topic, sizeof(topic), "%s/ack", u->t_up);
	if (reused > 0)
		snprintf(extra, sizeof(extra), ",\"reused\":%lld", (long long)reused);
	snprintf(msg, sizeof(msg), "{\"v\":1,\"epoch\":\"%s\",\"lane\":\"%s\",\"seq\":%lld%s}", hub_epoch, lane,
	    (long long)seq, extra);
	(void)mqlink_publish(u->conn.link, topic, msg, strlen(msg), 0);
}

/* Parses a JSON array of strings of digits (area codes) into out. */
static int
parse_codes(const char *json, char out[][16], int max)
{
	int		 n = 0;
	const char	*p = json;

	while (p && (p = strchr(p, '"')) != NULL && n < max) {
		const char *q = strchr(p + 1, '"');

		if (q == NULL)
			break;
		if (q - p - 1 < 16)
			snprintf(out[n++], 16, "%.*s", (int)(q - p - 1), p + 1);
		p = q + 1;
	}
	return n;
}

struct import_ctx {
	struct gateway	*gw;
	long		 added, rejected;
};

static int
import_row_cb(void *arg, const char *const *cols, int n)
{
	struct import_ctx	*ic = arg;
	char			 number[MSISDN_MAX];
	const char		*why;
	int			 created;

	if (cols[0] == NULL || cols[1] == NULL ||
	    msisdn_normalise(cols[0], ic->gw->conf->country, number, &why) == -1 ||
	    !areacode_in_list(cols[1], ic->gw->conf->areas)) {
		ic->rejected++;
		return 0;
	}
	if (store_subscribe(ic->gw->store, number, cols[1], cols[2], &created) != STORE_OK)
		return 1;
	ic->added += created;
	return 0;
}

/* An announcement to queue here, its hub id kept to report progress. */
static int
apply_broadcast(struct uplink *u, const struct uplink_cmd *c, int *queued)
{
	static const char *const paths[] = { "$.id", "$.text", "$.areas", "$.priority", "$.expires_at" };
	struct gateway		*gw = u->gw;
	struct store		*st = gw->store;
	char			*v[5], codes[BROADCAST_MAX_AREAS][16], source[96], err[512];
	struct broadcast_req	 req;
	struct broadcast_res	 res;
	int			 i, n, rc;

	if (store_json_get(st, c->body, paths, 5, v) != STORE_OK)
		return -1;
	memset(&req, 0, sizeof(req));
	req.text = v[1];
	n = parse_codes(v[2] ? v[2] : "[]", codes, BROADCAST_MAX_AREAS);
	for (i = 0; i < n; i++)
		req.areas[req.nareas++] = codes[i];
	req.priority = v[3] && atoi(v[3]) == 0 ? OUTBOX_ALERT : OUTBOX_NORMAL;
	req.expires_at = v[4] ? (time_t)atoll(v[4]) : 0;
	snprintf(source, sizeof(source), "hub:%s", c->hub);
	req.source = source;
	rc = broadcast_queue(gw, &req, &res, err, sizeof(err));
	if (rc == 0 && res.id > 0 && v[0] && store_downlink_announcement(st, res.id, atoll(v[0])) != STORE_OK)
		rc = -2;
	if (rc == -1)
		log_warnx("uplink: broadcast from the hub not queued here hub_id=%s: %s", v[0] ? v[0] : "?", err);
	else if (rc == 0) {
		log_info("uplink: broadcast from the hub hub_id=%s id=%lld recipients=%ld", v[0] ? v[0] : "?",
		    (long long)res.id, res.recipients);
		*queued = 1;
	}
	for (i = 0; i < 5; i++)
		free(v[i]);
	return rc == -2 ? -1 : 0;
}

/* A decision on a post (post_review) or a reply to its sender (post_reply). */
static int
apply_post(struct uplink *u, const struct uplink_cmd *c, int *queued)
{
	static const char *const paths[] = { "$.post", "$.approve", "$.text" };
	struct gateway	*gw = u->gw;
	struct store	*st = gw->store;
	char		*v[3], extra[64], *ex = NULL, err[512];
	int64_t		 id;
	int		 r, rc = 0;

	if (store_json_get(st, c->body, paths, 3, v) != STORE_OK)
		return -1;
	id = v[0] ? atoll(v[0]) : 0;
	/* a regency hub passes a decision on a post one of its boxes received further down */
	if (!strcmp(c->kind, "post_review"))
		snprintf(extra, sizeof(extra), "\"approve\":%s", v[1] && atoi(v[1]) ? "true" : "false");
	else
		extra[0] = '\0';
	if (gw->conf->hub_enabled) {
		if (!strcmp(c->kind, "post_reply")) {
			char e[1024];

			xasprintf(&ex, "\"text\":\"%s\"", json_escape(v[2] ? v[2] : "", e, sizeof(e)));
		}
		r = relay_post(gw, id, c->kind, ex ? ex : extra, err, sizeof(err));
		free(ex);
		if (r < 0)
			rc = -1;
		if (r != 0)
			goto done;
	}
	if (!strcmp(c->kind, "post_review")) {
		enum store_status s = store_post_review(st, id, v[1] && atoi(v[1]));

		if (s == STORE_OK)
			log_info("uplink: post %lld %s by the hub", (long long)id,
			    v[1] && atoi(v[1]) ? "approved" : "rejected");
		else if (s != STORE_NOTFOUND && s != STORE_INVALID)
			rc = -1;
	} else {
		char			 number[32];
		struct store_outbox_new	 o;
		enum store_status	 s = store_post_sender(st, id, number, sizeof(number));

		if (s == STORE_OK && v[2] && *v[2]) {
			memset(&o, 0, sizeof(o));
			o.number = number;
			o.text = v[2];
			o.kind = OUTBOX_MANUAL;
			o.priority = OUTBOX_NORMAL;
			if (store_outbox_add(st, &o, NULL) != STORE_OK)
				rc = -1;
			else
				*queued = 1;
		} else if (s != STORE_OK && s != STORE_NOTFOUND)
			rc = -1;
	}
done:
	for (r = 0; r < 3; r++)
		free(v[r]);
	return rc;
}

/* One chunk of a subscriber list the hub holds for this box. */
static int
apply_subscribers(struct uplink *u, const struct uplink_cmd *c, int *queued)
{
	struct import_ctx	 ic = { u->gw, 0, 0 };

	(void)queued;	/* subscribers send nothing */
	if (store_json_rows(u->gw->store, c->body, "$.rows", import_row_cb, &ic) != STORE_OK)
		return -1;
	log_info("uplink: subscribers from the hub seq=%s added=%ld rejected=%ld", c->seq, ic.added, ic.rejected);
	return 0;
}

static const struct {
	const char	*kind;
	int		(*apply)(struct uplink *, const struct uplink_cmd *, int *queued);
} commands[] = {
	{ "broadcast", apply_broadcast },
	{ "post_review", apply_post },
	{ "post_reply", apply_post },
	{ "subscribers", apply_subscribers },
};

/* Applies one command inside the open transaction. 0 applied (or refused for good: the lane
 * goes on), -1 the store failed (roll back and try again later). */
static int
apply(struct uplink *u, const struct uplink_cmd *c, int *queued)
{
	size_t	 i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(c->kind, commands[i].kind))
			return commands[i].apply(u, c, queued);
	log_warnx("uplink: unknown command kind=%s seq=%s: skipped", c->kind, c->seq);
	return 0;
}

/* The hub's acknowledgement of our records (body {"epoch", "lane", "seq"}). */
static void
on_ack(struct uplink *u, const char *body)
{
	struct gateway	*gw = u->gw;
	struct store	*st = gw->store;
	char		 lane[16];
	int64_t		 acked;
	int		 i;

	if (uplink_ack_parse(st, body, u->epoch, lane, sizeof(lane), &acked, NULL) == 0 &&
	    (!strcmp(lane, "prio") || !strcmp(lane, "bulk"))) {
		enum store_status s = store_uplink_acked(st, lane, acked);

		if (s == STORE_INVALID) {
			log_warnx("uplink: %s: this database was restored from a backup; starting a new "
			    "epoch so no number is reused", store_errmsg(st));
			if (store_uplink_new_epoch(st, u->epoch) != STORE_OK)
				log_warnx("uplink: new epoch: %s", store_errmsg(st));
			for (i = 0; i < 2; i++)
				u->lanes[i].w.sent = u->lanes[i].w.acked = 0;
			u->status_dirty = 1;
		} else if (s != STORE_OK)
			log_warnx("uplink: recording an ack: %s", store_errmsg(st));
		for (i = 0; i < 2; i++)
			if (!strcmp(u->lanes[i].name, lane) && acked > u->lanes[i].w.acked) {
				u->lanes[i].w.acked = acked;
				u->lanes[i].w.progress_at = clock_now();
				gw->up.last_ack_at = clock_now();
			}
	}
	update_stats(u);
}

/*
 * A command whose number this box already applied. The same command again (its id, or a hub that
 * sends no ids) is a resend or a replay: nothing is done again, and the ack names that number
 * (not the lane's highest: the hub then drops only what it knows was applied). Another command
 * under an applied number means the hub was restored from a backup and hands out numbers again:
 * the ack says so ("reused"), and the hub numbers what waits on from `applied`.
 */
static void
old_command(struct uplink *u, const struct uplink_cmd *c, int64_t seq, int64_t applied)
{
	char	 id[UPLINK_ID_LEN];

	if (c->id != NULL && store_downlink_id_at(u->gw->store, c->lane, c->epoch, seq, id) == STORE_OK &&
	    strcmp(id, c->id) != 0) {
		log_warnx("uplink: the hub sent another command under seq=%lld lane=%s, which this box applied "
		    "already: the hub was restored from a backup; asking it to number on from %lld", (long long)seq,
		    c->lane, (long long)applied);
		refuse(u, "number already used by another command (hub restored from a backup)", c);
		send_ack(u, c->epoch, c->lane, applied, seq);
		return;
	}
	refuse(u, "already applied (replay or resend)", c);
	send_ack(u, c->epoch, c->lane, c->id != NULL ? seq : applied, 0);
}

static void
on_command(struct uplink *u, const char *payload)
{
	struct gateway		*gw = u->gw;
	struct store		*st = gw->store;
	struct uplink_cmd	 c;
	char			*cmd = NULL, *sig = NULL;
	int64_t			 seq, applied;
	int			 queued = 0, again;

	memset(&c, 0, sizeof(c));
	if (uplink_open_envelope(st, payload, &cmd, &sig) == -1) {
		refuse(u, "not a signed command", NULL);
		return;
	}
	if (!sign_verify(u->hub_key, cmd, strlen(cmd), sig)) {
		uplink_cmd_parse(st, cmd, &c);
		refuse(u, "bad signature", &c);
		goto out;
	}
	if (uplink_cmd_parse(st, cmd, &c) == -1) {
		refuse(u, "malformed command", &c);
		goto out;
	}
	if (strcmp(c.box, u->box)) {
		refuse(u, "addressed to another box", &c);
		goto out;
	}
	seq = atoll(c.seq);
	if (!strcmp(c.kind, "ack")) {
		on_ack(u, c.body);
		goto out;
	}
	if (strcmp(c.lane, "alert") && strcmp(c.lane, "cmd")) {
		refuse(u, "unknown lane", &c);
		goto out;
	}
	switch (store_downlink_check(st, c.lane, c.epoch, seq, &applied)) {
	case DOWNLINK_OLD:
		old_command(u, &c, seq, applied);
		goto out;
	case DOWNLINK_GAP:
		log_debug("uplink: command seq=%lld lane=%s ahead of applied=%lld: waiting for the earlier ones",
		    (long long)seq, c.lane, (long long)applied);
		goto out;
	case DOWNLINK_ERROR:
		log_warnx("uplink: %s", store_errmsg(st));
		goto out;
	case DOWNLINK_APPLY:
		break;
	}
	if (store_begin(st) != STORE_OK) {
		log_warnx("uplink: %s", store_errmsg(st));
		goto out;
	}
	/* a command a restored hub sends again under a new number: taken (the number), not done again */
	again = store_downlink_seen(st, c.id);
	if ((!again && apply(u, &c, &queued) == -1) ||
	    store_downlink_applied(st, c.lane, c.epoch, seq, c.id) != STORE_OK || store_commit(st) != STORE_OK) {
		log_warnx("uplink: applying command seq=%lld lane=%s: %s; it will be retried", (long long)seq,
		    c.lane, store_errmsg(st));
		store_rollback(st);
		gateway_store_failed(gw, "applying a command from the hub");
		goto out;
	}
	if (again)
		log_info("uplink: command seq=%lld lane=%s id=%s was applied before under another number: not "
		    "done again", (long long)seq, c.lane, c.id);
	else
		log_info("uplink: command applied hub=%s lane=%s seq=%lld kind=%s", c.hub, c.lane, (long long)seq,
		    c.kind);
	send_ack(u, c.epoch, c.lane, seq, 0);
	if (queued)
		gateway_queue_changed(gw);
	if (gw->uplink_kick)
		gw->uplink_kick(gw);
out:
	uplink_cmd_clear(&c);
	free(cmd);
	free(sig);
}

static void
on_message(void *arg, const char *topic, const char *payload, size_t len)
{
	struct uplink	*u = arg;
	char		*p;

	if (strncmp(topic, u->t_down, strlen(u->t_down)) || topic[strlen(u->t_down)] != '/')
		return;
	p = uplink_payload_text(payload, len);
	on_command(u, p);
	free(p);
}

static void
pump(struct uplink *u)
{
	struct gateway		*gw = u->gw;
	struct store_uplink_lane l;
	time_t			 now = clock_now();
	int64_t			 was;
	int			 i, batches;

	for (i = 0; i < 2; i++) {
		struct lane	*ln = &u->lanes[i];
		char		 topic[UPLINK_TOPIC_MAX];

		if (store_uplink_lane(gw->store, ln->name, &l) != STORE_OK)
			continue;
		if ((was = uplink_window_acked(&ln->w, l.acked, now)) != 0)
			log_info("uplink: no ack for %ds lane=%s acked=%lld sent=%lld: sending again from the ack",
			    UPLINK_RESEND_S, ln->name, (long long)l.acked, (long long)was);
		snprintf(topic, sizeof(topic), "%s/%s", u->t_up, ln->name);
		for (batches = 0; batches < 20 && ln->w.sent - l.acked < UPLINK_WINDOW; batches++) {
			char	*json;
			int64_t	 last;
			int	 n;

			if (store_uplink_batch(gw->store, u->box, ln->name, ln->w.sent, UPLINK_BATCH,
			    &json, &last, &n) != STORE_OK || json == NULL)
				break;
			uplink_window_sending(&ln->w, l.acked, now);
			{
				size_t		 zlen;
				unsigned char	*z = uplink_deflate(json, strlen(json), &zlen);
				int		 rc = z ? mqlink_publish(u->conn.link, topic, z, zlen, 0) :
				    mqlink_publish(u->conn.link, topic, json, strlen(json), 0);

				free(z);
				free(json);
				if (rc == -1)
					break;
			}
			ln->w.sent = last;
		}
		if (i == 0 && u->lanes[0].w.sent - u->lanes[0].w.acked >= UPLINK_WINDOW)
			break;	/* prio first: bulk waits while prio's window is full */
	}
}

static void
update_stats(struct uplink *u)
{
	struct gateway		*gw = u->gw;
	struct store_uplink_lane l;
	long			 backlog = 0, subscribers;
	int			 i, ready;

	for (i = 0; i < 2; i++)
		if (store_uplink_lane(gw->store, u->lanes[i].name, &l) == STORE_OK) {
			backlog += l.pending;
			if (l.acked_at > gw->up.last_ack_at)
				gw->up.last_ack_at = l.acked_at;
		}
	ready = modems_up(gw);
	subscribers = store_subscriber_count(gw->store);
	if (backlog != gw->up.backlog || ready != u->modems_ready || subscribers != u->subscribers)
		u->status_dirty = 1;
	u->modems_ready = ready;
	u->subscribers = subscribers;
	gw->up.backlog = backlog;
	uplink_link_state(&gw->up, u->conn.link);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uplink	*u = arg;
	struct gateway	*gw = u->gw;
	time_t		 now = clock_now();
	long		 n;

	/* SQL only: runs whether the link is up or not, never waits on it */
	if (store_uplink_export(gw->store, u->share_numbers, 1000, &n) != STORE_OK)
		log_warnx("uplink: exporting records: %s", store_errmsg(gw->store));
	if (now != u->progress_at) {
		u->progress_at = now;
		if (store_downlink_progress(gw->store, &n) != STORE_OK)
			log_warnx("uplink: announcement progress: %s", store_errmsg(gw->store));
	}
	if (now != u->stats_at) {
		u->stats_at = now;
		update_stats(u);
	}
	if (!mqlink_connected(u->conn.link))
		return;
	pump(u);
	if (now - u->status_at >= UPLINK_STATUS_S || (u->status_dirty && now - u->status_at >= 2))
		send_status(u, "online");
}

static void
on_connected(void *arg)
{
	struct uplink	*u = arg;
	char		 sub[UPLINK_TOPIC_MAX];
	int		 i;

	/* subscribe before announcing ourselves online: the hub resends on "online" */
	snprintf(sub, sizeof(sub), "%s/#", u->t_down);
	if (mqlink_subscribe(u->conn.link, sub) == -1)
		log_warnx("uplink: subscribing to %s failed", sub);
	for (i = 0; i < 2; i++)
		u->lanes[i].w.sent = 0;	/* resend everything not acknowledged */
	u->gw->up.online = 1;
	u->gw->up.offline_since = 0;
	update_stats(u);
	send_status(u, "online");
	pump(u);
}

struct uplink *
uplink_new(struct gateway *gw, char *err, size_t errlen)
{
	struct conf		*c = gw->conf;
	struct uplink		*u = xcalloc(1, sizeof(*u));
	struct mqlink_cb	 cb = { on_connected, NULL, on_message };
	char			 will[256];

	u->gw = gw;
	u->lanes[0].name = "prio";
	u->lanes[1].name = "bulk";
	snprintf(u->box, sizeof(u->box), "%s", c->uplink_box);
	u->share_numbers = c->uplink_share_numbers;
	if ((u->hub_key = sign_load(c->uplink_hub_key, 0, err, errlen)) == NULL)
		goto fail;
	if (store_uplink_epoch(gw->store, u->epoch) != STORE_OK) {
		snprintf(err, errlen, "uplink: %s", store_errmsg(gw->store));
		goto fail;
	}
	snprintf(u->t_up, sizeof(u->t_up), UPLINK_TOPIC_ROOT "/up/%s", c->uplink_box);
	snprintf(u->t_down, sizeof(u->t_down), UPLINK_TOPIC_ROOT "/down/%s", c->uplink_box);
	snprintf(u->t_status, sizeof(u->t_status), "%s/status", u->t_up);
	snprintf(will, sizeof(will), "{\"v\":1,\"box\":\"%s\",\"state\":\"offline\"}", c->uplink_box);
	if (uplink_conn_start(&u->conn, gw, 0, u->t_status, will, &cb, tick_cb, u, err, errlen) == -1)
		goto fail;
	gw->up.offline_since = clock_now();
	log_info("uplink: box=%s broker=%s epoch=%s share_numbers=%s", c->uplink_box, c->uplink_broker, u->epoch,
	    c->uplink_share_numbers ? "yes" : "no");
	return u;
fail:
	uplink_free(u);
	return NULL;
}

void
uplink_free(struct uplink *u)
{
	if (u == NULL)
		return;
	if (u->conn.link != NULL && mqlink_connected(u->conn.link)) {
		char msg[256];

		/* a clean stop says so (the broker's will covers a crash) */
		snprintf(msg, sizeof(msg), "{\"v\":1,\"box\":\"%s\",\"state\":\"offline\"}", u->box);
		(void)mqlink_publish(u->conn.link, u->t_status, msg, strlen(msg), 1);
	}
	uplink_conn_stop(&u->conn);
	sign_free(u->hub_key);
	free(u);
}

void
uplink_kick(struct uplink *u)
{
	if (u != NULL)
		uplink_conn_kick(&u->conn);
}
