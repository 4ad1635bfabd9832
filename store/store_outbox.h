/*
 * store_outbox — the outgoing queue's state machine (announcements, store_announcements.h, fill it too):
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
#endif
