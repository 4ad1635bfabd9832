/*
 * link — what the box and the hub roles share: the connection (the MQTT link built from a role's
 * config keys, and the tick that drives the role), the link state the gateway shows, a message's text, and the sending window of a lane with its
 * resend from the other side's acknowledgement (see uplink-internal.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/conf.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/timer.h"
#include "uplink/mqlink.h"
#include "uplink/uplink-internal.h"

static void
conn_connected(void *arg)
{
	struct uplink_conn	*conn = arg;

	conn->connected(conn->arg);
}

static void
conn_disconnected(void *arg)
{
	struct uplink_conn	*conn = arg;

	uplink_link_state(conn->gl, conn->link);
}

static void
conn_message(void *arg, const char *topic, const char *payload, size_t len)
{
	struct uplink_conn	*conn = arg;

	conn->message(conn->arg, topic, payload, len);
}

int
uplink_conn_start(struct uplink_conn *conn, struct gateway *gw, int hub, const char *will_topic, const char *will,
    const struct mqlink_cb *cb, void (*tick_cb)(evutil_socket_t, short, void *), void *arg, char *err,
    size_t errlen)
{
	const struct conf	*c = gw->conf;
	struct gateway_link	*gl = hub ? &gw->down : &gw->up;
	const char		*id = hub ? c->hub_name : c->uplink_box;
	struct mqlink_conf	 mc;
	char			 client[96];
	struct mqlink_cb	 own = { conn_connected, conn_disconnected, conn_message };

	snprintf(client, sizeof(client), "kt-%s-%s", hub ? "hub" : "box", id);
	memset(&mc, 0, sizeof(mc));
	mc.broker = hub ? c->hub_broker : c->uplink_broker;
	mc.client_id = client;
	/* a box logs in as itself unless told otherwise */
	mc.username = hub ? c->hub_username : *c->uplink_username ? c->uplink_username : c->uplink_box;
	mc.password_file = hub ? c->hub_password_file : c->uplink_password_file;
	mc.ca_file = hub ? c->hub_ca_file : c->uplink_ca_file;
	mc.cert_file = hub ? c->hub_cert_file : c->uplink_cert_file;
	mc.key_file = hub ? c->hub_key_file : c->uplink_key_file;
	mc.keepalive_s = hub ? c->hub_keepalive_s : c->uplink_keepalive_s;
	mc.will_topic = will_topic;
	mc.will_payload = will;
	mc.name = hub ? "hub" : "uplink";
	gl->enabled = 1;
	snprintf(gl->id, sizeof(gl->id), "%s", id);
	conn->gl = gl;
	conn->connected = cb->connected;
	conn->message = cb->message;
	conn->arg = arg;
	if ((conn->link = mqlink_new(gw->base, &mc, &own, conn, err, errlen)) == NULL)
		return -1;
	conn->tick = timer_every_ms(gw->base, UPLINK_TICK_MS, tick_cb, arg);
	return 0;
}

void
uplink_conn_kick(struct uplink_conn *conn)
{
	if (mqlink_connected(conn->link))
		event_active(conn->tick, EV_TIMEOUT, 0);
}

void
uplink_conn_stop(struct uplink_conn *conn)
{
	mqlink_free(conn->link);
	conn->link = NULL;
	if (conn->tick)
		event_free(conn->tick);
	conn->tick = NULL;
}

void
uplink_link_state(struct gateway_link *gl, const struct mqlink *l)
{
	gl->online = mqlink_connected(l);
	gl->offline_since = mqlink_down_since(l);
	gl->bytes_out = mqlink_bytes_out(l);
}

char *
uplink_payload_text(const void *payload, size_t len)
{
	char	*s = xmalloc(len + 1);

	memcpy(s, payload, len);
	s[len] = '\0';
	return s;
}

int64_t
uplink_window_acked(struct uplink_window *w, int64_t acked, time_t now)
{
	int64_t	 was = 0;

	if (acked > w->acked) {
		w->acked = acked;
		w->progress_at = now;
	}
	if (w->sent < acked)
		w->sent = acked;
	if (w->sent > acked && now - w->progress_at >= UPLINK_RESEND_S) {
		was = w->sent;
		w->sent = acked;
	}
	return was;
}

void
uplink_window_sending(struct uplink_window *w, int64_t acked, time_t now)
{
	if (w->sent == acked)
		w->progress_at = now;
}
