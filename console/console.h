/* console — shared state of the kentongan process and its multi-request commands. */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H
#include <stdio.h>

#include "common/table.h"

struct conf;

struct console {
	struct conf		*conf;
	enum table_format	 fmt;
	int			 fd;	/* connection to the daemon, -1 until the first request */
};

/* Sends argv to the daemon and copies its reply to out/err. Returns the command's exit status,
 * or 2 when the daemon is unreachable. */
int	console_request(struct console *, int argc, char **argv, FILE *out, FILE *err);
/* broadcast, with --wait's live progress. */
int	console_broadcast(struct console *, int argc, char **argv);
/* modems detect: probes serial ports (kentongand --probe) and prints them; works offline. */
int	console_detect(struct console *, int argc, char **argv);
/* The probing behind it: globs (none: the default ones), each port's deadline, the libGammu
 * connection to try. Prints to out (NULL: nothing) in fmt; with sections, the ready [modem]
 * sections of the modems found, concatenated (xmalloc'd). Returns how many modems are usable. */
int	console_detect_run(const struct conf *, char **globs, int nglobs, int timeout_s,
	    const char *connection, enum table_format fmt, FILE *out, char **sections);
/* setup: writes a configuration (conf_path NULL: this system's default); works offline. */
int	console_setup(const char *conf_path, int argc, char **argv);
/* The kentongand to run: $KENTONGAND, else the one beside this program, else from PATH. */
const char *console_daemon_path(void);
/* Prints the help of one command (or all); returns the exit status. */
int	console_help(int argc, char **argv);
#endif
