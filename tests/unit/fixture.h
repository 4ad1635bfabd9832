/*
 * fixture.h — helpers the unit tests share (header-only; include after <cmocka.h>).
 *   fx_db_unlink   remove a test database with its -wal and -shm files
 *   fx_q1          one value from one SQL query on a database file (-1 when no row)
 *   fx_run_until   turn an event base until cond() holds or secs pass; returns cond()
 *   fx_store_open  a fresh store in /tmp/kt-NAME-PID.db, its path in fx_dbpath
 *   fx_store_teardown  cmocka teardown for a store in *state: closes it and removes its files
 */
#ifndef TESTS_UNIT_FIXTURE_H
#define TESTS_UNIT_FIXTURE_H
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "store/store.h"
#include "tests/unit/clock.h"

static char	fx_dbpath[64] __attribute__((unused));

static inline void
fx_db_unlink(const char *path)
{
	char p[512];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* read-write: a read-only connection was seen to miss the WAL of a killed writer */
static inline long
fx_q1(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	long		 v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	} else
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	return v;
}

static inline void
fx_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

static inline int
fx_run_until(struct event_base *base, int (*cond)(void), double secs)
{
	double		 t0 = mono_now();
	struct event	*ev = event_new(base, -1, EV_PERSIST, fx_tick, NULL);
	struct timeval	 tv = { 0, 20000 };	/* cond() is looked at every 20 ms at least */
	int		 ok = 0;

	event_add(ev, &tv);
	for (;;) {
		if (cond()) {
			ok = 1;
			break;
		}
		if (mono_now() - t0 > secs)
			break;
		event_base_loop(base, EVLOOP_ONCE);
	}
	event_free(ev);
	return ok;
}

static inline struct store *
fx_store_open(const char *name)
{
	char		 err[512];
	struct store	*st;

	snprintf(fx_dbpath, sizeof(fx_dbpath), "/tmp/kt-%s-%d.db", name, (int)getpid());
	fx_db_unlink(fx_dbpath);
	if ((st = store_open(fx_dbpath, 0, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	return st;
}

static inline int
fx_store_teardown(void **state)
{
	store_close(*state);
	fx_db_unlink(fx_dbpath);
	return 0;
}
#endif
