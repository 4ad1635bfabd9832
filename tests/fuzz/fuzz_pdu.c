/*
 * fuzz_pdu — libFuzzer target for inbound SMS decoding: the bytes a modem returns for AT+CMGR /
 * AT+CMGL / +CMT go through libGammu's GSM_DecodePDUFrame() and then the worker's own code
 * (gateway/modem/modem_worker.c, reached through gateway/modem/modem_worker-internal.h: batch_add() turns
 * a decoded message into an SMS_IN part — UCS-2 to UTF-8, UDH to hex and its concatenation
 * header, 8-bit bodies to hex), which is then read back the way gateway/modem/modem.c on_sms_in() does.
 * The first input byte selects whether the PDU starts with an SMSC address; the rest is the PDU.
 * The raw input also goes through mw_udh_concat() and the UCS-2/UTF-8 converters directly.
 * Checks: the part decodes, sender/text are valid UTF-8 for text codings, hex fields are hex,
 * a concatenation header always has 1 <= seq <= total.
 * Seeds: tests/fuzz/pdu-seeds (PDUs modemsim sends: GSM-7, UCS-2, concatenated, 8-bit, report).
 * The path of a PDU libGammu refuses: the input, as hex, inside an AT+CMGR reply as libGammu
 * logs it, is found again by mw_raw_pdu_from_log() (the same hex, and hex only, from the input
 * as a whole log too) and goes to the daemon as an undecodable part (batch_add_raw, read back).
 * Reception going on around such PDUs is tests/integration/test_undecodable_fuzz.py (modemsim,
 * libGammu's AT driver, the daemon).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gammu.h>

#include "common/proto.h"
#include "common/utf8.h"
#include "gateway/modem/modem_worker.h"
#include "gateway/modem/modem_worker-internal.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static GSM_SMSMessage	 sms;

static void
check_utf8(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
		int i;

		if (n == 0)
			abort();
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				abort();
		p += n;
	}
}

static void
check_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'F')))
			abort();
}

static void
read_back(const struct pbuf *part)
{
	struct pbuf	 b;
	const char	*coding, *text;
	int64_t		 ref;
	uint32_t	 total, seq;

	pbuf_reader(&b, part->buf, part->len);
	(void)pbuf_get_u32(&b);		/* kind */
	(void)pbuf_get_i64(&b);		/* folder */
	(void)pbuf_get_i64(&b);		/* location */
	check_utf8(pbuf_get_str(&b));	/* sender */
	check_utf8(pbuf_get_str(&b));	/* smsc */
	(void)pbuf_get_i64(&b);		/* smsc time */
	coding = pbuf_get_str(&b);
	text = pbuf_get_str(&b);
	check_hex(pbuf_get_str(&b));	/* udh */
	ref = pbuf_get_i64(&b);
	total = pbuf_get_u32(&b);
	seq = pbuf_get_u32(&b);
	(void)pbuf_get_i64(&b);
	(void)pbuf_get_i64(&b);
	(void)pbuf_get_str(&b);
	if (b.err || b.off != b.len)
		abort();
	if (!strcmp(coding, "8bit"))
		check_hex(text);
	else if (!strcmp(coding, "gsm7") || !strcmp(coding, "ucs2"))
		check_utf8(text);
	else
		abort();
	if (ref < -1 || total < 1 || seq < 1 || seq > total)
		abort();
}

/* Address lengths within TS 23.040: SMSC at most 11 octets, originator at most 20 digits. */
static int
pdu_plausible(const uint8_t *p, size_t n, int smsc)
{
	size_t	 off = 0;

	if (smsc) {
		if (n < 1 || p[0] > 11)
			return 0;
		off = 1 + (size_t)p[0];
	}
	/* first octet, then the originating address length in digits */
	if (off + 2 > n)
		return 1;	/* short: libGammu reports it */
	return p[off + 1] <= 20;
}

/* Copies up to n bytes of input as a UCS-2 string (two zero bytes end it) into out[cap]. */
static const uint8_t *
take_ucs2(const uint8_t *p, const uint8_t *end, unsigned char *out, size_t cap, size_t n)
{
	size_t	 i;

	if (n > (size_t)(end - p))
		n = (size_t)(end - p);
	if (n > cap - 2)
		n = cap - 2;
	n &= ~(size_t)1;
	for (i = 0; i < n; i++)
		out[i] = p[i];
	out[n] = out[n + 1] = 0;
	return p + n;
}

/*
 * The message libGammu hands the worker, built field by field from the input (structured
 * fuzzing): whatever a decoder could put there, including a UDH length past GSM_MAX_UDH_LENGTH.
 */
static void
fuzz_message(const uint8_t *p, size_t size)
{
	const uint8_t	*end = p + size;
	struct pbuf	 part;
	size_t		 n;

	if (size < 8)
		return;
	memset(&sms, 0, sizeof(sms));
	sms.PDU = p[0] & 1 ? SMS_Status_Report : SMS_Deliver;
	sms.Coding = (GSM_Coding_Type)(p[1] % 5 == 0 ? SMS_Coding_Unicode_No_Compression : p[1] % 5 == 1 ?
	    SMS_Coding_Default_No_Compression : p[1] % 5 == 2 ? SMS_Coding_8bit : p[1] % 5 == 3 ?
	    SMS_Coding_Unicode_Compression : SMS_Coding_Default_Compression);
	sms.UDH.Type = p[2] & 1 ? UDH_UserUDH : UDH_NoUDH;
	sms.UDH.Length = p[3];				/* up to 255: more than Text holds */
	sms.DeliveryStatus = p[4];
	sms.MessageReference = p[5];
	sms.Length = p[6] | (p[7] & 3) << 8;		/* may exceed the text */
	if (p[7] & 4) {
		sms.DateTime.Year = 2000 + p[5] % 60;
		sms.DateTime.Month = 1 + p[4] % 12;
		sms.DateTime.Day = 1 + p[6] % 28;
	}
	p += 8;
	n = p < end ? *p++ : 0;
	p = take_ucs2(p, end, sms.Number, sizeof(sms.Number), n);
	n = p < end ? *p++ : 0;
	p = take_ucs2(p, end, sms.SMSC.Number, sizeof(sms.SMSC.Number), n);
	n = p < end ? *p++ : 0;
	if (n > (size_t)(end - p))
		n = (size_t)(end - p);
	if (n > sizeof(sms.UDH.Text))
		n = sizeof(sms.UDH.Text);
	memcpy(sms.UDH.Text, p, n);
	p += n;
	(void)take_ucs2(p, end, sms.Text, sizeof(sms.Text), (size_t)(end - p));

	if (mw_part_of_sms(&sms, &part) != 1)
		abort();
	read_back(&part);
	pbuf_free(&part);
}

/* What the worker does with a PDU libGammu refuses: find it in the captured reply, send it raw. */
static void
raw_path(const uint8_t *data, size_t size)
{
	static char	 log[4 * 1024 + 256], hex[2 * 1024 + 1], out[2 * 1024 + 1];
	static const char hx[] = "0123456789ABCDEF";
	struct pbuf	 part, b;
	size_t		 i, o, n;
	int		 raw;

	for (i = 0; i < size; i++) {
		hex[2 * i] = hx[data[i] >> 4];
		hex[2 * i + 1] = hx[data[i] & 15];
	}
	hex[2 * size] = '\0';
	o = (size_t)snprintf(log, sizeof(log), "1 \"AT+CMGR=3\"\n2 \"+CMGR: 0,,%zu\"\n3 \"%s\"\n4 \"OK\"\n",
	    size, hex);
	n = mw_raw_pdu_from_log(log, out, sizeof(out));
	if (o < sizeof(log) && size >= 1 && (n != 2 * size || strcmp(out, hex)))
		abort();
	/* the input itself as the log: whatever it finds is even-length upper-case hex */
	memcpy(log, data, size);
	log[size] = '\0';
	n = mw_raw_pdu_from_log(log, out, sizeof(out));
	if (n != strlen(out) || n % 2)
		abort();
	check_hex(out);
	if (size < 1)
		return;
	if (mw_part_of_raw(1, 7, hex, &part, &raw) != 1 || !raw)
		abort();
	pbuf_reader(&b, part.buf, part.len);
	if (pbuf_get_u32(&b) != MW_PART_RAW || pbuf_get_i64(&b) != 1 || pbuf_get_i64(&b) != 7)
		abort();
	(void)pbuf_get_str(&b);
	(void)pbuf_get_str(&b);
	(void)pbuf_get_i64(&b);
	if (strcmp(pbuf_get_str(&b), "pdu") || strcmp(pbuf_get_str(&b), hex))
		abort();
	pbuf_free(&part);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char	 ucs[2 * 1024 + 2];
	static char		 utf[4 * 1024 + 4];
	static unsigned char	 padded[1024 + 1024];
	struct pbuf		 part;
	size_t			 pos = 0, n;
	int			 ref, total, seq, smsc;

	if (size < 1 || size > 1024)
		return 0;
	/* first byte: bit 1 selects a raw PDU for libGammu's decoder (only with FUZZ_PDU_LIBGAMMU=1:
	 * libGammu 1.42 itself crashes on malformed PDUs, see below), else a structured message */
	if (!(data[0] & 2) || getenv("FUZZ_PDU_LIBGAMMU") == NULL) {
		fuzz_message(data + 1, size - 1);
		goto helpers;
	}
	smsc = data[0] & 1;
	data++;
	size--;

	/* libGammu 1.42 smashes its stack in GSM_UnpackSemiOctetNumber on an address longer than
	 * an address can be (SMSC length octet 0x78: pdu-seeds/smsc-length-120-libgammu-overflow.bin,
	 * found by this target). That is libGammu's bug, contained by the worker being a process of
	 * its own; skip such PDUs so the fuzzer keeps exploring our code. */
	if (!pdu_plausible(data, size, smsc))
		return 0;
	/* libGammu 1.42 reads past `length` when the user-data length in the PDU is larger than
	 * what follows (its final_pos then lies beyond the input: found by this target, kept as
	 * pdu-seeds/udl-past-end.bin). It is not instrumented, so give it zeroed slack to read
	 * instead of letting it wander off the fuzzer's buffer; our code is checked below. */
	memset(padded, 0, sizeof(padded));
	memcpy(padded, data, size);
	memset(&sms, 0, sizeof(sms));
	if (GSM_DecodePDUFrame(NULL, &sms, padded, size, &pos, smsc) == ERR_NONE) {
		if (mw_part_of_sms(&sms, &part) != 1)
			abort();
		read_back(&part);
		pbuf_free(&part);
	}

helpers:
	raw_path(data, size);
	/* the helpers on the raw bytes */
	mw_udh_concat(data, (int)size, &ref, &total, &seq);
	if (total < 1 || seq < 1 || seq > total || (ref != -1 && (ref < 0 || ref > 0xffff)))
		abort();
	n = size & ~(size_t)1;
	memcpy(ucs, data, n);
	ucs[n] = ucs[n + 1] = 0;
	ucs2_to_utf8(ucs, utf, sizeof(utf));
	check_utf8(utf);
	memcpy(utf, data, size);
	utf[size] = '\0';
	(void)utf8_to_ucs2(utf, ucs, sizeof(ucs) / 2);
	return 0;
}
