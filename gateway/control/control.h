/*
 * control — the console socket: a Unix stream socket (mode 0660) taking PROTO_CTL_REQ frames
 * (format, argv) and answering PROTO_CTL_OUT/ERR chunks then PROTO_CTL_DONE (exit status).
 * Malformed, oversized or wrong-version frames get an error reply and the connection is closed;
 * the daemon never crashes on them. Commands are in cmd_*.c, found through ctl_commands[].
 */
#ifndef GATEWAY_CONTROL_H
#define GATEWAY_CONTROL_H
#include <stdint.h>
#include <stdio.h>

#include "common/table.h"

struct gateway;
struct ctl;
struct ctl_req;

#define CTL_ASYNC	(-1)	/* the command answers later with ctl_req_done() */

struct ctl_req {
	struct gateway	*gw;
	struct ctl_conn	*conn;		/* NULL once the client went away */
	enum table_format fmt;
	FILE		*out;		/* what the console prints on stdout */
	FILE		*err;		/* … and on stderr */
	char		*outbuf, *errbuf;
	size_t		 outlen, errlen;
	uint64_t	 reqid;
	char		 actor[32];	/* for the audit log: "console" */
	char		 user[48];	/* "console:NAME" (the peer's uid): who asks, for the two-person rule */
};

struct ctl_command {
	const char	*name;		/* "subscriber add", "areas", … (longest match wins) */
	int		(*fn)(struct ctl_req *, int argc, char **argv);	/* argv[0] = the command's last word */
};	/* its usage is the row of the same name in common/usage.c */

struct ctl	*ctl_new(struct gateway *, const char *path, char *err, size_t errlen);
void		 ctl_free(struct ctl *);	/* closes the socket and unlinks it; accepts NULL */
/* Finishes a CTL_ASYNC request: sends what was written to out/err and the exit status. */
void		 ctl_req_done(struct ctl_req *, int status);
/* Usage error helper: prints "usage: kentongan …" (common/usage.c) to err and returns 1. */
int		 ctl_usage(struct ctl_req *, const char *name);
/* For `status`: how many consoles are connected. */

/* The command table, defined in cmd_table.c. */
extern const struct ctl_command ctl_commands[];
#endif
