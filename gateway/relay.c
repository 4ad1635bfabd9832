/* relay — commands for boxes below a hub (see relay.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/relay.h"
#include "store/store.h"
#include "store/store_uplink.h"

int
relay_queue(struct gateway *gw, const char *box, const char *lane, const char *kind, const char *body,
    char *err, size_t errlen)
{
	char	 epoch[UPLINK_EPOCH_LEN];

	if (!gw->conf->hub_enabled) {
		snprintf(err, errlen, "this daemon is not a hub (no [hub] section)");
		return -1;
	}
	if (store_uplink_epoch(gw->store, epoch) != STORE_OK ||
	    store_hub_enqueue(gw->store, gw->conf->hub_name, epoch, box, lane, kind, body, NULL) != STORE_OK) {
		snprintf(err, errlen, "queueing a command for box %s: %s", box, store_errmsg(gw->store));
		return -1;
	}
	if (gw->uplink_kick)
		gw->uplink_kick(gw);
	return 0;
}

int
relay_post(struct gateway *gw, int64_t post_id, const char *kind, const char *extra, char *err, size_t errlen)
{
	char		 box[64], *body;
	int64_t		 bid;
	int		 rc;

	switch (store_post_box(gw->store, post_id, box, &bid)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return 0;
	default:
		snprintf(err, errlen, "reading post %lld: %s", (long long)post_id, store_errmsg(gw->store));
		return -1;
	}
	xasprintf(&body, "{\"post\":%lld%s%s}", (long long)bid, extra && *extra ? "," : "", extra ? extra : "");
	rc = relay_queue(gw, box, "cmd", kind, body, err, errlen);
	free(body);
	return rc == 0 ? 1 : -1;
}
