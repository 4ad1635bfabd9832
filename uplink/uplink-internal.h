/* uplink-internal — shared by the uplink/ sources only: topics and the signed-message envelope. */
#ifndef UPLINK_INTERNAL_H
#define UPLINK_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/util.h>

#include "store/store_uplink.h"

#define UPLINK_TOPIC_ROOT	"kim/v1"
#define UPLINK_BATCH		200	/* records per MQTT message */
#define UPLINK_WINDOW		4000	/* records sent ahead of the last ack */
#define UPLINK_RESEND_S		5	/* no ack progress for this long: send again from the ack */
#define UPLINK_TICK_MS		200
#define UPLINK_STATUS_S		30	/* heartbeat */

struct store;
struct gateway;
struct gateway_link;
struct mqlink;
struct mqlink_cb;

/* Topic levels are ids we checked (letters, digits, - and _). */
#define UPLINK_TOPIC_MAX	160

/* The down envelope {"c":"<command JSON>","s":"<base64 Ed25519 signature of c>"}, xmalloc'd. */
char	*uplink_envelope(const char *cmd, const char *sig);
/* The parts of an incoming command, each xmalloc'd (free with uplink_cmd_clear). */
struct uplink_cmd {
	char	*hub, *epoch, *box, *lane, *seq, *kind, *body;
	char	*id;		/* the command's random id; NULL from a hub that sends none */
};
/* Reads an envelope: the command text (*cmd) and signature (*sig); -1 when it is not one. */
int	uplink_open_envelope(struct store *, const char *payload, char **cmd, char **sig);
int	uplink_cmd_parse(struct store *, const char *cmd, struct uplink_cmd *);
void	uplink_cmd_clear(struct uplink_cmd *);
/* zlib of a batch when it is smaller (NULL: send it plain). xmalloc'd. */
unsigned char *uplink_deflate(const char *json, size_t len, size_t *outlen);
/* The JSON of a compressed payload, NUL-terminated and xmalloc'd; NULL when it is not one. */
char	*uplink_inflate(const void *payload, size_t len);
/* An acknowledgement {"epoch", "lane", "seq"} for epoch: 0 with its lane (cut to fit lanelen) and seq,
 * -1 when it is not one or is for another epoch. A box's ack may add "reused": the number of a
 * command it refused because it had applied another command under it (the hub was restored from
 * a backup); *reused is 0 without it (reused may be NULL). */
int	uplink_ack_parse(struct store *, const char *json, const char *epoch, char *lane, size_t lanelen,
	    int64_t *seq, int64_t *reused);

/* ---- link.c: what the two roles share ---- */

/* A role's connection: its MQTT link, the tick (every UPLINK_TICK_MS) that drives the role, and the
 * role's gateway_link, which it marks offline itself when the link goes down. */
struct uplink_conn {
	struct mqlink		*link;
	struct event		*tick;
	struct gateway_link	*gl;
	void			(*connected)(void *);
	void			(*message)(void *, const char *, const char *, size_t);
	void			*arg;
};
/* Starts the connection of the box role (hub 0: [uplink] keys) or the hub role (hub 1: [hub] keys),
 * with an optional retained will, and marks the role's gateway_link enabled under its id. cb's
 * connected and message callbacks and tick_cb get arg (cb's disconnected is not used: the link
 * state is the connection's). -1 with err on a configuration error (stop it all the same). */
int	uplink_conn_start(struct uplink_conn *, struct gateway *, int hub, const char *will_topic,
	    const char *will, const struct mqlink_cb *, void (*tick_cb)(evutil_socket_t, short, void *),
	    void *arg, char *err, size_t errlen);
/* Runs the tick now, if the link is up (there may be something to send). */
void	uplink_conn_kick(struct uplink_conn *);
/* Disconnects and frees both; a connection never started (zeroed) is fine. */
void	uplink_conn_stop(struct uplink_conn *);
/* The link's part of what the gateway shows: online, offline since, bytes out. */
void	uplink_link_state(struct gateway_link *, const struct mqlink *);
/* A message's payload as NUL-terminated text, xmalloc'd. */
char	*uplink_payload_text(const void *payload, size_t len);

/* The sending side of one lane: records (box) or commands (hub) sent ahead of the other side's ack. */
struct uplink_window {
	int64_t	 sent;		/* the highest seq sent */
	int64_t	 acked;		/* the highest seq the other side committed, as last seen */
	time_t	 progress_at;	/* when acked last moved, or sending last started afresh from it */
};
/* Takes in acked, what the other side committed. When it did not move for UPLINK_RESEND_S while
 * more was out, sending starts again from it: returns how far it had sent (for the log), else 0. */
int64_t	uplink_window_acked(struct uplink_window *, int64_t acked, time_t now);
/* About to send: starting afresh from the ack starts the resend clock. */
void	uplink_window_sending(struct uplink_window *, int64_t acked, time_t now);
#endif
