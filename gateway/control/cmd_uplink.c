/*
 * cmd_uplink — the console commands of the uplink (docs/uplink.md): `boxes` on a hub lists the
 * boxes below it; `post reply` answers a report by SMS through the box that received it (here,
 * or down through the hub's command queue).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/table.h"
#include "gateway/control/cmd.h"
#include "gateway/control/cmds.h"
#include "gateway/gateway.h"
#include "gateway/posts.h"
#include "gateway/relay.h"
#include "store/store.h"
#include "store/store_outbox.h"
#include "store/store_roles.h"
#include "store/store_uplink.h"

int
cmd_boxes(struct ctl_req *req, int argc, char **argv)
{
	char		*ops[1];
	struct table	*t;

	if (cmd_getopt(req, argc, argv, NULL, 0, ops, 0) < 0)
		return 1;
	if (!req->gw->conf->hub_enabled) {
		fprintf(req->err, "this daemon is not a hub: boxes report to a daemon with a [hub] section "
		    "(see docs/uplink.md)\n");
		return 1;
	}
	t = table_new(req->out, req->fmt);
	return cmd_list_done(req, t, store_list_boxes(req->gw->store, table_row, t), "listing the boxes");
}

int
cmd_post_reply(struct ctl_req *req, int argc, char **argv)
{
	char		*ops[2], err[256];
	long long	 id;
	int		 relayed, rc;

	if (cmd_getopt(req, argc, argv, NULL, 0, ops, 2) != 2)
		return ctl_usage(req, "post reply");
	if (cmd_post_id(req, ops[0], &id) == -1)
		return 1;
	rc = posts_reply(req->gw, req->actor, id, ops[1], &relayed, err, sizeof(err));
	if (cmd_post_result(req, rc, id, err, "replying to a report"))
		return 1;
	fprintf(req->out, "report %lld: reply %s\n", id, relayed ? "sent to the box that received the report" :
	    "queued for the reporter");
	return 0;
}

/* One JSON object per line (JSON lines), whatever --json/--csv says: the export's contract. */
static int
jsonl_row(void *arg, const struct table_row *r)
{
	FILE	*f = arg;
	int	 i;

	fputc('{', f);
	for (i = 0; i < r->n; i++) {
		if (i)
			fputc(',', f);
		json_string(f, r->names[i]);
		fputc(':', f);
		if (r->values[i] == NULL)
			fputs("null", f);
		else if (r->types[i] == TABLE_COL_INT || r->types[i] == TABLE_COL_JSON)
			fputs(r->values[i], f);
		else
			json_string(f, r->values[i]);
	}
	fputs("}\n", f);
	return 0;
}

int
cmd_hub_export(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt	 opts[] = { { .name = "after", .has_arg = 1 }, { .name = "limit", .has_arg = 1 } };
	char		*ops[1], *end;
	long long	 after = 0, limit = 1000;

	if (cmd_getopt(req, argc, argv, opts, 2, ops, 0) < 0)
		return 1;
	if (opts[0].val && ((after = strtoll(opts[0].val, &end, 10)) < 0 || *end || !*opts[0].val)) {
		fprintf(req->err, "--after %s: give the last id already read (0 for all)\n", opts[0].val);
		return 1;
	}
	if (opts[1].val && ((limit = strtoll(opts[1].val, &end, 10)) < 1 || *end || limit > 100000)) {
		fprintf(req->err, "--limit %s: a number from 1 to 100000\n", opts[1].val);
		return 1;
	}
	if (!req->gw->conf->hub_enabled) {
		fprintf(req->err, "this daemon is not a hub (no [hub] section): nothing to export\n");
		return 1;
	}
	if (store_hub_export(req->gw->store, after, limit, jsonl_row, req->out) != STORE_OK)
		return cmd_store_error(req, "exporting");
	return 0;
}

#define IMPORT_CHUNK	500	/* rows per command: small enough that an alert never waits long */

int
cmd_box_import(struct ctl_req *req, int argc, char **argv)
{
	struct gateway	*gw = req->gw;
	struct store	*st = gw->store;
	char		*ops[2], line[1024], err[256], *body = NULL;
	size_t		 blen = 0;
	FILE		*in, *chunk = NULL;
	long		 lineno = 0, total = 0, chunks = 0;
	int		 rows = 0, rc = 0;

	if (cmd_getopt(req, argc, argv, NULL, 0, ops, 2) != 2)
		return ctl_usage(req, "box import");
	if (!gw->conf->hub_enabled) {
		fprintf(req->err, "this daemon is not a hub (no [hub] section)\n");
		return 1;
	}
	if (ops[1][0] != '/') {
		fprintf(req->err, "give FILE as an absolute path: the daemon reads it\n");
		return 1;
	}
	if ((in = fopen(ops[1], "r")) == NULL) {
		fprintf(req->err, "%s: cannot open: %m\n", ops[1]);
		return 1;
	}
	if (store_begin(st) != STORE_OK) {
		fclose(in);
		return cmd_store_error(req, "starting a transaction");
	}
	for (;;) {
		char	*p, *f[3], *save = NULL, *got = fgets(line, sizeof(line), in);
		int	 nf = 0;

		if (got != NULL) {
			lineno++;
			line[strcspn(line, "\r\n")] = '\0';
			for (p = strtok_r(line, ",", &save); p && nf < 3; p = strtok_r(NULL, ",", &save))
				f[nf++] = p;
			if (nf < 2 || (lineno == 1 && strchr("+0123456789", f[0][0]) == NULL))
				continue;	/* a header or an empty line; the box checks each row again */
			if (rows == 0) {
				chunk = open_memstream(&body, &blen);
				fputs("{\"rows\":[", chunk);
			}
			fputs(rows ? ",[" : "[", chunk);
			json_string(chunk, f[0]);
			fputc(',', chunk);
			json_string(chunk, f[1]);
			if (nf == 3) {
				fputc(',', chunk);
				json_string(chunk, f[2]);
			}
			fputc(']', chunk);
			rows++;
			total++;
		}
		if (rows > 0 && (rows == IMPORT_CHUNK || got == NULL)) {
			fputs("]}", chunk);
			fclose(chunk);
			chunk = NULL;
			rows = 0;
			rc = relay_queue(gw, ops[0], "cmd", "subscribers", body, err, sizeof(err));
			free(body);
			body = NULL;
			chunks++;
			if (rc != 0)
				break;
		}
		if (got == NULL)
			break;
	}
	fclose(in);
	if (rc != 0) {
		store_rollback(st);
		fprintf(req->err, "%s\n", err);
		return 1;
	}
	if (store_commit(st) != STORE_OK)
		return cmd_store_error(req, "committing");
	if (gw->uplink_kick)
		gw->uplink_kick(gw);
	fprintf(req->out, "box %s: %ld subscribers queued in %ld commands\n", ops[0], total, chunks);
	return 0;
}
