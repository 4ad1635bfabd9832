/* uplink-internal — shared by the uplink/ sources only: topics and the signed-message envelope. */
#ifndef UPLINK_INTERNAL_H
#define UPLINK_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "store/store_uplink.h"

#define UPLINK_TOPIC_ROOT	"kim/v1"
#define UPLINK_BATCH		200	/* records per MQTT message */
#define UPLINK_WINDOW		4000	/* records sent ahead of the last ack */
#define UPLINK_RESEND_S		5	/* no ack progress for this long: send again from the ack */
#define UPLINK_TICK_MS		200
#define UPLINK_STATUS_S		30	/* heartbeat */

struct store;

/* Topic levels are ids we checked (letters, digits, - and _). */
#define UPLINK_TOPIC_MAX	160

/* The down envelope {"c":"<command JSON>","s":"<base64 Ed25519 signature of c>"}, xmalloc'd. */
char	*uplink_envelope(const char *cmd, const char *sig);
/* The parts of an incoming command, each xmalloc'd (free with uplink_cmd_clear). */
struct uplink_cmd {
	char	*hub, *epoch, *box, *lane, *seq, *kind, *body;
};
/* Reads an envelope: the command text (*cmd) and signature (*sig); -1 when it is not one. */
int	uplink_open_envelope(struct store *, const char *payload, char **cmd, char **sig);
int	uplink_cmd_parse(struct store *, const char *cmd, struct uplink_cmd *);
void	uplink_cmd_clear(struct uplink_cmd *);
/* zlib of a batch when it is smaller (NULL: send it plain). xmalloc'd. */
unsigned char *uplink_deflate(const char *json, size_t len, size_t *outlen);
/* The JSON of a compressed payload, NUL-terminated and xmalloc'd; NULL when it is not one. */
char	*uplink_inflate(const void *payload, size_t len);
#endif
