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
#include "gateway/control/cmd.h"
#include "gateway/control/cmds.h"
#include "gateway/gateway.h"
#include "gateway/http/http.h"
#include "gateway/mmwatch.h"
#include "gateway/modem/modem.h"
#include "gateway/router.h"
#include "store/store.h"
#include "store/store_outbox.h"

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


static const char *
fmt_time(time_t t)
{
	static char	 buf[2][40];
	static int	 i;

	i = !i;
	return timefmt_local(t, buf[i], sizeof(buf[i]));
}

/* The uplink roles in `status` (JSON: "uplink" and "hub", null when off). */
static void
link_json(FILE *f, const char *key, const struct gateway_link *l)
{
	if (!l->enabled) {
		fprintf(f, "\"%s\":null,", key);
		return;
	}
	fprintf(f, "\"%s\":{\"id\":", key);
	json_string(f, l->id);
	fprintf(f, ",\"state\":\"%s\",\"offline_since\":", l->online ? "online" : "offline");
	if (l->offline_since)
		fprintf(f, "\"%s\"", fmt_time(l->offline_since));
	else
		fputs("null", f);
	fprintf(f, ",\"backlog\":%ld,\"last_ack\":", l->backlog);
	if (l->last_ack_at)
		fprintf(f, "\"%s\"", fmt_time(l->last_ack_at));
	else
		fputs("null", f);
	fprintf(f, ",\"refused\":%ld,\"bytes_out\":%llu", l->refused, l->bytes_out);
	if (!strcmp(key, "hub"))
		fprintf(f, ",\"boxes\":%ld,\"boxes_online\":%ld", l->boxes, l->boxes_online);
	fputs("},", f);
}

static void
uplink_status_json(FILE *f, struct gateway *gw)
{
	link_json(f, "uplink", &gw->up);
	link_json(f, "hub", &gw->down);
}

static void
uplink_status_text(FILE *f, struct gateway *gw)
{
	const struct gateway_link *l = &gw->up;

	if (l->enabled) {
		fprintf(f, "uplink: box %s, %s", l->id, l->online ? "online" : "OFFLINE");
		if (!l->online && l->offline_since)
			fprintf(f, " since %s", fmt_time(l->offline_since));
		fprintf(f, ", %ld records waiting for the hub, last ack %s", l->backlog,
		    l->last_ack_at ? fmt_time(l->last_ack_at) : "never");
		if (l->refused)
			fprintf(f, ", %ld commands REFUSED (see the audit log)", l->refused);
		fputc('\n', f);
	}
	l = &gw->down;
	if (l->enabled) {
		fprintf(f, "hub: %s, broker %s, %ld of %ld boxes online, %ld commands waiting for boxes "
		    "(kentongan boxes)\n", l->id, l->online ? "connected" : "NOT CONNECTED", l->boxes_online, l->boxes,
		    l->backlog);
	}
}

static void
status_modems_json(FILE *f, const struct modem_snapshot *s)
{
	int	 i;

	fputs("{\"modems\":[", f);
	for (i = 0; i < s->n; i++) {
		const struct modem_info *mi = &s->m[i].info;

		fputs(i ? ",{" : "{", f);
		json_kv_str(f, "name", mi->name, 0);
		json_kv_str(f, "state", s->m[i].label, 1);
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
		fprintf(f, ",\"restarts\":%d,\"quarantined\":%d", mi->restarts, mi->quarantined);
		fprintf(f, ",\"undecodable\":%ld,\"other_on_sim\":%d,\"other_cleared\":%ld,\"degraded\":%s}",
		    mi->undecodable, mi->other_on_sim, mi->other_cleared, mi->degraded ? "true" : "false");
	}
	fputs("],", f);
}

static void
status_http_json(FILE *f, struct gateway *gw)
{
	struct http_stats hs;

	if (gw->http == NULL) {
		fputs("\"http\":null,", f);
		return;
	}
	http_stats(gw->http, &hs);
	fputs("\"http\":{", f);
	json_kv_str(f, "address", http_address(gw->http), 0);
	fprintf(f, ",\"requests\":%ld,\"ok\":%ld,\"client_errors\":%ld,\"unauthorized\":%ld,"
	    "\"unavailable\":%ld,\"ussd\":%ld,\"ussd_sessions_active\":%ld,\"ussd_sessions\":%ld,"
	    "\"connections\":%ld,\"connections_refused\":%ld,\"accept_pauses\":%ld},",
	    hs.requests, hs.ok, hs.client_errors, hs.unauthorized, hs.unavailable, hs.ussd,
	    hs.ussd_active, hs.ussd_sessions, hs.connections, hs.refused, hs.accept_pauses);
}

/* ModemManager as status shows it: NULL when it is not running */
static const struct mmwatch_state *
status_mm(struct gateway *gw)
{
	return gw->mmwatch && mmwatch_state(gw->mmwatch)->pid ? mmwatch_state(gw->mmwatch) : NULL;
}

static void
status_mm_json(FILE *f, struct gateway *gw)
{
	const struct mmwatch_state	*mm = status_mm(gw);
	int				 i;

	if (mm == NULL) {
		fputs("\"modemmanager\":null,", f);
		return;
	}
	fprintf(f, "\"modemmanager\":{\"pid\":%d,\"holds\":[", (int)mm->pid);
	for (i = 0; i < mm->nheld; i++) {
		fputs(i ? ",{" : "{", f);
		json_kv_str(f, "modem", mm->held[i].modem, 0);
		json_kv_str(f, "device", mm->held[i].device, 1);
		fputc('}', f);
	}
	fputc(']', f);
	json_kv_str(f, "advice", MMWATCH_ADVICE, 1);
	fputs("},", f);
}

static void
status_json(struct ctl_req *req, const struct store_queue_counts *q, const struct modem_snapshot *s)
{
	struct gateway	*gw = req->gw;
	FILE		*f = req->out;

	status_modems_json(f, s);
	fprintf(f, "\"queue\":{\"queued\":%ld,\"queued_alert\":%ld,\"queued_normal\":%ld,"
	    "\"sending\":%ld,\"sent\":%ld,\"delivered\":%ld,\"failed\":%ld,\"expired\":%ld},",
	    q->queued, q->queued_alert, q->queued - q->queued_alert, q->sending, q->sent, q->delivered,
	    q->failed, q->expired);
	status_http_json(f, gw);
	status_mm_json(f, gw);
	uplink_status_json(f, gw);
	fprintf(f, "\"replies\":{\"last_hour\":%ld,\"budget\":%ld,\"dropped\":%ld},",
	    store_outbox_auto_replies_since(gw->store, clock_now() - 3600), gw->conf->reply_budget,
	    gw->router ? router_budget_dropped(gw->router) : 0);
	cmd_status_upkeep_json(req);
	fprintf(f, "\"subscribers\":%ld,\"store\":\"%s\",\"uptime\":%ld,\"version\":\"%s\"}\n",
	    store_subscriber_count(gw->store), gw->store_ok ? "ok" : "failing",
	    (long)(clock_now() - gw->started_at), KT_VERSION);
}

static void
status_csv(struct ctl_req *req, const struct modem_snapshot *s)
{
	static const char	*names[] = { "name", "state", "operator", "signal", "sent", "received", "balance" };
	struct table		*t = table_new(req->out, TABLE_CSV);
	int			 i;

	for (i = 0; i < s->n; i++) {
		const struct modem_info	*mi = &s->m[i].info;
		char			 sig[16], sent[24], recv[24];
		const char		*vals[7];

		snprintf(sig, sizeof(sig), "%d", mi->signal);
		snprintf(sent, sizeof(sent), "%ld", mi->sent);
		if (mi->quarantined)
			snprintf(recv, sizeof(recv), "%ld (+%d unreadable)", mi->received, mi->quarantined);
		else
			snprintf(recv, sizeof(recv), "%ld", mi->received);
		vals[0] = mi->name;
		vals[1] = s->m[i].label;
		vals[2] = mi->operator_name;
		vals[3] = mi->signal >= 0 ? sig : "";
		vals[4] = sent;
		vals[5] = recv;
		vals[6] = mi->balance;
		table_rowv(t, 7, names, vals);
	}
	table_end(t);
}

/* The daemon, its queue and the automatic replies' budget. */
static void
status_summary_text(FILE *f, struct gateway *gw, const struct store_queue_counts *q)
{
	long dropped = gw->router ? router_budget_dropped(gw->router) : 0;

	fprintf(f, "kentongand %s, up %lds, store %s, %ld active subscribers\n", KT_VERSION,
	    (long)(clock_now() - gw->started_at), gw->store_ok ? "ok" : "FAILING (see the log)",
	    store_subscriber_count(gw->store));
	fprintf(f, "queue: %ld queued (%ld alert), %ld sending, %ld sent, %ld delivered, %ld failed, "
	    "%ld expired\n", q->queued, q->queued_alert, q->sending, q->sent, q->delivered, q->failed, q->expired);
	fprintf(f, "replies: %ld automatic in the last hour (budget %ld/h%s)",
	    store_outbox_auto_replies_since(gw->store, clock_now() - 3600), gw->conf->reply_budget,
	    gw->conf->reply_budget ? "" : ": none");
	if (dropped > 0)
		fprintf(f, ", %ld dropped since start because the budget was spent", dropped);
	fputc('\n', f);
}

static void
status_http_text(FILE *f, struct gateway *gw)
{
	struct http_stats hs;

	if (gw->http == NULL) {
		fprintf(f, "http: off (add an [http] section for USSD, /health and /metrics)\n");
		return;
	}
	http_stats(gw->http, &hs);
	fprintf(f, "http: %s, %ld requests (%ld ok, %ld refused, %ld unauthorized), "
	    "USSD %ld active sessions, %ld in all\n", http_address(gw->http), hs.requests, hs.ok,
	    hs.client_errors, hs.unauthorized, hs.ussd_active, hs.ussd_sessions);
	if (hs.refused > 0 || hs.accept_pauses > 0)
		fprintf(f, "http: flooded: %ld connections closed at max_connections, accept paused "
		    "%ld times for lack of file descriptors\n", hs.refused, hs.accept_pauses);
}

static void
status_mm_text(FILE *f, struct gateway *gw)
{
	const struct mmwatch_state	*mm = status_mm(gw);
	int				 i;

	if (mm == NULL)
		return;
	fprintf(f, "warning: ModemManager is running (pid %d)", (int)mm->pid);
	for (i = 0; i < mm->nheld; i++)
		fprintf(f, "%s %s (modem %s)", i ? "," : " and holds", mm->held[i].device, mm->held[i].modem);
	fprintf(f, ": it fights Kentongan for modem ports; %s\n", MMWATCH_ADVICE);
}

static void
status_modem_row(struct table *t, const struct modem_fact *mf)
{
	static const char	*names[] = { "modem", "state", "operator", "signal", "sent", "received",
	    "balance", "last error" };
	const struct modem_info	*mi = &mf->info;
	char			 sig[16], sent[24], recv[48], bal[80];
	const char		*vals[8];

	if (mi->signal >= 0)
		snprintf(sig, sizeof(sig), "%d%%", mi->signal);
	else
		snprintf(sig, sizeof(sig), "-");
	snprintf(sent, sizeof(sent), "%ld", mi->sent);
	snprintf(recv, sizeof(recv), "%ld", mi->received);
	if (mi->quarantined)
		snprintf(recv + strlen(recv), sizeof(recv) - strlen(recv), " (+%d unreadable)", mi->quarantined);
	snprintf(bal, sizeof(bal), "%s%s", mi->balance[0] ? mi->balance : "-", mi->low_credit ? " (LOW)" : "");
	vals[0] = mi->name;
	vals[1] = mf->label;
	vals[2] = mi->operator_name[0] ? mi->operator_name : "-";
	vals[3] = sig;
	vals[4] = sent;
	vals[5] = recv;
	vals[6] = bal;
	vals[7] = mi->last_error[0] ? mi->last_error : "-";
	table_rowv(t, 8, names, vals);
}

/* what occupies the SIMs besides received messages, and what could not be decoded */
static void
status_sim_notes(FILE *f, const struct modem_info *mi)
{
	if (mi->undecodable)
		fprintf(f, "%s: %ld message(s) could not be decoded: kept raw in the inbox "
		    "(flags undecodable; kentongan inbox ID shows one)\n", mi->name, mi->undecodable);
	if (mi->other_on_sim)
		fprintf(f, "%s: %d other message(s) occupy the SIM (sent copies, drafts; "
		    "clear_other = yes deletes them)\n", mi->name, mi->other_on_sim);
	if (mi->other_cleared)
		fprintf(f, "%s: %ld other message(s) deleted from the SIM (clear_other)\n", mi->name,
		    mi->other_cleared);
}

static void
status_modems_text(FILE *f, const struct modem_snapshot *s)
{
	struct table	*t;
	int		 i;

	if (s->n == 0) {
		fprintf(f, "modems: none configured (add a [modem NAME] section)\n");
		return;
	}
	t = table_new(f, TABLE_TEXT);
	for (i = 0; i < s->n; i++)
		status_modem_row(t, &s->m[i]);
	table_end(t);
	for (i = 0; i < s->n; i++)
		status_sim_notes(f, &s->m[i].info);
}

static void
status_text(struct ctl_req *req, const struct store_queue_counts *q, const struct modem_snapshot *s)
{
	status_summary_text(req->out, req->gw, q);
	status_http_text(req->out, req->gw);
	status_mm_text(req->out, req->gw);
	uplink_status_text(req->out, req->gw);
	cmd_status_upkeep_text(req);
	status_modems_text(req->out, s);
}

int
cmd_status(struct ctl_req *req, int argc, char **argv)
{
	struct store_queue_counts	 q;
	struct modem_snapshot		 s;
	char				*ops[1];

	if (cmd_getopt(req, argc, argv, NULL, 0, ops, 0) < 0)
		return 1;
	if (store_queue_counts(req->gw->store, &q) != STORE_OK)
		return cmd_store_error(req, "counting the queue");
	modem_snapshot(req->gw, &s);
	if (req->fmt == TABLE_JSON)
		status_json(req, &q, &s);
	else if (req->fmt == TABLE_CSV)
		status_csv(req, &s);
	else
		status_text(req, &q, &s);
	modem_snapshot_free(&s);
	return 0;
}


int
cmd_areas(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt	 opts[] = { { .name = "parent", .has_arg = 1 }, { .name = "all" } };
	struct table	*t;

	if ((t = cmd_list_begin(req, argc, argv, opts, 2, 1)) == NULL)
		return 1;
	return cmd_list_done(req, t, store_list_areas(req->gw->store, opts[1].val ? "" : opts[0].val, table_row, t),
	    "listing areas");
}


int
cmd_subscribers(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt	 opts[] = { { .name = "area", .has_arg = 1 } };
	struct table	*t;

	if ((t = cmd_list_begin(req, argc, argv, opts, 1, 1)) == NULL)
		return 1;
	return cmd_list_done(req, t, store_list_subscribers(req->gw->store, opts[0].val, table_row, t),
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


struct counted {
	struct table	*t;
	long		 n;
	FILE		*detail;	/* one message as "name: value" lines, nothing cut */
};

static int
counted_row(void *arg, const struct table_row *r)
{
	struct counted *c = arg;

	c->n++;
	if (c->detail == NULL)
		return table_row(c->t, r);
	for (int i = 0; i < r->n; i++) {
		const unsigned char *v = (const unsigned char *)(r->values[i] ? r->values[i] : "-");

		fprintf(c->detail, "%-9s ", r->names[i]);
		for (; *v; v++)
			fputc(*v < 0x20 || *v == 0x7f ? '?' : *v, c->detail);	/* no terminal controls */
		fputc('\n', c->detail);
	}
	return 0;
}

int
cmd_inbox(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt	 opts[] = { { .name = "since", .has_arg = 1 }, { .name = "limit", .has_arg = 1 },
	    { .name = "raw" } };
	char		*ops[1], *end;
	time_t		 since = 0;
	struct counted	 c;
	long long	 id = 0;
	int		 nops;
	enum store_status s;

	if ((nops = cmd_getopt(req, argc, argv, opts, 3, ops, 1)) < 0)
		return 1;
	if (nops == 1 && ((id = strtoll(ops[0], &end, 10)) <= 0 || *end != '\0')) {
		fprintf(req->err, "inbox %s: expected a message id (a number from 'kentongan inbox')\n", ops[0]);
		return 1;
	}
	if (opts[0].val && timefmt_parse(opts[0].val, clock_now(), &since) == -1) {
		fprintf(req->err, "--since %s: expected a time such as '2026-11-27 08:00', 08:00 or -1h\n",
		    opts[0].val);
		return 1;
	}
	c.t = table_new(req->out, req->fmt);
	c.n = 0;
	c.detail = id > 0 && req->fmt == TABLE_TEXT ? req->out : NULL;
	/* one message (inbox ID) is shown whole: an undecodable one with its raw PDU */
	s = store_list_inbox_opts(req->gw->store, since, opts[1].val ? atol(opts[1].val) : 0,
	    opts[2].val != NULL || id > 0, id, counted_row, &c);
	if (s == STORE_OK && id > 0 && c.n == 0) {
		table_end(c.t);
		fprintf(req->err, "inbox %lld: no such message\n", id);
		return 1;
	}
	return cmd_list_done(req, c.t, s, "listing the inbox");
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
	return cmd_list_done(req, t, store_list_outbox(req->gw->store, opts[0].val,
	    opts[1].val ? atol(opts[1].val) : 0, table_row, t), "listing the outbox");
}


int
cmd_audit(struct ctl_req *req, int argc, char **argv)
{
	return cmd_list_limited(req, argc, argv, 100, store_list_audit, "listing the audit log");
}
