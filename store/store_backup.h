/*
 * store_backup — a consistent copy of the live database, taken with SQLite's online backup API a
 * few pages at a time so the daemon's loop keeps receiving and sending between steps, and the
 * check of a copy (`kentongan check FILE`). The copy is written to FILE.tmp, synced, switched to
 * a rollback journal (one self-contained file) and renamed over FILE only when complete: a
 * failed or interrupted backup never leaves a half file under the final name.
 * Runs in the daemon (backup) and in the console (check).
 */
#ifndef STORE_STORE_BACKUP_H
#define STORE_STORE_BACKUP_H
#include <stddef.h>

#include "store/store.h"

struct store_backup;

/* Starts a copy of st into path. NULL on error with the reason in err. */
struct store_backup *store_backup_begin(struct store *, const char *path, char *err, size_t errlen);
/* Copies up to npages pages. Returns 1 when the copy is complete and renamed into place, 0 when
 * more steps are needed, -1 on error (err says why; the temporary file is removed). After 1 or
 * -1 the handle is finished: free it. done_pages and total_pages report progress (may be NULL). */
int		 store_backup_step(struct store_backup *, int npages, int *done_pages, int *total_pages,
		    char *err, size_t errlen);
/* Abandons an unfinished copy (removes the temporary file) and frees the handle; accepts NULL. */
void		 store_backup_free(struct store_backup *);
/* Size in bytes of the finished copy (after store_backup_step returned 1). */
long long	 store_backup_size(struct store_backup *);

/* Checks a copy without changing it: a Kentongan database, a schema this program knows, and
 * PRAGMA integrity_check ok. Fills version and the row counts of inbox, outbox and
 * announcements. Returns STORE_OK, or another status with the reason in err. */
struct store_check {
	int		 version;
	long long	 inbox, outbox, announcements, subscribers;
};
enum store_status store_check_file(const char *path, struct store_check *, char *err, size_t errlen);
#endif
