/*
 * store_retention — bounded storage: deletes rows older than the retention settings, one small
 * batch (one transaction) per call, so the daemon's loop calls it between other work. Finished
 * outbox rows of announcements are folded into announcement_reach first, so announcement counts
 * and per-area reach survive. Announcements, posts, subscribers, areas and roles are never
 * deleted; queued and sending rows never.
 * Runs in the daemon.
 */
#ifndef STORE_STORE_RETENTION_H
#define STORE_STORE_RETENTION_H
#include <time.h>

#include "store/store.h"

enum store_ret_table { STORE_RET_INBOX, STORE_RET_OUTBOX, STORE_RET_AUDIT };

/* Deletes at most max rows of table older than cut (epoch seconds; finished rows only for the
 * outbox). *n: how many were deleted (fewer than max: nothing older is left). */
enum store_status store_retention_step(struct store *, enum store_ret_table, time_t cut, int max, long *n);
/* The newest time stamp in table (0 when empty): retention never reaches past it, so a clock
 * that jumped years ahead does not empty the database. */
time_t		 store_retention_newest(struct store *, enum store_ret_table);
#endif
