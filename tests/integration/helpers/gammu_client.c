/*
 * gammu_client — a small libGammu client the modemsim integration tests drive over stdin.
 * It keeps one state machine connected, so a test pays Gammu's connect time once, and it sees
 * what only the library sees: +CMTI notifications, asynchronous USSD, send-status callbacks.
 *
 * usage: gammu_client GAMMURC      then one command per line on stdin:
 *   identify | netinfo | signal | smsstatus | send NUMBER TEXT | send-report NUMBER TEXT |
 *   getall | get LOCATION |
 *   save NUMBER TEXT | delete LOCATION | wait-sms SECONDS (oldest queued notification) | drain | ussd SECONDS CODE | wait-ussd SECONDS |
 *   reconnect | quit
 * Each command answers one line "OK …" or "ERR NAME text"; data lines before it start with
 * "SMS " or "USSD " and carry JSON. Test code only: it trusts its input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gammu.h>

#include "tests/unit/clock.h"

static GSM_StateMachine	*sm;
static int		 send_status = -2, send_mr = -1;
static int		 incoming_n, incoming_loc[64];
static int		 ussd_n;
static GSM_USSDMessage	 ussd_last;

static void
json_text(const unsigned char *ucs2)
{
	const char	*s = DecodeUnicodeString(ucs2);

	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void
send_cb(GSM_StateMachine *s, int status, int mr, void *data)
{
	send_status = status;
	send_mr = mr;
}

static void
sms_cb(GSM_StateMachine *s, GSM_SMSMessage *sms, void *data)
{
	if (incoming_n < 64)
		incoming_loc[incoming_n++] = sms->Location;
}

static void
ussd_cb(GSM_StateMachine *s, GSM_USSDMessage *ussd, void *data)
{
	ussd_last = *ussd;
	ussd_n++;
}

static int
err(GSM_Error e)
{
	printf("ERR %s %s\n", GSM_ErrorName(e), GSM_ErrorString(e));
	fflush(stdout);
	return -1;
}

/* Callbacks are set after connecting: GSM_InitConnection resets them. */
static GSM_Error
connect_again(void)
{
	GSM_Error	 e;

	if ((e = GSM_InitConnection(sm, 1)) != ERR_NONE)
		return e;
	GSM_SetSendSMSStatusCallback(sm, send_cb, NULL);
	GSM_SetIncomingSMSCallback(sm, sms_cb, NULL);
	GSM_SetIncomingUSSDCallback(sm, ussd_cb, NULL);
	return ERR_NONE;
}

static GSM_Error
do_connect(const char *rc)
{
	INI_Section	*cfg = NULL;
	GSM_Error	 e;

	if ((e = GSM_FindGammuRC(&cfg, rc)) != ERR_NONE)
		return e;
	if ((e = GSM_ReadConfig(cfg, GSM_GetConfig(sm, 0), 0)) != ERR_NONE)
		return e;
	INI_Free(cfg);
	GSM_SetConfigNum(sm, 1);
	return connect_again();
}

static void
print_sms(GSM_SMSMessage *m)
{
	printf("SMS {\"location\":%d,\"from\":", m->Location);
	json_text(m->Number);
	printf(",\"text\":");
	if (m->Coding == SMS_Coding_8bit)
		printf("\"\"");
	else
		json_text(m->Text);
	printf(",\"report\":%s,\"delivery_status\":%d,\"mr\":%d",
	    m->PDU == SMS_Status_Report ? "true" : "false", m->DeliveryStatus,
	    m->MessageReference);
	printf(",\"part\":%d,\"parts\":%d,\"ref\":%d,\"state\":%d,\"coding\":\"%s\"}\n",
	    m->UDH.AllParts > 0 ? m->UDH.PartNumber : 1,
	    m->UDH.AllParts > 0 ? m->UDH.AllParts : 1,
	    m->UDH.ID16bit >= 0 ? m->UDH.ID16bit : m->UDH.ID8bit, m->State,
	    m->Coding == SMS_Coding_Unicode_No_Compression ? "ucs2" : "gsm7");
}

/* Sends TEXT to NUMBER in as many parts as needed; report asks for status reports (TP-SRR). */
static int
cmd_send(char *args, int report)
{
	GSM_MultiPartSMSInfo	 info;
	GSM_MultiSMSMessage	 multi;
	GSM_SMSC		 smsc;
	unsigned char		 text[4000];
	char			*number = strtok(args, " "), *t = strtok(NULL, "");
	GSM_Error		 e;
	int			 i;
	char			 mrs[256] = "";

	if (number == NULL || t == NULL)
		return printf("ERR usage send NUMBER TEXT\n"), -1;
	EncodeUnicode(text, t, strlen(t));
	GSM_ClearMultiPartSMSInfo(&info);
	info.Entries[0].ID = SMS_ConcatenatedAutoTextLong;
	info.Entries[0].Buffer = text;
	info.EntriesNum = 1;
	if ((e = GSM_EncodeMultiPartSMS(NULL, &info, &multi)) != ERR_NONE)
		return err(e);
	smsc.Location = 1;
	if ((e = GSM_GetSMSC(sm, &smsc)) != ERR_NONE)
		return err(e);
	for (i = 0; i < multi.Number; i++) {
		double	 deadline = mono_now() + 30;

		CopyUnicodeString(multi.SMS[i].SMSC.Number, smsc.Number);
		EncodeUnicode(multi.SMS[i].Number, number, strlen(number));
		/* libGammu sets TP-SRR when the message to send is marked as a status report. */
		multi.SMS[i].PDU = report ? SMS_Status_Report : SMS_Submit;
		send_status = -2;
		if ((e = GSM_SendSMS(sm, &multi.SMS[i])) != ERR_NONE)
			return err(e);
		while (send_status == -2 && mono_now() < deadline)
			GSM_ReadDevice(sm, TRUE);
		if (send_status != 0) {
			printf("ERR SEND status=%d part=%d\n", send_status, i + 1);
			return -1;
		}
		snprintf(mrs + strlen(mrs), sizeof(mrs) - strlen(mrs), "%s%d", i ? "," : "",
		    send_mr);
	}
	printf("OK parts=%d mr=%s\n", multi.Number, mrs);
	return 0;
}

static int
cmd_getall(void)
{
	GSM_MultiSMSMessage	 m;
	GSM_Error		 e;
	int			 start = TRUE, n = 0, i;

	memset(&m, 0, sizeof(m));
	for (;;) {
		e = GSM_GetNextSMS(sm, &m, start);
		if (e == ERR_EMPTY)
			break;
		if (e != ERR_NONE)
			return err(e);
		start = FALSE;
		for (i = 0; i < m.Number; i++, n++)
			print_sms(&m.SMS[i]);
	}
	printf("OK %d\n", n);
	return 0;
}

static int
cmd_get(int loc)
{
	GSM_MultiSMSMessage	 m;
	GSM_Error		 e;

	memset(&m, 0, sizeof(m));
	m.SMS[0].Folder = 0;
	m.SMS[0].Location = loc;
	if ((e = GSM_GetSMS(sm, &m)) != ERR_NONE)
		return err(e);
	print_sms(&m.SMS[0]);
	printf("OK 1\n");
	return 0;
}

int
main(int argc, char **argv)
{
	char		 line[8192];
	GSM_Error	 e;

	if (argc != 2) {
		fprintf(stderr, "usage: gammu_client GAMMURC < commands\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	GSM_InitLocales(NULL);
	sm = GSM_AllocStateMachine();
	if ((e = do_connect(argv[1])) != ERR_NONE)
		err(e);
	else
		printf("OK connected\n");
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char	*cmd, *rest;

		line[strcspn(line, "\r\n")] = '\0';
		cmd = strtok(line, " ");
		rest = strtok(NULL, "");
		if (cmd == NULL)
			continue;
		if (!strcmp(cmd, "quit"))
			break;
		if (!strcmp(cmd, "identify")) {
			char		 buf[256], model[256];
			GSM_Error	 e2;

			if ((e = GSM_GetManufacturer(sm, buf)) != ERR_NONE ||
			    (e = GSM_GetModel(sm, model)) != ERR_NONE) {
				err(e);
				continue;
			}
			printf("OK manufacturer=%s model=%s", buf, model);
			if ((e = GSM_GetIMEI(sm, buf)) == ERR_NONE)
				printf(" imei=%s", buf);
			if ((e2 = GSM_GetSIMIMSI(sm, buf)) == ERR_NONE)
				printf(" imsi=%s", buf);
			printf("\n");
		} else if (!strcmp(cmd, "netinfo")) {
			GSM_NetworkInfo	 ni;

			memset(&ni, 0, sizeof(ni));
			if ((e = GSM_GetNetworkInfo(sm, &ni)) != ERR_NONE) {
				err(e);
				continue;
			}
			printf("OK state=%d code=%s name=%s\n", ni.State, ni.NetworkCode,
			    DecodeUnicodeString(ni.NetworkName));
		} else if (!strcmp(cmd, "signal")) {
			GSM_SignalQuality sq;

			if ((e = GSM_GetSignalQuality(sm, &sq)) != ERR_NONE) {
				err(e);
				continue;
			}
			printf("OK strength=%d percent=%d\n", sq.SignalStrength, sq.SignalPercent);
		} else if (!strcmp(cmd, "smsstatus")) {
			GSM_SMSMemoryStatus st;

			if ((e = GSM_GetSMSStatus(sm, &st)) != ERR_NONE) {
				err(e);
				continue;
			}
			printf("OK sim_used=%d sim_size=%d sim_unread=%d\n", st.SIMUsed, st.SIMSize,
			    st.SIMUnRead);
		} else if (!strcmp(cmd, "send") || !strcmp(cmd, "send-report"))
			cmd_send(rest != NULL ? rest : (char *)"", cmd[4] == '-');
		else if (!strcmp(cmd, "getall"))
			cmd_getall();
		else if (!strcmp(cmd, "get"))
			cmd_get(rest ? atoi(rest) : 0);
		else if (!strcmp(cmd, "save")) {
			GSM_SMSMessage	 sms;
			char		*number = rest ? strtok(rest, " ") : NULL;
			char		*t = strtok(NULL, "");

			GSM_SetDefaultSMSData(&sms);
			sms.PDU = SMS_Submit;
			sms.Folder = 2;
			sms.State = SMS_UnSent;
			sms.Coding = SMS_Coding_Default_No_Compression;
			sms.UDH.Type = UDH_NoUDH;
			EncodeUnicode(sms.Number, number ? number : "", number ? strlen(number) : 0);
			EncodeUnicode(sms.Text, t ? t : "", t ? strlen(t) : 0);
			sms.Length = t ? strlen(t) : 0;
			if ((e = GSM_AddSMS(sm, &sms)) != ERR_NONE)
				err(e);
			else
				printf("OK location=%d\n", sms.Location);
		} else if (!strcmp(cmd, "delete")) {
			GSM_SMSMessage sms;

			memset(&sms, 0, sizeof(sms));
			sms.Folder = 0;
			sms.Location = rest ? atoi(rest) : 0;
			if ((e = GSM_DeleteSMS(sm, &sms)) != ERR_NONE)
				err(e);
			else
				printf("OK\n");
		} else if (!strcmp(cmd, "wait-sms")) {
			double	 deadline = mono_now() + (rest ? atof(rest) : 10);

			/* Notifications that came during earlier commands count: they are queued. */
			if ((e = GSM_SetIncomingSMS(sm, TRUE)) != ERR_NONE) {
				err(e);
				continue;
			}
			while (incoming_n == 0 && mono_now() < deadline)
				GSM_ReadDevice(sm, TRUE);
			if (incoming_n == 0)
				printf("ERR TIMEOUT no incoming SMS notification\n");
			else {
				printf("OK location=%d\n", incoming_loc[0]);
				memmove(incoming_loc, incoming_loc + 1, --incoming_n * sizeof(int));
			}
		} else if (!strcmp(cmd, "drain")) {
			printf("OK dropped=%d\n", incoming_n);
			incoming_n = 0;
		} else if (!strcmp(cmd, "ussd") || !strcmp(cmd, "wait-ussd")) {
			char	*secs = rest ? strtok(rest, " ") : NULL;
			char	*code = strtok(NULL, "");
			double	 deadline = mono_now() + (secs ? atof(secs) : 10);

			ussd_n = 0;
			if ((e = GSM_SetIncomingUSSD(sm, TRUE)) != ERR_NONE) {
				err(e);
				continue;
			}
			if (!strcmp(cmd, "ussd") && (e = GSM_DialService(sm, code ? code : (char *)"")) !=
			    ERR_NONE) {
				err(e);
				continue;
			}
			while (ussd_n == 0 && mono_now() < deadline)
				GSM_ReadDevice(sm, TRUE);
			if (ussd_n == 0) {
				printf("ERR TIMEOUT no USSD answer\n");
				continue;
			}
			printf("USSD {\"status\":%d,\"text\":", ussd_last.Status);
			json_text(ussd_last.Text);
			printf("}\nOK\n");
		} else if (!strcmp(cmd, "reconnect")) {
			GSM_TerminateConnection(sm);
			if ((e = connect_again()) != ERR_NONE)
				err(e);
			else
				printf("OK connected\n");
		} else
			printf("ERR USAGE unknown command %s\n", cmd);
	}
	if (GSM_IsConnected(sm))
		GSM_TerminateConnection(sm);
	GSM_FreeStateMachine(sm);
	return 0;
}
