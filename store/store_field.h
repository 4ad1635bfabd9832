/*
 * store_field — the announcement features officials use in the field (issue 15): reach per
 * village, cancelling, corrections (RALAT, fanned out by store_announcement_add), verification
 * codes (CEK), the two-person rule for alerts (pending announcements, approval, expiry), the KIM
 * leaders' reach summaries, and escalation of undelivered copies to another operator's SIM.
 * Runs in the daemon; every writer works inside the caller's transaction when one is open.
 */
#ifndef STORE_STORE_FIELD_H
#define STORE_STORE_FIELD_H
#include <stdint.h>
#include <time.h>

#include "store/store.h"

/* ---- reach ---- */
/* Reach of one announcement, worst first within each level: level (village, district, regency),
 * code, name, targeted, delivered, sent (no report yet), failed, expired, queued (incl. sending),
 * cancelled, escalated. A recipient counts under the subscription of theirs that the announcement
 * covers (the lowest code); one who has since stopped has none any more and counts under code ""
 * ("no longer subscribed"). STORE_NOTFOUND no such announcement. */
enum store_status store_announcement_reach(struct store *, int64_t id, store_row_cb, void *);
/* Recipients not (yet) delivered: number (masked: first 6 and last 4 characters), code, name,
 * status, escalated. */
enum store_status store_announcement_undelivered(struct store *, int64_t id, store_row_cb, void *);

/* ---- state: cancel, approve, expire ---- */
/* "active", "pending", "cancelled", "expired" into state; STORE_NOTFOUND. */
enum store_status store_announcement_state(struct store *, int64_t id, char state[16]);
/* Cancels: a pending one is never sent; an active one's queued copies become cancelled (those on a
 * modem or sent stay as they are). *n = copies cancelled. STORE_INVALID when already cancelled or
 * expired (store_errmsg says). */
enum store_status store_announcement_cancel(struct store *, int64_t id, long *n);
/* Announcements waiting for a second official, oldest first: id, text, created, requested_by,
 * approve_by (local time), recipients (as counted when asked), code. */
enum store_status store_announcements_pending(struct store *, store_row_cb, void *);
/* Pending announcements whose approval deadline passed become expired. Up to max ids to ids; *n. */
enum store_status store_announcement_expire_pending(struct store *, time_t now, int64_t *ids, int max, int *n);

/* ---- verification codes ---- */
struct store_ann_brief {
	int64_t	 id;
	char	 source[64];		/* console, or the official's number */
	char	 created[32];		/* local time, "YYYY-MM-DD HH:MM" */
	char	 code[16];
	char	 state[16];
	int64_t	 corrects;
	char	 requested_by[64];	/* who asked: console:USER, web:NAME or a number */
};
/* 1 when an announcement already has this code, 0 not, -1 error. */
int		 store_announcement_code_used(struct store *, const char *code);
/* The announcement with this code (case as stored: upper); STORE_NOTFOUND. */
enum store_status store_announcement_by_code(struct store *, const char *code, struct store_ann_brief *);
enum store_status store_announcement_brief(struct store *, int64_t id, struct store_ann_brief *);
/* Announcements created since `since` that went out (active), newest first: id, text, code. */
enum store_status store_announcements_since(struct store *, time_t since, int limit, store_row_cb, void *);

/* ---- INFO with an area ---- */
/* The latest active announcements reaching `area` (announced to it, to an area containing it, or
 * to an area inside it), newest first: id, text, created. */
enum store_status store_latest_for_area(struct store *, const char *area, int limit, store_row_cb, void *);
/* 1 when number is subscribed to area, to an area inside it or to one containing it. */
int		 store_subscribed_near(struct store *, const char *number, const char *area);

/* ---- KIM leaders' reach summaries ---- */
/* Active announcements finished (nothing queued or on a modem, the last copy handed over at least
 * quiet_s ago) whose summaries are not queued yet, created in the last 3 days. Returns count. */
int		 store_summaries_due(struct store *, time_t now, long quiet_s, int64_t *ids, int max);
/* Per village of the announcement with a registered KIM leader for exactly that village:
 * leader, code, name, targeted, delivered. */
enum store_status store_summary_rows(struct store *, int64_t id, store_row_cb, void *);
enum store_status store_summary_done(struct store *, int64_t id, time_t now);

/* ---- escalation ---- */
struct store_undelivered {
	int64_t	 id;
	char	 modem[72];		/* the SIM it went out on */
};
/* Copies of announcements handed to the network at or before `cutoff` and not delivered (no
 * report, or a failed one), never escalated, not expired at `now`. Returns count (-1 error). */
int		 store_outbox_undelivered(struct store *, time_t cutoff, time_t now, struct store_undelivered *out,
		    int max);
/* Queues the copy again, marked escalated (the scheduler sends it through another operator). */
enum store_status store_outbox_escalate(struct store *, int64_t id, time_t now);
#endif
