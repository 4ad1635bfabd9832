/*
 * mqlink — one MQTT 3.1.1 client (libmosquitto) driven from the daemon's libevent loop: no
 * thread and no blocking call. The socket is watched for reading (and for writing while
 * libmosquitto has bytes queued); a timer runs its keepalive and reconnects with back-off.
 * Everything is QoS 1; the end-to-end acknowledgement that makes delivery safe is the uplink's
 * own (committed in SQLite), never the MQTT PUBACK. Only uplink/ uses it.
 */
#ifndef UPLINK_MQLINK_H
#define UPLINK_MQLINK_H
#include <stddef.h>
#include <time.h>

struct event_base;
struct mqlink;

struct mqlink_conf {
	const char	*broker;	/* mqtt://HOST:PORT or mqtts://HOST:PORT */
	const char	*client_id;
	const char	*username;	/* NULL/"" none */
	const char	*password_file;	/* NULL/"" none */
	const char	*ca_file, *cert_file, *key_file;
	long		 keepalive_s;
	const char	*will_topic;	/* NULL none; retained, QoS 1 */
	const char	*will_payload;
	const char	*name;		/* for the log: "uplink", "hub" */
};

struct mqlink_cb {
	void	(*connected)(void *arg);
	void	(*disconnected)(void *arg);
	void	(*message)(void *arg, const char *topic, const char *payload, size_t len);
};

/* Starts connecting (in the background). NULL with err on a configuration error. */
struct mqlink	*mqlink_new(struct event_base *, const struct mqlink_conf *, const struct mqlink_cb *,
		    void *arg, char *err, size_t errlen);
void		 mqlink_free(struct mqlink *);	/* accepts NULL; disconnects cleanly */
int		 mqlink_connected(const struct mqlink *);
/* When the link went down (0 while connected). */
time_t		 mqlink_down_since(const struct mqlink *);
/* Publishes QoS 1. 0 queued, -1 not connected or refused. */
int		 mqlink_publish(struct mqlink *, const char *topic, const void *payload, size_t len, int retain);
int		 mqlink_subscribe(struct mqlink *, const char *pattern);
/* Bytes handed to the broker so far (for bench figures). */
unsigned long long mqlink_bytes_out(const struct mqlink *);
#endif
