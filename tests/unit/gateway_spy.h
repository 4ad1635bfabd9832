/*
 * gateway_spy — the seven gateway_* hooks (gateway/gateway.h) for unit tests and benches that
 * watch one module: they take the place of gateway/gateway.c (the linker then leaves it out of
 * libgateway.a). Include it in one file of a test program. Each hook records what it was told in
 * the globals below and does the daemon's part where the test built that part: an inbox id goes
 * to the router when g->router is set, a delivery report to ingest_report() when spy_deliver_reports
 * is set, store failures flip g->store_ok as gateway.c does.
 */
#ifndef TESTS_GATEWAY_SPY_H
#define TESTS_GATEWAY_SPY_H
#include <stdint.h>

#include "gateway/gateway.h"
#include "gateway/modem/modem.h"
#include "gateway/router.h"
#include "gateway/ingest.h"

#define SPY_UNUSED	__attribute__((unused))

static int64_t			routed[4096] SPY_UNUSED;	/* inbox ids, the first 4096 */
static long			nrouted SPY_UNUSED;		/* gateway_inbox_stored calls */
static struct modem_sent	sent[64] SPY_UNUSED;		/* the first 64 send results */
static int			nsent SPY_UNUSED;		/* … kept in sent[] */
static long			nsent_all SPY_UNUSED, nsent_ok SPY_UNUSED;
static struct modem_report	reports[16] SPY_UNUSED;	/* the first 16 delivery reports */
static int			nreports SPY_UNUSED;
static int			queue_changed SPY_UNUSED, modem_changed SPY_UNUSED;
static int			store_failed SPY_UNUSED;
static int			spy_deliver_reports SPY_UNUSED;	/* match reports to the outbox */
static void			(*spy_on_sent)(const struct modem_sent *) SPY_UNUSED;

void
gateway_inbox_stored(struct gateway *g, int64_t id)
{
	if (nrouted < 4096)
		routed[nrouted] = id;
	nrouted++;
	if (g->router != NULL)
		router_handle(g->router, id);
}

void
gateway_queue_changed(struct gateway *g)
{
	queue_changed++;
}

void
gateway_modem_changed(struct gateway *g, struct modem *m)
{
	modem_changed++;
}

void
gateway_modem_sent(struct gateway *g, struct modem *m, const struct modem_sent *s)
{
	nsent_all++;
	if (s->result == SEND_OK)
		nsent_ok++;
	if (nsent < 64)
		sent[nsent++] = *s;
	if (spy_on_sent != NULL)
		spy_on_sent(s);
}

void
gateway_modem_report(struct gateway *g, struct modem *m, const struct modem_report *r)
{
	if (nreports < 16)
		reports[nreports++] = *r;
	if (spy_deliver_reports)	/* as gateway.c does: match the report to its outbox row */
		ingest_report(g->ingest, modem_name(m), r, 0);
}

void
gateway_store_failed(struct gateway *g, const char *what)
{
	store_failed++;
	g->store_ok = 0;
}

void
gateway_store_recovered(struct gateway *g)
{
	g->store_ok = 1;
}
#endif
