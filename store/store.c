/*
 * store — opening, pragmas, migrations, the statement cache, transactions and the generic
 * row emitter. The tables' own functions live in store_<table>.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/crash.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "store/store-internal.h"
#include "store/store_fault.h"	/* tests/fault: KT_FAULT_VFS */

struct migration {
	int		 version;
	const char	*name;
	const char	*sql;
};
#include "migrations.h"

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

time_t
st_now(void)
{
	return clock_now();
}

enum store_status
st_stamp_clock(struct store *st, const char *table, int64_t id)
{
	sqlite3_stmt *stmt = st_prep(st, !strcmp(table, "inbox") ?
	    "UPDATE inbox SET box_at = ?2, clock = ?3 WHERE id = ?1" :
	    "UPDATE announcements SET box_at = ?2, clock = ?3 WHERE id = ?1");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, clock_system());
	sqlite3_bind_text(stmt, 3, clock_correction() ? "network" : "system", -1, SQLITE_STATIC);
	return st_exec(st, stmt, "recording the clock");
}

int
store_latest_version(void)
{
	return migrations[NMIGRATIONS - 1].version;
}

enum store_status
st_fail(struct store *st, int rc, const char *what)
{
	int	 prim = rc & 0xff;

	snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", what,
	    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	switch (prim) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_NOMEM:
	case SQLITE_CANTOPEN:
		return STORE_TEMPFAIL;
	case SQLITE_CONSTRAINT:
		return STORE_INVALID;
	default:
		return STORE_ERROR;
	}
}

const char *
store_errmsg(struct store *st)
{
	return st && st->errmsg[0] ? st->errmsg : "no error";
}

sqlite3_stmt *
st_prep(struct store *st, const char *sql)
{
	int		 i, rc;
	sqlite3_stmt	*stmt;

	for (i = 0; i < st->nstmts; i++)
		if (st->stmts[i].sql == sql) {
			sqlite3_reset(st->stmts[i].stmt);
			sqlite3_clear_bindings(st->stmts[i].stmt);
			return st->stmts[i].stmt;
		}
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	if (rc != SQLITE_OK) {
		st_fail(st, rc, "prepare");
		log_warnx("store: prepare failed: %s sql=\"%.80s\"", sqlite3_errmsg(st->db), sql);
		return NULL;
	}
	if (st->nstmts == STORE_STMT_MAX)
		fatalx("store: statement cache full; raise STORE_STMT_MAX");
	st->stmts[st->nstmts].sql = sql;
	st->stmts[st->nstmts].stmt = stmt;
	st->nstmts++;
	return stmt;
}

void
st_bind_text(sqlite3_stmt *stmt, int idx, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, idx);
	else
		sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT);
}

void
st_col_copy(char *dst, size_t len, sqlite3_stmt *stmt, int col)
{
	const char	*s = (const char *)sqlite3_column_text(stmt, col);

	snprintf(dst, len, "%s", s ? s : "");
}

enum store_status
st_exec(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	int	 rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return STORE_OK;
	return st_fail(st, rc, what);
}

int64_t
st_scalar(struct store *st, sqlite3_stmt *stmt, int64_t dflt)
{
	int	 rc = sqlite3_step(stmt);
	int64_t	 v = dflt;

	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		st_fail(st, rc, "reading a value");
	sqlite3_reset(stmt);
	return v;
}

enum store_status
st_emit(struct store *st, sqlite3_stmt *stmt, const char *json_cols, store_row_cb cb, void *arg)
{
	int			 n = sqlite3_column_count(stmt), i, rc;
	const char		*names[64], *values[64];
	int			 types[64];
	struct table_row	 row;
	char			 numbuf[64][24];
	enum store_status	 ret = STORE_OK;

	if (n > 64)
		fatalx("st_emit: too many columns");
	for (i = 0; i < n; i++) {
		const char	*nm = sqlite3_column_name(stmt, i);
		const char	*p = json_cols ? strstr(json_cols, nm) : NULL;
		size_t		 l = strlen(nm);

		names[i] = nm;
		types[i] = TABLE_COL_TEXT;
		/* whole-word match in the space-separated list */
		while (p != NULL) {
			if ((p == json_cols || p[-1] == ' ') && (p[l] == '\0' || p[l] == ' ')) {
				types[i] = TABLE_COL_JSON;
				break;
			}
			p = strstr(p + 1, nm);
		}
	}
	row.n = n;
	row.names = names;
	row.values = values;
	row.types = types;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int t[64];

		for (i = 0; i < n; i++) {
			switch (sqlite3_column_type(stmt, i)) {
			case SQLITE_NULL:
				values[i] = NULL;
				t[i] = TABLE_COL_NULL;
				break;
			case SQLITE_INTEGER:
				snprintf(numbuf[i], sizeof(numbuf[i]), "%lld",
				    (long long)sqlite3_column_int64(stmt, i));
				values[i] = numbuf[i];
				t[i] = types[i] == TABLE_COL_JSON ? TABLE_COL_JSON : TABLE_COL_INT;
				break;
			default:
				values[i] = (const char *)sqlite3_column_text(stmt, i);
				t[i] = types[i];
				break;
			}
		}
		row.types = t;
		if (cb(arg, &row) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = st_fail(st, rc, "listing");
	sqlite3_reset(stmt);
	return ret;
}

static enum store_status
st_exec_sql(struct store *st, const char *sql, const char *what)
{
	char	*msg = NULL;
	int	 rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", what, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_FULL ||
		    (rc & 0xff) == SQLITE_IOERR ? STORE_TEMPFAIL : STORE_ERROR;
	}
	return STORE_OK;
}

int
store_version(struct store *st)
{
	return (int)st_db_int(st->db, "PRAGMA user_version");
}

/* After a failed migration step: SQLite may have rolled back already (a full disk does); the
 * step's own error stays the one reported. */
static void
migrate_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

enum store_status
store_migrate(struct store *st, int version)
{
	int	 i, cur = store_version(st);
	char	 sql[64];

	if (cur < 0)
		return st_fail(st, sqlite3_errcode(st->db), "reading the schema version");
	if (cur > store_latest_version()) {
		snprintf(st->errmsg, sizeof(st->errmsg), "the database has schema version %d, newer than "
		    "this program's %d: use a newer kentongand", cur, store_latest_version());
		return STORE_INVALID;
	}
	for (i = 0; i < NMIGRATIONS; i++) {
		const struct migration *m = &migrations[i];
		enum store_status s;

		if (m->version <= cur || m->version > version)
			continue;
		/* each migration and its version bump are one transaction */
		if ((s = st_exec_sql(st, "BEGIN IMMEDIATE", "migration")) != STORE_OK)
			return s;
		if ((s = st_exec_sql(st, m->sql, m->name)) != STORE_OK) {
			migrate_rollback(st);
			return s;
		}
		CRASH_POINT("migration");
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", m->version);
		if ((s = st_exec_sql(st, sql, m->name)) != STORE_OK ||
		    (s = st_exec_sql(st, "COMMIT", m->name)) != STORE_OK) {
			migrate_rollback(st);
			return s;
		}
		log_info("store: migrated to version=%d name=%s", m->version, m->name);
	}
	return STORE_OK;
}

#define STORE_PAGE_SIZE	"1024"
#define STORE_WAL_BYTES	(4 << 20)

static enum store_status
wal_autocheckpoint(struct store *st)
{
	long		 page = (long)st_db_int(st->db, "PRAGMA page_size");
	char		 sql[64];

	if (page <= 0)
		page = 4096;
	snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint=%ld", STORE_WAL_BYTES / page);
	return st_exec_sql(st, sql, "wal_autocheckpoint");
}

struct store *
store_open(const char *path, int flags, char *err, size_t errlen)
{
	struct store	*st = xcalloc(1, sizeof(*st));
	int		 rc, oflags;

	st->path = xstrdup(path);
	st->flags = flags;
	if (store_fault_register() == -1)	/* tests/fault: a failing VFS when KT_FAULT_VFS is set */
		log_warnx("store: KT_FAULT_VFS ignored");
	oflags = (flags & STORE_RDONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the database: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	/* SD cards wear by what is written: every commit appends each page it touched to the WAL,
	 * so smaller pages write less per SMS (make bench, bench_writes: 1 KiB pages halve the bytes
	 * per received and per sent SMS against 4 KiB). Only a new database takes it; an existing
	 * one keeps its page size. */
	if (!(flags & STORE_RDONLY) &&
	    st_exec_sql(st, "PRAGMA page_size=" STORE_PAGE_SIZE, "page_size") != STORE_OK)
		goto fail_msg;
	if (!(flags & STORE_RDONLY)) {
		if (st_exec_sql(st, "PRAGMA journal_mode=WAL", "journal_mode") != STORE_OK ||
		    st_exec_sql(st, "PRAGMA synchronous=FULL", "synchronous") != STORE_OK)
			goto fail_msg;
		/* a checkpoint per 4 MiB of WAL, whatever the page size (the WAL is synced at every
		 * commit either way: checkpoints cost under 2% of the bytes written per SMS) */
		if (wal_autocheckpoint(st) != STORE_OK)
			goto fail_msg;
	}
	if (st_exec_sql(st, "PRAGMA foreign_keys=ON", "foreign_keys") != STORE_OK)
		goto fail_msg;
	/* a read that fails here means the file is not a database */
	if (store_version(st) < 0) {
		snprintf(err, errlen, "%s: not a Kentongan database: %s", path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if (!(flags & (STORE_RDONLY | STORE_NO_MIGRATE)) &&
	    store_migrate(st, store_latest_version()) != STORE_OK)
		goto fail_msg;
	return st;
fail_msg:
	snprintf(err, errlen, "%s: %s", path, st->errmsg);
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	int	 i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nstmts; i++)
		sqlite3_finalize(st->stmts[i].stmt);
	if (st->db)
		sqlite3_close(st->db);
	free(st->path);
	free(st);
}

enum store_status
store_begin(struct store *st)
{
	enum store_status s;

	if (st->in_tx)
		fatalx("store_begin: a transaction is already open");
	if ((s = st_exec(st, st_prep(st, "BEGIN IMMEDIATE"), "begin")) == STORE_OK)
		st->in_tx = 1;
	return s;
}

enum store_status
store_commit(struct store *st)
{
	enum store_status s = st_exec(st, st_prep(st, "COMMIT"), "commit");

	if (s != STORE_OK) {
		store_rollback(st);
		return s;
	}
	st->in_tx = 0;
	return s;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

enum store_status
store_integrity(struct store *st, store_row_cb cb, void *arg)
{
	sqlite3_stmt		*stmt;
	enum store_status	 s;
	int			 rc, ok = 1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &stmt, NULL) != SQLITE_OK)
		return st_fail(st, sqlite3_errcode(st->db), "integrity_check");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *msg = (const char *)sqlite3_column_text(stmt, 0);

		if (strcmp(msg, "ok") != 0)
			ok = 0;
	}
	sqlite3_reset(stmt);
	s = st_emit(st, stmt, NULL, cb, arg);
	sqlite3_finalize(stmt);
	if (s != STORE_OK)
		return s;
	if (!ok) {
		snprintf(st->errmsg, sizeof(st->errmsg), "integrity check failed");
		return STORE_ERROR;
	}
	return STORE_OK;
}

enum store_status
store_audit(struct store *st, const char *actor, const char *action, const char *detail)
{
	sqlite3_stmt *stmt = st_prep(st, "INSERT INTO audit (at, actor, action, detail) "
	    "VALUES (?1, ?2, ?3, json(coalesce(?4, '{}')))");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, st_now());
	st_bind_text(stmt, 2, actor);
	st_bind_text(stmt, 3, action);
	st_bind_text(stmt, 4, detail);
	return st_exec(st, stmt, "audit");
}

enum store_status
store_list_audit(struct store *st, long limit, store_row_cb cb, void *arg)
{
	sqlite3_stmt *stmt = st_prep(st, "SELECT id, datetime(at, 'unixepoch', 'localtime') AS at, actor, "
	    "action, detail FROM audit ORDER BY id DESC LIMIT ?1");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, limit > 0 ? limit : -1);
	return st_emit(st, stmt, "detail", cb, arg);
}

/* ---- one-off reads, rows changed ---- */

int64_t
st_db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*stmt;
	int64_t		 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

enum store_status
st_changes(struct store *st, long *n, enum store_status s)
{
	*n = s == STORE_OK ? sqlite3_changes(st->db) : 0;
	return s;
}

/* ---- binding, one-call statements and row lists ---- */

static void
st_vbind(sqlite3_stmt *stmt, const char *fmt, va_list ap)
{
	int	 i;

	for (i = 1; *fmt != '\0'; fmt++, i++)
		switch (*fmt) {
		case 'i':
			sqlite3_bind_int(stmt, i, va_arg(ap, int));
			break;
		case 'I':
			sqlite3_bind_int64(stmt, i, va_arg(ap, int64_t));
			break;
		case 't':
			/* a NULL pointer binds NULL */
			sqlite3_bind_text(stmt, i, va_arg(ap, const char *), -1, SQLITE_STATIC);
			break;
		default:
			fatalx("st_bind: bad format letter '%c'", *fmt);
		}
}

void
st_bind(sqlite3_stmt *stmt, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	st_vbind(stmt, fmt, ap);
	va_end(ap);
}

sqlite3_stmt *
st_prepf(struct store *st, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt	*stmt = st_prep(st, sql);
	va_list		 ap;

	if (stmt == NULL)
		return NULL;
	va_start(ap, fmt);
	st_vbind(stmt, fmt, ap);
	va_end(ap);
	return stmt;
}

enum store_status
st_row(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	int	 rc;

	if (stmt == NULL)
		return STORE_ERROR;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		return STORE_OK;
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? STORE_NOTFOUND : st_fail(st, rc, what);
}

enum store_status
st_get(struct store *st, sqlite3_stmt *stmt, const char *what, const char *fmt, ...)
{
	enum store_status	 s = st_row(st, stmt, what);
	const char		*t;
	va_list			 ap;
	char			*dst;
	int			 col;

	if (s != STORE_OK)
		return s;
	va_start(ap, fmt);
	for (col = 0; fmt[col] != '\0'; col++)
		switch (fmt[col]) {
		case 'i':
			*va_arg(ap, int *) = sqlite3_column_int(stmt, col);
			break;
		case 'l':
			*va_arg(ap, long *) = (long)sqlite3_column_int64(stmt, col);
			break;
		case 'I':
			*va_arg(ap, int64_t *) = sqlite3_column_int64(stmt, col);
			break;
		case 'T':
			*va_arg(ap, time_t *) = (time_t)sqlite3_column_int64(stmt, col);
			break;
		case 't':
			dst = va_arg(ap, char *);
			st_col_copy(dst, va_arg(ap, size_t), stmt, col);
			break;
		case 'd':
			t = (const char *)sqlite3_column_text(stmt, col);
			*va_arg(ap, char **) = t ? xstrdup(t) : NULL;
			break;
		default:
			break;
		}
	va_end(ap);
	sqlite3_reset(stmt);
	return STORE_OK;
}

enum store_status
st_rows(struct store *st, sqlite3_stmt *stmt, const char *what, struct st_rows *r)
{
	int	 rc, j;

	r->n = r->ncols = 0;
	r->v = NULL;
	if (stmt == NULL)
		return STORE_ERROR;
	r->ncols = sqlite3_column_count(stmt);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r->v = xreallocarray(r->v, (size_t)(r->n + 1) * (size_t)r->ncols, sizeof(*r->v));
		for (j = 0; j < r->ncols; j++)
			if ((r->v[r->n * r->ncols + j] = sqlite3_value_dup(sqlite3_column_value(stmt, j))) == NULL)
				fatalx("st_rows: out of memory");
		r->n++;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? STORE_OK : st_fail(st, rc, what);
}

const char *
st_rows_text(const struct st_rows *r, int row, int col)
{
	return (const char *)sqlite3_value_text(r->v[row * r->ncols + col]);
}

int64_t
st_rows_int(const struct st_rows *r, int row, int col)
{
	return sqlite3_value_int64(r->v[row * r->ncols + col]);
}

void
st_rows_copy(char *dst, size_t len, const struct st_rows *r, int row, int col)
{
	const char	*s = st_rows_text(r, row, col);

	snprintf(dst, len, "%s", s ? s : "");
}

void
st_rows_free(struct st_rows *r)
{
	int	 i;

	for (i = 0; i < r->n * r->ncols; i++)
		sqlite3_value_free(r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
