/*
 * test_gsm7 — unit tests for parsers/gsm7.h: alphabet membership, the transliteration policy (table of
 * cases), output truncation, and segment counting with and without transliteration, including the
 * "never split an escape or surrogate pair" rule at part boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parsers/gsm7.h"

static void
test_septets(void **state)
{
	static const struct {
		unsigned long	 cp;
		int		 septets;
	} cases[] = {
		{ 'A', 1 }, { 'z', 1 }, { '0', 1 }, { ' ', 1 }, { '@', 1 }, { '$', 1 }, { '_', 1 },
		{ '\n', 1 }, { '\r', 1 }, { '\f', 2 }, { '^', 2 }, { '{', 2 }, { '}', 2 }, { '\\', 2 },
		{ '[', 2 }, { '~', 2 }, { ']', 2 }, { '|', 2 }, { 0x20AC, 2 } /* € */,
		{ '`', 0 }, { '\t', 0 }, { 0, 0 }, { 0x7F, 0 },
		{ 0x00E9, 1 } /* é */, { 0x00C9, 1 } /* É */, { 0x00E8, 1 }, { 0x00E0, 1 },
		{ 0x00C7, 1 } /* Ç */, { 0x00E7, 0 } /* ç */, { 0x00E1, 0 } /* á */, { 0x00C0, 0 },
		{ 0x00A3, 1 }, { 0x00A5, 1 }, { 0x00A7, 1 }, { 0x00BF, 1 }, { 0x00A1, 1 }, { 0x00DF, 1 },
		{ 0x0394, 1 } /* Δ */, { 0x03A9, 1 }, { 0x0391, 0 } /* Α */, { 0x03B1, 0 },
		{ 0x2019, 0 }, { 0x1F600, 0 }, { 0x4F60, 0 },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (gsm7_septets(cases[i].cp) != cases[i].septets)
			fail_msg("gsm7_septets(U+%04lX) = %d, expected %d", cases[i].cp,
			    gsm7_septets(cases[i].cp), cases[i].septets);
}

static void
test_translit(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
		int		 all;
	} cases[] = {
		{ "Banjir", "Banjir", 1 },
		{ "\xe2\x80\x9c" "Awas\xe2\x80\x9d", "\"Awas\"", 1 },		/* “ ” */
		{ "Pak\xe2\x80\x99s", "Pak's", 1 },				/* ’ */
		{ "\xe2\x80\x98x\xe2\x80\x9a", "'x'", 1 },
		{ "\xc2\xab" "x\xc2\xbb", "\"x\"", 1 },				/* « » */
		{ "08.00\xe2\x80\x93" "12.00", "08.00-12.00", 1 },		/* en dash */
		{ "a\xe2\x80\x94" "b", "a-b", 1 },				/* em dash */
		{ "a\xe2\x88\x92" "b", "a-b", 1 },				/* minus */
		{ "tunggu\xe2\x80\xa6", "tunggu...", 1 },			/* … */
		{ "a\xc2\xa0" "b", "a b", 1 },					/* nbsp */
		{ "a\xe2\x80\x89" "b\xe2\x80\xaf" "c", "a b c", 1 },		/* thin, narrow nbsp */
		{ "a\xe2\x80\x8b" "b\xef\xbb\xbf", "ab", 1 },			/* ZWSP, BOM */
		{ "a\xc2\xad" "b", "ab", 1 },					/* soft hyphen */
		{ "\xe2\x80\xa2 satu\n\xe2\x80\xa2 dua", "- satu\n- dua", 1 },	/* bullets */
		{ "a\tb", "a b", 1 },
		{ "\xc2\xbd kg", "1/2 kg", 1 },
		{ "\xe2\x84\xa2", "TM", 1 },
		{ "3\xc3\x97" "4", "3x4", 1 },
		{ "`x`", "'x'", 1 },
		{ "\xc3\xa1\xc3\xad\xc3\xb3\xc3\xba\xc3\xa2\xc3\xaa", "aiouae", 1 },	/* áíóúâê */
		{ "\xc3\x81\xc3\x80", "AA", 1 },					/* Á À */
		{ "\xc3\xa7", "\xc3\x87", 1 },						/* ç → Ç */
		{ "\xc5\x9e" "ahin", "Sahin", 1 },					/* Ş */
		{ "\xc5\x93", "oe", 1 },						/* œ */
		{ "\xc3\xa9\xc3\xa8\xc3\xa0\xc3\xb1\xc3\xbc", "\xc3\xa9\xc3\xa8\xc3\xa0\xc3\xb1\xc3\xbc",
		    1 },								/* kept */
		{ "\xef\xbc\xa8\xef\xbd\x89", "Hi", 1 },				/* fullwidth */
		{ "\xf0\x9d\x90\x81\xf0\x9d\x90\x9a", "Ba", 1 },			/* math bold */
		{ "\xce\x91\xce\x92\xce\x94", "AB\xce\x94", 1 },			/* Α Β → Latin, Δ kept */
		{ "a\xcc\x81", "a", 1 },						/* combining */
		{ "\xe2\x82\xac 5 {x}", "\xe2\x82\xac 5 {x}", 1 },			/* extension kept */
		{ "a\x00" "b", "ab", 1 },						/* NUL */
		{ "a\xff" "b", "a?b", 1 },						/* invalid byte */
		{ "ok \xf0\x9f\x98\x80", "ok \xf0\x9f\x98\x80", 0 },			/* emoji stays */
		{ "\xe4\xbd\xa0\xe2\x80\x9c", "\xe4\xbd\xa0\"", 0 },			/* CJK stays */
		{ "30\xc2\xb0" "C", "30\xc2\xb0" "C", 0 },				/* ° stays */
		{ "\xe2\x9d\xa4\xef\xb8\x8f", "\xe2\x9d\xa4", 0 },			/* VS16 dropped */
		{ "\xce\xa7\xce\xa9\xce\xb1", "X\xce\xa9\xce\xb1", 0 },		/* Χ → X, Ω kept, α not GSM-7 */
		{ "", "", 1 },
	};
	char	 out[256];
	size_t	 i, n;
	int	 all;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t	 len = strlen(cases[i].in);

		if (i == 30)	/* the NUL case: strlen stops at it */
			len = 3;
		n = gsm7_translit(cases[i].in, len, out, sizeof(out), &all);
		if (strcmp(out, cases[i].out) != 0 || all != cases[i].all || n != strlen(out))
			fail_msg("gsm7_translit('%s') = '%s' all=%d n=%zu, expected '%s' all=%d",
			    cases[i].in, out, all, n, cases[i].out, cases[i].all);
	}
}

static void
test_translit_truncation(void **state)
{
	char	 out[5];
	size_t	 n;

	(void)state;
	/* "ab…" → "ab..." needs 6 bytes: a prefix of whole replacements only */
	n = gsm7_translit("ab\xe2\x80\xa6", 5, out, sizeof(out), NULL);
	assert_int_equal(n, 5);
	assert_string_equal(out, "ab");
	n = gsm7_translit("abc\xc3\xa9", 5, out, sizeof(out), NULL);
	assert_int_equal(n, 5);
	assert_string_equal(out, "abc");	/* é not cut in half */
	n = gsm7_translit("abcd", 4, out, sizeof(out), NULL);
	assert_int_equal(n, 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(gsm7_translit("abc", 3, NULL, 0, NULL), 3);
}

static char *
rep(const char *unit, size_t n, const char *tail)
{
	size_t	 ul = strlen(unit), tl = tail ? strlen(tail) : 0, i;
	char	*s = malloc(ul * n + tl + 1);

	for (i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	if (tl)
		memcpy(s + ul * n, tail, tl);
	s[ul * n + tl] = '\0';
	return s;
}

static void
test_count(void **state)
{
	static const struct {
		const char		*unit;
		size_t			 n;
		const char		*tail;
		enum gsm7_encoding	 enc;
		size_t			 units, segments;
		enum gsm7_encoding	 naive_enc;
		size_t			 naive_segments;
	} cases[] = {
		{ "", 0, NULL, GSM7_ENC_GSM7, 0, 1, GSM7_ENC_GSM7, 1 },
		{ "x", 160, NULL, GSM7_ENC_GSM7, 160, 1, GSM7_ENC_GSM7, 1 },
		{ "x", 161, NULL, GSM7_ENC_GSM7, 161, 2, GSM7_ENC_GSM7, 2 },
		{ "x", 306, NULL, GSM7_ENC_GSM7, 306, 2, GSM7_ENC_GSM7, 2 },
		{ "x", 307, NULL, GSM7_ENC_GSM7, 307, 3, GSM7_ENC_GSM7, 3 },
		{ "{", 80, NULL, GSM7_ENC_GSM7, 160, 1, GSM7_ENC_GSM7, 1 },
		{ "{", 81, NULL, GSM7_ENC_GSM7, 162, 2, GSM7_ENC_GSM7, 2 },
		/* curly quotes: naive UCS-2, transliterated GSM-7 */
		{ "\xe2\x80\x9cx\xe2\x80\x9d ", 40, NULL, GSM7_ENC_GSM7, 160, 1, GSM7_ENC_UCS2, 3 },
		{ "\xe4\xbd\xa0", 70, NULL, GSM7_ENC_UCS2, 70, 1, GSM7_ENC_UCS2, 1 },
		{ "\xe4\xbd\xa0", 71, NULL, GSM7_ENC_UCS2, 71, 2, GSM7_ENC_UCS2, 2 },
		{ "\xe4\xbd\xa0", 134, NULL, GSM7_ENC_UCS2, 134, 2, GSM7_ENC_UCS2, 2 },
		{ "\xf0\x9f\x98\x80", 35, NULL, GSM7_ENC_UCS2, 70, 1, GSM7_ENC_UCS2, 1 },
		{ "\xf0\x9f\x98\x80", 36, NULL, GSM7_ENC_UCS2, 72, 2, GSM7_ENC_UCS2, 2 },
		/* 70 ellipses: 1 UCS-2 SMS beats 210 septets (2 SMS): the original is kept */
		{ "\xe2\x80\xa6", 70, NULL, GSM7_ENC_UCS2, 70, 1, GSM7_ENC_UCS2, 1 },
		/* an emoji makes everything UCS-2 either way */
		{ "\xe2\x80\x9c", 10, "\xf0\x9f\x98\x80", GSM7_ENC_UCS2, 12, 1, GSM7_ENC_UCS2, 1 },
		/* invalid bytes: '?' in GSM-7 */
		{ "\xff", 3, NULL, GSM7_ENC_GSM7, 3, 1, GSM7_ENC_UCS2, 1 },
	};
	struct gsm7_count	 c, nv;
	size_t			 i;
	char			*s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = rep(cases[i].unit, cases[i].n, cases[i].tail);
		gsm7_count(s, strlen(s), &c);
		gsm7_count_naive(s, strlen(s), &nv);
		if (c.encoding != cases[i].enc || c.units != cases[i].units ||
		    c.segments != cases[i].segments || nv.encoding != cases[i].naive_enc ||
		    nv.segments != cases[i].naive_segments)
			fail_msg("case %zu ('%s' x %zu): enc %d units %zu segs %zu, naive enc %d segs %zu",
			    i, cases[i].unit, cases[i].n, c.encoding, c.units, c.segments, nv.encoding,
			    nv.segments);
		free(s);
	}
}

/* 152 x, '{', 152 x = 306 septets = 2 x 153, but '{' may not straddle two parts: 3 SMS. */
static void
test_count_escape_not_split(void **state)
{
	struct gsm7_count	 c;
	char			 s[400];

	(void)state;
	memset(s, 'x', 152);
	s[152] = '{';
	memset(s + 153, 'x', 152);
	s[305] = '\0';
	gsm7_count(s, strlen(s), &c);
	assert_int_equal(c.units, 306);
	assert_int_equal(c.segments, 3);
	s[152] = 'x';	/* 305 plain septets: 2 */
	gsm7_count(s, strlen(s), &c);
	assert_int_equal(c.segments, 2);
}

/* 66 UTF-16 units, an emoji (a surrogate pair), 66 units = 134 = 2 x 67, but the pair moves: 3 SMS. */
static void
test_count_surrogate_not_split(void **state)
{
	struct gsm7_count	 c;
	char			 s[600], *p = s;
	int			 i;

	(void)state;
	for (i = 0; i < 66; i++, p += 3)
		memcpy(p, "\xe4\xbd\xa0", 3);
	memcpy(p, "\xf0\x9f\x98\x80", 4);
	p += 4;
	for (i = 0; i < 66; i++, p += 3)
		memcpy(p, "\xe4\xbd\xa0", 3);
	*p = '\0';
	gsm7_count(s, strlen(s), &c);
	assert_int_equal(c.encoding, GSM7_ENC_UCS2);
	assert_int_equal(c.units, 134);
	assert_int_equal(c.chars, 133);
	assert_int_equal(c.segments, 3);
}

static void
test_count_flags(void **state)
{
	struct gsm7_count	 c;
	const char		*s = "Awas \xe2\x80\x94 banjir";

	(void)state;
	gsm7_count(s, strlen(s), &c);
	assert_int_equal(c.encoding, GSM7_ENC_GSM7);
	assert_int_equal(c.transliterated, 1);
	assert_int_equal(c.chars, 13);
	gsm7_count("Awas", 4, &c);
	assert_int_equal(c.transliterated, 0);
	gsm7_count_naive(s, strlen(s), &c);
	assert_int_equal(c.encoding, GSM7_ENC_UCS2);
	assert_int_equal(c.units, 13);
}

/* A 160-character announcement with typographic punctuation is one SMS (SPEC §6). */
static void
test_announcement_one_sms(void **state)
{
	const char		*s = "\xe2\x80\x9c" "Banjir\xe2\x80\x9d \xe2\x80\x94 air Sungai Musi naik\xe2\x80"
	    "\xa6 Warga bantaran diminta mengungsi ke SD Negeri 12. Bawa dokumen & obat. Info: Pak RT "
	    "0812 3456 7890, Bu Lurah.";
	struct gsm7_count	 c, nv;

	(void)state;
	gsm7_count(s, strlen(s), &c);
	gsm7_count_naive(s, strlen(s), &nv);
	assert_int_equal(c.encoding, GSM7_ENC_GSM7);
	assert_true(c.units <= 160);
	assert_int_equal(c.segments, 1);
	assert_int_equal(nv.encoding, GSM7_ENC_UCS2);
	assert_int_equal(nv.segments, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_septets),
		cmocka_unit_test(test_translit),
		cmocka_unit_test(test_translit_truncation),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_count_escape_not_split),
		cmocka_unit_test(test_count_surrogate_not_split),
		cmocka_unit_test(test_count_flags),
		cmocka_unit_test(test_announcement_one_sms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
