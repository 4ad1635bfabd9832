/*
 * store_announcements — announcements (SIAR and console broadcasts) and their recipients: one
 * outbox row per distinct active subscriber of the areas, or per number a corrected announcement
 * went to, made in the caller's transaction; listings and delivery progress. Used by the
 * broadcast commands, the router, USSD, the web console and /metrics, in the daemon.
 */
#ifndef STORE_STORE_ANNOUNCEMENTS_H
#define STORE_STORE_ANNOUNCEMENTS_H
#include <stdint.h>
#include <time.h>

#include "store/store.h"

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
/* Approves a pending announcement as `approver` (console:USER or an official's number): refuses
 * (STORE_INVALID, store_errmsg says why) the one who asked, one not pending, one past its
 * deadline; else fans it out to the recipients of this moment. */
enum store_status store_announcement_approve(struct store *, int64_t id, const char *approver, time_t now,
		    long *recipients);
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
