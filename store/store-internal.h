/*
 * store-internal — shared by the store_*.c files only: the struct, the statement cache and the
 * row emitter. Nothing outside store/ includes this.
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
#endif
