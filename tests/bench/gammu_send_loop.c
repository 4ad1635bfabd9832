/*
 * gammu_send_loop — the floor for sending: a bare libGammu loop that connects to the phone of a
 * gammurc ([gammu] section) and sends N single-part messages back to back with GSM_SendSMS, each
 * waiting for its send-status callback (the message reference), the way the modem worker does but
 * with nothing else: the SMSC is read once, the message encoded once.
 * Prints one line per message ("msg I MS status=S mr=R") and a summary line:
 *   "loop n=N ok=K total_s=T per_msg_s=T/N min_ms=… max_ms=… connect_s=…"
 * usage: gammu_send_loop GAMMURC N [NUMBER [TEXT]]
 * Benchmark code (tests/bench/bench_dispatch.py uses it): it trusts its arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gammu.h>

#include "tests/unit/clock.h"

static int	 send_done, send_status, send_mr;

static void
send_cb(GSM_StateMachine *s, int status, int mr, void *data)
{
	send_done = 1;
	send_status = status;
	send_mr = mr;
}

static int
fail(const char *what, GSM_Error e)
{
	fprintf(stderr, "gammu_send_loop: %s: %s\n", what, GSM_ErrorString(e));
	return 1;
}

int
main(int argc, char **argv)
{
	GSM_StateMachine	*sm;
	INI_Section		*cfg = NULL;
	GSM_MultiPartSMSInfo	 info;
	static GSM_MultiSMSMessage ms;
	GSM_SMSC		 smsc;
	GSM_Error		 e;
	unsigned char		 text[2 * 200];
	const char		*number = argc > 3 ? argv[3] : "+6281200000001";
	const char		*t = argc > 4 ? argv[4] : "Uji kirim: posyandu buka besok pukul 08.00.";
	double			 t0, total, mn = 1e9, mx = 0;
	int			 n, i, ok = 0;

	if (argc < 3 || (n = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: gammu_send_loop GAMMURC N [NUMBER [TEXT]]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	GSM_InitLocales(NULL);
	sm = GSM_AllocStateMachine();
	if ((e = GSM_FindGammuRC(&cfg, argv[1])) != ERR_NONE)
		return fail("reading the gammurc", e);
	if ((e = GSM_ReadConfig(cfg, GSM_GetConfig(sm, 0), 0)) != ERR_NONE)
		return fail("reading [gammu]", e);
	INI_Free(cfg);
	GSM_SetConfigNum(sm, 1);
	t0 = mono_now();
	if ((e = GSM_InitConnection(sm, 1)) != ERR_NONE)
		return fail("connecting", e);
	/* after connecting: GSM_InitConnection resets the callbacks */
	GSM_SetSendSMSStatusCallback(sm, send_cb, NULL);
	printf("connect_s %.3f\n", mono_now() - t0);

	EncodeUnicode(text, t, strlen(t) < 160 ? strlen(t) : 160);
	GSM_ClearMultiPartSMSInfo(&info);
	info.Class = -1;
	info.EntriesNum = 1;
	info.Entries[0].ID = SMS_ConcatenatedTextLong;
	info.Entries[0].Buffer = text;
	if ((e = GSM_EncodeMultiPartSMS(NULL, &info, &ms)) != ERR_NONE || ms.Number != 1)
		return fail("encoding (one part)", e);
	memset(&smsc, 0, sizeof(smsc));
	smsc.Location = 1;
	if ((e = GSM_GetSMSC(sm, &smsc)) != ERR_NONE)
		return fail("reading the SMSC", e);
	ms.SMS[0].SMSC = smsc;
	ms.SMS[0].SMSC.Location = 0;
	EncodeUnicode(ms.SMS[0].Number, number, strlen(number));
	ms.SMS[0].PDU = SMS_Submit;

	t0 = mono_now();
	for (i = 0; i < n; i++) {
		double	 s = mono_now(), d;

		send_done = 0;
		send_status = -1;
		send_mr = -1;
		e = GSM_SendSMS(sm, &ms.SMS[0]);
		if (e != ERR_NONE && !send_done) {
			fail("GSM_SendSMS", e);
			break;
		}
		while (!send_done && mono_now() - s < 60)
			GSM_ReadDevice(sm, TRUE);
		d = mono_now() - s;
		ok += send_done && send_status == 0;
		if (d < mn)
			mn = d;
		if (d > mx)
			mx = d;
		printf("msg %d %.1f status=%d mr=%d\n", i + 1, d * 1000, send_status, send_mr);
	}
	total = mono_now() - t0;
	printf("loop n=%d ok=%d total_s=%.3f per_msg_s=%.4f min_ms=%.1f max_ms=%.1f\n", i, ok, total,
	    i ? total / i : 0, mn * 1000, mx * 1000);
	GSM_TerminateConnection(sm);
	GSM_FreeStateMachine(sm);
	return ok == n ? 0 : 1;
}
