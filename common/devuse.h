/*
 * devuse — who holds a serial device open, and whether a program runs: read from /proc. Used by
 * `kentongan modems detect` (a port a running kentongand or ModemManager holds is not touched)
 * and by the daemon (ModemManager probing a configured modem port fights libGammu for it).
 * Other users' processes are only visible to root; what cannot be read is skipped. libc only.
 */
#ifndef COMMON_DEVUSE_H
#define COMMON_DEVUSE_H
#include <sys/types.h>

struct devuse {
	pid_t	 pid;
	char	 comm[32];	/* /proc/PID/comm: the program's name */
	char	 path[256];	/* what the descriptor points to (a /dev path, resolved) */
};

/* Every descriptor open on something under /dev/ in every visible process but this one.
 * Returns the count and an xmalloc'd array in *out (free it; NULL when 0). */
int	devuse_scan(struct devuse **out);
/* The first entry of list (n entries) holding device (resolved with realpath()), or NULL. When
 * comm is not NULL, only processes of that name count. */
const struct devuse *devuse_holder(const struct devuse *list, int n, const char *device, const char *comm);
/* The pid of a running process called comm (exactly, as in /proc/PID/comm), 0 when none. */
pid_t	devuse_running(const char *comm);
#endif
