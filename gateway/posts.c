/*
 * posts — reviewing and answering LAPOR reports (gateway/posts.h), for the console and the web.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/table.h"
#include "gateway/gateway.h"
#include "gateway/posts.h"
#include "gateway/relay.h"
#include "store/store.h"
#include "store/store_outbox.h"
#include "store/store_posts.h"

static int
failed(struct store *st, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, store_errmsg(st));
	store_rollback(st);
	return -1;
}

int
posts_review(struct gateway *gw, const char *actor, int64_t id, int approve, int *relayed, char *err,
    size_t errlen)
{
	struct store		*st = gw->store;
	char			 detail[64];
	enum store_status	 s;

	*relayed = 0;
	if (store_begin(st) != STORE_OK) {
		snprintf(err, errlen, "starting a transaction: %s", store_errmsg(st));
		return -1;
	}
	s = store_post_review(st, id, approve);
	if (s == STORE_NOTFOUND || s == STORE_INVALID) {
		snprintf(err, errlen, "%s", s == STORE_NOTFOUND ? "no such report" : store_errmsg(st));
		store_rollback(st);
		return s == STORE_NOTFOUND ? 1 : 2;
	}
	snprintf(detail, sizeof(detail), "{\"post\":%lld}", (long long)id);
	if (s != STORE_OK || store_audit(st, actor, approve ? "post approve" : "post reject", detail) != STORE_OK)
		return failed(st, "reviewing the report", err, errlen);
	/* on a hub, a report a box received: the decision goes down to that box too (relay_queue
	 * wakes the hub's sender) */
	if (gw->conf->hub_enabled && (*relayed = relay_post(gw, id, "post_review", approve ? "\"approve\":true" :
	    "\"approve\":false", err, errlen)) < 0) {
		*relayed = 0;
		store_rollback(st);
		return -1;
	}
	if (store_commit(st) != STORE_OK)
		return failed(st, "committing", err, errlen);
	return 0;
}

int
posts_reply(struct gateway *gw, const char *actor, int64_t id, const char *text, int *relayed, char *err,
    size_t errlen)
{
	struct store		*st = gw->store;
	char			 number[32], detail[64], *extra = NULL, *esc;
	size_t			 elen;
	enum store_status	 s;
	struct store_outbox_new	 o;

	*relayed = 0;
	if (text[strspn(text, " \t\r\n")] == '\0' || strlen(text) > POST_REPLY_MAX) {
		snprintf(err, errlen, "the reply text is empty or longer than %d characters (6 SMS)", POST_REPLY_MAX);
		return 2;
	}
	if ((s = store_post_sender(st, id, number, sizeof(number))) == STORE_NOTFOUND) {
		snprintf(err, errlen, "no such report");
		return 1;
	}
	if (s != STORE_OK) {
		snprintf(err, errlen, "reading the report: %s", store_errmsg(st));
		return -1;
	}
	if (store_begin(st) != STORE_OK) {
		snprintf(err, errlen, "starting a transaction: %s", store_errmsg(st));
		return -1;
	}
	if (gw->conf->hub_enabled) {
		elen = strlen(text) * 6 + 1;
		esc = malloc(elen);
		if (esc == NULL || asprintf(&extra, "\"text\":\"%s\"", json_escape(text, esc, elen)) == -1)
			extra = NULL;
		free(esc);
		if (extra == NULL) {
			snprintf(err, errlen, "out of memory");
			store_rollback(st);
			return -1;
		}
		*relayed = relay_post(gw, id, "post_reply", extra, err, errlen);
		free(extra);
		if (*relayed < 0) {
			*relayed = 0;
			store_rollback(st);
			return -1;
		}
	}
	if (!*relayed) {
		memset(&o, 0, sizeof(o));
		o.number = number;
		o.text = text;
		o.kind = OUTBOX_MANUAL;
		o.priority = OUTBOX_NORMAL;
		if (store_outbox_add(st, &o, NULL) != STORE_OK)
			return failed(st, "queueing the reply", err, errlen);
	}
	snprintf(detail, sizeof(detail), "{\"post\":%lld}", (long long)id);
	if (store_audit(st, actor, "post reply", detail) != STORE_OK)
		return failed(st, "auditing", err, errlen);
	if (store_commit(st) != STORE_OK)
		return failed(st, "committing", err, errlen);
	if (!*relayed)
		gateway_queue_changed(gw);
	return 0;
}
