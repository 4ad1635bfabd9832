/* field — approval expiry and KIM leaders' reach summaries (see field.h). */
#include <stdio.h>
#include <string.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "gateway/field.h"
#include "gateway/gateway.h"
#include "gateway/router.h"
#include "store/store.h"
#include "store/store_field.h"
#include "store/store_outbox.h"

#define FIELD_BATCH		16
#define SUMMARY_TTL_S		86400

static void
expire_pending(struct gateway *gw)
{
	struct store	*st = gw->store;
	int64_t		 ids[FIELD_BATCH];
	char		 detail[64];
	int		 n, i;

	if (store_begin(st) != STORE_OK)
		goto fail;
	if (store_announcement_expire_pending(st, clock_now(), ids, FIELD_BATCH, &n) != STORE_OK)
		goto rollback;
	for (i = 0; i < n; i++) {
		snprintf(detail, sizeof(detail), "{\"id\":%lld}", (long long)ids[i]);
		if (store_audit(st, "gateway", "approval expired", detail) != STORE_OK)
			goto rollback;
	}
	if (store_commit(st) != STORE_OK)
		goto rollback;
	for (i = 0; i < n; i++)
		log_warnx("broadcast id=%lld expired unapproved: it was never sent", (long long)ids[i]);
	return;
rollback:
	store_rollback(st);
fail:
	gateway_store_failed(gw, "expiring unapproved alerts");
}

struct summary {
	struct gateway	*gw;
	int64_t		 id;
	char		 code[16];
	long		 n;
	int		 failed;
};

static const char *
col(const struct table_row *r, const char *name)
{
	int	 i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->names[i], name))
			return r->values[i] ? r->values[i] : "";
	return "";
}

static int
summary_row_cb(void *arg, const struct table_row *r)
{
	struct summary		*sm = arg;
	struct store_outbox_new	 m;
	char			 text[480], idbuf[24];
	const char		*vars[] = { "id", idbuf, "code", sm->code, "village", col(r, "name"),
	    "delivered", col(r, "delivered"), "targeted", col(r, "targeted"), NULL };

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)sm->id);
	gateway_render(sm->gw, "reach_summary", text, sizeof(text), vars);
	memset(&m, 0, sizeof(m));
	m.number = col(r, "leader");
	m.text = text;
	m.kind = OUTBOX_MANUAL;
	m.priority = OUTBOX_NORMAL;
	m.expires_at = clock_now() + SUMMARY_TTL_S;
	if (store_outbox_add(sm->gw->store, &m, NULL) != STORE_OK) {
		sm->failed = 1;
		return 1;
	}
	sm->n++;
	return 0;
}

static void
summaries(struct gateway *gw)
{
	struct store		*st = gw->store;
	struct store_ann_brief	 b;
	struct summary		 sm;
	int64_t			 ids[FIELD_BATCH];
	time_t			 now = clock_now();
	int			 n, i, queued = 0;

	n = store_summaries_due(st, now, gw->conf->leader_summary_after_s, ids, FIELD_BATCH);
	for (i = 0; i < n; i++) {
		memset(&sm, 0, sizeof(sm));
		sm.gw = gw;
		sm.id = ids[i];
		if (store_begin(st) != STORE_OK)
			goto fail;
		if (store_announcement_brief(st, ids[i], &b) != STORE_OK)
			goto rollback;
		snprintf(sm.code, sizeof(sm.code), "%s", b.code);
		if (store_summary_rows(st, ids[i], summary_row_cb, &sm) != STORE_OK || sm.failed ||
		    store_summary_done(st, ids[i], now) != STORE_OK || store_commit(st) != STORE_OK)
			goto rollback;
		if (sm.n > 0)
			log_info("broadcast id=%lld finished: reach summary to %ld KIM leader%s", (long long)ids[i],
			    sm.n, sm.n == 1 ? "" : "s");
		queued += sm.n > 0;
	}
	if (queued)
		gateway_queue_changed(gw);
	return;
rollback:
	store_rollback(st);
fail:
	gateway_store_failed(gw, "queueing reach summaries");
}

void
field_tick(struct gateway *gw)
{
	if (!gw->store_ok)
		return;
	if (gw->conf->alert_approval >= 2)
		expire_pending(gw);
	if (gw->conf->leader_summary && gw->router != NULL)
		summaries(gw);
}
