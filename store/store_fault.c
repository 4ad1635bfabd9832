/*
 * store_fault — the fault-injecting SQLite VFS of tests/fault (see store_fault.h). It is a thin
 * shim: every file it opens holds the default VFS's file right behind its own header, and every
 * method but xWrite/xSync/xTruncate is passed straight through. SQLite's own test suite does the
 * same with its "malloc" and "io error" test VFSes; ours is driven by an environment variable so
 * the real daemon can be tested, not a harness around it.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/log.h"
#include "store/store_fault.h"

#ifndef KT_CRASHPOINTS
int
store_fault_register(void)
{
	return 0;
}

long
store_fault_injected(void)
{
	return 0;
}
#else

#define FAULT_RULES_MAX	8

enum fault_op {
	FAULT_WRITE = 1,
	FAULT_SYNC = 2,
	FAULT_TRUNCATE = 4,
	FAULT_MALLOC = 8,	/* SQLite's allocations (sqlite3_config MALLOC): SQLITE_NOMEM */
};

struct fault_rule {
	int	 ops;		/* FAULT_* mask */
	long	 after;		/* calls that succeed first */
	long	 count;		/* calls that fail then; -1: all */
	long	 calls;		/* calls seen while active */
	int	 full;		/* SQLITE_FULL rather than an I/O error */
	int	 logged;	/* the current activation was logged */
	char	 path[512];	/* "while" file, or "" */
};

struct fault_file {
	sqlite3_file	 base;
	sqlite3_file	*real;	/* right after this struct, szOsFile of the real VFS */
};

static struct fault_rule	 rules[FAULT_RULES_MAX];
static int			 nrules;
static long			 injected;
static sqlite3_vfs		*real_vfs;
static sqlite3_vfs		 fault_vfs;
static sqlite3_io_methods	 fault_io;
static sqlite3_mem_methods	 real_mem, fault_mem;

long
store_fault_injected(void)
{
	return injected;
}

/* Returns the SQLite error to inject for one call of op, or SQLITE_OK. */
static int
fault_hit(int op, int ioerr)
{
	int	 i;

	for (i = 0; i < nrules; i++) {
		struct fault_rule	*r = &rules[i];
		struct stat		 sb;
		long			 n;

		if (!(r->ops & op))
			continue;
		if (r->path[0] && stat(r->path, &sb) == -1) {
			if (r->logged)
				log_info("fault: vfs rule=%d cleared (%s removed) injected=%ld", i, r->path, injected);
			r->logged = 0;
			r->calls = 0;
			continue;
		}
		n = r->calls++;
		if (n < r->after || (r->count >= 0 && n >= r->after + r->count))
			continue;
		injected++;
		if (!r->logged) {
			log_warnx("fault: vfs op=%s injected=%s after=%ld (KT_FAULT_VFS)",
			    op == FAULT_WRITE ? "write" : op == FAULT_SYNC ? "sync" : op == FAULT_MALLOC ? "malloc" :
			    "truncate",
			    r->full ? "SQLITE_FULL" : "SQLITE_IOERR", r->after);
			r->logged = 1;
		}
		return r->full && op != FAULT_MALLOC ? SQLITE_FULL : ioerr;
	}
	return SQLITE_OK;
}

#define REAL(f)	(((struct fault_file *)(f))->real)

static int
f_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods->xClose(REAL(f));

	f->pMethods = NULL;
	return rc;
}

static int
f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	int rc = fault_hit(FAULT_WRITE, SQLITE_IOERR_WRITE);

	return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = fault_hit(FAULT_TRUNCATE, SQLITE_IOERR_TRUNCATE);

	return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
f_sync(sqlite3_file *f, int flags)
{
	int rc = fault_hit(FAULT_SYNC, SQLITE_IOERR_FSYNC);

	return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
f_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
f_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
f_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
f_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
f_device_chars(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int
f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void
f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static void *
m_malloc(int n)
{
	return fault_hit(FAULT_MALLOC, SQLITE_NOMEM) != SQLITE_OK ? NULL : real_mem.xMalloc(n);
}

static void *
m_realloc(void *p, int n)
{
	return fault_hit(FAULT_MALLOC, SQLITE_NOMEM) != SQLITE_OK ? NULL : real_mem.xRealloc(p, n);
}

static void
m_free(void *p)
{
	real_mem.xFree(p);
}

static int
m_size(void *p)
{
	return real_mem.xSize(p);
}

static int
m_roundup(int n)
{
	return real_mem.xRoundup(n);
}

static int
m_init(void *arg)
{
	return real_mem.xInit(arg);
}

static void
m_shutdown(void *arg)
{
	real_mem.xShutdown(arg);
}

static int
v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *outflags)
{
	struct fault_file	*ff = (struct fault_file *)f;
	int			 rc;

	ff->real = (sqlite3_file *)(ff + 1);
	rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, outflags);
	/* SQLite calls xClose only when pMethods is set: mirror the real file's */
	f->pMethods = ff->real->pMethods ? &fault_io : NULL;
	return rc;
}

static int
v_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	return real_vfs->xDelete(real_vfs, name, sync);
}

static int
v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
v_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *
v_dlopen(sqlite3_vfs *vfs, const char *name)
{
	return real_vfs->xDlOpen(real_vfs, name);
}

static void
v_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	real_vfs->xDlError(real_vfs, n, out);
}

static void (*v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void
v_dlclose(sqlite3_vfs *vfs, void *h)
{
	real_vfs->xDlClose(real_vfs, h);
}

static int
v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
v_sleep(sqlite3_vfs *vfs, int us)
{
	return real_vfs->xSleep(real_vfs, us);
}

static int
v_current_time(sqlite3_vfs *vfs, double *out)
{
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int
v_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}

static int
v_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

/* Parses one rule ("write:after=100:err=full"); returns 0 or -1. */
static int
parse_rule(char *s, struct fault_rule *r)
{
	char	*tok, *save = NULL, *end;
	int	 first = 1;

	memset(r, 0, sizeof(*r));
	r->count = -1;
	for (tok = strtok_r(s, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save), first = 0) {
		if (first) {
			if (!strcmp(tok, "write"))
				r->ops = FAULT_WRITE;
			else if (!strcmp(tok, "sync"))
				r->ops = FAULT_SYNC;
			else if (!strcmp(tok, "truncate"))
				r->ops = FAULT_TRUNCATE;
			else if (!strcmp(tok, "malloc"))
				r->ops = FAULT_MALLOC;
			else if (!strcmp(tok, "all"))
				r->ops = FAULT_WRITE | FAULT_SYNC | FAULT_TRUNCATE;
			else
				return -1;
		} else if (!strncmp(tok, "after=", 6)) {
			r->after = strtol(tok + 6, &end, 10);
			if (*end || r->after < 0)
				return -1;
		} else if (!strncmp(tok, "count=", 6)) {
			r->count = strtol(tok + 6, &end, 10);
			if (*end || r->count < 0)
				return -1;
		} else if (!strncmp(tok, "while=", 6)) {
			if (snprintf(r->path, sizeof(r->path), "%s", tok + 6) >= (int)sizeof(r->path))
				return -1;
		} else if (!strcmp(tok, "err=full")) {
			r->full = 1;
		} else if (!strcmp(tok, "err=ioerr")) {
			r->full = 0;
		} else
			return -1;
	}
	return first ? -1 : 0;
}

int
store_fault_register(void)
{
	const char	*env = getenv("KT_FAULT_VFS");
	char		*copy, *rule, *save = NULL;
	int		 ok = 1;

	if (env == NULL || *env == '\0')
		return 0;
	if (real_vfs != NULL)
		return 1;	/* a second store_open() in one process */
	copy = strdup(env);
	for (rule = strtok_r(copy, ",", &save); rule && ok; rule = strtok_r(NULL, ",", &save)) {
		if (nrules == FAULT_RULES_MAX || parse_rule(rule, &rules[nrules]) == -1)
			ok = 0;
		else
			nrules++;
	}
	free(copy);
	/* the allocator can only be replaced before SQLite initialises (sqlite3_vfs_find does) */
	for (int i = 0; ok && i < nrules; i++)
		if ((rules[i].ops & FAULT_MALLOC) && fault_mem.xMalloc == NULL) {
			if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem) != SQLITE_OK)
				ok = 0;
			fault_mem = real_mem;
			fault_mem.xMalloc = m_malloc;
			fault_mem.xRealloc = m_realloc;
			fault_mem.xFree = m_free;
			fault_mem.xSize = m_size;
			fault_mem.xRoundup = m_roundup;
			fault_mem.xInit = m_init;
			fault_mem.xShutdown = m_shutdown;
			if (ok && sqlite3_config(SQLITE_CONFIG_MALLOC, &fault_mem) != SQLITE_OK)
				ok = 0;
		}
	if (!ok || (real_vfs = sqlite3_vfs_find(NULL)) == NULL) {
		log_warnx("fault: KT_FAULT_VFS=\"%s\" is malformed: want OP[:after=N][:count=M][:while=PATH]"
		    "[:err=full|ioerr] (OP write|sync|truncate|all|malloc), comma-separated; malloc only before "
		    "SQLite starts", env);
		nrules = 0;
		real_vfs = NULL;
		return -1;
	}
	fault_vfs.iVersion = 2;
	fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
	fault_vfs.mxPathname = real_vfs->mxPathname;
	fault_vfs.zName = "kt-fault";
	fault_vfs.xOpen = v_open;
	fault_vfs.xDelete = v_delete;
	fault_vfs.xAccess = v_access;
	fault_vfs.xFullPathname = v_full_pathname;
	fault_vfs.xDlOpen = v_dlopen;
	fault_vfs.xDlError = v_dlerror;
	fault_vfs.xDlSym = v_dlsym;
	fault_vfs.xDlClose = v_dlclose;
	fault_vfs.xRandomness = v_randomness;
	fault_vfs.xSleep = v_sleep;
	fault_vfs.xCurrentTime = v_current_time;
	fault_vfs.xGetLastError = v_last_error;
	fault_vfs.xCurrentTimeInt64 = v_current_time64;

	fault_io.iVersion = 3;
	fault_io.xClose = f_close;
	fault_io.xRead = f_read;
	fault_io.xWrite = f_write;
	fault_io.xTruncate = f_truncate;
	fault_io.xSync = f_sync;
	fault_io.xFileSize = f_file_size;
	fault_io.xLock = f_lock;
	fault_io.xUnlock = f_unlock;
	fault_io.xCheckReservedLock = f_check_reserved;
	fault_io.xFileControl = f_file_control;
	fault_io.xSectorSize = f_sector_size;
	fault_io.xDeviceCharacteristics = f_device_chars;
	fault_io.xShmMap = f_shm_map;
	fault_io.xShmLock = f_shm_lock;
	fault_io.xShmBarrier = f_shm_barrier;
	fault_io.xShmUnmap = f_shm_unmap;
	fault_io.xFetch = f_fetch;
	fault_io.xUnfetch = f_unfetch;
	if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK) {
		real_vfs = NULL;
		return -1;
	}
	log_info("fault: vfs registered rules=%d spec=\"%s\"", nrules, env);
	return 1;
}
#endif
