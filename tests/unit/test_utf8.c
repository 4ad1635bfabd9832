/* test_utf8 — common/utf8.c's one decoder (utf8_decode) and the codecs built on it: what is
 * well-formed, and what an ill-formed sequence becomes on the way to UCS-2 (one U+FFFD). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/utf8.h"

static void
test_decode(void **state)
{
	unsigned int	 cp;

	(void)state;
	assert_int_equal(utf8_decode("A", SIZE_MAX, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode("\xc3\xa9", SIZE_MAX, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_decode("\xe2\x80\x94", SIZE_MAX, &cp), 3);
	assert_int_equal(cp, 0x2014);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", SIZE_MAX, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	/* not well-formed: *cp is the first byte */
	assert_int_equal(utf8_decode("\xc0\x80", SIZE_MAX, &cp), 0);		/* overlong NUL */
	assert_int_equal(cp, 0xc0);
	assert_int_equal(utf8_decode("\xe0\x80\xaf", SIZE_MAX, &cp), 0);	/* overlong '/' */
	assert_int_equal(utf8_decode("\xed\xa0\x80", SIZE_MAX, &cp), 0);	/* a surrogate */
	assert_int_equal(utf8_decode("\xf4\x90\x80\x80", SIZE_MAX, &cp), 0);	/* past U+10FFFF */
	assert_int_equal(utf8_decode("\xe2\x80", SIZE_MAX, &cp), 0);		/* cut by the NUL */
	assert_int_equal(utf8_decode("\x80", SIZE_MAX, &cp), 0);
	/* the length bounds the sequence */
	assert_int_equal(utf8_decode("\xe2\x80\x94", 2, &cp), 0);
	assert_int_equal(utf8_decode("\xe2\x80\x94", 3, &cp), 3);
}

static void
test_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid("Halo \xe2\x80\x94 \xf0\x9f\x98\x80", 14));
	assert_true(utf8_valid("a\0b", 3));
	assert_false(utf8_valid("\xe2\x80\x94", 2));
	assert_false(utf8_valid("\xc1\xbf", 2));
	assert_false(utf8_valid("\xed\xbf\xbf", 3));
	assert_false(utf8_valid("\xf5\x80\x80\x80", 4));
}

static size_t
units(const char *in, unsigned int *u, size_t max)
{
	unsigned char	 out[64];
	size_t		 n = utf8_to_ucs2(in, out, sizeof(out) / 2), i;

	assert_true(n <= max);
	for (i = 0; i < n; i++)
		u[i] = (unsigned int)out[2 * i] << 8 | out[2 * i + 1];
	assert_int_equal(out[2 * n], 0);
	assert_int_equal(out[2 * n + 1], 0);
	return n;
}

static void
test_to_ucs2(void **state)
{
	unsigned int	 u[16];

	(void)state;
	assert_int_equal(units("a\xc3\xa9\xf0\x9f\x98\x80", u, 16), 4);
	assert_int_equal(u[0], 'a');
	assert_int_equal(u[1], 0xe9);
	assert_int_equal(u[2], 0xd83d);
	assert_int_equal(u[3], 0xde00);
	/* a cut sequence: one U+FFFD for the lead and its continuation bytes, then what follows */
	assert_int_equal(units("\xe2\x82" "A", u, 16), 2);
	assert_int_equal(u[0], 0xfffd);
	assert_int_equal(u[1], 'A');
	/* stray continuation bytes and bytes no sequence starts with: one U+FFFD each */
	assert_int_equal(units("\x80\x80\xff", u, 16), 3);
	assert_int_equal(u[0], 0xfffd);
	assert_int_equal(u[1], 0xfffd);
	assert_int_equal(u[2], 0xfffd);
	/* an overlong NUL does not end the text early, a surrogate does not become a lone one */
	assert_int_equal(units("\xc0\x80" "b\xed\xa0\x80" "c", u, 16), 4);
	assert_int_equal(u[0], 0xfffd);
	assert_int_equal(u[1], 'b');
	assert_int_equal(u[2], 0xfffd);
	assert_int_equal(u[3], 'c');
}

static void
test_cut(void **state)
{
	const char	*s = "a\xc3\xa9\xe2\x80\x94";	/* a é — : bytes 0, 1-2, 3-5 */

	(void)state;
	assert_int_equal(utf8_cut(s, 6, 6), 6);
	assert_int_equal(utf8_cut(s, 6, 10), 6);
	assert_int_equal(utf8_cut(s, 6, 5), 3);
	assert_int_equal(utf8_cut(s, 6, 4), 3);
	assert_int_equal(utf8_cut(s, 6, 3), 3);
	assert_int_equal(utf8_cut(s, 6, 2), 1);
	assert_int_equal(utf8_cut(s, 6, 1), 1);
	assert_int_equal(utf8_cut(s, 6, 0), 0);
	assert_int_equal(utf8_cut(s + 1, 5, 1), 0);
}

/* The one encoder: each length boundary, and every code point it writes decodes back to itself. */
static void
test_encode(void **state)
{
	static const struct { unsigned int cp; const char *utf8; } cases[] = {
		{ 0x41, "A" }, { 0x7f, "\x7f" }, { 0x80, "\xc2\x80" }, { 0x7ff, "\xdf\xbf" },
		{ 0x800, "\xe0\xa0\x80" }, { 0x2400, "\xe2\x90\x80" }, { 0xfffd, "\xef\xbf\xbd" },
		{ 0x10000, "\xf0\x90\x80\x80" }, { 0x10ffff, "\xf4\x8f\xbf\xbf" },
	};
	char		 buf[4];
	unsigned int	 cp, back;
	size_t		 i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = utf8_encode(cases[i].cp, buf);
		assert_int_equal(n, strlen(cases[i].utf8));
		assert_memory_equal(buf, cases[i].utf8, n);
	}
	for (cp = 1; cp <= 0x10ffff; cp += cp < 0x3000 ? 1 : 97) {
		if (cp >= 0xd800 && cp < 0xe000)
			continue;
		n = utf8_encode(cp, buf);
		assert_int_equal(utf8_decode(buf, n, &back), n);
		assert_int_equal(back, cp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_to_ucs2),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
