/*
 * store_fault — a fault-injecting SQLite VFS for tests (tests/fault). It wraps the default VFS
 * and makes xWrite, xSync or xTruncate fail after a number of calls, as a dying disk or a full
 * one would; it can also make SQLite's memory allocations fail. store_open() registers it as the default VFS when KT_FAULT_VFS is set; release
 * builds (RELEASE=1) compile it to nothing.
 *
 * KT_FAULT_VFS is a comma list of rules; each rule is OP followed by colon-separated options:
 *
 *   OP         write | sync | truncate | all  (all = the three), or
 *              malloc: SQLite's own allocations fail (SQLITE_NOMEM), a malloc hook installed
 *              with sqlite3_config() — so only when this runs before SQLite is first used
 *   after=N    the first N calls of OP succeed (default 0)
 *   count=M    then M calls fail, and later ones succeed again (default: all fail)
 *   while=PATH the rule applies only while PATH exists (a test clears the fault by removing it)
 *   err=full   fail with SQLITE_FULL (a full disk) instead of SQLITE_IOERR_WRITE/FSYNC/TRUNCATE
 *
 *   KT_FAULT_VFS="write:after=100"                 every write after the 100th fails
 *   KT_FAULT_VFS="all:while=/tmp/f:err=full"       disk full while /tmp/f exists
 *
 * Each injected failure is logged once per rule activation ("fault: vfs op=… injected …").
 */
#ifndef STORE_STORE_FAULT_H
#define STORE_STORE_FAULT_H

/* Registers the fault VFS as SQLite's default when KT_FAULT_VFS is set; returns 1 when it did,
 * 0 when the variable is unset (or in release builds), -1 on a malformed rule (logged). */
int	store_fault_register(void);

/* Failures injected so far (all rules). */
long	store_fault_injected(void);
#endif
