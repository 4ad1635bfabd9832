/*
 * fuzz_ctl — libFuzzer target for the control protocol (common/proto.c): the input is a byte
 * stream as a console (or a hostile local user) could write it to the control socket. It is cut
 * into frames with proto_check() exactly as gateway/control/control.c does, and each CTL_REQ payload is
 * decoded like handle_request(): str format, u32 argc (bounded), argc strings, nothing left over,
 * then the output format parsed. Every other frame type is decoded as the worker protocol's
 * SMS_IN payload (the widest one, gateway/modem/modem.c on_sms_in). Checks: pbuf never reads outside
 * the payload, decoded strings are NUL-terminated within it, and what decoded re-encodes to the
 * same bytes (pbuf round trip).
 * Seeds: tests/fuzz/ctl-seeds (real console requests); dictionary ctl.dict.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "common/table.h"

#define FUZZ_CTL_MAX_ARGS	256	/* gateway/control/control.c CTL_MAX_ARGS */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
in_payload(const char *s, const uint8_t *p, size_t len)
{
	if ((const uint8_t *)s < p || (const uint8_t *)s + strlen(s) >= p + len + 1)
		abort();
}

static void
ctl_req(const uint8_t *p, size_t len)
{
	struct pbuf		 b, re, back;
	const char		*fmt, *argv[FUZZ_CTL_MAX_ARGS];
	uint32_t		 argc, i;
	enum table_format	 tf;

	pbuf_reader(&b, p, len);
	fmt = pbuf_get_str(&b);
	argc = pbuf_get_u32(&b);
	if (b.err || argc > FUZZ_CTL_MAX_ARGS)
		return;
	for (i = 0; i < argc; i++)
		argv[i] = pbuf_get_str(&b);
	if (b.err || b.off != b.len)
		return;
	in_payload(fmt, p, len);
	for (i = 0; i < argc; i++)
		in_payload(argv[i], p, len);
	(void)table_parse_format(fmt, &tf);
	/* a well-formed request re-encodes to the very same bytes */
	pbuf_init(&re);
	pbuf_str(&re, fmt);
	pbuf_u32(&re, argc);
	for (i = 0; i < argc; i++)
		pbuf_str(&re, argv[i]);
	if (re.len != len || memcmp(re.buf, p, len) != 0)
		abort();
	pbuf_reader(&back, re.buf, re.len);
	if (strcmp(pbuf_get_str(&back), fmt) != 0 || pbuf_get_u32(&back) != argc || back.err)
		abort();
	pbuf_free(&re);
}

static void
sms_in(const uint8_t *p, size_t len)
{
	struct pbuf	 b;
	uint32_t	 n, i;

	pbuf_reader(&b, p, len);
	n = pbuf_get_u32(&b);
	if (b.err || n > 100000)
		return;
	for (i = 0; i < n && !b.err; i++) {
		(void)pbuf_get_u32(&b);
		(void)pbuf_get_i64(&b);
		(void)pbuf_get_i64(&b);
		{
			const char *sender = pbuf_get_str(&b);

			if (b.err)	/* "" on error is a static string: nothing to check */
				break;
			in_payload(sender, p, len);
		}
		(void)pbuf_get_str(&b);
		(void)pbuf_get_i64(&b);
		(void)pbuf_get_str(&b);
		(void)pbuf_get_str(&b);
		(void)pbuf_get_str(&b);
		(void)pbuf_get_i64(&b);
		(void)pbuf_get_u32(&b);
		(void)pbuf_get_u32(&b);
		(void)pbuf_get_i64(&b);
		(void)pbuf_get_i64(&b);
		(void)pbuf_get_str(&b);
	}
	if (b.off > b.len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t			 off = 0;
	struct proto_hdr	 hdr;

	while (size - off >= sizeof(hdr)) {
		enum proto_check chk = proto_check(data + off, size - off, &hdr);
		uint8_t *payload;

		if (chk == PROTO_BAD_VERSION || chk == PROTO_TOO_BIG)
			break;
		if (chk == PROTO_NEED_MORE)
			break;	/* control.c waits for more, or drops a client past CTL_MAX_REQUEST */
		if (chk != PROTO_FRAME_OK || hdr.len > size - off - sizeof(hdr))
			abort();	/* proto_check said a whole frame is there */
		/* control.c copies the payload into a buffer of its own, NUL-terminated */
		payload = malloc(hdr.len + 1);
		memcpy(payload, data + off + sizeof(hdr), hdr.len);
		payload[hdr.len] = 0;
		if (hdr.type == PROTO_CTL_REQ)
			ctl_req(payload, hdr.len);
		else
			sms_in(payload, hdr.len);
		free(payload);
		off += sizeof(hdr) + hdr.len;
	}
	return 0;
}
