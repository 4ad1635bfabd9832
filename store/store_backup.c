/*
 * store_backup — online copies of the live database and their check (see store_backup.h).
 * The backup object reads the source through the daemon's own connection, so writes the daemon
 * makes between steps are copied along without restarting the copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "store/store-internal.h"
#include "store/store_backup.h"

struct store_backup {
	struct store	*st;
	sqlite3		*dest;
	sqlite3_backup	*bk;
	char		*path;
	char		*tmp;
	long long	 size;
};

static void
unlink_tmp(const char *tmp)
{
	char	 j[4096];

	unlink(tmp);
	snprintf(j, sizeof(j), "%s-journal", tmp);
	unlink(j);
}

struct store_backup *
store_backup_begin(struct store *st, const char *path, char *err, size_t errlen)
{
	struct store_backup	*b = xcalloc(1, sizeof(*b));
	int			 rc;

	b->st = st;
	b->path = xstrdup(path);
	b->tmp = xmalloc(strlen(path) + 5);
	sprintf(b->tmp, "%s.tmp", path);
	if (!strcmp(path, st->path)) {
		snprintf(err, errlen, "%s is the live database: name another file", path);
		goto fail;
	}
	unlink_tmp(b->tmp);	/* the leftover of an interrupted backup */
	rc = sqlite3_open_v2(b->tmp, &b->dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot create %s: %s", b->tmp,
		    b->dest ? sqlite3_errmsg(b->dest) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(b->dest, 1);
	if ((b->bk = sqlite3_backup_init(b->dest, "main", st->db, "main")) == NULL) {
		snprintf(err, errlen, "cannot start the backup to %s: %s", path, sqlite3_errmsg(b->dest));
		goto fail;
	}
	return b;
fail:
	store_backup_free(b);
	return NULL;
}

static int
fsync_dir(const char *path)
{
	char	*copy = xstrdup(path);
	int	 fd, rc = 0;

	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 || fsync(fd) == -1)
		rc = -1;
	if (fd != -1)
		close(fd);
	free(copy);
	return rc;
}

int
store_backup_step(struct store_backup *b, int npages, int *done_pages, int *total_pages, char *err,
    size_t errlen)
{
	struct stat	 sb;
	char		*msg = NULL;
	int		 rc, total;

	rc = sqlite3_backup_step(b->bk, npages);
	total = sqlite3_backup_pagecount(b->bk);
	if (total_pages)
		*total_pages = total;
	if (done_pages)
		*done_pages = total - sqlite3_backup_remaining(b->bk);
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return 0;	/* more pages, or try again on the next step */
	case SQLITE_DONE:
		break;
	default:
		snprintf(err, errlen, "writing %s: %s", b->tmp, sqlite3_errstr(rc));
		goto fail;
	}
	rc = sqlite3_backup_finish(b->bk);
	b->bk = NULL;
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "writing %s: %s", b->tmp, sqlite3_errmsg(b->dest));
		goto fail;
	}
	/* the copy carries the source's WAL flag; one self-contained file is what a USB stick or a
	 * restore wants (with synchronous=FULL, the journal_mode change syncs the file) */
	if (sqlite3_exec(b->dest, "PRAGMA journal_mode=DELETE", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "finishing %s: %s", b->tmp, msg ? msg : sqlite3_errmsg(b->dest));
		sqlite3_free(msg);
		goto fail;
	}
	if ((rc = sqlite3_close(b->dest)) != SQLITE_OK) {
		snprintf(err, errlen, "closing %s: %s", b->tmp, sqlite3_errstr(rc));
		b->dest = NULL;
		goto fail;
	}
	b->dest = NULL;
	if (rename(b->tmp, b->path) == -1) {
		snprintf(err, errlen, "renaming %s to %s: %s", b->tmp, b->path, strerror(errno));
		goto fail;
	}
	if (fsync_dir(b->path) == -1) {
		snprintf(err, errlen, "syncing the directory of %s: %s", b->path, strerror(errno));
		return -1;
	}
	b->size = stat(b->path, &sb) == 0 ? (long long)sb.st_size : 0;
	return 1;
fail:
	if (b->bk)
		sqlite3_backup_finish(b->bk);
	b->bk = NULL;
	if (b->dest)
		sqlite3_close(b->dest);
	b->dest = NULL;
	unlink_tmp(b->tmp);
	return -1;
}

long long
store_backup_size(struct store_backup *b)
{
	return b->size;
}

void
store_backup_free(struct store_backup *b)
{
	if (b == NULL)
		return;
	if (b->bk)
		sqlite3_backup_finish(b->bk);
	if (b->dest) {
		sqlite3_close(b->dest);
		unlink_tmp(b->tmp);
	}
	free(b->path);
	free(b->tmp);
	free(b);
}

/* "file:PATH?mode=ro&immutable=1" with the URI's special characters in PATH escaped */
static void
uri_path(char *uri, size_t len, const char *path)
{
	size_t	 n = 0;
	const char *p;

	n = (size_t)snprintf(uri, len, "file:");
	for (p = path; *p && n + 4 < len; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			n += (size_t)snprintf(uri + n, len - n, "%%%02X", (unsigned char)*p);
		else
			uri[n++] = *p;
	}
	snprintf(uri + n, len - n, "?mode=ro&immutable=1");
}

enum store_status
store_check_file(const char *path, struct store_check *c, char *err, size_t errlen)
{
	sqlite3			*db = NULL;
	sqlite3_stmt		*stmt = NULL;
	enum store_status	 s = STORE_ERROR;
	int			 rc, bad = 0;
	char			 uri[4200];

	memset(c, 0, sizeof(c[0]));
	if (access(path, R_OK) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return STORE_NOTFOUND;
	}
	/* immutable: nothing (not even a -wal or -shm file) is created beside the copy */
	uri_path(uri, sizeof(uri), path);
	rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto out;
	}
	c->version = (int)st_db_int(db, "PRAGMA user_version");
	if (c->version < 0) {
		snprintf(err, errlen, "%s: not a database: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	if (c->version == 0 || st_db_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'inbox'") != 1) {
		snprintf(err, errlen, "%s: not a Kentongan database (no schema)", path);
		s = STORE_INVALID;
		goto out;
	}
	if (c->version > store_latest_version()) {
		snprintf(err, errlen, "%s: schema version %d is newer than this program's %d", path, c->version,
		    store_latest_version());
		s = STORE_INVALID;
		goto out;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: integrity check: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(stmt, 0);

		if (strcmp(m, "ok") != 0 && !bad++)
			snprintf(err, errlen, "%s: integrity check: %s", path, m);
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: integrity check: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	if (bad) {
		s = STORE_INVALID;
		goto out;
	}
	c->inbox = st_db_int(db, "SELECT count(*) FROM inbox");
	c->outbox = st_db_int(db, "SELECT count(*) FROM outbox");
	c->announcements = st_db_int(db, "SELECT count(*) FROM announcements");
	c->subscribers = st_db_int(db, "SELECT count(*) FROM subscribers WHERE status = 'active'");
	s = STORE_OK;
out:
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return s;
}
