/*
 * store-internal — shared by the store_*.c files only: the struct, the statement cache, the
 * row emitter, and the binding and row-list helpers. Nothing outside store/ includes this.
 */
#ifndef STORE_INTERNAL_H
#define STORE_INTERNAL_H
#include <stdint.h>

#include <sqlite3.h>

#include "store/store.h"

#define STORE_STMT_MAX 256

struct store {
	sqlite3		*db;
	char		*path;
	int		 flags;
	int		 in_tx;
	char		 errmsg[512];
	struct {
		const char	*sql;	/* the literal's address is the key */
		sqlite3_stmt	*stmt;
	} stmts[STORE_STMT_MAX];
	int		 nstmts;
};

/* Returns a reset, cleared prepared statement for the literal sql (cached); NULL on error. */
sqlite3_stmt	*st_prep(struct store *, const char *sql);
/* Maps an SQLite result code to a status and records the message. */
enum store_status st_fail(struct store *, int rc, const char *what);
/* Steps a statement expecting SQLITE_DONE; resets it. */
enum store_status st_exec(struct store *, sqlite3_stmt *, const char *what);
/* Runs a statement and hands each row to cb. Columns whose name is listed in json_cols
 * (space-separated) are typed TABLE_COL_JSON. Resets the statement. */
enum store_status st_emit(struct store *, sqlite3_stmt *, const char *json_cols, store_row_cb, void *);
/* Steps a one-row, one-column query and returns its integer (dflt for no row, NULL or an error,
 * which is recorded). Resets the statement. */
int64_t		 st_scalar(struct store *, sqlite3_stmt *, int64_t dflt);
/* Binds text or NULL. */
void		 st_bind_text(sqlite3_stmt *, int idx, const char *);
/* Copies a text column into dst (len bytes), cut to fit; NULL becomes "". */
void		 st_col_copy(char *dst, size_t len, sqlite3_stmt *, int col);
time_t		 st_now(void);
/* Records the system clock and the clock source on a new row of table (inbox, announcements). */
enum store_status st_stamp_clock(struct store *, const char *table, int64_t id);

/* ---- one-off reads, rows changed ---- */

/* Runs sql once on db (not cached: also for a database opened without struct store) and returns
 * the integer of its first row's first column; -1 when it cannot be prepared or gives no row. */
int64_t		 st_db_int(sqlite3 *, const char *sql);
/* Passes on s, the status of a statement just run, with *n the rows it changed (0 when it failed). */
enum store_status st_changes(struct store *, long *n, enum store_status s);

/* ---- binding, one-call statements, one-row reads and row lists ---- */

/* Binds ?1, ?2, ... in order, one argument for each letter of fmt: 'i' int, 'I' int64_t, 't' const char *
 * (NULL binds NULL). Text is not copied: it must live until the statement is reset. */
void		 st_bind(sqlite3_stmt *, const char *fmt, ...);
/* st_prep, then st_bind; NULL on error. */
sqlite3_stmt	*st_prepf(struct store *, const char *sql, const char *fmt, ...);
/* Steps stmt to its next row (the first on a fresh statement): STORE_OK with the row current (read it,
 * then sqlite3_reset, or call again for the next), or, with the statement reset, STORE_NOTFOUND for no
 * (more) row or the error recorded under what. A NULL stmt (st_prepf failed, the error recorded) is
 * STORE_ERROR. */
enum store_status st_row(struct store *, sqlite3_stmt *, const char *what);
/* st_row, then reads the row's columns in order into the arguments, one for each letter of fmt (the
 * reading side of st_bind): 'i' int *, 'l' long *, 'I' int64_t *, 'T' time_t *, 't' char * and its size_t
 * length (copied as st_col_copy: cut to fit, "" for NULL), 'd' char ** (an xmalloc'd copy, NULL for NULL).
 * Resets the statement. Not STORE_OK (see st_row): nothing is written. */
enum store_status st_get(struct store *, sqlite3_stmt *, const char *what, const char *fmt, ...);
/* st_prepf, then st_exec (STORE_ERROR when it cannot be prepared):
 * st_run(st, what, sql, fmt, ...) */
#define st_run(st, what, sql, ...) \
	st_exec_p((st), st_prepf((st), (sql), __VA_ARGS__), (what))
/* st_prepf, then st_emit (STORE_ERROR when it cannot be prepared):
 * st_list(st, sql, json_cols, cb, arg, fmt, ...) */
#define st_list(st, sql, json_cols, cb, arg, ...) \
	st_emit_p((st), st_prepf((st), (sql), __VA_ARGS__), (json_cols), (cb), (arg))
/* st_prepf, then st_scalar (fail when it cannot be prepared): st_value(st, dflt, fail, sql, fmt, ...) */
#define st_value(st, dflt, fail, sql, ...) \
	st_scalar_p((st), st_prepf((st), (sql), __VA_ARGS__), (dflt), (fail))

static inline enum store_status
st_exec_p(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	return stmt ? st_exec(st, stmt, what) : STORE_ERROR;
}

static inline enum store_status
st_emit_p(struct store *st, sqlite3_stmt *stmt, const char *json_cols, store_row_cb cb, void *arg)
{
	return stmt ? st_emit(st, stmt, json_cols, cb, arg) : STORE_ERROR;
}

static inline int64_t
st_scalar_p(struct store *st, sqlite3_stmt *stmt, int64_t dflt, int64_t fail)
{
	return stmt ? st_scalar(st, stmt, dflt) : fail;
}

/* Rows read to the end before any is used, so that what is done with them may use the store. */
struct st_rows {
	int		  n, ncols;
	sqlite3_value	**v;		/* row i, column j: v[i * ncols + j] */
};
/* Steps stmt to its end keeping a copy of each row, and resets it. On an error the rows read so far
 * stay in r and the error is recorded under what; a NULL stmt (st_prepf failed) is STORE_ERROR with
 * no rows. Free r with st_rows_free. */
enum store_status st_rows(struct store *, sqlite3_stmt *, const char *what, struct st_rows *r);
/* A column of a kept row: text (NULL for SQL NULL; valid until st_rows_free) or integer. */
const char	*st_rows_text(const struct st_rows *, int row, int col);
int64_t		 st_rows_int(const struct st_rows *, int row, int col);
/* Copies a kept column's text into dst (len bytes), cut to fit; NULL becomes "". */
void		 st_rows_copy(char *dst, size_t len, const struct st_rows *, int row, int col);
void		 st_rows_free(struct st_rows *);

/* ---- announcements in force (store_announcements, store_field) ---- */

/* Lists to cb the announcements in force now (active, not before their time, not expired) that have
 * an area j passing match, newest first, at most limit: id, text, created. match is an SQL literal
 * that goes on "SELECT 1 FROM json_each(a.areas) j", with ?1 the key:
 * st_in_force(st, match, key, limit, cb, arg) */
#define st_in_force(st, match, key, limit, cb, arg) \
	st_list((st), "SELECT a.id, a.text, datetime(a.created_at, 'unixepoch', 'localtime') AS created " \
	    "FROM announcements a WHERE a.state = 'active' AND a.not_before <= ?3 AND (a.expires_at = 0 OR " \
	    "a.expires_at > ?3) AND EXISTS (SELECT 1 FROM json_each(a.areas) j" match ") " \
	    "ORDER BY a.id DESC LIMIT ?2", NULL, (cb), (arg), "tiI", (key), (limit), (int64_t)st_now())
#endif
