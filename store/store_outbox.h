/*
 * store_outbox — the outgoing queue's state machine and the announcements that fill it:
 *   queued --claim--> sending --sent--> sent --report--> delivered | failed
 *      ^                 |--tempfail (attempts left)--> queued (not_before = backoff)
 *      |                 |--permfail / no attempts left--> failed
 *      +-- start-up: every 'sending' row (it was on a modem during a crash) is queued again
 *   queued --expires_at passed--> expired;  queued --recipient stopped--> cancelled
 * Delivery reports move sent rows to delivered or failed. Used by the router (replies), the
 * scheduler, ingest (delivery reports) and the broadcast commands, in the daemon.
 */
#ifndef STORE_STORE_OUTBOX_H
#define STORE_STORE_OUTBOX_H
#include <stdint.h>
#include <time.h>

#include "store/store.h"

enum outbox_kind { OUTBOX_REPLY, OUTBOX_CONFIRM, OUTBOX_ANNOUNCEMENT, OUTBOX_KIM, OUTBOX_MANUAL };
#define OUTBOX_ALERT	0	/* priority values: lower goes first */
#define OUTBOX_NORMAL	1

struct store_outbox_new {
	const char	*number;
	const char	*text;		/* NULL with an announcement: its text */
	enum outbox_kind kind;
	int		 priority;
	int64_t		 inbox_id;	/* the message this answers, 0 none */
	int64_t		 announcement_id;
	time_t		 not_before;	/* 0 = now */
	time_t		 expires_at;	/* 0 = never */
};
/* Queues one message (inside the caller's transaction if one is open). */
enum store_status store_outbox_add(struct store *, const struct store_outbox_new *, int64_t *id);
/* Automatic replies (reply/confirm) queued to number since `since`. */
long		 store_outbox_replies_since(struct store *, const char *number, time_t since);
/* Stop confirmations queued to number since `since`. */
long		 store_outbox_confirms_since(struct store *, const char *number, time_t since);
/* Automatic replies (reply/confirm) queued to anyone since `since`: the gateway-wide budget. */
long		 store_outbox_auto_replies_since(struct store *, time_t since);

/* Replies queued to number since `since` answering messages whose action starts with "unknown"
 * (the one-help-per-day rule). */
long		 store_unknown_replies_since(struct store *, const char *number, time_t since);
/* Queues one 'kim' outbox row with text for each active subscriber of area (and of every area
 * inside it), except `except`. *n = rows queued. */
enum store_status store_kim_queue(struct store *, const char *area, const char *except, const char *text,
		    int64_t inbox_id, long *n);

struct store_outbox_msg {
	int64_t		 id;
	char		 number[24];
	char		*text;		/* xmalloc'd; store_outbox_msg_clear frees */
	int		 priority;
	int		 attempts;
	char		 last_modem[72];
	int64_t		 announcement_id;
	enum outbox_kind kind;
	int		 escalated;	/* handed again to another operator's SIM (last_modem: the first) */
};
void		 store_outbox_msg_clear(struct store_outbox_msg *);
/* Up to max queued rows due at `now`, alerts first, then by due time and age. Returns the count
 * (-1 on error). Rows whose id is in skip[0..nskip) are left out (already in flight). */
int		 store_outbox_due(struct store *, time_t now, const int64_t *skip, int nskip,
		    struct store_outbox_msg *out, int max);
/* Earliest not_before among queued rows in the future (0 = none). */
time_t		 store_outbox_next_due(struct store *, time_t now);
/* Stop means stop: 1 when the row must not be sent because its recipient stopped (the row is then
 * cancelled, in its own statement), 0 to send it. */
int		 store_outbox_stopped(struct store *, int64_t id);
/* queued → sending on modem. STORE_NOTFOUND when the row was no longer queued. */
enum store_status store_outbox_claim(struct store *, int64_t id, const char *modem);
/* sending → sent. */
enum store_status store_outbox_sent(struct store *, int64_t id, const char *refs, int segments);
/* sending → queued (retry at not_before) or failed (when retry is 0), with the error. */
enum store_status store_outbox_retry(struct store *, int64_t id, int retry, time_t not_before,
		    const char *error);
/* How many times the row was handed to a modem (0 if unknown). */
int		 store_outbox_attempts(struct store *, int64_t id);
/* Start-up: every sending row is queued again. *n = how many. */
enum store_status store_outbox_requeue_sending(struct store *, long *n);
/* queued rows past their expires_at → expired. *n = how many. */
enum store_status store_outbox_expire(struct store *, time_t now, long *n);

/*
 * A delivery report: finds the most recent sent outbox row to `number` (any format; compared
 * on its last 9 digits and exactly when E.164) whose refs contain `reference`, sent within
 * 3 days before `at`, on `modem` when not NULL, and moves it to delivered (delivered = 1) or
 * failed (0); -1 (still pending) changes nothing. STORE_NOTFOUND when no row matches.
 * *outbox_id is set when found (may be NULL).
 */
enum store_status store_outbox_delivery(struct store *, const char *modem, const char *number,
		    int reference, time_t at, int delivered, int64_t *outbox_id);

/* ---- announcements ---- */
struct store_announcement_new {
	const char	*text;
	const char	*const *areas;	/* codes */
	int		 nareas;
	int		 priority;
	const char	*source;	/* "console" or the official's number */
	time_t		 not_before;
	time_t		 expires_at;
	int		 segments;
	const char	*encoding;
	const char	*code;		/* CEK verification code, NULL none */
	int64_t		 corrects;	/* RALAT: recipients are those announcement was sent to */
	int		 pending;	/* two-person rule: stored 'pending', no outbox rows yet */
	const char	*requested_by;	/* who asked (console:USER or the official's number) */
	time_t		 approve_by;	/* pending: expires unapproved at this time */
};
/* Counts the distinct active subscribers of the areas (and every area inside them). */
long		 store_recipients_count(struct store *, const char *const *areas, int nareas);
/* How many a correction of announcement `corrects` goes to (see store_announcement_add); -1 error. */
long		 store_correction_count(struct store *, int64_t corrects);
/* The announcement and one outbox row per distinct active recipient, inside the caller's
 * transaction (so "accepted" means all of it is durable). A correction (corrects set) goes to the
 * numbers the corrected announcement was handed to the network for, minus stopped ones; a pending
 * one gets no rows (*recipients is the count it would have). */
enum store_status store_announcement_add(struct store *, const struct store_announcement_new *,
		    int64_t *id, long *recipients);
/* Listing: id, text, areas[], priority, created, recipients, queued, sent, delivered, failed. */
enum store_status store_list_announcements(struct store *, long limit, store_row_cb, void *);
/* One announcement (same fields plus sending, expired, cancelled, not_before, expires). */
enum store_status store_announcement_get(struct store *, int64_t id, store_row_cb, void *);
/* Per-area counts of one announcement: area, recipients, queued, sent, delivered, failed. */
enum store_status store_announcement_areas(struct store *, int64_t id, store_row_cb, void *);
struct store_progress {
	long	recipients, queued, sending, sent, delivered, failed, expired, cancelled;
};
enum store_status store_announcement_progress(struct store *, int64_t id, struct store_progress *);
/* The latest announcements reaching number's areas, newest first: texts written to cb as rows
 * (id, text, created). */
enum store_status store_latest_for(struct store *, const char *number, int limit, store_row_cb, void *);
#endif
