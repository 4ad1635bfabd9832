/*
 * cmd_upkeep — console commands and status lines for keeping a box running for years: online
 * backups (backup.c) and retention (retention.c).
 */
#include <stdio.h>
#include <string.h>

#include "common/conf.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "gateway/backup.h"
#include "gateway/control/cmd.h"
#include "gateway/control/cmds.h"
#include "gateway/gateway.h"
#include "gateway/netclock.h"
#include "gateway/retention.h"

int
cmd_backup(struct ctl_req *req, int argc, char **argv)
{
	char	*ops[1];

	if (cmd_getopt(req, argc, argv, NULL, 0, ops, 1) != 1)
		return ctl_usage(req, "backup");
	if (backup_start(req->gw->backup, ops[0], req) == -1)
		return 1;
	return CTL_ASYNC;
}

/* ,"k":"v" — or null when v is NULL */
static void
json_str(FILE *f, const char *k, const char *v)
{
	fprintf(f, ",\"%s\":", k);
	if (v == NULL)
		fputs("null", f);
	else
		json_string(f, v);
}

/* ,"k":"2026-11-27 14:00:05" in local time — or null when t is 0 */
static void
json_time(FILE *f, const char *k, time_t t)
{
	char	 buf[32];

	json_str(f, k, t ? timefmt_local(t, buf, sizeof(buf)) : NULL);
}

void
cmd_status_upkeep_json(struct ctl_req *req)
{
	struct backup_info	 bi;
	struct retention_info	 ri;
	struct netclock_info	 ni;
	const struct conf	*c = req->gw->conf;
	FILE			*f = req->out;

	netclock_get_info(req->gw->netclock, &ni);
	fprintf(f, "\"clock\":{\"source\":\"%s\",\"ok\":%s,\"offset_s\":%ld,\"correction_s\":%ld,"
	    "\"before_build\":%s,\"readings\":%ld", ni.source, ni.ok ? "true" : "false", ni.offset_s,
	    ni.correction_s, ni.before_build ? "true" : "false", ni.readings);
	json_time(f, "now", clock_now());
	json_time(f, "system", clock_system());
	json_time(f, "checked", ni.checked_at);
	json_str(f, "modem", ni.modem);
	json_str(f, "set_error", ni.set_error[0] ? ni.set_error : NULL);
	fputs("},", f);
	backup_get_info(req->gw->backup, &bi);
	fprintf(f, "\"backup\":{\"running\":%s", bi.running ? "true" : "false");
	if (bi.running)
		fprintf(f, ",\"progress\":\"%d/%d\"", bi.done_pages, bi.total_pages);
	json_time(f, "last_ok", bi.last_ok_at);
	json_str(f, "last_file", bi.last_ok_file);
	fprintf(f, ",\"last_bytes\":%lld", bi.last_ok_bytes);
	json_time(f, "last_failed", bi.last_fail_at);
	json_str(f, "error", bi.last_error);
	fprintf(f, ",\"failures\":%ld", bi.failures);
	json_time(f, "next", bi.next_at);
	fputs("},", f);
	retention_get_info(req->gw->retention, &ri);
	fprintf(f, "\"retention\":{\"keep_inbox_days\":%ld,\"keep_outbox_days\":%ld,\"keep_audit_days\":%ld,"
	    "\"deleted_inbox\":%ld,\"deleted_outbox\":%ld,\"deleted_audit\":%ld,\"batches\":%ld,"
	    "\"longest_batch_ms\":%.1f", c->keep_inbox_s / 86400, c->keep_outbox_s / 86400, c->keep_audit_s / 86400,
	    ri.deleted[0], ri.deleted[1], ri.deleted[2], ri.batches, ri.longest_batch_ms);
	json_time(f, "last_pass", ri.last_pass_at);
	fputs("},", f);
}

static const char *
days(long s, char *buf, size_t len)
{
	if (s == 0)
		return "kept forever";
	snprintf(buf, len, "%ldd", s / 86400);
	return buf;
}

void
cmd_status_upkeep_text(struct ctl_req *req)
{
	struct backup_info	 bi;
	struct retention_info	 ri;
	struct netclock_info	 ni;
	const struct conf	*c = req->gw->conf;
	char			 t1[32], t2[32], d1[24], d2[24], d3[24];

	netclock_get_info(req->gw->netclock, &ni);
	if (ni.correction_s != 0)
		fprintf(req->out, "clock: WRONG: the system clock is off by %+lds from the network's time "
		    "(modem %s); using the network's time %s%s%s\n", ni.offset_s, ni.modem ? ni.modem : "-",
		    timefmt_local(clock_now(), t1, sizeof(t1)), ni.set_error[0] ? "; " : "", ni.set_error);
	else if (ni.before_build)
		fprintf(req->out, "clock: WRONG: the system clock is earlier than this program's build and no "
		    "modem has told the network's time yet\n");
	else
		fprintf(req->out, "clock: ok (%s%s)\n", ni.readings ? "agrees with the network's time, modem " :
		    "no network time read yet", ni.readings ? ni.modem : "");
	backup_get_info(req->gw->backup, &bi);
	fputs("backup: ", req->out);
	if (bi.running)
		fprintf(req->out, "writing %s (%d/%d pages); ", bi.running_file, bi.done_pages, bi.total_pages);
	if (bi.last_ok_at)
		fprintf(req->out, "last %s at %s (%lld bytes)", bi.last_ok_file,
		    timefmt_local(bi.last_ok_at, t1, sizeof(t1)), bi.last_ok_bytes);
	else
		fputs("none since start", req->out);
	if (bi.next_at)
		fprintf(req->out, "; next %s", timefmt_local(bi.next_at, t2, sizeof(t2)));
	else if (!bi.running)
		fputs("; none scheduled (set backup_dir)", req->out);
	fputc('\n', req->out);
	retention_get_info(req->gw->retention, &ri);
	fprintf(req->out, "retention: inbox %s, outbox %s, audit %s; deleted since start: %ld received, "
	    "%ld outgoing, %ld audit\n", days(c->keep_inbox_s, d1, sizeof(d1)), days(c->keep_outbox_s, d2,
	    sizeof(d2)), days(c->keep_audit_s, d3, sizeof(d3)), ri.deleted[0], ri.deleted[1], ri.deleted[2]);
	if (bi.last_error)
		fprintf(req->out, "backup: FAILING since %s: %s\n", timefmt_local(bi.last_fail_at, t1, sizeof(t1)),
		    bi.last_error);
}
