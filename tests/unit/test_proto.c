/* test_proto — frame checks, blocking frame I/O over a socketpair, and the pbuf codec. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/proto.h"

static void
test_check(void **state)
{
	struct proto_hdr	 h, out;
	uint8_t			 buf[sizeof(h) + 8];

	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	h.type = PROTO_CTL_REQ;
	h.len = 8;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(proto_check(buf, 3, &out), PROTO_NEED_MORE);
	assert_int_equal(proto_check(buf, sizeof(h) + 7, &out), PROTO_NEED_MORE);
	assert_int_equal(proto_check(buf, sizeof(h) + 8, &out), PROTO_FRAME_OK);
	assert_int_equal(out.len, 8);
	h.version = 99;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(proto_check(buf, sizeof(buf), &out), PROTO_BAD_VERSION);
	h.version = PROTO_VERSION;
	h.len = PROTO_MAX_PAYLOAD + 1;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(proto_check(buf, sizeof(buf), &out), PROTO_TOO_BIG);
}

static void
test_roundtrip(void **state)
{
	int			 sv[2];
	struct pbuf		 b, r;
	struct proto_hdr	 h;
	void			*payload;
	size_t			 len;
	const char		*bytes;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pbuf_init(&b);
	pbuf_str(&b, "json");
	pbuf_u32(&b, 42);
	pbuf_u64(&b, 1ULL << 40);
	pbuf_i64(&b, -7);
	pbuf_bytes(&b, "a\0b", 3);
	pbuf_str(&b, NULL);
	assert_int_equal(proto_write(sv[0], PROTO_W_SEND, 77, b.buf, b.len), 0);
	pbuf_free(&b);
	assert_int_equal(proto_read(sv[1], &h, &payload), 0);
	assert_int_equal(h.type, PROTO_W_SEND);
	assert_int_equal(h.reqid, 77);
	pbuf_reader(&r, payload, h.len);
	assert_string_equal(pbuf_get_str(&r), "json");
	assert_int_equal(pbuf_get_u32(&r), 42);
	assert_true(pbuf_get_u64(&r) == (1ULL << 40));
	assert_true(pbuf_get_i64(&r) == -7);
	bytes = pbuf_get_bytes(&r, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(bytes, "a\0b", 3);
	assert_string_equal(pbuf_get_str(&r), "");
	assert_int_equal(r.err, 0);
	assert_int_equal(r.off, r.len);
	/* reading past the end sets err and returns zeros, never overreads */
	assert_int_equal(pbuf_get_u32(&r), 0);
	assert_int_equal(r.err, 1);
	free(payload);
	/* EOF is an error with errno 0 */
	close(sv[0]);
	assert_int_equal(proto_read(sv[1], &h, &payload), -1);
	close(sv[1]);
}

/* A payload of a 4-byte string length then body[0..bodylen): pbuf_get_str refuses it. */
static void
assert_bad_str(uint32_t len, const char *body, size_t bodylen)
{
	struct pbuf	 r;
	uint8_t		 junk[16];

	memcpy(junk, &len, 4);
	memcpy(junk + 4, body, bodylen);
	pbuf_reader(&r, junk, 4 + bodylen);
	assert_string_equal(pbuf_get_str(&r), "");
	assert_int_equal(r.err, 1);
}

static void
test_corrupt_payloads(void **state)
{
	assert_bad_str(1000, "xxxxxxxxxxxx", 12);	/* a length larger than the payload */
	assert_bad_str(4, "yyyyy", 5);			/* a string without its NUL terminator */
	assert_bad_str(3, "a\0b\0", 4);			/* a string with a NUL inside */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_corrupt_payloads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
