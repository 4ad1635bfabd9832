/*
 * retention — bounded storage: every few minutes the daemon deletes inbox, outbox and audit rows
 * older than keep_inbox, keep_outbox and keep_audit, one small batch per turn of the loop (see
 * store_retention.h for what is kept). Runs on the daemon's event loop.
 */
#ifndef GATEWAY_RETENTION_H
#define GATEWAY_RETENTION_H
#include <time.h>

struct gateway;

struct retention_info {
	long	 deleted[3];	/* inbox, outbox, audit since start */
	time_t	 last_pass_at;	/* the last complete pass; 0 none yet */
	long	 batches;
	double	 longest_batch_ms;
};

struct retention *retention_new(struct gateway *);
void		 retention_free(struct retention *);	/* accepts NULL */
void		 retention_get_info(struct retention *, struct retention_info *);
#endif
