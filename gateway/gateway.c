/*
 * gateway — the hooks between the daemon's modules (see gateway.h). Downstream calls are direct
 * (main.c starts the modems, the router, the scheduler); upstream notices come here, and only
 * here, so the flow stays visible in one place. A hook whose module was not created (a unit test
 * that runs one module) does nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "gateway/gateway.h"
#include "gateway/ingest.h"
#include "gateway/modem/modem.h"
#include "gateway/router.h"
#include "gateway/sched.h"
#include "store/store.h"

void
gateway_inbox_stored(struct gateway *g, int64_t inbox_id)
{
	if (g->router != NULL)
		router_handle(g->router, inbox_id);
}

void
gateway_queue_changed(struct gateway *g)
{
	if (g->sched != NULL)
		sched_kick(g->sched);
}

void
gateway_modem_changed(struct gateway *g, struct modem *m)
{
	if (g->sched != NULL)
		sched_kick(g->sched);
}

void
gateway_modem_sent(struct gateway *g, struct modem *m, const struct modem_sent *s)
{
	if (g->sched != NULL)
		sched_sent(g->sched, m, s);
}

void
gateway_modem_report(struct gateway *g, struct modem *m, const struct modem_report *r)
{
	if (g->ingest != NULL)
		ingest_report(g->ingest, modem_name(m), r, 0);
}

void
gateway_render(struct gateway *g, const char *key, char *out, size_t outlen, const char *const *vars)
{
	if (g->router != NULL)
		router_render(g->router, key, out, outlen, vars);
	else if (outlen > 0)
		*out = '\0';
}

void
gateway_store_failed(struct gateway *g, const char *what)
{
	if (g->store_ok) {
		log_warnx("store: %s failed: %s; refusing new work until the store recovers", what,
		    store_errmsg(g->store));
		g->store_ok = 0;
	}
}

void
gateway_store_recovered(struct gateway *g)
{
	if (!g->store_ok) {
		log_info("store: recovered; taking work again");
		g->store_ok = 1;
	}
}
