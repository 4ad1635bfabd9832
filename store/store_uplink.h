/*
 * store_uplink — the durable side of the uplink (docs/uplink.md). A box's records for its hub
 * live in uplink_out until the hub acknowledges them; the commands it applied are remembered per
 * lane so each is applied once, in order. A hub's records from boxes are inserted idempotently
 * on (box, epoch, lane, seq) and acknowledged by the highest contiguous seq; its commands for each
 * box wait in hub_down_out until the box acknowledges them. JSON is built and read with SQLite's
 * JSON functions, so the uplink module never parses JSON itself.
 * Runs in the daemon (uplink/ and the hub forwarding in gateway/broadcast.c).
 */
#ifndef STORE_STORE_UPLINK_H
#define STORE_STORE_UPLINK_H
#include <stdint.h>
#include <time.h>

#include "store/store.h"

#define UPLINK_EPOCH_LEN	32

/* ---- box side ---- */
/* This database's epoch (random, made by the migration). */
enum store_status store_uplink_epoch(struct store *, char epoch[UPLINK_EPOCH_LEN]);
/* Copies routed inbox rows (lane bulk, kind sms), new posts (lane prio, kind post) and reviews of
 * posts (lane prio, kind post_status) not yet exported into uplink_out, at most max of each, in one transaction. Numbers are masked to the
 * last 4 digits unless share_numbers. *n = how many records were added. */
enum store_status store_uplink_export(struct store *, int share_numbers, int max, long *n);
/* Appends one record (inside the caller's transaction if one is open). */
enum store_status store_uplink_enqueue(struct store *, const char *lane, const char *kind,
		    const char *body_json, int64_t *seq);
struct store_uplink_lane {
	int64_t	next_seq, acked;
	time_t	acked_at;
	long	pending;		/* records not yet acknowledged */
};
enum store_status store_uplink_lane(struct store *, const char *lane, struct store_uplink_lane *);
/* A batch message for the hub: the records of lane after `after`, at most max, as the v1 JSON
 * ({"v":1,"box","epoch","lane","recs":[{"seq","kind","body"}…]}) into *json (xmalloc'd, NULL when
 * there is nothing) and the last seq in *last. */
enum store_status store_uplink_batch(struct store *, const char *box, const char *lane, int64_t after,
		    int max, char **json, int64_t *last, int *n);
/* The hub committed lane up to seq (for this database's epoch): deletes those records.
 * STORE_INVALID when seq was never given out here (the database is a restored backup: the caller
 * starts a new epoch). */
enum store_status store_uplink_acked(struct store *, const char *lane, int64_t seq);
/* A new random epoch; what waits is renumbered from seq 1 (a restored backup must not reuse the
 * numbers the hub already has). */
enum store_status store_uplink_new_epoch(struct store *, char epoch[UPLINK_EPOCH_LEN]);
/* The status message's statistics: subscribers per village as a JSON object into *json. */
enum store_status store_uplink_subscriber_counts(struct store *, char **json, long *total);

/* Downlink commands on a box. */
enum store_downlink {
	DOWNLINK_APPLY = 0,	/* the next one: apply it */
	DOWNLINK_OLD,		/* already applied (a resend or a replay) */
	DOWNLINK_GAP,		/* ahead of the next: wait for the earlier ones */
	DOWNLINK_ERROR,
};
enum store_downlink store_downlink_check(struct store *, const char *lane, const char *epoch, int64_t seq,
		    int64_t *applied);
/* Marks seq applied (inside the caller's transaction, with the command's effect), and remembers
 * the command's id (NULL or "": a hub that sends none) for DOWNLINK_IDS_KEEP_S. */
#define DOWNLINK_IDS_KEEP_S	(90L * 86400)
#define UPLINK_ID_LEN		40
enum store_status store_downlink_applied(struct store *, const char *lane, const char *epoch, int64_t seq,
		    const char *id);
/* The id of the command applied as seq (STORE_NOTFOUND: none remembered). */
enum store_status store_downlink_id_at(struct store *, const char *lane, const char *epoch, int64_t seq,
		    char id[UPLINK_ID_LEN]);
/* Whether a command with this id was applied (under any number) in the last DOWNLINK_IDS_KEEP_S. */
int		 store_downlink_seen(struct store *, const char *id);
/* Remembers that local announcement id came from the hub's announcement hub_id. */
enum store_status store_downlink_announcement(struct store *, int64_t id, int64_t hub_id);
/* For each announcement from the hub whose reach changed since last reported (local outbox counts
 * plus what boxes below reported for it), enqueues a progress record on lane prio. *n = how many. */
enum store_status store_downlink_progress(struct store *, long *n);
/* Reads text fields of a JSON document: for each path[i], out[i] (xmalloc'd or NULL). */
enum store_status store_json_get(struct store *, const char *json, const char *const *paths, int n,
		    char **out);

/* Calls cb with the first three elements (text or NULL) of each array in the JSON array at path
 * (a command's rows); a non-zero return stops with STORE_ERROR. */
enum store_status store_json_rows(struct store *, const char *json, const char *path,
		    int (*cb)(void *, const char *const *cols, int n), void *arg);

/* ---- hub side ---- */
/* A box's status message (state online/offline; status_json NULL keeps the last one). */
enum store_status store_hub_box_seen(struct store *, const char *box, const char *state,
		    const char *status_json);
/* Commits a batch from box (the v1 JSON): records with seq = acked + 1 … are inserted and
 * applied (posts, progress) in order in one transaction; older ones are skipped, and a gap stops
 * the batch. Fills the batch's epoch and lane and the new highest contiguous seq *acked. */
enum store_status store_hub_ingest(struct store *, const char *box, const char *json, char epoch[UPLINK_EPOCH_LEN],
		    char lane[8], int64_t *acked, long *added);
/* Queues a command for box (inside the caller's transaction if one is open): the command JSON
 * {"hub","epoch","box","lane","seq","kind","body"} is stored for signing when sent. */
enum store_status store_hub_enqueue(struct store *, const char *hub, const char *epoch, const char *box,
		    const char *lane, const char *kind, const char *body_json, int64_t *seq);
/* Forwards announcement id to every box whose served areas overlap one of areas (inside the
 * caller's transaction). *nboxes = how many boxes got it. */
enum store_status store_hub_forward(struct store *, const char *hub, const char *epoch, int64_t id,
		    const char *text, const char *const *areas, int nareas, int priority, time_t expires_at,
		    long *nboxes);
/* Boxes a broadcast for areas would go to (as store_hub_forward picks them), -1 on error. */
long		 store_hub_boxes_for(struct store *, const char *const *areas, int nareas);
/* Recipients the boxes reported for areas (dry runs on a hub). */
long		 store_hub_recipients(struct store *, const char *const *areas, int nareas);
/* Commands for box on lane after seq `after`, in seq order, at most max: cb(arg, seq, cmd). */
enum store_status store_hub_pending(struct store *, const char *box, const char *lane, int64_t after, int max,
		    int (*cb)(void *, int64_t, const char *), void *arg);
/* A box's command queue: the highest seq it acknowledged and how many wait. */
enum store_status store_hub_lane(struct store *, const char *box, const char *lane, int64_t *acked, long *pending);
/* The box applied lane up to seq: those commands are dropped. STORE_INVALID when seq is beyond
 * what this database numbered (it was restored from a backup: see store_hub_rebase). */
enum store_status store_hub_acked(struct store *, const char *box, const char *lane, int64_t seq);
/* A restored hub's lane, which the box has applied up to `applied` with other commands: what
 * waits is numbered on from applied + 1, in order (*n of them); nothing when the lane is already
 * past applied. The box knows again, by their ids, the commands it applied before. */
enum store_status store_hub_rebase(struct store *, const char *box, const char *lane, int64_t applied, long *n);
/* Boxes seen, for resending after a reconnect: cb(arg, box, state). */
enum store_status store_hub_each_box(struct store *, int (*cb)(void *, const char *, const char *), void *);
/* Listing: box, areas[], state, last_seen, up_pending, down_pending, subscribers, modems_ready,
 * modems, records. */
enum store_status store_list_boxes(struct store *, store_row_cb, void *);
/* Listing: per-box reach of announcement id: box, recipients, queued, sent, delivered, failed. */
enum store_status store_hub_reach(struct store *, int64_t id, store_row_cb, void *);
/* The box that received post id (its local id into *box_post_id); STORE_NOTFOUND when it was
 * received here. */
enum store_status store_post_box(struct store *, int64_t id, char box[64], int64_t *box_post_id);
/* The number that sent post id (for a reply). */
/* Posts as JSON lines for a platform (OpenDK-like names) after hub record id `after`. */
enum store_status store_hub_export(struct store *, int64_t after, long limit, store_row_cb, void *);
#endif
