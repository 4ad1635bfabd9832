/*
 * gateway — the daemon's shared context and the hooks between its modules. The daemon is one
 * thread on one libevent loop; modules never call each other's internals, they go through the
 * gateway_* hooks below (implemented in gateway.c), so the flow stays visible in one place:
 *
 *   modem worker --PROTO_W_SMS_IN--> modem.c --> ingest.c (commit, then ack/delete)
 *        --> gateway_inbox_stored() --> router.c (parse, act, queue replies)
 *        --> gateway_queue_changed() --> sched.c --> modem_send() --> worker
 *        --> gateway_modem_sent() --> sched.c (outbox state)
 *        --> gateway_modem_report() --> ingest.c (delivery reports, as those stored on the SIM)
 *
 * Those that report the modems (status, /metrics, /health, the web console, the uplink) read one
 * modem_snapshot() (modem.h) rather than walking gw->modems.
 */
#ifndef GATEWAY_GATEWAY_H
#define GATEWAY_GATEWAY_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct event_base;
struct conf;
struct store;
struct modem;
struct modem_sent;
struct modem_report;
struct sched;
struct router;
struct ctl;
struct http;
struct ingest;
struct mmwatch;
struct uplink;
struct hub;

/* The uplink's state as `status` and /metrics show it; written by uplink/, read by the rest. */
struct gateway_link {
	int			 enabled;
	int			 online;
	time_t			 offline_since;	/* 0 while online */
	long			 backlog;	/* uplink: records not yet acknowledged; hub: commands */
	time_t			 last_ack_at;	/* the hub's last acknowledgement (uplink) */
	unsigned long long	 bytes_out;
	long			 refused;	/* commands refused: bad signature, replay, another box */
	long			 boxes, boxes_online;	/* hub */
	char			 id[64];	/* box id (uplink) or hub name */
};
struct backup;
struct retention;
struct netclock;

struct gateway {
	struct event_base	*base;
	struct conf		*conf;
	struct store		*store;
	struct modem		**modems;
	int			 nmodems;
	struct ingest		*ingest;
	struct sched		*sched;
	struct router		*router;
	struct ctl		*ctl;
	struct http		*http;
	struct backup		*backup;
	struct retention	*retention;
	struct netclock		*netclock;	/* NULL in unit tests */
	int			 store_ok;	/* 0 after a failed commit: refuse new work until one succeeds */
	time_t			 started_at;
	struct mmwatch		*mmwatch;	/* ModemManager look-out (NULL in unit tests) */
	struct uplink		*uplink;	/* [uplink]: reporting to a hub; NULL when off */
	struct hub		*hub;		/* [hub]: boxes report here; NULL when off */
	struct gateway_link	 up, down;	/* their state (up: as a box, down: as a hub) */
	/* set by main.c when an uplink role runs: new records or commands are waiting */
	void			(*uplink_kick)(struct gateway *);
};

/* A received message was committed to the inbox: route it (parse, act, reply). */
void	gateway_inbox_stored(struct gateway *, int64_t inbox_id);
/* New or re-queued outbox rows: let the scheduler look. */
void	gateway_queue_changed(struct gateway *);
/* A modem's state or free send slots changed. */
void	gateway_modem_changed(struct gateway *, struct modem *);
/* The worker reported the outcome of one send. */
void	gateway_modem_sent(struct gateway *, struct modem *, const struct modem_sent *);
/* A delivery report arrived: ingest_report() applies it. */
void	gateway_modem_report(struct gateway *, struct modem *, const struct modem_report *);
/* The store failed (disk full, I/O): log once, refuse new work; cleared by the next success. */
void	gateway_store_failed(struct gateway *, const char *what);
void	gateway_store_recovered(struct gateway *);
/* Renders an SMS reply template (the router's, as loaded; see templates_render) into out. */
void	gateway_render(struct gateway *, const char *key, char *out, size_t outlen, const char *const *vars);
#endif
