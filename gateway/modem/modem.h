/*
 * modem — the parent (daemon) side of one modem: spawns the worker process (modem_worker.c, the
 * only <gammu.h> user) joined by a socketpair, speaks PROTO_W_* messages to it, watches it with a
 * deadline per command, kills and respawns it with capped exponential backoff. Runs on the
 * daemon's event loop; never blocks (but modem_free() waits up to ~4 s for the worker's last
 * results); reads the store only to load the per-day counters (the rows are written by sched.c
 * for sent and ingest.c for received). Frame payloads: gateway/modem_worker.h.
 */
#ifndef GATEWAY_MODEM_H
#define GATEWAY_MODEM_H
#include <sys/types.h>
#include <stdint.h>
#include <time.h>

struct event_base;
struct conf_modem;
struct gateway;

enum modem_state {
	MODEM_CONNECTING = 0,
	MODEM_READY,
	MODEM_SENDING,
	MODEM_FAILED,		/* waiting to reconnect */
	MODEM_DISABLED,		/* enabled = no, or rested by the scheduler */
};

enum send_result {
	SEND_OK = 0,		/* the network took it: refs holds the message reference(s) */
	SEND_TEMPFAIL,		/* try again later, maybe on another modem */
	SEND_PERMFAIL,		/* the recipient or the text is bad: do not retry */
	SEND_UNKNOWN,		/* handed to the modem, then no answer: may or may not have left */
};

struct modem_info {
	const char	*name;
	enum modem_state state;
	char		 operator_name[32];	/* configured, else from the network */
	char		 mccmnc[8];
	int		 signal;		/* percent, -1 unknown */
	long		 sent;			/* today */
	long		 received;		/* today */
	char		 balance[64];		/* parsed credit, "" unknown */
	char		 balance_raw[200];	/* last balance USSD reply */
	int		 low_credit;
	char		 imei[24];
	char		 imsi[24];
	char		 last_error[160];
	time_t		 since;			/* when the state began */
	int		 restarts;
	int		 quarantined;		/* messages left on the modem, unread: they crash
						   libGammu, or it cannot decode them nor read them raw */
	long		 undecodable;		/* messages libGammu could not decode kept raw in
						   the inbox, since start (quarantined: above) */
	int		 other_on_sim;		/* sent copies, drafts: not received messages */
	long		 other_cleared;		/* of those, deleted (clear_other), since start */
	int		 degraded;		/* reads keep failing: the reason is in last_error */
};

#define MODEM_CMS_NO_NETWORK	331	/* +CMS ERROR: no network service */

struct modem_send_req {
	uint64_t	 outbox_id;
	const char	*to;			/* E.164 */
	const char	*text;			/* UTF-8; the worker transliterates and splits */
	int		 want_report;
};

struct modem_sent {
	uint64_t	 outbox_id;
	enum send_result result;
	int		 segments;
	char		 refs[64];		/* comma list of message references */
	int		 cms_error;		/* +CMS ERROR code, 0 none */
	char		 error[160];
};

struct modem_report {
	char		 number[24];
	int		 reference;
	time_t		 at;
	int		 delivered;		/* 1 delivered, 0 failed permanently, -1 still pending */
	char		 status[32];
};

/* One modem's facts at one moment, as status, /metrics, /health, the web console and the uplink
 * report them (see modem_snapshot). */
struct modem_fact {
	struct modem_info	 info;		/* a copy */
	const char		*label;		/* modem_state_label(): "degraded" for one that cannot read */
	int			 up;		/* ready or sending */
};

struct modem_snapshot {
	struct modem_fact	*m;		/* one per modem, in configuration order */
	int			 n;
	int			 up;		/* modems ready or sending */
	int			 ready;		/* of those, reading their messages: in full service */
	int			 degraded;	/* of those, reads keep failing */
};

/* Creates the modem and starts its worker. The config must outlive the modem. */
struct modem	*modem_new(struct gateway *, const struct conf_modem *);
/* Stops the worker: it finishes and reports the sends it holds (up to 3 s), then exits; sends
 * without a result are reported SEND_UNKNOWN/SEND_TEMPFAIL through gateway_modem_sent() and
 * pending USSD callbacks get "modem stopped". Accepts NULL. */
void		 modem_free(struct modem *);
const struct modem_info *modem_info(const struct modem *);
const char	*modem_state_str(enum modem_state);
/* The state as status shows it: "degraded" for a ready or sending modem that cannot read. */
const char	*modem_state_label(const struct modem_info *);
/* How many more messages may be handed over now (0 when not ready). */
int		 modem_send_slots(const struct modem *);
/* What the worker last saw of the network: 1 registered, 0 not (no sends meanwhile), -1 unknown. */
int		 modem_registered(const struct modem *);
/* Hands one message to the worker; 0 accepted, -1 not ready. The outcome comes through
 * gateway_modem_sent(). The strings are copied. */
int		 modem_send(struct modem *, const struct modem_send_req *);
/* Runs a USSD code; the reply comes to cb on the event loop (reply NULL on failure, with why).
 * cb is called exactly once — also when the worker dies or from modem_free() ("modem stopped").
 * USSD is serialised with SMS: it waits behind the sends already handed over. -1 not ready. */
typedef void	(*modem_ussd_cb)(void *arg, const char *reply, const char *why);
int		 modem_ussd(struct modem *, const char *code, modem_ussd_cb, void *arg);
/* The scheduler rests a failing modem for a while, or wakes it. */
void		 modem_rest(struct modem *, int seconds);
/* Called when an inbound batch is committed: the worker may delete those messages now. */
void		 modem_sms_committed(struct modem *, uint64_t batch);
/* The [modem NAME] name. */
const char	*modem_name(const struct modem *);
/* ingest.c: n new messages were stored for this modem today (the store row is its business). */
void		 modem_count_received(struct modem *, int n);
/* ingest.c: n messages it could not decode were kept raw for this modem. */
void		 modem_count_undecodable(struct modem *, int n);
/* Runs balance_ussd now (console, tests); the result shows in modem_info()->balance. */
void		 modem_balance_check(struct modem *);
/* Takes every modem's facts now: the one walk of gw->modems for those that report them (the
 * scheduler, which drives the modems, walks them itself). Free with modem_snapshot_free(). */
void		 modem_snapshot(const struct gateway *, struct modem_snapshot *);
void		 modem_snapshot_free(struct modem_snapshot *);
/* The modem named name, NULL when there is none. */
struct modem	*modem_find(const struct gateway *, const char *name);
/* The worker's pid, -1 when none runs (tests kill it to check the respawn). */
pid_t		 modem_worker_pid(const struct modem *);
#endif
