/*
 * hub — the hub role ([hub]): takes records from the boxes below and sends them commands.
 *
 * Up: a batch on kim/v1/up/BOX/{prio,bulk} is committed by store_hub_ingest (idempotent on box,
 * epoch, lane, seq; in order; a gap stops it) and answered with a signed ack of the highest
 * contiguous seq. The box id is the topic's, which the broker's ACL ties to the box's login.
 * Down: commands wait in hub_down_out; while a box is online (its retained status says so) they
 * are signed and sent in seq order per lane, alert before cmd, and dropped when the box acks.
 * "online", a reconnect of the hub, or acks that stop coming start sending again from the ack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/str.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "store/store.h"
#include "store/store_uplink.h"
#include "uplink/mqlink.h"
#include "uplink/sign.h"
#include "uplink/uplink-internal.h"
#include "uplink/uplink.h"

/* commands sent ahead of a box's ack, per lane: few on cmd (a chunk of a big import is heavy to
 * apply), so an alert sent now waits behind at most that many */
static const int hub_window[2] = { 200, 4 };

static const char *const down_lanes[2] = { "alert", "cmd" };

struct boxstate {
	char			 box[64];
	int			 online;
	struct uplink_window	 w[2];	/* per down lane */
};

struct hub {
	struct gateway	*gw;
	struct uplink_conn conn;
	struct sign_key	*key;
	char		 epoch[UPLINK_EPOCH_LEN];
	struct boxstate	*boxes;
	int		 nboxes;
	time_t		 stats_at;
};

static struct boxstate *
box_get(struct hub *h, const char *box)
{
	int	 i;

	for (i = 0; i < h->nboxes; i++)
		if (!strcmp(h->boxes[i].box, box))
			return &h->boxes[i];
	h->boxes = xreallocarray(h->boxes, h->nboxes + 1, sizeof(*h->boxes));
	memset(&h->boxes[h->nboxes], 0, sizeof(h->boxes[0]));
	snprintf(h->boxes[h->nboxes].box, sizeof(h->boxes[0].box), "%s", box);
	return &h->boxes[h->nboxes++];
}

/* Signs cmd and publishes it to kim/v1/down/BOX/LEVEL. */
static int
publish_signed(struct hub *h, const char *box, const char *level, const char *cmd)
{
	char	 sig[SIGN_B64_LEN], topic[UPLINK_TOPIC_MAX], *env;
	int	 rc;

	if (sign_msg(h->key, cmd, strlen(cmd), sig) == -1) {
		log_warnx("hub: signing a command for box %s failed", box);
		return -1;
	}
	env = uplink_envelope(cmd, sig);
	snprintf(topic, sizeof(topic), UPLINK_TOPIC_ROOT "/down/%s/%s", box, level);
	rc = mqlink_publish(h->conn.link, topic, env, strlen(env), 0);
	free(env);
	return rc;
}

struct send_ctx {
	struct hub	*h;
	const char	*box;
	const char	*lane;
	int64_t		 last;
	int		 failed;
};

static int
send_one_cb(void *arg, int64_t seq, const char *cmd)
{
	struct send_ctx	*sc = arg;

	if (publish_signed(sc->h, sc->box, sc->lane, cmd) == -1) {
		sc->failed = 1;
		return 1;
	}
	sc->last = seq;
	return 0;
}

static void
pump_box(struct hub *h, struct boxstate *b)
{
	time_t	 now = clock_now();
	int	 i;

	if (!b->online || !mqlink_connected(h->conn.link))
		return;
	for (i = 0; i < 2; i++) {
		struct send_ctx	 sc = { h, b->box, down_lanes[i], 0, 0 };
		int64_t		 acked;
		long		 pending;

		if (store_hub_lane(h->gw->store, b->box, down_lanes[i], &acked, &pending) != STORE_OK)
			continue;
		if (uplink_window_acked(&b->w[i], acked, now) != 0)
			log_info("hub: no ack from box=%s lane=%s for %ds: sending again from seq %lld", b->box,
			    down_lanes[i], UPLINK_RESEND_S, (long long)acked + 1);
		if (pending == 0 || b->w[i].sent - acked >= hub_window[i])
			continue;
		uplink_window_sending(&b->w[i], acked, now);
		sc.last = b->w[i].sent;
		if (store_hub_pending(h->gw->store, b->box, down_lanes[i], b->w[i].sent,
		    (int)(hub_window[i] - (b->w[i].sent - acked)), send_one_cb, &sc) != STORE_OK)
			log_warnx("hub: reading commands for box %s: %s", b->box, store_errmsg(h->gw->store));
		b->w[i].sent = sc.last;
	}
}

/*
 * A box's ack of down lane i up to acked. When the box applied numbers this database did not send
 * (acked beyond them) or refused a command because it applied another one under its number
 * (reused), this database was restored from a backup: what waits is numbered on from acked; the
 * box knows again by their ids the commands among them it applied before the restore.
 */
static void
on_box_ack(struct hub *h, struct boxstate *b, int i, int64_t acked, int64_t reused)
{
	struct store		*st = h->gw->store;
	enum store_status	 s = reused > 0 ? STORE_INVALID : store_hub_acked(st, b->box, down_lanes[i], acked);
	long			 n;

	if (s == STORE_INVALID) {
		log_warnx("hub: box %s has applied lane %s up to seq %lld with commands this database did not send "
		    "(restored from a backup?): what waits for it is numbered on from there", b->box, down_lanes[i],
		    (long long)acked);
		if (store_hub_rebase(st, b->box, down_lanes[i], acked, &n) != STORE_OK)
			log_warnx("hub: renumbering the commands of box %s: %s", b->box, store_errmsg(st));
		else if (n > 0)
			log_info("hub: box=%s lane=%s commands=%ld renumbered from seq %lld", b->box, down_lanes[i], n,
			    (long long)acked + 1);
		b->w[i].sent = 0;	/* send what waits afresh */
	} else if (s != STORE_OK)
		log_warnx("hub: recording an ack of box %s: %s", b->box, store_errmsg(st));
	pump_box(h, b);
}

static void
send_ack(struct hub *h, const char *box, const char *box_epoch, const char *lane, int64_t seq)
{
	char	 cmd[512];

	snprintf(cmd, sizeof(cmd), "{\"hub\":\"%s\",\"epoch\":\"%s\",\"box\":\"%s\",\"lane\":\"ack\",\"seq\":0,"
	    "\"kind\":\"ack\",\"body\":{\"epoch\":\"%s\",\"lane\":\"%s\",\"seq\":%lld}}", h->gw->conf->hub_name,
	    h->epoch, box, box_epoch, lane, (long long)seq);
	(void)publish_signed(h, box, "ack", cmd);
}

static int
id_ok(const char *s, size_t n)
{
	return str_made_of(s, n, 48, STR_LOWER STR_UPPER STR_DIGITS "-_");
}

static void
on_message(void *arg, const char *topic, const char *payload, size_t len)
{
	struct hub	*h = arg;
	struct store	*st = h->gw->store;
	const char	*p = topic + strlen(UPLINK_TOPIC_ROOT "/up/"), *slash;
	char		 box[64], kind[16], *msg;

	if (strncmp(topic, UPLINK_TOPIC_ROOT "/up/", strlen(UPLINK_TOPIC_ROOT "/up/")))
		return;
	if ((slash = strchr(p, '/')) == NULL || !id_ok(p, (size_t)(slash - p)) || strlen(slash + 1) >= sizeof(kind))
		return;
	snprintf(box, sizeof(box), "%.*s", (int)(slash - p), p);
	snprintf(kind, sizeof(kind), "%s", slash + 1);
	if (len == 0)
		return;		/* a cleared retained message */
	if ((msg = uplink_inflate(payload, len)) == NULL)
		msg = uplink_payload_text(payload, len);
	if (!strcmp(kind, "status")) {
		static const char *const paths[] = { "$.state", "$.box" };
		char		*v[2];
		struct boxstate	*b;

		if (store_json_get(st, msg, paths, 2, v) == STORE_OK && v[0] && v[1] && !strcmp(v[1], box)) {
			int online = !strcmp(v[0], "online");

			if (store_hub_box_seen(st, box, online ? "online" : "offline", online ? msg : NULL) != STORE_OK)
				log_warnx("hub: recording box %s: %s", box, store_errmsg(st));
			b = box_get(h, box);
			if (online && !b->online) {
				log_info("hub: box online box=%s", box);
				b->w[0].sent = b->w[1].sent = 0;	/* resend what it has not acknowledged */
			} else if (!online && b->online)
				log_info("hub: box offline box=%s", box);
			b->online = online;
			if (online)
				pump_box(h, b);
		}
		free(v[0]);
		free(v[1]);
	} else if (!strcmp(kind, "prio") || !strcmp(kind, "bulk")) {
		char		 epoch[UPLINK_EPOCH_LEN], lane[8];
		int64_t		 acked;
		long		 added;
		enum store_status s;

		s = store_hub_ingest(st, box, msg, epoch, lane, &acked, &added);
		if (s == STORE_OK) {
			if (added)
				log_debug("hub: box=%s lane=%s added=%ld acked=%lld", box, lane, added, (long long)acked);
			send_ack(h, box, epoch, lane, acked);
			if (added && h->gw->uplink_kick)
				h->gw->uplink_kick(h->gw);	/* a regency hub passes posts and reach up */
		} else if (s == STORE_INVALID)
			log_warnx("hub: batch from box %s refused: %s", box, store_errmsg(st));
		else
			log_warnx("hub: storing a batch from box %s: %s (it will be resent)", box, store_errmsg(st));
	} else if (!strcmp(kind, "ack")) {
		char		 lane[16];
		int64_t		 acked, reused;
		int		 i;

		if (uplink_ack_parse(st, msg, h->epoch, lane, sizeof(lane), &acked, &reused) == 0)
			for (i = 0; i < 2; i++)
				if (!strcmp(lane, down_lanes[i]))
					on_box_ack(h, box_get(h, box), i, acked, reused);
	}
	free(msg);
}

static void
update_stats(struct hub *h)
{
	struct gateway	*gw = h->gw;
	long		 online = 0, backlog = 0, pending;
	int64_t		 acked;
	int		 i, j;

	for (i = 0; i < h->nboxes; i++) {
		online += h->boxes[i].online;
		for (j = 0; j < 2; j++)
			if (store_hub_lane(gw->store, h->boxes[i].box, down_lanes[j], &acked, &pending) == STORE_OK)
				backlog += pending;
	}
	gw->down.boxes = h->nboxes;
	gw->down.boxes_online = online;
	gw->down.backlog = backlog;
	uplink_link_state(&gw->down, h->conn.link);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hub	*h = arg;
	int		 i;

	if (clock_now() != h->stats_at) {
		h->stats_at = clock_now();
		update_stats(h);
	}
	if (!mqlink_connected(h->conn.link))
		return;
	for (i = 0; i < h->nboxes; i++)
		pump_box(h, &h->boxes[i]);
}

static int
load_box_cb(void *arg, const char *box, const char *state)
{
	(void)box_get(arg, box);
	return 0;
}

static void
on_connected(void *arg)
{
	struct hub	*h = arg;
	int		 i;

	for (i = 0; i < h->nboxes; i++) {
		h->boxes[i].online = 0;	/* the retained statuses tell again */
		h->boxes[i].w[0].sent = h->boxes[i].w[1].sent = 0;
	}
	if (mqlink_subscribe(h->conn.link, UPLINK_TOPIC_ROOT "/up/+/#") == -1)
		log_warnx("hub: subscribing to " UPLINK_TOPIC_ROOT "/up/+/# failed");
}

struct hub *
hub_new(struct gateway *gw, char *err, size_t errlen)
{
	struct conf		*c = gw->conf;
	struct hub		*h = xcalloc(1, sizeof(*h));
	struct mqlink_cb	 cb = { on_connected, NULL, on_message };

	h->gw = gw;
	if ((h->key = sign_load(c->hub_signing_key, 1, err, errlen)) == NULL)
		goto fail;
	if (store_uplink_epoch(gw->store, h->epoch) != STORE_OK) {
		snprintf(err, errlen, "hub: %s", store_errmsg(gw->store));
		goto fail;
	}
	if (store_hub_each_box(gw->store, load_box_cb, h) != STORE_OK) {
		snprintf(err, errlen, "hub: %s", store_errmsg(gw->store));
		goto fail;
	}
	if (uplink_conn_start(&h->conn, gw, 1, NULL, NULL, &cb, tick_cb, h, err, errlen) == -1)
		goto fail;
	log_info("hub: name=%s broker=%s epoch=%s boxes=%d", c->hub_name, c->hub_broker, h->epoch, h->nboxes);
	return h;
fail:
	hub_free(h);
	return NULL;
}

void
hub_free(struct hub *h)
{
	if (h == NULL)
		return;
	uplink_conn_stop(&h->conn);
	sign_free(h->key);
	free(h->boxes);
	free(h);
}

void
hub_kick(struct hub *h)
{
	if (h != NULL)
		uplink_conn_kick(&h->conn);
}
