/*
 * backup — online backups taken by the daemon: `kentongan backup FILE` and the scheduled ones
 * (backup_dir, backup_interval, backup_keep). The copy advances a few hundred pages per turn of
 * the event loop (store_backup), so receiving and sending go on while it runs; one backup at a
 * time. Failures are kept for `status` and /metrics. Runs on the daemon's event loop.
 */
#ifndef GATEWAY_BACKUP_H
#define GATEWAY_BACKUP_H
#include <time.h>

struct gateway;
struct ctl_req;

struct backup_info {
	int		 running;		/* 1 while a copy is in progress */
	const char	*running_file;
	int		 done_pages, total_pages;
	time_t		 last_ok_at;		/* 0 = none since start */
	const char	*last_ok_file;
	long long	 last_ok_bytes;
	time_t		 last_fail_at;		/* 0 = none since the last success */
	const char	*last_error;
	long		 failures;		/* since start */
	time_t		 next_at;		/* the next scheduled backup; 0 = none scheduled */
};

struct backup	*backup_new(struct gateway *);
void		 backup_free(struct backup *);	/* abandons a running copy; accepts NULL */
/* Starts a backup into path (a directory gets a dated name inside it). The console request is
 * answered when the copy is complete or failed (ownership of req passes to backup). Returns 0, or
 * -1 with the reason printed to req->err (the caller answers req). */
int		 backup_start(struct backup *, const char *path, struct ctl_req *);
void		 backup_get_info(struct backup *, struct backup_info *);
/* The configuration was reloaded: reschedule. */
void		 backup_reconfigure(struct backup *);
#endif
