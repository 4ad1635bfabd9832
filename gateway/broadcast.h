/*
 * broadcast — the one path from "an official wants this sent" to durable outbox rows, shared by
 * the console (`kentongan broadcast`) and SMS (`SIAR PIN AREA TEXT`): checks the areas and the
 * text, warns about what costs money or gets filtered, and commits the announcement with one
 * outbox row per distinct active recipient in one transaction before saying "accepted".
 */
#ifndef GATEWAY_BROADCAST_H
#define GATEWAY_BROADCAST_H
#include <stdint.h>
#include <time.h>

struct gateway;

#define BROADCAST_MAX_AREAS	64

struct broadcast_req {
	const char	*text;			/* UTF-8 as typed */
	const char	*areas[BROADCAST_MAX_AREAS];	/* codes; empty list = every area this gateway serves */
	int		 nareas;
	int		 priority;		/* OUTBOX_ALERT or OUTBOX_NORMAL */
	time_t		 at;			/* 0 = now */
	time_t		 expires_at;		/* 0 = never */
	const char	*source;		/* "console" or the official's number */
	int		 dry_run;
};

struct broadcast_res {
	int64_t		 id;			/* 0 on a dry run */
	long		 recipients;
	int		 segments;		/* per message */
	const char	*encoding;		/* "gsm7" or "ucs2" */
	int		 ready_modems;
	double		 eta_s;			/* estimated time to send all with the ready modems; <0 unknown */
	char		 warnings[768];		/* one warning per line, "" none */
	long		 boxes;			/* on a hub: boxes below it the announcement goes to */
	long		 box_recipients;	/* on a hub: recipients the boxes reported (dry run) */
};

/* 0 accepted (or dry run done), -1 the request is wrong (err says why, for the user), -2 the store
 * failed (err says what; nothing was queued). Commits in its own transaction and wakes the
 * scheduler. */
int	broadcast_create(struct gateway *, const struct broadcast_req *, struct broadcast_res *,
	    char *err, size_t errlen);
/* The same inside the caller's open transaction (SIAR: the inbox row's action and the broadcast
 * commit together, so a crash neither loses nor repeats it). On -2 the caller rolls back; after
 * its commit it calls gateway_queue_changed(). dry_run is ignored. */
int	broadcast_queue(struct gateway *, const struct broadcast_req *, struct broadcast_res *,
	    char *err, size_t errlen);
#endif
