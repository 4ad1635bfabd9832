/*
 * cmd_kim — the console commands of the KIM side (SPEC §5): posts (LAPOR reports) and their
 * review, KIM leaders and officials. Every change is one transaction with its audit record.
 * An official's PIN never leaves this file in clear: the store keeps a salted hash of it, and
 * neither the audit log nor the log lines mention it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/str.h"
#include "common/table.h"
#include "gateway/control/cmd.h"
#include "gateway/control/cmds.h"
#include "gateway/gateway.h"
#include "gateway/posts.h"
#include "gateway/relay.h"
#include "common/conf.h"
#include "store/store.h"
#include "store/store_roles.h"
#include "store/store_posts.h"

int
cmd_posts(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt		 opts[] = { { .name = "status", .has_arg = 1 } };
	char			*ops[1];
	struct table		*t;
	const char		*st = NULL;

	if (cmd_getopt(req, argc, argv, opts, 1, ops, 0) < 0)
		return 1;
	if ((st = opts[0].val) != NULL && strcmp(st, "pending") && strcmp(st, "published") &&
	    strcmp(st, "rejected")) {
		fprintf(req->err, "--status %s: expected pending, published or rejected\n", st);
		return 1;
	}
	t = table_new(req->out, req->fmt);
	return cmd_list_done(req, t, store_list_posts(req->gw->store, st, table_row, t), "listing the reports");
}

static int
post_review(struct ctl_req *req, int argc, char **argv, int approve)
{
	char		*ops[1], err[256];
	long long	 id;
	int		 relayed, rc;

	if (cmd_getopt(req, argc, argv, NULL, 0, ops, 1) != 1)
		return ctl_usage(req, approve ? "post approve" : "post reject");
	if (cmd_post_id(req, ops[0], &id) == -1)
		return 1;
	rc = posts_review(req->gw, req->actor, id, approve, &relayed, err, sizeof(err));
	if (cmd_post_result(req, rc, id, err, "reviewing a report"))
		return 1;
	fprintf(req->out, "report %lld: %s%s\n", id, approve ? "published" : "rejected",
	    relayed > 0 ? " (the decision goes to the box that received it)" : "");
	return 0;
}

int
cmd_post_approve(struct ctl_req *req, int argc, char **argv)
{
	return post_review(req, argc, argv, 1);
}

int
cmd_post_reject(struct ctl_req *req, int argc, char **argv)
{
	return post_review(req, argc, argv, 0);
}

int
cmd_leader_add(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt		 opts[] = { { .name = "kim", .has_arg = 1 }, { .name = "area", .has_arg = 1 } };
	struct store		*st = req->gw->store;
	char			*ops[1], number[MSISDN_MAX], detail[512], esc[300];
	int			 created;

	if (cmd_getopt(req, argc, argv, opts, 2, ops, 1) != 1 || opts[0].val == NULL || opts[1].val == NULL)
		return ctl_usage(req, "leader add");
	if (cmd_number(req, ops[0], number) == -1)
		return 1;
	if (opts[0].val[strspn(opts[0].val, " \t")] == '\0' || strlen(opts[0].val) > 100) {
		fprintf(req->err, "--kim: give the KIM's name (at most 100 characters)\n");
		return 1;
	}
	if (cmd_area(req, opts[1].val) == -1)
		return 1;
	if (store_begin(st) != STORE_OK)
		return cmd_store_error(req, "starting a transaction");
	snprintf(detail, sizeof(detail), "{\"number\":\"%s\",\"kim\":\"%s\",\"area\":\"%s\"}", number,
	    json_escape(opts[0].val, esc, sizeof(esc)), opts[1].val);
	if (cmd_commit_audited(req, store_leader_add(st, number, opts[0].val, opts[1].val, &created), "leader add",
	    detail, "storing the leader"))
		return 1;
	fprintf(req->out, "%s: %s leader of %s (area %s)\n", number, created ? "registered as" : "updated:",
	    opts[0].val, opts[1].val);
	return 0;
}

static int
role_remove(struct ctl_req *req, int argc, char **argv, const char *role)
{
	struct store		*st = req->gw->store;
	char			*ops[1], number[MSISDN_MAX], detail[128], name[32];
	enum store_status	 s;

	snprintf(name, sizeof(name), "%s remove", role);
	if (cmd_getopt(req, argc, argv, NULL, 0, ops, 1) != 1)
		return ctl_usage(req, name);
	if (cmd_number(req, ops[0], number) == -1)
		return 1;
	if (store_begin(st) != STORE_OK)
		return cmd_store_error(req, "starting a transaction");
	s = store_role_remove(st, number, role);
	if (s == STORE_NOTFOUND) {
		store_rollback(st);
		fprintf(req->err, "%s is not a registered %s\n", number, role);
		return 1;
	}
	snprintf(detail, sizeof(detail), "{\"number\":\"%s\"}", number);
	if (cmd_commit_audited(req, s, name, detail, "removing the role"))
		return 1;
	fprintf(req->out, "%s: no longer a %s\n", number, role);
	return 0;
}

int
cmd_leader_remove(struct ctl_req *req, int argc, char **argv)
{
	return role_remove(req, argc, argv, "leader");
}

int
cmd_official_add(struct ctl_req *req, int argc, char **argv)
{
	struct cmd_opt		 opts[] = { { .name = "pin", .has_arg = 1 } };
	struct store		*st = req->gw->store;
	char			*ops[1], number[MSISDN_MAX], detail[128], nb[40];
	const char		*pin;
	size_t			 n;
	int			 created;
	enum store_status	 s;

	if (cmd_getopt(req, argc, argv, opts, 1, ops, 1) != 1 || (pin = opts[0].val) == NULL)
		return ctl_usage(req, "official add");
	if (cmd_number(req, ops[0], number) == -1)
		return 1;
	n = strlen(pin);
	if (n < STORE_PIN_MIN || n > STORE_PIN_MAX || !str_digits_n(pin, n)) {
		fprintf(req->err, "the PIN must be %d to %d digits\n", STORE_PIN_MIN, STORE_PIN_MAX);
		return 1;
	}
	if (store_begin(st) != STORE_OK)
		return cmd_store_error(req, "starting a transaction");
	s = store_official_add(st, number, pin, &created);
	snprintf(detail, sizeof(detail), "{\"number\":\"%s\",\"new\":%s}", number, created ? "true" : "false");
	if (cmd_commit_audited(req, s, "official add", detail, "storing the official"))
		return 1;
	log_info("ctl: official %s number=%s", created ? "added" : "PIN changed", log_msisdn(number, nb));
	fprintf(req->out, "%s: %s (SIAR PIN stored hashed)\n", number,
	    created ? "registered as an official" : "PIN changed, lock cleared");
	return 0;
}

int
cmd_official_remove(struct ctl_req *req, int argc, char **argv)
{
	return role_remove(req, argc, argv, "official");
}

int
cmd_roles(struct ctl_req *req, int argc, char **argv)
{
	struct table		*t;

	if ((t = cmd_list_begin(req, argc, argv, NULL, 0, 0)) == NULL)
		return 1;
	return cmd_list_done(req, t, store_list_roles(req->gw->store, table_row, t), "listing the roles");
}
