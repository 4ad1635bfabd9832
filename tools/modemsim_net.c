/*
 * tools/modemsim_net.c: modemsim's network side — SIM slots, incoming SMS (SMS-DELIVER built with
 * libGammu), submitted messages and the sent log, status reports, send faults.
 */
#include "tools/modemsim.h"

int
slot_free(struct sim *sim)
{
	int	 i;

	if (sim->storage_full)
		return -1;
	for (i = 0; i < sim->storage; i++)
		if (!sim->slots[i].used)
			return i;
	return -1;
}

int
slots_used(struct sim *sim)
{
	int	 i, n = 0;

	for (i = 0; i < sim->storage; i++)
		n += sim->slots[i].used;
	return n;
}

/* TPDU length of a stored PDU (the length the AT commands report). A malformed PDU whose SMSC
 * length byte runs past its end (a real modem reports what it stored) counts as all TPDU. */
size_t
tpdu_len(const unsigned char *pdu, size_t len)
{
	if (len == 0 || (size_t)pdu[0] + 1 > len)
		return len;
	return len - (pdu[0] + 1);
}

/*
 * Hands one part to the SIM: stores it and announces it (+CMTI) as AT+CNMI asks, or sends it
 * straight up (+CMT) when AT+CNMI=…,2 routes messages to the terminal. Returns 0 delivered,
 * 1 held back by the network (no service or no room), in which case it is kept for later.
 */
int
deliver_part(struct sim *sim, const unsigned char *pdu, size_t len, int store_only, int keep)
{
	char	 line[64];
	int	 i;

	if (sim->dereg || sim->cfun == 0 || (slot_free(sim) < 0 && !(sim->cnmi[1] == 2 &&
	    !store_only && sim->mfd != -1))) {
		if (keep) {
			struct held *h = xcalloc(1, sizeof(*h)), **pp;

			memcpy(h->pdu, pdu, len);
			h->len = len;
			h->store_only = store_only;
			for (pp = &sim->held; *pp != NULL; pp = &(*pp)->next)
				;
			*pp = h;
		}
		return 1;
	}
	if (!store_only && sim->cnmi[1] == 2 && sim->mfd != -1) {
		char	 hex[2 * sizeof(((struct slot *)0)->pdu) + 1];
		char	*l;

		hex_encode_upper(pdu, len, hex);
		xasprintf(&l, "+CMT: ,%zu\r\n%s", tpdu_len(pdu, len), hex);
		urc(sim, l);
		free(l);
		return 0;
	}
	i = slot_free(sim);
	sim->slots[i].used = 1;
	sim->slots[i].stat = sim->next_stat;
	sim->slots[i].unreadable = sim->next_unreadable;
	sim->next_stat = sim->next_unreadable = 0;
	memcpy(sim->slots[i].pdu, pdu, len);
	sim->slots[i].len = len;
	if (!store_only && (sim->cnmi[1] == 1 || sim->cnmi[1] == 3) && sim->cnmi[0] != 0) {
		snprintf(line, sizeof(line), "+CMTI: \"SM\",%d", i + 1);
		urc(sim, line);
	}
	sim_event(sim, "stored message at SM %d", i + 1);
	return 0;
}

/* Delivers what the network held back, now that there is service and room. */
void
deliver_held(struct sim *sim)
{
	struct held	*h;

	while ((h = sim->held) != NULL) {
		if (deliver_part(sim, h->pdu, h->len, h->store_only, 0) != 0)
			return;
		sim->held = h->next;
		free(h);
	}
}

/*
 * Compacts libGammu's fixed-layout SMS-DELIVER frame into the wire format (SMSC + TPDU).
 * Returns the length, or 0 when a field does not fit its place (out holds outmax bytes).
 */
static size_t
deliver_compact(const unsigned char *b, int len, unsigned char *out, size_t outmax)
{
	GSM_SMSMessageLayout L = PHONE_SMSDeliver;
	size_t	 n, olen, udlen = len > L.Text ? (size_t)(len - L.Text) : 0;

	n = b[L.SMSCNumber] + 1;
	olen = 2 + (b[L.Number] + 1) / 2;
	if (n > (size_t)(L.firstbyte - L.SMSCNumber) || olen > (size_t)(L.DateTime - L.Number) ||
	    n + 1 + olen + 2 + 7 + 1 + udlen > outmax)
		return 0;
	memcpy(out, b + L.SMSCNumber, n);
	out[n++] = b[L.firstbyte];
	memcpy(out + n, b + L.Number, olen);
	n += olen;
	out[n++] = b[L.TPPID];
	out[n++] = b[L.TPDCS];
	memcpy(out + n, b + L.DateTime, 7);
	n += 7;
	out[n++] = b[L.TPUDL];
	memcpy(out + n, b + L.Text, udlen);
	return n + udlen;
}

time_t
net_now(const struct sim *sim)
{
	return time(NULL) + sim->clock_skew;
}

/* The network's time now as a Gammu date in UTC (Gammu's SCTS encoder writes zone +00 whatever
 * the date says, so a local date would be off by the host's zone). */
static void
net_datetime(const struct sim *sim, GSM_DateTime *dt)
{
	time_t		 t = net_now(sim);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	memset(dt, 0, sizeof(*dt));
	dt->Year = tm.tm_year + 1900;
	dt->Month = tm.tm_mon + 1;
	dt->Day = tm.tm_mday;
	dt->Hour = tm.tm_hour;
	dt->Minute = tm.tm_min;
	dt->Second = tm.tm_sec;
	dt->Timezone = 0;
}

/* Parses "2026-11-27 14:00:05" / "2026-11-27T14:00" (local time of the network: WIB, +07). */
int
parse_smsc_time(const char *s, GSM_DateTime *dt)
{
	int	 y, mo, d, h = 0, mi = 0, sec = 0, n;

	n = sscanf(s, "%d-%d-%d%*[T ]%d:%d:%d", &y, &mo, &d, &h, &mi, &sec);
	if (n < 3 || y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 59)
		return -1;
	memset(dt, 0, sizeof(*dt));
	dt->Year = y;
	dt->Month = mo;
	dt->Day = d;
	dt->Hour = h;
	dt->Minute = mi;
	dt->Second = sec;
	dt->Timezone = 7 * 3600;
	return 0;
}

/* Encodes TEXT from FROM into SMS-DELIVER parts and delivers them. Errors go to err. */
int
sms_incoming(struct sim *sim, const char *from, const char *text, struct sms_opts *o,
    char *err, size_t errlen, int *nparts, int *nheld)
{
	GSM_MultiPartSMSInfo	 info;
	GSM_MultiSMSMessage	*multi;
	unsigned char		*ubuf;
	size_t			 cap = strlen(text) + 2;
	int			 i, k, idx, rc = -1;

	multi = xcalloc(1, sizeof(*multi));
	ubuf = xcalloc(2, cap + 2);
	utf8_to_ucs2(text, ubuf, cap + 1);
	GSM_ClearMultiPartSMSInfo(&info);
	info.Entries[0].ID = o->ucs2 ? SMS_ConcatenatedTextLong : SMS_ConcatenatedAutoTextLong;
	info.Entries[0].Buffer = ubuf;
	info.EntriesNum = 1;
	info.UnicodeCoding = o->ucs2 ? TRUE : FALSE;
	info.Class = o->class0 ? 0 : -1;
	if (GSM_EncodeMultiPartSMS(NULL, &info, multi) != ERR_NONE || multi->Number < 1) {
		snprintf(err, errlen, "cannot encode the text (too long? at most %d parts)",
		    MS_MAX_PARTS);
		goto out;
	}
	*nparts = multi->Number;
	*nheld = 0;
	for (i = 0; i < o->norder; i++)
		if (o->order[i] < 1 || o->order[i] > multi->Number) {
			snprintf(err, errlen, "--parts-order names part %d of a %d-part message",
			    o->order[i], multi->Number);
			goto out;
		}
	for (k = 0; k < (o->norder > 0 ? o->norder : multi->Number); k++) {
		GSM_SMSMessage	*sms;
		unsigned char	 frame[1000], wire[200];
		int		 flen = 0, j, dropped = 0;
		size_t		 wlen;

		idx = o->norder > 0 ? o->order[k] - 1 : k;
		for (j = 0; j < o->ndrop; j++)
			dropped |= o->drop[j] == idx + 1;
		if (dropped)
			continue;
		sms = &multi->SMS[idx];
		sms->PDU = SMS_Deliver;
		sms->Class = o->class0 ? 0 : -1;
		utf8_to_ucs2(from, sms->Number, GSM_MAX_NUMBER_LENGTH);
		utf8_to_ucs2(sim->smsc, sms->SMSC.Number, GSM_MAX_NUMBER_LENGTH);
		if (o->has_time)
			sms->DateTime = o->time;
		else
			net_datetime(sim, &sms->DateTime);
		memset(frame, 0, sizeof(frame));
		if (GSM_EncodeSMSFrame(NULL, sms, frame, PHONE_SMSDeliver, &flen, TRUE) !=
		    ERR_NONE) {
			snprintf(err, errlen, "libGammu cannot encode part %d", idx + 1);
			goto out;
		}
		if ((wlen = deliver_compact(frame, flen, wire, sizeof(wire))) == 0) {
			snprintf(err, errlen, "part %d does not fit an SMS (sender or SMSC number "
			    "too long?)", idx + 1);
			goto out;
		}
		*nheld += deliver_part(sim, wire, wlen, o->store_only, 1);
	}
	rc = 0;
out:
	free(ubuf);
	free(multi);
	return rc;
}

/* Decodes a wire PDU (SMSC + TPDU) with libGammu. 0 ok. */
int
pdu_decode(const unsigned char *pdu, size_t len, GSM_SMSMessage *sms)
{
	size_t	 pos = 0;

	memset(sms, 0, sizeof(*sms));
	GSM_SetDefaultReceivedSMSData(sms);
	if (GSM_DecodePDUFrame(NULL, sms, pdu, len, &pos, TRUE) != ERR_NONE)
		return -1;
	return 0;
}

/* Text of a decoded message as UTF-8 (8-bit data as hex). */
void
sms_text_utf8(GSM_SMSMessage *sms, char *out, size_t outlen)
{
	if (sms->Coding == SMS_Coding_8bit) {
		size_t n = (size_t)sms->Length < outlen / 2 ? (size_t)sms->Length : outlen / 2 - 1;
		hex_encode_upper(sms->Text, n, out);
	} else
		ucs2_to_utf8(sms->Text, out, outlen);
}

static const char *
coding_name(GSM_Coding_Type c)
{
	switch (c) {
	case SMS_Coding_Unicode_No_Compression:
	case SMS_Coding_Unicode_Compression:
		return "ucs2";
	case SMS_Coding_8bit:
		return "8bit";
	default:
		return "gsm7";
	}
}

/* An SMSC or sender number: optional '+', 1 to 20 digits. */
int
phone_number_ok(const char *s)
{
	size_t	 n;

	if (*s == '+')
		s++;
	n = strlen(s);
	return n <= 20 && str_digits_n(s, n);
}

static unsigned char
bcd_swapped(int v)
{
	return (v % 10) << 4 | (v / 10) % 10;
}

/* TP address (length in digits, type, swapped semi-octets). Returns bytes, 0 if not a number. */
static size_t
addr_encode(const char *num, unsigned char *out, size_t outmax)
{
	int	 intl = num[0] == '+';
	size_t	 nd, i;

	if (!phone_number_ok(num))
		return 0;
	num += intl;
	nd = strlen(num);
	if (2 + (nd + 1) / 2 > outmax)
		return 0;
	out[0] = nd;
	out[1] = intl ? 0x91 : 0x81;
	for (i = 0; i < nd; i++) {
		int d = num[i] - '0';
		if (i % 2 == 0)
			out[2 + i / 2] = 0xf0 | d;
		else
			out[2 + i / 2] = (out[2 + i / 2] & 0x0f) | d << 4;
	}
	return 2 + (nd + 1) / 2;
}

/* Service-centre time stamp of t in WIB (+07), as 7 swapped semi-octets. */
static void
scts_encode(time_t t, unsigned char *out)
{
	struct tm	 tm;

	t += 7 * 3600;
	gmtime_r(&t, &tm);
	out[0] = bcd_swapped(tm.tm_year % 100);
	out[1] = bcd_swapped(tm.tm_mon + 1);
	out[2] = bcd_swapped(tm.tm_mday);
	out[3] = bcd_swapped(tm.tm_hour);
	out[4] = bcd_swapped(tm.tm_min);
	out[5] = bcd_swapped(tm.tm_sec);
	out[6] = bcd_swapped(7 * 4);		/* quarter hours east of UTC */
}

/* Queues the SMS-STATUS-REPORT the network sends for a part that asked for one (TP-SRR). */
static void
report_queue(struct sim *sim, const char *to, int mr, time_t submitted)
{
	struct report	*r, **pp;
	unsigned char	 smsc[16];
	size_t		 n = 0, k;

	if (sim->report_status < 0)
		return;
	r = xcalloc(1, sizeof(*r));
	if ((k = addr_encode(sim->smsc, smsc, sizeof(smsc))) == 0) {
		r->pdu[n++] = 0;
	} else {
		/* The SMSC field counts octets, not digits. */
		r->pdu[n++] = k - 1;
		memcpy(r->pdu + n, smsc + 1, k - 1);
		n += k - 1;
	}
	r->pdu[n++] = 0x06;			/* SMS-STATUS-REPORT, no more messages */
	r->pdu[n++] = mr;
	if ((k = addr_encode(to, r->pdu + n, 14)) == 0) {
		free(r);
		return;				/* alphanumeric recipient: no report */
	}
	n += k;
	scts_encode(submitted, r->pdu + n);
	n += 7;
	scts_encode(net_now(sim), r->pdu + n);
	n += 7;
	r->pdu[n++] = sim->report_status;
	r->len = n;
	r->due = now_ms() + sim->report_delay_ms;
	for (pp = &sim->reports; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = r;
}

/*
 * Hands a due status report to the terminal as AT+CNMI's <ds> asks: 1 sends +CDS with the PDU,
 * 2 stores it and announces +CDSI, 0 drops it (as modems do when nobody asked for reports).
 */
void
report_deliver(struct sim *sim, struct report *r)
{
	char	 hex[2 * sizeof(r->pdu) + 1], *l;
	int	 i;

	hex_encode_upper(r->pdu, r->len, hex);
	if (sim->cnmi[3] == 1 && sim->mfd != -1) {
		xasprintf(&l, "+CDS: %zu\r\n%s", tpdu_len(r->pdu, r->len), hex);
		urc(sim, l);
		free(l);
	} else if (sim->cnmi[3] == 2 && (i = slot_free(sim)) >= 0) {
		sim->slots[i].used = 1;
		sim->slots[i].stat = 0;
		memcpy(sim->slots[i].pdu, r->pdu, r->len);
		sim->slots[i].len = r->len;
		xasprintf(&l, "+CDSI: \"SM\",%d", i + 1);
		urc(sim, l);
		free(l);
	} else {
		sim_event(sim, "status report dropped (AT+CNMI ds=%d)", sim->cnmi[3]);
		return;
	}
	sim_event(sim, "status report mr=%d st=0x%02x", r->pdu[r->pdu[0] + 2], sim->report_status);
}

/* The "network" took a submitted part: decode it and append it to the sent log. mr returned. */
int
sms_submitted(struct sim *sim, const unsigned char *pdu, size_t len, char *err, size_t errlen)
{
	GSM_SMSMessage	 sms;
	struct sbuf	 b = { 0 };
	char		 to[128], text[4 * (GSM_MAX_SMS_LENGTH + 1)], udh[2 * GSM_MAX_UDH_LENGTH + 1];
	char		 smsc[128], ts[40];
	int		 mr, parts = 1, part = 1, ref = -1;
	int		 srr = len > (size_t)pdu[0] + 1 && (pdu[pdu[0] + 1] & 0x20) != 0;

	if (pdu_decode(pdu, len, &sms) != 0 || sms.PDU != SMS_Submit) {
		snprintf(err, errlen, "not an SMS-SUBMIT PDU");
		return -1;
	}
	mr = sim->mr;
	sim->mr = (sim->mr + 1) % 256;
	ucs2_to_utf8(sms.Number, to, sizeof(to));
	ucs2_to_utf8(sms.SMSC.Number, smsc, sizeof(smsc));
	sms_text_utf8(&sms, text, sizeof(text));
	udh[0] = '\0';
	if (sms.UDH.Type != UDH_NoUDH && sms.UDH.Length > 0) {
		hex_encode_upper(sms.UDH.Text, sms.UDH.Length, udh);
		if (sms.UDH.AllParts > 0) {
			parts = sms.UDH.AllParts;
			part = sms.UDH.PartNumber;
			ref = sms.UDH.ID16bit >= 0 ? sms.UDH.ID16bit : sms.UDH.ID8bit;
		}
	}
	iso_now(ts, sizeof(ts));
	sb_add(&b, "{\"to\":", 6);
	json_str(&b, to);
	sb_add(&b, ",\"text\":", 8);
	json_str(&b, text);
	sb_printf(&b, ",\"parts\":%d,\"part\":%d,\"concat_ref\":%d,\"udh\":", parts, part, ref);
	json_str(&b, udh);
	sb_printf(&b, ",\"reference\":%d,\"coding\":\"%s\",\"smsc\":", mr, coding_name(sms.Coding));
	json_str(&b, smsc);
	sb_printf(&b, ",\"status_report\":%s", srr ? "true" : "false");
	sb_add(&b, ",\"time\":", 8);
	json_str(&b, ts);
	sb_add(&b, "}", 1);
	if (sim->sent_log != NULL) {
		FILE *f = fopen(sim->sent_log, "a");
		if (f != NULL) {
			fprintf(f, "%s\n", b.s);
			fclose(f);
		} else
			fprintf(stderr, "modemsim: cannot append to %s: %s\n", sim->sent_log,
			    strerror(errno));
	}
	{
		struct strlist *e = xcalloc(1, sizeof(*e));
		e->s = b.s;
		*sim->sent_tail = e;
		sim->sent_tail = &e->next;
	}
	sim->nsent++;
	sim_event(sim, "sent part %d/%d mr=%d%s", part, parts, mr, srr ? " report requested" : "");
	if (srr)
		report_queue(sim, to, mr, net_now(sim));
	return mr;
}

/* Whether this send attempt fails with the configured +CMS ERROR. */
int
send_fault(struct sim *sim)
{
	unsigned	 n = sim->nsends++;

	if (sim->cms_code == 0)
		return 0;
	if (sim->cms_count > 0) {
		if (--sim->cms_count == 0) {
			int code = sim->cms_code;
			sim->cms_code = 0;
			return code;
		}
		return sim->cms_code;
	}
	if (sim->cms_count < 0) {
		/* Deterministic: exactly floor(n * fraction) of the first n sends fail. */
		if ((unsigned)((n + 1) * sim->cms_fraction) > (unsigned)(n * sim->cms_fraction))
			return sim->cms_code;
	}
	return 0;
}
