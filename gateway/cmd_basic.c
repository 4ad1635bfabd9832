/*
 * cmd_basic — the console commands of the foundation: status, areas, subscribers, subscriber
 * add/remove, inbox, outbox, check, audit. Every change is one transaction with its audit record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "gateway/cmd.h"
#include "gateway/cmds.h"
#include "gateway/gateway.h"
#include "gateway/http.h"
#include "gateway/modem.h"
#include "store/store.h"

static int
list_done(struct ctl_req *req, struct table *t, enum store_status s, const char *what)
{
	table_end(t);
	if (s != STORE_OK)
		return cmd_store_error(req, what);
	return 0;
}

static void
json_kv_str(FILE *f, const char *k, const char *v, int comma)
{
	if (comma)
		fputc(',', f);
	json_string(f, k);
	fputc(':', f);
	if (v == NULL)
		fputs("null", f);
	else
		json_string(f, v);
}


int
cmd_status(struct ctl_req *req, int argc, char **argv)
{
	struct gateway			*gw = req->gw;
	struct store_queue_counts	 q;
	char				*ops[1];
	int				 i;

	if (cmd_getopt(req, argc, argv, NULL, 0, ops, 0) < 0)
		return 1;
	if (store_queue_counts(gw->store, &q) != STORE_OK)
		return cmd_store_error(req, "counting the queue");
	if (req->fmt == TABLE_JSON) {
		FILE *f = req->out;

		fputs("{\"modems\":[", f);
		for (i = 0; i < gw->nmodems; i++) {
			const struct modem_info *mi = modem_info(gw->modems[i]);

			fputs(i ? ",{" : "{", f);
			json_kv_str(f, "name", mi->name, 0);
			json_kv_str(f, "state", modem_state_str(mi->state), 1);
			json_kv_str(f, "operator", mi->operator_name[0] ? mi->operator_name : NULL, 1);
			if (mi->signal >= 0)
				fprintf(f, ",\"signal\":%d", mi->signal);
			else
				fputs(",\"signal\":null", f);
			fprintf(f, ",\"sent\":%ld,\"received\":%ld", mi->sent, mi->received);
			json_kv_str(f, "balance", mi->balance[0] ? mi->balance : NULL, 1);
			fprintf(f, ",\"low_credit\":%s", mi->low_credit ? "true" : "false");
			json_kv_str(f, "last_error", mi->last_error[0] ? mi->last_error : NULL, 1);
			json_kv_str(f, "imei", mi->imei[0] ? mi->imei : NULL, 1);
			fprintf(f, ",\"restarts\":%d,\"quarantined\":%d}", mi->restarts, mi->quarantined);
		}
		fprintf(f, "],\"queue\":{\"queued\":%ld,\"queued_alert\":%ld,\"queued_normal\":%ld,"
		    "\"sending\":%ld,\"sent\":%ld,\"delivered\":%ld,\"failed\":%ld,\"expired\":%ld},",
		    q.queued, q.queued_alert, q.queued - q.queued_alert, q.sending, q.sent, q.delivered,
		    q.failed, q.expired);
		if (gw->http != NULL) {
			struct http_stats hs;

			http_stats(gw->http, &hs);
			fputs("\"http\":{", f);
			json_kv_str(f, "address", http_address(gw->http), 0);
			fprintf(f, ",\"requests\":%ld,\"ok\":%ld,\"client_errors\":%ld,\"unauthorized\":%ld,"
			    "\"unavailable\":%ld,\"ussd\":%ld,\"ussd_sessions_active\":%ld,\"ussd_sessions\":%ld},",
			    hs.requests, hs.ok, hs.client_errors, hs.unauthorized, hs.unavailable, hs.ussd,
			    hs.ussd_active, hs.ussd_sessions);
		} else
			fputs("\"http\":null,", f);
		cmd_status_upkeep_json(req);
		fprintf(f, "\"subscribers\":%ld,\"store\":\"%s\",\"uptime\":%ld,\"version\":\"%s\"}\n",
		    store_subscriber_count(gw->store), gw->store_ok ? "ok" : "failing",
		    (long)(clock_now() - gw->started_at), KT_VERSION);
		return 0;
	}
	if (req->fmt == TABLE_CSV) {
		struct table *t = table_new(req->out, TABLE_CSV);
		static const char *names[] = { "name", "state", "operator", "signal", "sent", "received", "balance" };

		for (i = 0; i < gw->nmodems; i++) {
			const struct modem_info	*mi = modem_info(gw->modems[i]);
			char			 sig[16], sent[24], recv[24];
			const char		*vals[7];

			snprintf(sig, sizeof(sig), "%d", mi->signal);
			snprintf(sent, sizeof(sent), "%ld", mi->sent);
			if (mi->quarantined)
				snprintf(recv, sizeof(recv), "%ld (+%d unreadable)", mi->received, mi->quarantined);
			else
				snprintf(recv, sizeof(recv), "%ld", mi->received);
			vals[0] = mi->name;
			vals[1] = modem_state_str(mi->state);
			vals[2] = mi->operator_name;
			vals[3] = mi->signal >= 0 ? sig : "";
			vals[4] = sent;
			vals[5] = recv;
			vals[6] = mi->balance;
			table_rowv(t, 7, names, vals);
		}
		table_end(t);
		return 0;
	}
	fprintf(req->out, "kentongand %s, up %lds, store %s, %ld active subscribers\n", KT_VERSION,
	    (long)(clock_now() - gw->started_at), gw->store_ok ? "ok" : "FAILING (see the log)",
	    store_subscriber_count(gw->store));
	fprintf(req->out, "queue: %ld queued (%ld alert), %ld sending, %ld sent, %ld delivered, %ld failed, "
	    "%ld expired\n", q.queued, q.queued_alert, q.sending, q.sent, q.delivered, q.failed, q.expired);
	if (gw->http != NULL) {
		struct http_stats hs;

		http_stats(gw->http, &hs);
		fprintf(req->out, "http: %s, %ld requests (%ld ok, %ld refused, %ld unauthorized), "
		    "USSD %ld active sessions, %ld in all\n", http_address(gw->http), hs.requests, hs.ok,
		    hs.client_errors, hs.unauthorized, hs.ussd_active, hs.ussd_sessions);
	} else
		fprintf(req->out, "http: off (add an [http] section for USSD, /health and /metrics)\n");
	cmd_status_upkeep_text(req);
	if (gw->nmodems == 0)
		fprintf(req->out, "modems: none configured (add a [modem NAME] section)\n");
	else {
		struct table *t = table_new(req->out, TABLE_TEXT);
		static const char *names[] = { "modem", "state", "operator", "signal", "sent", "received",
		    "balance", "last error" };

		for (i = 0; i < gw->nmodems; i++) {
			const struct modem_info	*mi = modem_info(gw->modems[i]);
			char			 sig[16], sent[24], recv[48], bal[80];
			const char		*vals[8];

			if (mi->signal >= 0)
				snprintf(sig, sizeof(sig), "%d%%", mi->signal);
			else
				snprintf(sig, sizeof(sig), "-");
			snprintf(sent, sizeof(sent), "%ld", mi->sent);
			snprintf(recv, sizeof(recv), "%ld", mi->received);
			snprintf(bal, sizeof(bal), "%s%s", mi->balance[0] ? mi->balance : "-",
			    mi->low_credit ? " (LOW)" : "");
			vals[0] = mi->name;
			vals[1] = modem_state_str(mi->state);
			vals[2] = mi->operator_name[0] ? mi->operator_name : "-";
			vals[3] = sig;
			vals[4] = sent;
			vals[5] = recv;
			vals[6] = bal;
			vals[7] = mi->last_error[0] ? mi->last_error : "-";
			table_rowv(t, 8, names, vals);
		}
		table_end(t);
	}
	return 0;
}


int
cmd_areas(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt	 opts[] = { { .name = "parent", .has_arg = 1 }, { .name = "all" } };
	char		*ops[1];
	struct table	*t;

	if (cmd_getopt(req, argc, argv, opts, 2, ops, 0) < 0)
		return 1;
	if (opts[0].val && cmd_area(req, opts[0].val) == -1)
		return 1;
	t = table_new(req->out, req->fmt);
	return list_done(req, t, store_list_areas(req->gw->store, opts[1].val ? "" : opts[0].val, table_row, t),
	    "listing areas");
}


int
cmd_subscribers(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt	 opts[] = { { .name = "area", .has_arg = 1 } };
	char		*ops[1];
	struct table	*t;

	if (cmd_getopt(req, argc, argv, opts, 1, ops, 0) < 0)
		return 1;
	if (opts[0].val && cmd_area(req, opts[0].val) == -1)
		return 1;
	t = table_new(req->out, req->fmt);
	return list_done(req, t, store_list_subscribers(req->gw->store, opts[0].val, table_row, t),
	    "listing subscribers");
}


int
cmd_subscriber_add(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt		 opts[] = { { .name = "area", .has_arg = 1 }, { .name = "name", .has_arg = 1 } };
	char			*ops[1], number[MSISDN_MAX], detail[256];
	struct store		*st = req->gw->store;
	int			 i, created = 0, n = 0;

	if (cmd_getopt(req, argc, argv, opts, 2, ops, 1) != 1 || opts[0].nmulti == 0)
		return ctl_usage(req, "subscriber add");
	if (cmd_number(req, ops[0], number) == -1)
		return 1;
	for (i = 0; i < opts[0].nmulti; i++)
		if (cmd_area(req, opts[0].multi[i]) == -1)
			return 1;
	if (store_begin(st) != STORE_OK)
		return cmd_store_error(req, "starting a transaction");
	for (i = 0; i < opts[0].nmulti; i++) {
		if (store_subscribe(st, number, opts[0].multi[i], opts[1].val, &created) != STORE_OK)
			goto fail;
		n += created;
		snprintf(detail, sizeof(detail), "{\"number\":\"%s\",\"area\":\"%s\"}", number, opts[0].multi[i]);
		if (store_audit(st, req->actor, "subscribe", detail) != STORE_OK)
			goto fail;
	}
	if (store_commit(st) != STORE_OK)
		return cmd_store_error(req, "committing");
	fprintf(req->out, "%s: %s\n", number, n ? "subscribed" : "already subscribed");
	return 0;
fail:
	store_rollback(st);
	return cmd_store_error(req, "subscribing");
}


int
cmd_subscriber_remove(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt		 opts[] = { { .name = "area", .has_arg = 1 }, { .name = "all" } };
	char			*ops[1], number[MSISDN_MAX], detail[256];
	struct store		*st = req->gw->store;
	enum store_status	 s;
	int			 removed = 0;

	if (cmd_getopt(req, argc, argv, opts, 2, ops, 1) != 1 || (!opts[0].val && !opts[1].val))
		return ctl_usage(req, "subscriber remove");
	if (cmd_number(req, ops[0], number) == -1)
		return 1;
	if (store_begin(st) != STORE_OK)
		return cmd_store_error(req, "starting a transaction");
	s = store_unsubscribe(st, number, opts[1].val ? NULL : opts[0].val, &removed);
	if (s == STORE_NOTFOUND) {
		store_rollback(st);
		fprintf(req->err, "%s is not a subscriber\n", number);
		return 1;
	}
	snprintf(detail, sizeof(detail), "{\"number\":\"%s\",\"area\":%s%s%s}", number,
	    opts[1].val ? "" : "\"", opts[1].val ? "null" : opts[0].val, opts[1].val ? "" : "\"");
	if (s != STORE_OK || store_audit(st, req->actor, "unsubscribe", detail) != STORE_OK) {
		store_rollback(st);
		return cmd_store_error(req, "unsubscribing");
	}
	if (store_commit(st) != STORE_OK)
		return cmd_store_error(req, "committing");
	if (removed == 0 && !opts[1].val) {
		fprintf(req->err, "%s is not subscribed to %s\n", number, opts[0].val);
		return 1;
	}
	fprintf(req->out, "%s: %s\n", number, opts[1].val ? "stopped" : "unsubscribed");
	return 0;
}


int
cmd_inbox(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt	 opts[] = { { .name = "since", .has_arg = 1 }, { .name = "limit", .has_arg = 1 } };
	char		*ops[1];
	time_t		 since = 0;
	struct table	*t;

	if (cmd_getopt(req, argc, argv, opts, 2, ops, 0) < 0)
		return 1;
	if (opts[0].val && timefmt_parse(opts[0].val, clock_now(), &since) == -1) {
		fprintf(req->err, "--since %s: expected a time such as '2026-11-27 08:00', 08:00 or -1h\n",
		    opts[0].val);
		return 1;
	}
	t = table_new(req->out, req->fmt);
	return list_done(req, t, store_list_inbox(req->gw->store, since, opts[1].val ? atol(opts[1].val) : 0,
	    table_row, t), "listing the inbox");
}


int
cmd_outbox(struct ctl_req *req, int argc, char **argv)
{
	static const char *statuses[] = { "queued", "sending", "sent", "delivered", "failed", "expired",
	    "cancelled", NULL };
	struct cmd_opt	 opts[] = { { .name = "status", .has_arg = 1 }, { .name = "limit", .has_arg = 1 } };
	char		*ops[1];
	struct table	*t;
	int		 i;

	if (cmd_getopt(req, argc, argv, opts, 2, ops, 0) < 0)
		return 1;
	if (opts[0].val) {
		for (i = 0; statuses[i]; i++)
			if (!strcmp(statuses[i], opts[0].val))
				break;
		if (statuses[i] == NULL) {
			fprintf(req->err, "--status %s: expected queued, sending, sent, delivered, failed, expired "
			    "or cancelled\n", opts[0].val);
			return 1;
		}
	}
	t = table_new(req->out, req->fmt);
	return list_done(req, t, store_list_outbox(req->gw->store, opts[0].val,
	    opts[1].val ? atol(opts[1].val) : 0, table_row, t), "listing the outbox");
}


int
cmd_audit(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt	 opts[] = { { .name = "limit", .has_arg = 1 } };
	char		*ops[1];
	struct table	*t;

	if (cmd_getopt(req, argc, argv, opts, 1, ops, 0) < 0)
		return 1;
	t = table_new(req->out, req->fmt);
	return list_done(req, t, store_list_audit(req->gw->store, opts[0].val ? atol(opts[0].val) : 100,
	    table_row, t), "listing the audit log");
}
