/*
 * field — the periodic side of the field features (issue 15), run from the scheduler's tick:
 * alerts waiting for a second official's approval expire after approval_timeout, and when
 * leader_summary is on, each village's KIM leader gets one reach summary SMS once an
 * announcement has finished. Escalation of undelivered copies lives in sched.c (it needs the
 * modems' operators). Runs in the daemon.
 */
#ifndef GATEWAY_FIELD_H
#define GATEWAY_FIELD_H
struct gateway;

void	field_tick(struct gateway *);
#endif
