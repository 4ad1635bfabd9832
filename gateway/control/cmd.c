/* cmd — shared helpers for the console commands (see cmd.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/table.h"
#include "gateway/control/cmd.h"
#include "gateway/gateway.h"
#include "store/store.h"

int
cmd_getopt(struct ctl_req *req, int argc, char **argv, struct cmd_opt *opts, int nopts, char **ops, int maxops)
{
	int	 i, j, nops = 0, only_ops = 0;

	for (i = 1; i < argc; i++) {
		const char	*a = argv[i], *eq;
		size_t		 alen;

		if (only_ops || strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (!only_ops && !strcmp(a, "--")) {
				only_ops = 1;
				continue;
			}
			if (nops == maxops) {
				fprintf(req->err, "unexpected argument '%s' (try 'kentongan help %s')\n", a, argv[0]);
				return -1;
			}
			ops[nops++] = argv[i];
			continue;
		}
		a += 2;
		eq = strchr(a, '=');
		alen = eq ? (size_t)(eq - a) : strlen(a);
		for (j = 0; j < nopts; j++)
			if (strlen(opts[j].name) == alen && !strncmp(opts[j].name, a, alen))
				break;
		if (j == nopts) {
			fprintf(req->err, "unknown option --%.*s for '%s'\n", (int)alen, a, argv[0]);
			return -1;
		}
		if (opts[j].has_arg) {
			const char *v;

			if (eq)
				v = eq + 1;
			else if (i + 1 < argc)
				v = argv[++i];
			else {
				fprintf(req->err, "option --%s needs a value\n", opts[j].name);
				return -1;
			}
			opts[j].val = v;
			if (opts[j].nmulti < CMD_MULTI_MAX)
				opts[j].multi[opts[j].nmulti++] = v;
		} else {
			if (eq) {
				fprintf(req->err, "option --%s takes no value\n", opts[j].name);
				return -1;
			}
			opts[j].val = "1";
		}
	}
	return nops;
}

int
cmd_number(struct ctl_req *req, const char *in, char out[MSISDN_MAX])
{
	const char	*why;

	if (msisdn_normalise(in, req->gw->conf->country, out, &why) == -1) {
		fprintf(req->err, "'%s' is not a phone number: %s (write 0812… or +62812…)\n", in, why);
		return -1;
	}
	return 0;
}

int
cmd_area(struct ctl_req *req, const char *code)
{
	struct store_area	 a;

	switch (store_area_get(req->gw->store, code, &a)) {
	case STORE_OK:
		return 0;
	case STORE_NOTFOUND:
		fprintf(req->err, "unknown area code '%s' (see 'kentongan areas'; load them with "
		    "'kentongan areas import DIR')\n", code);
		return -1;
	default:
		cmd_store_error(req, "reading an area");
		return -1;
	}
}

int
cmd_store_error(struct ctl_req *req, const char *what)
{
	fprintf(req->err, "%s failed: %s\n", what, store_errmsg(req->gw->store));
	gateway_store_failed(req->gw, what);
	return 1;
}

struct table *
cmd_list_begin(struct ctl_req *req, int argc, char **argv, struct cmd_opt *opts, int nopts, int area)
{
	char	*ops[1];

	if (cmd_getopt(req, argc, argv, opts, nopts, ops, 0) < 0)
		return NULL;
	if (area && opts[0].val && cmd_area(req, opts[0].val) == -1)
		return NULL;
	return table_new(req->out, req->fmt);
}

int
cmd_list_done(struct ctl_req *req, struct table *t, enum store_status s, const char *what)
{
	table_end(t);
	if (s != STORE_OK)
		return cmd_store_error(req, what);
	return 0;
}

int
cmd_list_limited(struct ctl_req *req, int argc, char **argv, long dflt,
    enum store_status (*list)(struct store *, long limit, store_row_cb, void *), const char *what)
{
	struct cmd_opt	 opts[] = { { .name = "limit", .has_arg = 1 } };
	struct table	*t;

	if ((t = cmd_list_begin(req, argc, argv, opts, 1, 0)) == NULL)
		return 1;
	return cmd_list_done(req, t, list(req->gw->store, opts[0].val ? atol(opts[0].val) : dflt, table_row, t),
	    what);
}

int
cmd_commit_audited(struct ctl_req *req, enum store_status s, const char *op, const char *detail,
    const char *what)
{
	struct store	*st = req->gw->store;

	if (s != STORE_OK || store_audit(st, req->actor, op, detail) != STORE_OK) {
		store_rollback(st);
		return cmd_store_error(req, what);
	}
	if (store_commit(st) != STORE_OK)
		return cmd_store_error(req, "committing");
	return 0;
}

int
cmd_post_id(struct ctl_req *req, const char *in, long long *id)
{
	char	*end;

	*id = strtoll(in, &end, 10);
	if (*in == '\0' || *end != '\0' || *id <= 0) {
		fprintf(req->err, "'%s' is not a report id (see 'kentongan posts')\n", in);
		return -1;
	}
	return 0;
}

int
cmd_post_result(struct ctl_req *req, int rc, long long id, const char *err, const char *what)
{
	if (rc == 0)
		return 0;
	if (rc == 1)
		fprintf(req->err, "no report %lld (see 'kentongan posts')\n", id);
	else {
		fprintf(req->err, "%s\n", err);
		if (rc < 0)
			gateway_store_failed(req->gw, what);
	}
	return 1;
}
