/*
 * cmd — helpers shared by the console commands (cmd_*.c): option parsing over the request's argv,
 * output through common/table, and argument checks with clear messages.
 */
#ifndef GATEWAY_CMD_H
#define GATEWAY_CMD_H
#include "common/msisdn.h"
#include "gateway/control.h"

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
#endif
