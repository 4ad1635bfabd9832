/*
 * relay — the hub's side of commands for the boxes below it, shared by the console commands
 * (post approve|reject|reply on a post a box received) and the uplink (a regency hub passing its
 * province's decisions down). Each command is queued durably in the store (hub_down_out) and
 * signed when the hub sends it.
 */
#ifndef GATEWAY_RELAY_H
#define GATEWAY_RELAY_H
#include <stddef.h>
#include <stdint.h>

struct gateway;

/* Queues a command for box on lane ("alert" or "cmd"), inside the caller's transaction if one is
 * open. 0 ok, -1 the store failed (err says why). */
int	relay_queue(struct gateway *, const char *box, const char *lane, const char *kind, const char *body_json,
	    char *err, size_t errlen);
/* For a post a box below received: queues `kind` ({"post": its id in that box, …extra}) and
 * returns 1; 0 when the post was received here (the caller acts locally); -1 on a store failure. */
int	relay_post(struct gateway *, int64_t post_id, const char *kind, const char *extra_json,
	    char *err, size_t errlen);
#endif
