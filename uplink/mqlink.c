/* mqlink — libmosquitto on the libevent loop (see mqlink.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <mosquitto.h>

#include "common/fs.h"
#include "common/log.h"
#include "common/str.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/timer.h"
#include "uplink/mqlink.h"

#define MQLINK_TICK_MS		250
#define MQLINK_BACKOFF_MAX_S	5

struct mqlink {
	struct event_base	*base;
	struct mosquitto	*m;
	struct event		*ev_read, *ev_write, *ev_tick;
	int			 fd;
	int			 connected;	/* CONNACK accepted */
	int			 connecting;	/* a socket exists */
	time_t			 down_since;
	time_t			 retry_at;
	int			 backoff_s;
	char			*host;
	int			 port;
	long			 keepalive_s;
	char			*name;
	struct mqlink_cb	 cb;
	void			*arg;
	unsigned long long	 bytes_out;
};

static int	 lib_ready;

static void	 watch(struct mqlink *);

static void
link_lost(struct mqlink *l, const char *why)
{
	int	 was = l->connected;

	if (l->ev_read)
		event_del(l->ev_read);
	if (l->ev_write)
		event_del(l->ev_write);
	l->fd = -1;
	l->connecting = 0;
	l->connected = 0;
	if (l->down_since == 0)
		l->down_since = clock_now();
	l->retry_at = clock_now() + l->backoff_s;
	if (l->backoff_s < MQLINK_BACKOFF_MAX_S)
		l->backoff_s++;
	if (was) {
		log_info("%s: link down broker=%s:%d reason=\"%s\"", l->name, l->host, l->port, why);
		if (l->cb.disconnected)
			l->cb.disconnected(l->arg);
	}
}

static void
on_connect(struct mosquitto *m, void *obj, int rc)
{
	struct mqlink	*l = obj;

	if (rc != 0) {
		log_warnx("%s: the broker refused the connection: %s", l->name, mosquitto_connack_string(rc));
		return;		/* the broker closes the socket; the tick reconnects */
	}
	l->connected = 1;
	l->backoff_s = 1;
	log_info("%s: link up broker=%s:%d offline_s=%ld", l->name, l->host, l->port,
	    l->down_since ? (long)(clock_now() - l->down_since) : 0L);
	l->down_since = 0;
	if (l->cb.connected)
		l->cb.connected(l->arg);
}

static void
on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct mqlink	*l = obj;

	if (l->cb.message && msg->topic != NULL)
		l->cb.message(l->arg, msg->topic, msg->payload ? msg->payload : "", (size_t)msg->payloadlen);
}

static void
io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mqlink	*l = arg;
	int		 rc = MOSQ_ERR_SUCCESS;

	if (what & EV_READ)
		rc = mosquitto_loop_read(l->m, 64);
	if (rc == MOSQ_ERR_SUCCESS && (what & EV_WRITE))
		rc = mosquitto_loop_write(l->m, 64);
	if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(l->m) == -1) {
		link_lost(l, rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		return;
	}
	watch(l);
}

/* (Re-)arms the events on the current socket. */
static void
watch(struct mqlink *l)
{
	int	 fd = mosquitto_socket(l->m);

	if (fd == -1)
		return;
	if (fd != l->fd) {
		if (l->ev_read)
			event_free(l->ev_read);
		if (l->ev_write)
			event_free(l->ev_write);
		l->ev_read = event_new(l->base, fd, EV_READ | EV_PERSIST, io_cb, l);
		l->ev_write = event_new(l->base, fd, EV_WRITE, io_cb, l);
		event_add(l->ev_read, NULL);
		l->fd = fd;
	}
	if (mosquitto_want_write(l->m))
		event_add(l->ev_write, NULL);
}

static void
try_connect(struct mqlink *l)
{
	int	 rc;

	if (l->m == NULL)
		return;
	rc = l->connecting || l->fd != -1 ? mosquitto_reconnect_async(l->m) :
	    mosquitto_connect_async(l->m, l->host, l->port, (int)l->keepalive_s);
	if (rc != MOSQ_ERR_SUCCESS) {
		if (l->down_since == 0)
			l->down_since = clock_now();
		l->retry_at = clock_now() + l->backoff_s;
		if (l->backoff_s < MQLINK_BACKOFF_MAX_S)
			l->backoff_s++;
		log_debug("%s: connecting to %s:%d: %s", l->name, l->host, l->port,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		return;
	}
	l->connecting = 1;
	l->fd = -1;
	watch(l);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mqlink	*l = arg;
	int		 rc;

	if (mosquitto_socket(l->m) == -1) {
		if (l->connected || l->connecting)
			link_lost(l, "socket closed");
		if (clock_now() >= l->retry_at)
			try_connect(l);
		return;
	}
	rc = mosquitto_loop_misc(l->m);	/* keepalive: PINGREQ, and a dead link after 1.5 × keepalive */
	if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(l->m) == -1) {
		link_lost(l, rc == MOSQ_ERR_SUCCESS ? "keepalive" : mosquitto_strerror(rc));
		return;
	}
	/* TLS may hold decrypted bytes the socket no longer signals */
	if (mosquitto_ssl_get(l->m) != NULL && (rc = mosquitto_loop_read(l->m, 16)) != MOSQ_ERR_SUCCESS) {
		link_lost(l, mosquitto_strerror(rc));
		return;
	}
	if (l->connecting && !l->connected && l->retry_at + 2 * l->keepalive_s < clock_now()) {
		/* a CONNECT that never got its CONNACK */
		link_lost(l, "no answer to CONNECT");
		return;
	}
	watch(l);
}

static int
parse_broker(const char *b, char **host, int *port, int *tls)
{
	const char	*p, *colon;
	char		*end;
	long		 n;

	*tls = 0;
	if (!strncmp(b, "mqtts://", 8)) {
		*tls = 1;
		p = b + 8;
	} else if (!strncmp(b, "mqtt://", 7))
		p = b + 7;
	else
		return -1;
	if ((colon = strrchr(p, ':')) == NULL) {
		*host = xstrdup(p);
		*port = *tls ? 8883 : 1883;
	} else {
		n = strtol(colon + 1, &end, 10);
		if (*end != '\0' && *end != '/')
			return -1;
		if (n < 1 || n > 65535)
			return -1;
		*port = (int)n;
		xasprintf(host, "%.*s", (int)(colon - p), p);
	}
	return **host ? 0 : -1;
}

struct mqlink *
mqlink_new(struct event_base *base, const struct mqlink_conf *c, const struct mqlink_cb *cb, void *arg,
    char *err, size_t errlen)
{
	struct mqlink	*l = xcalloc(1, sizeof(*l));
	int		 tls, rc;

	if (!lib_ready) {
		mosquitto_lib_init();
		lib_ready = 1;
	}
	l->base = base;
	l->fd = -1;
	l->cb = *cb;
	l->arg = arg;
	l->backoff_s = 1;
	l->keepalive_s = c->keepalive_s > 0 ? c->keepalive_s : 60;
	l->name = xstrdup(c->name ? c->name : "mqtt");
	l->down_since = clock_now();
	if (parse_broker(c->broker, &l->host, &l->port, &tls) == -1) {
		snprintf(err, errlen, "broker = %s: expected mqtt://HOST:PORT or mqtts://HOST:PORT", c->broker);
		goto fail;
	}
	if ((l->m = mosquitto_new(c->client_id, true, l)) == NULL) {
		snprintf(err, errlen, "mosquitto_new: %s", strerror(errno));
		goto fail;
	}
	mosquitto_int_option(l->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	if (c->username && *c->username) {
		char	*pw = NULL;

		if (c->password_file && *c->password_file) {
			if ((pw = fs_read_text(c->password_file, 4096, "password_file", err, errlen)) == NULL)
				goto fail;
			pw[strcspn(pw, "\r\n")] = '\0';
		}
		rc = mosquitto_username_pw_set(l->m, c->username, pw);
		free(pw);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "MQTT user name: %s", mosquitto_strerror(rc));
			goto fail;
		}
	}
	if (tls) {
		rc = mosquitto_tls_set(l->m, c->ca_file && *c->ca_file ? c->ca_file : NULL,
		    c->ca_file && *c->ca_file ? NULL : "/etc/ssl/certs",
		    c->cert_file && *c->cert_file ? c->cert_file : NULL,
		    c->key_file && *c->key_file ? c->key_file : NULL, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "TLS files (ca_file, cert_file, key_file): %s",
			    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
			goto fail;
		}
	}
	if (c->will_topic && (rc = mosquitto_will_set(l->m, c->will_topic, (int)strlen(c->will_payload),
	    c->will_payload, 1, true)) != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "MQTT will: %s", mosquitto_strerror(rc));
		goto fail;
	}
	mosquitto_connect_callback_set(l->m, on_connect);
	mosquitto_message_callback_set(l->m, on_message);
	l->ev_tick = timer_every_ms(base, MQLINK_TICK_MS, tick_cb, l);
	try_connect(l);
	return l;
fail:
	mqlink_free(l);
	return NULL;
}

void
mqlink_free(struct mqlink *l)
{
	if (l == NULL)
		return;
	if (l->m != NULL) {
		if (l->connected) {
			mosquitto_disconnect(l->m);
			(void)mosquitto_loop_write(l->m, 1);
		}
		mosquitto_destroy(l->m);
	}
	if (l->ev_read)
		event_free(l->ev_read);
	if (l->ev_write)
		event_free(l->ev_write);
	if (l->ev_tick)
		event_free(l->ev_tick);
	free(l->host);
	free(l->name);
	free(l);
}

int
mqlink_connected(const struct mqlink *l)
{
	return l != NULL && l->connected;
}

time_t
mqlink_down_since(const struct mqlink *l)
{
	return l == NULL || l->connected ? 0 : l->down_since;
}

int
mqlink_publish(struct mqlink *l, const char *topic, const void *payload, size_t len, int retain)
{
	int	 rc;

	if (!l->connected)
		return -1;
	if ((rc = mosquitto_publish(l->m, NULL, topic, (int)len, payload, 1, retain != 0)) != MOSQ_ERR_SUCCESS) {
		log_debug("%s: publish %s: %s", l->name, topic, mosquitto_strerror(rc));
		return -1;
	}
	l->bytes_out += len + strlen(topic) + 4;
	watch(l);
	return 0;
}

int
mqlink_subscribe(struct mqlink *l, const char *pattern)
{
	if (!l->connected || mosquitto_subscribe(l->m, NULL, pattern, 1) != MOSQ_ERR_SUCCESS)
		return -1;
	watch(l);
	return 0;
}

unsigned long long
mqlink_bytes_out(const struct mqlink *l)
{
	return l ? l->bytes_out : 0;
}
