/*
 * cmd — helpers shared by the console commands (cmd_*.c): option parsing over the request's argv,
 * output through common/table, and argument checks with clear messages.
 */
#ifndef GATEWAY_CMD_H
#define GATEWAY_CMD_H
#include "common/msisdn.h"
#include "gateway/control/control.h"
#include "store/store.h"

struct table;

#define CMD_MULTI_MAX 64

/* One option: --name or --name VALUE / --name=VALUE, anywhere among the operands. After
 * cmd_getopt, val is the last value ("1" for a flag, NULL when absent); multi[] holds every value
 * of a repeatable option. */
struct cmd_opt {
	const char	*name;
	int		 has_arg;
	const char	*val;
	const char	*multi[CMD_MULTI_MAX];
	int		 nmulti;
};
/* Parses argv[1..argc) into options and at most maxops operands (written to ops). Returns the
 * number of operands, or -1 after printing an error to req->err. */
int	cmd_getopt(struct ctl_req *, int argc, char **argv, struct cmd_opt *opts, int nopts,
	    char **ops, int maxops);
/* Normalises a number with the gateway's country code; prints an error and returns -1. */
int	cmd_number(struct ctl_req *, const char *in, char out[MSISDN_MAX]);
/* Checks that an area code exists; prints an error and returns -1. */
int	cmd_area(struct ctl_req *, const char *code);
/* status: the backup and retention parts (cmd_upkeep.c) */
void	cmd_status_upkeep_json(struct ctl_req *);
void	cmd_status_upkeep_text(struct ctl_req *);
/* Reports a store failure to the console and returns 1. */
int	cmd_store_error(struct ctl_req *, const char *what);
/* The start of a listing command: its options (no operands), the first of which names an area
 * when area is set (checked before anything is written). The table, or NULL when the error is said. */
struct table *cmd_list_begin(struct ctl_req *, int argc, char **argv, struct cmd_opt *opts, int nopts,
	    int area);
/* Ends a listing written through table_row (s: what the store_list_* call returned): 0, or 1
 * after reporting the failure of what. */
int	cmd_list_done(struct ctl_req *, struct table *, enum store_status s, const char *what);
/* A listing whose one option is --limit N (dflt rows when absent), read by list. */
int	cmd_list_limited(struct ctl_req *, int argc, char **argv, long dflt,
	    enum store_status (*list)(struct store *, long limit, store_row_cb, void *), const char *what);
/* Ends a change made in one transaction: stores its audit record (op, detail) and commits when s
 * is STORE_OK, rolls back otherwise. 0, or 1 after reporting the failure of what. */
int	cmd_commit_audited(struct ctl_req *, enum store_status s, const char *op, const char *detail,
	    const char *what);
/* A report's id (`kentongan posts`) from the command line; prints an error and returns -1. */
int	cmd_post_id(struct ctl_req *, const char *in, long long *id);
/* What posts_review()/posts_reply() returned for report id: 0 when rc is 0; else prints why (err,
 * or no such report), calls the store a failure for what when rc < 0, and returns 1. */
int	cmd_post_result(struct ctl_req *, int rc, long long id, const char *err, const char *what);
#endif
