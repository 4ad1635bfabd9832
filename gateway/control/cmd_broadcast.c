/*
 * cmd_broadcast — console commands for announcements: broadcast, announcements, announcement ID
 * (with --progress for `broadcast --wait`), and ussd MODEM CODE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/str.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/broadcast.h"
#include "gateway/control/cmd.h"
#include "gateway/control/cmds.h"
#include "gateway/gateway.h"
#include "gateway/modem/modem.h"
#include "store/store.h"
#include "store/store_field.h"
#include "store/store_announcements.h"
#include "store/store_outbox.h"
#include "store/store_uplink.h"

int
cmd_broadcast(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt		 opts[] = {
		{ .name = "area", .has_arg = 1 }, { .name = "priority", .has_arg = 1 },
		{ .name = "at", .has_arg = 1 }, { .name = "expires", .has_arg = 1 },
		{ .name = "dry-run" }, { .name = "correct", .has_arg = 1 }, { .name = "code" },
	};
	char			*ops[1], err[512], eta[64], *end;
	struct broadcast_req	 br;
	struct broadcast_res	 res;
	long			 exp_s;
	int			 i, rc;

	if (cmd_getopt(req, argc, argv, opts, 7, ops, 1) != 1)
		return ctl_usage(req, "broadcast");
	memset(&br, 0, sizeof(br));
	br.text = ops[0];
	br.source = req->actor;
	br.requested_by = req->user;
	br.append_code = opts[6].val != NULL;
	if (opts[5].val) {
		long long c = strtoll(opts[5].val, &end, 10);

		if (*end || c <= 0) {
			fprintf(req->err, "--correct %s: expected an announcement id (see 'kentongan announcements')\n",
			    opts[5].val);
			return 1;
		}
		if (opts[0].nmulti > 0) {
			fprintf(req->err, "--correct goes to exactly the recipients of announcement %lld: drop --area\n",
			    c);
			return 1;
		}
		br.corrects = c;
	}
	br.priority = OUTBOX_NORMAL;
	if (opts[1].val) {
		if (!strcmp(opts[1].val, "alert"))
			br.priority = OUTBOX_ALERT;
		else if (strcmp(opts[1].val, "normal")) {
			fprintf(req->err, "--priority %s: expected alert or normal\n", opts[1].val);
			return 1;
		}
	}
	if (opts[0].nmulti > BROADCAST_MAX_AREAS) {
		fprintf(req->err, "at most %d --area options\n", BROADCAST_MAX_AREAS);
		return 1;
	}
	for (i = 0; i < opts[0].nmulti; i++)
		br.areas[br.nareas++] = opts[0].multi[i];
	if (opts[2].val && timefmt_parse(opts[2].val, clock_now(), &br.at) == -1) {
		fprintf(req->err, "--at %s: expected a time such as '2026-11-28 07:00', 07:00 or +30m\n", opts[2].val);
		return 1;
	}
	if (opts[3].val) {
		if (conf_parse_duration(opts[3].val, &exp_s) == -1 || exp_s <= 0) {
			fprintf(req->err, "--expires %s: expected a duration such as 90m, 6h or 2d\n", opts[3].val);
			return 1;
		}
		br.expires_at = (br.at ? br.at : clock_now()) + exp_s;
	}
	br.dry_run = opts[4].val != NULL;
	rc = broadcast_create(req->gw, &br, &res, err, sizeof(err));
	if (rc != 0) {
		fprintf(req->err, "%s\n", err);
		return 1;
	}
	fputs(res.warnings, req->err);
	broadcast_eta_str(res.eta_s, "unknown (no modem ready)", eta, sizeof(eta));
	if (req->fmt == TABLE_JSON) {
		fprintf(req->out, "{\"id\":%lld,\"recipients\":%ld,\"segments\":%d,\"encoding\":\"%s\","
		    "\"dry_run\":%s,\"ready_modems\":%d,\"eta_seconds\":%.0f,\"code\":\"%s\",\"state\":\"%s\"",
		    (long long)res.id, res.recipients, res.segments, res.encoding, br.dry_run ? "true" : "false",
		    res.ready_modems, res.eta_s < 0 ? -1.0 : res.eta_s, br.dry_run ? "" : res.code,
		    res.pending ? "pending" : "active");
		if (req->gw->conf->hub_enabled)
			fprintf(req->out, ",\"boxes\":%ld,\"box_recipients\":%ld", res.boxes, res.box_recipients);
		fputs("}\n", req->out);
	} else if (req->fmt == TABLE_CSV) {
		fprintf(req->out, "id,recipients,segments,encoding\r\n%lld,%ld,%d,%s\r\n", (long long)res.id,
		    res.recipients, res.segments, res.encoding);
	} else if (br.dry_run) {
		fprintf(req->out, "dry run: %ld recipients, %d SMS each (%s), %ld SMS in all; %d modem%s ready; "
		    "about %s\n", res.recipients, res.segments, res.encoding, res.recipients * res.segments,
		    res.ready_modems, res.ready_modems == 1 ? "" : "s", eta);
		if (req->gw->conf->hub_enabled)
			fprintf(req->out, "on this hub: %ld of them as the boxes reported, through %ld box%s\n",
			    res.box_recipients, res.boxes, res.boxes == 1 ? "" : "es");
	} else if (res.pending) {
		char until[32];

		timefmt_local(res.approve_by, until, sizeof(until));
		fprintf(req->out, "alert held for approval: id=%lld code=%s recipients=%ld (now); a second official "
		    "approves it with 'kentongan announcement approve %lld' or SMS 'SETUJU %lld PIN' before %s\n",
		    (long long)res.id, res.code, res.recipients, (long long)res.id, (long long)res.id, until);
	} else {
		fprintf(req->out, "broadcast accepted: id=%lld code=%s recipients=%ld segments=%d encoding=%s (about %s)\n",
		    (long long)res.id, res.code, res.recipients, res.segments, res.encoding, eta);
	}
	return 0;
}

int
cmd_announcements(struct ctl_req *req, int argc, char **argv)
{
	return cmd_list_limited(req, argc, argv, 50, store_list_announcements, "listing announcements");
}

struct one_row {
	struct table	*t;
	long		 n;
};

static int
count_row(void *arg, const struct table_row *r)
{
	struct one_row *o = arg;

	o->n++;
	return table_row(o->t, r);
}

int
cmd_announcement(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt		 opts[] = { { .name = "progress" }, { .name = "by-village" }, { .name = "undelivered" } };
	char			*ops[1], *end, *buf = NULL;
	size_t			 len = 0;
	long long		 id;
	struct store		*st = req->gw->store;
	struct one_row		 o;
	FILE			*mem;
	enum store_status	 s;

	if (cmd_getopt(req, argc, argv, opts, 3, ops, 1) != 1)
		return ctl_usage(req, "announcement");
	id = strtoll(ops[0], &end, 10);
	if (*end || id <= 0) {
		fprintf(req->err, "'%s' is not an announcement id (see 'kentongan announcements')\n", ops[0]);
		return 1;
	}
	if (opts[1].val || opts[2].val) {
		/* reach per village (worst first, then the district and regency roll-ups), or with
		 * --undelivered the masked numbers not delivered yet */
		o.t = table_new(req->out, req->fmt);
		s = opts[2].val ? store_announcement_undelivered(st, id, table_row, o.t) :
		    store_announcement_reach(st, id, table_row, o.t);
		table_end(o.t);
		if (s == STORE_NOTFOUND) {
			fprintf(req->err, "no announcement %lld\n", id);
			return 1;
		}
		return s == STORE_OK ? 0 : cmd_store_error(req, "counting the reach");
	}
	if (opts[0].val) {
		struct store_progress p;

		s = store_announcement_progress(st, id, &p);
		if (s == STORE_NOTFOUND) {
			fprintf(req->err, "no announcement %lld\n", id);
			return 1;
		}
		if (s != STORE_OK)
			return cmd_store_error(req, "reading progress");
		fprintf(req->out, "id=%lld recipients=%ld queued=%ld sending=%ld sent=%ld delivered=%ld failed=%ld "
		    "expired=%ld cancelled=%ld\n", id, p.recipients, p.queued, p.sending, p.sent, p.delivered,
		    p.failed, p.expired, p.cancelled);
		return 0;
	}
	if (req->fmt != TABLE_JSON) {
		o.t = table_new(req->out, req->fmt);
		o.n = 0;
		s = store_announcement_get(st, id, count_row, &o);
		table_end(o.t);
		if (s != STORE_OK)
			return cmd_store_error(req, "reading the announcement");
		if (o.n == 0) {
			fprintf(req->err, "no announcement %lld\n", id);
			return 1;
		}
		if (req->fmt == TABLE_TEXT)
			fputs("\nper area:\n", req->out);
		else
			fputs("\r\n", req->out);
		o.t = table_new(req->out, req->fmt);
		s = store_announcement_areas(st, id, table_row, o.t);
		table_end(o.t);
		return s == STORE_OK ? 0 : cmd_store_error(req, "counting per area");
	}
	/* JSON: one object, with the per-area counts under "per_area" */
	mem = open_memstream(&buf, &len);
	o.t = table_new(mem, TABLE_JSON);
	o.n = 0;
	s = store_announcement_get(st, id, count_row, &o);
	table_end(o.t);
	fclose(mem);
	if (s != STORE_OK || o.n == 0) {
		free(buf);
		if (s != STORE_OK)
			return cmd_store_error(req, "reading the announcement");
		fprintf(req->err, "no announcement %lld\n", id);
		return 1;
	}
	/* "[\n{…}\n]\n" → "{…" */
	end = strrchr(buf, '}');
	fprintf(req->out, "%.*s,\"per_area\":", (int)(end - strchr(buf, '{')), strchr(buf, '{'));
	free(buf);
	o.t = table_new(req->out, TABLE_JSON);
	s = store_announcement_areas(st, id, table_row, o.t);
	table_end(o.t);
	if (s == STORE_OK && req->gw->conf->hub_enabled) {
		/* on a hub: the reach each box below reported */
		fputs(",\"boxes\":", req->out);
		o.t = table_new(req->out, TABLE_JSON);
		s = store_hub_reach(st, id, table_row, o.t);
		table_end(o.t);
	}
	fputs("}\n", req->out);
	return s == STORE_OK ? 0 : cmd_store_error(req, "counting per area");
}

/* The id operand of `announcement approve|cancel ID`; -1 after an error message. */
static long long
id_operand(struct ctl_req *req, int argc, char **argv, const char *usage)
{
	char		*ops[1], *end;
	long long	 id;

	if (cmd_getopt(req, argc, argv, NULL, 0, ops, 1) != 1) {
		ctl_usage(req, usage);
		return -1;
	}
	id = strtoll(ops[0], &end, 10);
	if (*end || id <= 0) {
		fprintf(req->err, "'%s' is not an announcement id (see 'kentongan announcements')\n", ops[0]);
		return -1;
	}
	return id;
}

int
cmd_announcement_approve(struct ctl_req *req, int argc, char **argv)
{
	long long	 id = id_operand(req, argc, argv, "announcement approve");
	long		 n;
	char		 err[512];

	if (id < 0)
		return 1;
	switch (broadcast_approve(req->gw, id, req->user, 0, &n, err, sizeof(err))) {
	case 0:
		if (req->fmt == TABLE_JSON)
			fprintf(req->out, "{\"id\":%lld,\"recipients\":%ld,\"approved_by\":\"%s\"}\n", id, n,
			    req->user);
		else
			fprintf(req->out, "announcement %lld approved by %s: going to %ld recipients\n", id, req->user,
			    n);
		return 0;
	case -1:
		fprintf(req->err, "%s\n", err);
		return 1;
	default:
		fprintf(req->err, "approving failed: %s\n", err);
		return 1;
	}
}

int
cmd_announcement_cancel(struct ctl_req *req, int argc, char **argv)
{
	long long	 id = id_operand(req, argc, argv, "announcement cancel");
	long		 n;
	char		 err[512];

	if (id < 0)
		return 1;
	switch (broadcast_cancel(req->gw, id, req->actor, req->user, &n, err, sizeof(err))) {
	case 0:
		break;
	case -1:
		fprintf(req->err, "%s\n", err);
		return 1;
	default:
		return cmd_store_error(req, "cancelling");
	}
	if (req->fmt == TABLE_JSON)
		fprintf(req->out, "{\"id\":%lld,\"cancelled\":%ld}\n", id, n);
	else
		fprintf(req->out, "announcement %lld cancelled: %ld queued message%s will not be sent\n", id, n,
		    n == 1 ? "" : "s");
	return 0;
}

static void
ussd_done_cb(void *arg, const char *reply, const char *why)
{
	struct ctl_req	*req = arg;

	if (reply == NULL) {
		fprintf(req->err, "USSD failed: %s\n", why ? why : "no reply");
		ctl_req_done(req, 1);
		return;
	}
	if (req->fmt == TABLE_JSON) {
		fputs("{\"reply\":", req->out);
		json_string(req->out, reply);
		fputs("}\n", req->out);
	} else {
		/* the network's text: shown, never obeyed by the terminal */
		char vis[STR_VIS_MAX(4096)];

		str_visible(reply, STR_VIS_WS_KEEP, vis, sizeof(vis));
		fprintf(req->out, "%s\n", vis);
	}
	ctl_req_done(req, 0);
}

int
cmd_ussd(struct ctl_req *req, int argc, char **argv)
{
	char		*ops[2];
	struct modem	*m;
	size_t		 j;

	if (cmd_getopt(req, argc, argv, NULL, 0, ops, 2) != 2)
		return ctl_usage(req, "ussd");
	for (j = 0; ops[1][j]; j++)
		if (!strchr("0123456789*#+", ops[1][j])) {
			fprintf(req->err, "'%s' is not a USSD code (digits, * and #, e.g. *888#)\n", ops[1]);
			return 1;
		}
	if ((m = modem_find(req->gw, ops[0])) == NULL) {
		fprintf(req->err, "no modem named '%s' (see 'kentongan status')\n", ops[0]);
		return 1;
	}
	if (modem_ussd(m, ops[1], ussd_done_cb, req) == -1) {
		fprintf(req->err, "modem %s is not ready (state %s); see 'kentongan status'\n", ops[0],
		    modem_state_str(modem_info(m)->state));
		return 1;
	}
	return CTL_ASYNC;
}
