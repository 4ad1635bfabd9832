/*
 * backup — the daemon's online backups (see backup.h). One copy at a time advances by
 * KT_BACKUP_PAGES pages (default 1024: 1 MiB with 1 KiB pages) per step, with a short pause between steps so
 * modem and console events are served. Scheduled backups are named kentongan-YYYYmmdd-HHMMSS.db
 * in backup_dir; a backup is due when the newest of them is older than backup_interval, so a box
 * that reboots often still gets its backups. backup_dir is never created: a USB stick that is not
 * mounted must not turn into a directory on the SD card.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/conf.h"
#include "common/env.h"
#include "common/log.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/backup.h"
#include "gateway/control/control.h"
#include "gateway/gateway.h"
#include "store/store_backup.h"

#define BACKUP_PREFIX	"kentongan-"
#define BACKUP_SUFFIX	".db"
#define BACKUP_NAMELEN	(sizeof(BACKUP_PREFIX) - 1 + 15 + sizeof(BACKUP_SUFFIX) - 1)

struct backup {
	struct gateway		*gw;
	struct event		*ev_step;
	struct event		*ev_sched;
	/* the copy in progress */
	struct store_backup	*job;
	char			*job_file;
	struct ctl_req		*job_req;	/* NULL for a scheduled backup */
	int			 job_scheduled;
	double			 job_started;
	int			 done_pages, total_pages;
	int			 pages_per_step;
	/* what status shows */
	time_t			 last_ok_at, last_fail_at;
	double			 next_mono;	/* the next scheduled backup (clock_mono); 0 none */
	time_t			 newest_at;	/* the newest scheduled backup's mtime; 0 none */
	char			*last_ok_file;
	long long		 last_ok_bytes;
	char			 last_error[768];
	long			 failures;
};

static void	schedule(struct backup *);

static int
is_backup_name(const char *n)
{
	size_t	 l = strlen(n);

	return l == BACKUP_NAMELEN && !strncmp(n, BACKUP_PREFIX, sizeof(BACKUP_PREFIX) - 1) &&
	    !strcmp(n + l - (sizeof(BACKUP_SUFFIX) - 1), BACKUP_SUFFIX);
}

static void
dated_name(const char *dir, char **out)
{
	char		 stamp[32];
	struct tm	 tm;
	time_t		 now = clock_now();

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	xasprintf(out, "%s/" BACKUP_PREFIX "%s" BACKUP_SUFFIX, dir, stamp);
}

static void
job_end(struct backup *b, int ok, const char *why)
{
	double	 secs = clock_mono() - b->job_started;

	if (ok) {
		b->last_ok_at = clock_now();
		free(b->last_ok_file);
		b->last_ok_file = xstrdup(b->job_file);
		b->last_ok_bytes = store_backup_size(b->job);
		b->last_fail_at = 0;
		b->last_error[0] = '\0';
		log_info("backup: written file=%s bytes=%lld pages=%d seconds=%.1f%s", b->job_file,
		    b->last_ok_bytes, b->total_pages, secs, b->job_scheduled ? " scheduled=yes" : "");
	} else {
		b->last_fail_at = clock_now();
		b->failures++;
		snprintf(b->last_error, sizeof(b->last_error), "%s", why);
		log_warnx("backup: failed file=%s: %s", b->job_file, why);
	}
	if (b->job_req != NULL) {
		struct ctl_req *req = b->job_req;

		if (!ok)
			fprintf(req->err, "backup failed: %s\n", why);
		else if (req->fmt == TABLE_JSON) {
			fputs("{\"file\":", req->out);
			json_string(req->out, b->job_file);
			fprintf(req->out, ",\"bytes\":%lld,\"pages\":%d,\"seconds\":%.2f}\n", b->last_ok_bytes,
			    b->total_pages, secs);
		} else
			fprintf(req->out, "backup written: %s (%lld bytes, %.1f s); check it with "
			    "'kentongan check %s'\n", b->job_file, b->last_ok_bytes, secs, b->job_file);
		ctl_req_done(req, ok ? 0 : 1);
		b->job_req = NULL;
	}
	store_backup_free(b->job);
	b->job = NULL;
	free(b->job_file);
	b->job_file = NULL;
}

/* Deletes the oldest scheduled backups beyond backup_keep (names sort by date). */
static void
prune(struct backup *b)
{
	const char	*dir = b->gw->conf->backup_dir;
	struct dirent	**list = NULL;
	int		 n, i, keep = (int)b->gw->conf->backup_keep, have = 0;
	char		*path;

	if ((n = scandir(dir, &list, NULL, alphasort)) < 0)
		return;
	for (i = n - 1; i >= 0; i--) {
		if (is_backup_name(list[i]->d_name) && ++have > keep) {
			xasprintf(&path, "%s/%s", dir, list[i]->d_name);
			if (unlink(path) == 0)
				log_info("backup: removed old backup file=%s keep=%d", path, keep);
			else
				log_warn("backup: removing %s", path);
			free(path);
		}
		free(list[i]);
	}
	free(list);
}

static void
step_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct backup	*b = arg;
	struct timeval	 tv = { 0, 2000 };
	char		 err[768];
	int		 r;

	if (b->job == NULL)
		return;
	r = store_backup_step(b->job, b->pages_per_step, &b->done_pages, &b->total_pages, err, sizeof(err));
	if (r == 0) {
		evtimer_add(b->ev_step, &tv);
		return;
	}
	if (r == 1 && b->job_scheduled) {
		prune(b);
		b->newest_at = clock_now();
	}
	job_end(b, r == 1, err);
	if (b->job_scheduled)
		schedule(b);
}

static int
job_begin(struct backup *b, const char *path, int scheduled, char *err, size_t errlen)
{
	struct timeval	 tv = { 0, 0 };

	if ((b->job = store_backup_begin(b->gw->store, path, err, errlen)) == NULL)
		return -1;
	b->job_file = xstrdup(path);
	b->job_scheduled = scheduled;
	b->job_started = clock_mono();
	b->done_pages = b->total_pages = 0;
	log_info("backup: started file=%s%s", path, scheduled ? " scheduled=yes" : "");
	evtimer_add(b->ev_step, &tv);
	return 0;
}

int
backup_start(struct backup *b, const char *path, struct ctl_req *req)
{
	struct stat	 sb;
	char		*file = NULL, err[768];

	if (b->job != NULL) {
		fprintf(req->err, "a backup to %s is running (%d of %d pages); try again when it is done\n",
		    b->job_file, b->done_pages, b->total_pages);
		return -1;
	}
	if (path[0] != '/') {
		fprintf(req->err, "backup: '%s' is not an absolute path\n", path);
		return -1;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		dated_name(path, &file);
	else
		file = xstrdup(path);
	if (job_begin(b, file, 0, err, sizeof(err)) == -1) {
		fprintf(req->err, "backup failed: %s\n", err);
		b->last_fail_at = clock_now();
		b->failures++;
		snprintf(b->last_error, sizeof(b->last_error), "%s", err);
		free(file);
		return -1;
	}
	free(file);
	b->job_req = req;
	return 0;
}

/* The newest scheduled backup's modification time, 0 for none, -1 when dir is unusable. */
static time_t
newest(const char *dir, char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	time_t		 t = 0;
	char		*path;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "backup_dir %s: %s (is the USB stick mounted?)", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_backup_name(de->d_name))
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		if (stat(path, &sb) == 0 && sb.st_mtime > t)
			t = sb.st_mtime;
		free(path);
	}
	closedir(d);
	if (access(dir, W_OK) == -1) {
		snprintf(err, errlen, "backup_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	return t;
}

static void
sched_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct backup	*b = arg;
	const struct conf *c = b->gw->conf;
	char		 err[768], *file;
	time_t		 last, now = clock_now();

	if (*c->backup_dir == '\0')
		return;
	if (b->job != NULL) {
		schedule(b);	/* a console backup is running: look again later */
		return;
	}
	if ((last = newest(c->backup_dir, err, sizeof(err))) == -1) {
		if (strcmp(err, b->last_error))
			log_warnx("backup: scheduled backup not possible: %s", err);
		b->last_fail_at = now;
		if (strcmp(err, b->last_error))
			b->failures++;
		snprintf(b->last_error, sizeof(b->last_error), "%s", err);
		schedule(b);
		return;
	}
	b->newest_at = last;
	if (last != 0 && now - last < c->backup_interval_s && now >= last) {
		schedule(b);
		return;
	}
	dated_name(c->backup_dir, &file);
	if (job_begin(b, file, 1, err, sizeof(err)) == -1) {
		b->job_file = file;
		file = NULL;
		b->job_scheduled = 1;
		job_end(b, 0, err);
		schedule(b);
	}
	free(file);
}

/* The next look at backup_dir: a tenth of the interval, at most a minute apart. */
static void
schedule(struct backup *b)
{
	const struct conf	*c = b->gw->conf;
	long			 s = c->backup_interval_s / 10;
	struct timeval		 tv;

	if (*c->backup_dir == '\0') {
		b->next_mono = 0;
		evtimer_del(b->ev_sched);
		return;
	}
	if (s > 60)
		s = 60;
	if (s < 1)
		s = 1;
	tv.tv_sec = s;
	tv.tv_usec = 0;
	/* kept on the monotonic clock: status shows it right across a clock correction */
	b->next_mono = clock_mono() + (b->newest_at && b->last_error[0] == '\0' ?
	    (double)(b->newest_at + c->backup_interval_s - clock_now()) : (double)s);
	evtimer_add(b->ev_sched, &tv);
}

struct backup *
backup_new(struct gateway *gw)
{
	struct backup	*b = xcalloc(1, sizeof(*b));
	struct timeval	 tv = { 1, 0 };

	b->gw = gw;
	b->pages_per_step = (int)env_long("KT_BACKUP_PAGES", 1024);
	b->ev_step = evtimer_new(gw->base, step_cb, b);
	b->ev_sched = evtimer_new(gw->base, sched_cb, b);
	if (*gw->conf->backup_dir) {
		/* the first look soon after start: a box that was off for days is backed up at once */
		b->next_mono = clock_mono() + 1;
		evtimer_add(b->ev_sched, &tv);
	}
	return b;
}

void
backup_reconfigure(struct backup *b)
{
	if (b->job == NULL)
		schedule(b);
}

void
backup_free(struct backup *b)
{
	if (b == NULL)
		return;
	if (b->job != NULL)
		job_end(b, 0, "the daemon is stopping");
	event_free(b->ev_step);
	event_free(b->ev_sched);
	free(b->last_ok_file);
	free(b);
}

void
backup_get_info(struct backup *b, struct backup_info *i)
{
	memset(i, 0, sizeof(*i));
	i->running = b->job != NULL;
	i->running_file = b->job_file;
	i->done_pages = b->done_pages;
	i->total_pages = b->total_pages;
	i->last_ok_at = b->last_ok_at;
	i->last_ok_file = b->last_ok_file;
	i->last_ok_bytes = b->last_ok_bytes;
	i->last_fail_at = b->last_fail_at;
	i->last_error = b->last_error[0] ? b->last_error : NULL;
	i->failures = b->failures;
	i->next_at = b->next_mono ? clock_now() + (time_t)(b->next_mono - clock_mono() + 0.5) : 0;
}
