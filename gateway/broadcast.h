/*
 * broadcast — the one path from "an official wants this sent" to durable outbox rows, shared by
 * the console (`kentongan broadcast`) and SMS (`SIAR PIN AREA TEXT`): checks the areas and the
 * text, warns about what costs money or gets filtered, and commits the announcement with one
 * outbox row per distinct active recipient in one transaction before saying "accepted".
 */
#ifndef GATEWAY_BROADCAST_H
#define GATEWAY_BROADCAST_H
#include <stddef.h>
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
	int64_t		 corrects;		/* RALAT: "RALAT: TEXT" to exactly those this one was sent to */
	int		 append_code;		/* append "Kode: XXXX" (also when the config says so) */
	const char	*requested_by;		/* console:USER or the official's number; NULL = source */
};

struct broadcast_res {
	int64_t		 id;			/* 0 on a dry run */
	long		 recipients;
	int		 segments;		/* per message */
	const char	*encoding;		/* "gsm7" or "ucs2" */
	int		 ready_modems;
	double		 eta_s;			/* estimated time to send all with the ready modems; <0 unknown */
	char		 warnings[768];		/* one warning per line, "" none */
	char		 code[8];		/* the verification code (CEK) */
	int		 pending;		/* held for a second official's approval (alert_approval = 2) */
	time_t		 approve_by;		/* pending: expires unapproved then */
	long		 boxes;			/* on a hub: boxes below it the announcement goes to */
	long		 box_recipients;	/* on a hub: recipients the boxes reported (dry run) */
};

#define BROADCAST_CODE_LEN	5
/* The verification code alphabet: no look-alikes (0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V). */
#define BROADCAST_CODE_CHARS	"ACEFHJKMNPRTWXY34679"

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
/* Approves a pending alert as approver and fans it out (its own transaction unless in_tx). 0 done,
 * -1 refused (err says why, for the user: self-approval, not pending, expired), -2 the store failed. */
int	broadcast_approve(struct gateway *, int64_t id, const char *approver, int in_tx, long *recipients,
	    char *err, size_t errlen);
/* Cancels what announcement id has not sent yet, with its audit record (actor; by names the person), in
 * one transaction: *n messages will not go. 0 done, -1 refused (err says why, for the user: no such
 * announcement, already finished), -2 the store failed (err says what). */
int	broadcast_cancel(struct gateway *, int64_t id, const char *actor, const char *by, long *n,
	    char *err, size_t errlen);
/* An estimate (eta_s) as people read it: "40 s", "12 min", "1.5 h"; `unknown` when there is none. */
void	broadcast_eta_str(double eta_s, const char *unknown, char *buf, size_t len);
#endif
