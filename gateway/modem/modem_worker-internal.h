/*
 * modem_worker-internal.h — the worker's decoding of inbound parts, reachable from its fuzz target
 * (tests/fuzz/fuzz_pdu.c) without the rest of the worker. Include <gammu.h> first: only
 * gateway/modem/modem_worker.c and that target may (make lint).
 */
#ifndef GATEWAY_MODEM_WORKER_INTERNAL_H
#define GATEWAY_MODEM_WORKER_INTERNAL_H

#include "common/proto.h"

/* The concatenation element of a UDH (IEI 0x00 or 0x08); ref -1, total = seq = 1 without one. */
void	mw_udh_concat(const unsigned char *u, int len, int *ref, int *total, int *seq);
/* A decoded message as the SMS_IN part the worker sends (into a fresh *out); returns the parts
 * added (1). */
int	mw_part_of_sms(GSM_SMSMessage *m, struct pbuf *out);
/* An undecodable part, its raw PDU as hex (MW_PART_RAW), into a fresh *out; returns the parts
 * added (1) and in *raw whether the worker marked it raw (not deletable through libGammu). */
int	mw_part_of_raw(int folder, int location, const char *hex, struct pbuf *out, int *raw);

#endif
