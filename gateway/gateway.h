/*
 * gateway — the daemon's shared context and the hooks between its modules. The daemon is one
 * thread on one libevent loop; modules never call each other's internals, they go through the
 * gateway_* hooks below (implemented in main.c), so the flow stays visible in one place:
 *
 *   modem worker --PROTO_W_SMS_IN--> modem.c --> ingest.c (commit, then ack/delete)
 *        --> gateway_inbox_stored() --> router.c (parse, act, queue replies)
 *        --> gateway_queue_changed() --> sched.c --> modem_send() --> worker
 *        --> gateway_modem_sent()/gateway_modem_report() --> sched.c (outbox state)
 */
#ifndef GATEWAY_GATEWAY_H
#define GATEWAY_GATEWAY_H
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
};

/* A received message was committed to the inbox: route it (parse, act, reply). */
void	gateway_inbox_stored(struct gateway *, int64_t inbox_id);
/* New or re-queued outbox rows: let the scheduler look. */
void	gateway_queue_changed(struct gateway *);
/* A modem's state or free send slots changed. */
void	gateway_modem_changed(struct gateway *, struct modem *);
/* The worker reported the outcome of one send. */
void	gateway_modem_sent(struct gateway *, struct modem *, const struct modem_sent *);
/* A delivery report arrived. */
void	gateway_modem_report(struct gateway *, struct modem *, const struct modem_report *);
/* The store failed (disk full, I/O): log once, refuse new work; cleared by the next success. */
void	gateway_store_failed(struct gateway *, const char *what);
void	gateway_store_recovered(struct gateway *);
#endif
