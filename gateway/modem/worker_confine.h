/*
 * worker_confine — what a modem worker may still do once its modem is connected. The worker is
 * the only process that parses radio input (libGammu's PDU decoder has crashed on crafted SMS),
 * so it keeps nothing worth stealing: started as root, it drops to the daemon's unprivileged
 * user ([gateway] worker_user) right after connecting (not on Gammu's dummy driver, whose device
 * is a directory of someone's files and carries no radio input), and a seccomp filter (libseccomp) leaves it
 * the system calls libGammu needs on its device and the socketpair. After connect it cannot
 * execute a program, start a process or create a socket (the process is killed: SIGSYS), nor
 * open a file (EACCES) — except on Gammu's dummy driver, whose messages are files in a directory.
 * Runs in the forked worker only.
 */
#ifndef GATEWAY_WORKER_CONFINE_H
#define GATEWAY_WORKER_CONFINE_H
#include <stddef.h>

struct conf;

/* [gateway] worker_user's default; when no such user exists, nobody is used. */
#define WORKER_USER_DEFAULT	"kentongan"

/* In the child, before connecting: looks the user up and remembers the settings of c. */
void	worker_confine_prepare(const struct conf *c);
/* After connecting: drops privileges and installs the filter. dummy: the dummy driver (files).
 * 0 ok, -1 with err set (the worker must then exit: it is not confined). */
int	worker_confine(int dummy, char *err, size_t errlen);
#endif
