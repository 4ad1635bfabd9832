/*
 * worker_confine — privilege drop and seccomp filter of a modem worker (see worker_confine.h).
 *
 * The allow-list is what libGammu's AT and dummy drivers, glibc (malloc, time zones, syslog) and
 * the worker's own loop were seen to use: I/O on descriptors already open, poll/select, sleeps,
 * clocks, memory, signals, waiting for the device helper (proxyat's socat, started before), and
 * exit. Anything else kills the process; the daemon reports the signal and respawns the worker.
 * Opening, removing or renaming files and creating sockets fail with EACCES instead of killing,
 * so that glibc (a time zone file that changed, syslog reconnecting) degrades rather than dies.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/log.h"
#include "gateway/modem/worker_confine.h"

static struct {
	int	 seccomp;
	int	 drop;		/* running as root and a user to become */
	uid_t	 uid;
	gid_t	 gid;
	char	 user[64];
	int	 forbidden;	/* debug builds: KT_WORKER_FORBIDDEN asked for a forbidden call */
} wc;

void
worker_confine_prepare(const struct conf *c)
{
	const char	*user = c->worker_user && *c->worker_user ? c->worker_user : "root";
	struct passwd	*pw;

	memset(&wc, 0, sizeof(wc));
	wc.seccomp = c->worker_seccomp;
	if (geteuid() == 0 && strcmp(user, "root") != 0) {
		/* the default user may not exist yet (no package installed it): nobody then */
		if ((pw = getpwnam(user)) == NULL && strcmp(user, WORKER_USER_DEFAULT) == 0)
			pw = getpwnam("nobody");
		if (pw != NULL && pw->pw_uid != 0) {
			wc.drop = 1;
			wc.uid = pw->pw_uid;
			wc.gid = pw->pw_gid;
			snprintf(wc.user, sizeof(wc.user), "%s", pw->pw_name);
		} else
			snprintf(wc.user, sizeof(wc.user), "%s", user);	/* worker_confine reports it */
	}
#ifdef KT_CRASHPOINTS
	{
		/* a test's knob: exec:FILE makes the next worker, once confined, call execve(2), once
		 * (FILE is removed first, so the respawned worker behaves) */
		const char *e = getenv("KT_WORKER_FORBIDDEN");

		if (e != NULL && strncmp(e, "exec:", 5) == 0 && unlink(e + 5) == 0)
			wc.forbidden = 1;
	}
#endif
	tzset();	/* the time zone file is read now: later opens are refused */
}

static int
drop_privileges(char *err, size_t errlen)
{
	if (!wc.drop) {
		if (geteuid() == 0 && wc.user[0]) {
			snprintf(err, errlen, "worker_user = %s: no such user (or it is root); create it, or set "
			    "worker_user = root to run the modem worker as root", wc.user);
			return -1;
		}
		return 0;
	}
	pid_t	 parent = getppid();

	if (setgroups(0, NULL) == -1 || setresgid(wc.gid, wc.gid, wc.gid) == -1 ||
	    setresuid(wc.uid, wc.uid, wc.uid) == -1) {
		snprintf(err, errlen, "dropping to user %s: %s", wc.user, strerror(errno));
		return -1;
	}
	/*
	 * A change of user clears the parent-death signal (prctl(2)): without it again, a worker of a
	 * daemon that crashed lives on, keeps talking to the modem and eats the replies meant for the
	 * next daemon's worker. If the daemon died meanwhile, go now.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent) {
		snprintf(err, errlen, "dropping to user %s: the daemon is gone", wc.user);
		return -1;
	}
	if (setuid(0) != -1) {
		snprintf(err, errlen, "dropping to user %s: root could be taken back", wc.user);
		return -1;
	}
	return 0;
}

/* System calls allowed in every worker. */
static const int allow_always[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(pread64),
	SCMP_SYS(pwrite64), SCMP_SYS(close), SCMP_SYS(lseek), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(statx), SCMP_SYS(ioctl), SCMP_SYS(fcntl),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(select), SCMP_SYS(pselect6), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday),
	SCMP_SYS(time), SCMP_SYS(alarm), SCMP_SYS(setitimer), SCMP_SYS(getitimer), SCMP_SYS(getpid),
	SCMP_SYS(gettid), SCMP_SYS(getppid), SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
	SCMP_SYS(getegid), SCMP_SYS(getpgrp), SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap),
	SCMP_SYS(mremap), SCMP_SYS(mprotect), SCMP_SYS(madvise), SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack), SCMP_SYS(futex),
	SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(kill), SCMP_SYS(tgkill), SCMP_SYS(getrandom),
	SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(uname), SCMP_SYS(sched_yield),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(getrlimit),
	SCMP_SYS(prlimit64), SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(sysinfo),
	SCMP_SYS(readlink), SCMP_SYS(prctl), SCMP_SYS(sched_getaffinity), SCMP_SYS(umask),
	SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3), SCMP_SYS(shutdown), SCMP_SYS(recvfrom),
	SCMP_SYS(recvmsg), SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(fsync),
	SCMP_SYS(fdatasync), SCMP_SYS(flock), SCMP_SYS(rt_sigtimedwait), SCMP_SYS(rt_sigsuspend),
	SCMP_SYS(pause), SCMP_SYS(getpgid), SCMP_SYS(getsid), SCMP_SYS(setpgid),
};

/* The dummy driver's device is a directory of files: it opens, writes, renames and removes them. */
static const int allow_dummy[] = {
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(creat), SCMP_SYS(unlink), SCMP_SYS(unlinkat),
	SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(mkdir), SCMP_SYS(mkdirat),
	SCMP_SYS(getdents), SCMP_SYS(getdents64), SCMP_SYS(ftruncate), SCMP_SYS(fchmod), SCMP_SYS(chmod),
	SCMP_SYS(utimensat),
};

/* Refused with EACCES rather than killing: glibc falls back (a time zone file that changed, syslog
 * reconnecting), and libGammu's serial lock file (use_locking) is left behind, not fatal. */
static const int refuse[] = {
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(creat), SCMP_SYS(unlink), SCMP_SYS(unlinkat),
	SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(mkdir), SCMP_SYS(mkdirat),
	SCMP_SYS(socket), SCMP_SYS(connect), SCMP_SYS(socketpair),
};

/* Whether sys is in the dummy driver's list (allowed there, not refused). */
static int
dummy_allows(int sys)
{
	size_t i;

	for (i = 0; i < sizeof(allow_dummy) / sizeof(allow_dummy[0]); i++)
		if (allow_dummy[i] == sys)
			return 1;
	return 0;
}

/* What happens to a call not on the lists: the process is killed. Debug builds take
 * KT_SECCOMP_LOG=1 to log such calls in the kernel log instead (to find what a new libGammu or
 * driver needs: dmesg | grep type=1326). */
static uint32_t
default_action(void)
{
#ifdef KT_CRASHPOINTS
	const char *e = getenv("KT_SECCOMP_LOG");

	if (e != NULL && strcmp(e, "1") == 0)
		return SCMP_ACT_LOG;
#endif
	return SCMP_ACT_KILL_PROCESS;
}

static int
rules(scmp_filter_ctx ctx, const int *sys, size_t n, uint32_t action)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sys[i] >= 0 && seccomp_rule_add(ctx, action, sys[i], 0) < 0)
			return -1;
	return 0;
}

int
worker_confine(int dummy, char *err, size_t errlen)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 rc;

	/* the syslog connection, if any, is made now: creating a socket later is refused */
	log_open_now();
	/* the dummy driver's device is a directory of files owned by whoever set it up (tests,
	 * training): the worker keeps its user there; there is no radio input to parse */
	if (!dummy && drop_privileges(err, errlen) == -1)
		return -1;
	if (!wc.seccomp)
		return 0;
	if ((ctx = seccomp_init(default_action())) == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	rc = rules(ctx, allow_always, sizeof(allow_always) / sizeof(allow_always[0]), SCMP_ACT_ALLOW);
	if (rc == 0 && dummy)
		rc = rules(ctx, allow_dummy, sizeof(allow_dummy) / sizeof(allow_dummy[0]), SCMP_ACT_ALLOW);
	for (i = 0; rc == 0 && i < sizeof(refuse) / sizeof(refuse[0]); i++) {
		if (dummy && dummy_allows(refuse[i]))
			continue;
		if (refuse[i] >= 0 && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), refuse[i], 0) < 0)
			rc = -1;
	}
	/* every thread (the worker's hang-up watch): the filter covers the whole process */
	if (rc == 0 && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) < 0)
		rc = -1;
	/* no_new_privs is set by seccomp_load (SCMP_FLTATR_CTL_NNP defaults to on) */
	if (rc == 0 && (rc = seccomp_load(ctx)) < 0)
		snprintf(err, errlen, "seccomp_load: %s", strerror(-rc));
	else if (rc != 0)
		snprintf(err, errlen, "building the seccomp filter failed");
	seccomp_release(ctx);
	if (rc != 0)
		return -1;
#ifdef KT_CRASHPOINTS
	if (wc.forbidden) {
		char *const argv[] = { (char *)"true", NULL };

		log_warnx("worker: KT_WORKER_FORBIDDEN: calling execve(2), which the filter forbids");
		execve("/bin/true", argv, argv + 1);
		_exit(98);	/* not reached when the filter works */
	}
#endif
	return 0;
}
