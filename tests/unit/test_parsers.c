/*
 * test_parsers — unit tests for parsers/norm.h and parsers/parse.h: the normaliser, area keys and
 * splitting, keyword matching (exact, glued, stretched, one typo, ambiguity), arguments, the keywords
 * file loader and its errors, and the PCRE2 time bound. Tables of cases; the real-world messages are
 * in tests/corpus (test_corpus).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "parsers/norm.h"
#include "parsers/parse.h"
#include "tests/unit/clock.h"

static struct parse_result	 res;

/* a case of the tables below: what goes in, what must come out */
struct in_out {
	const char	*in;
	const char	*out;
};

static void
test_norm_text(void **state)
{
	static const struct in_out cases[] = {
		{ "reg#sukamaju", "REG SUKAMAJU" },
		{ "REG##SUKAMAJU", "REG SUKAMAJU" },
		{ "  Daftar  sukamaju!! ", "DAFTAR SUKAMAJU" },
		{ "a.b,c*d/e#f", "A B C D E F" },
		{ "a\tb\nc\r\nd", "A B C D" },
		{ "\xef\xbc\xb3\xef\xbc\xb4\xef\xbc\xaf\xef\xbc\xb0", "STOP" },	/* fullwidth */
		{ "S\xd0\xa2\xd0\x9e\xd0\xa0", "STOP" },			/* Cyrillic Т О Р */
		{ "\xce\x91\xce\x92", "AB" },					/* Greek Α Β */
		{ "D\xc3\xa1" "ftar", "DAFTAR" },				/* á */
		{ "Da\xcc\x81" "ftar", "DAFTAR" },				/* a + combining acute */
		{ "DAF\xe2\x80\x8bTAR", "DAFTAR" },				/* zero-width space */
		{ "stra\xc3\x9f" "e", "STRASSE" },				/* ß */
		{ "\xc5\x93uvre", "OEUVRE" },					/* œ */
		{ "\xf0\x9f\x98\x80STOP\xf0\x9f\x98\x80", "STOP" },		/* emoji */
		{ "\xf0\x9d\x90\x83\xf0\x9d\x90\x80", "DA" },			/* math bold */
		{ "ST\xffOP", "ST OP" },					/* invalid byte */
		{ "\xc0\xaf", "" },						/* overlong '/' */
		{ "\xed\xa0\x80X", "X" },					/* surrogate */
		{ "A\xe2\x80", "A" },						/* truncated */
		{ "?", "?" },
		{ "???", "?" },
		{ "? info", "? INFO" },
		{ "info?", "INFO" },
		{ "?info", "INFO" },
		{ "apa ?", "APA" },
		{ "...?", "?" },
		{ "\xef\xbc\x9f", "?" },					/* fullwidth ? */
		{ "\xd9\xa2", "2" },						/* Arabic-Indic 2 */
		{ "\xd8\xa7\xd9\x84", "\xd8\xa7\xd9\x84" },			/* Arabic letters kept */
		{ "", "" },
		{ "!!!", "" },
	};
	char		 out[128];
	size_t		 i, n;
	int		 trunc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = norm_text(cases[i].in, strlen(cases[i].in), out, sizeof(out), NULL, NULL, &trunc);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("norm_text('%s') = '%s', expected '%s'", cases[i].in, out, cases[i].out);
		assert_int_equal(n, strlen(out));
		assert_int_equal(trunc, 0);
	}
}

static void
test_norm_text_map(void **state)
{
	const char	*in = "reg##Suka-maju!";
	char		 out[32];
	uint32_t	 st[32], en[32];
	size_t		 n;

	(void)state;
	n = norm_text(in, strlen(in), out, sizeof(out), st, en, NULL);
	assert_string_equal(out, "REG SUKA MAJU");
	assert_int_equal(n, 13);
	assert_int_equal(st[0], 0);
	assert_int_equal(en[2], 3);
	assert_int_equal(st[3], 3);	/* the space stands for "##" */
	assert_int_equal(st[4], 5);	/* S */
	assert_int_equal(st[9], 10);	/* M after '-' */
	assert_int_equal(en[12], 14);	/* U, before '!' */

	/* multi-byte: each output byte maps to its whole code point */
	in = "\xef\xbc\xb3T";
	n = norm_text(in, strlen(in), out, sizeof(out), st, en, NULL);
	assert_string_equal(out, "ST");
	assert_int_equal(st[0], 0);
	assert_int_equal(en[0], 3);
	assert_int_equal(st[1], 3);
}

static void
test_norm_text_truncation(void **state)
{
	char	 out[6];
	int	 trunc;
	size_t	 n;

	(void)state;
	n = norm_text("abc def ghi", 11, out, sizeof(out), NULL, NULL, &trunc);
	assert_int_equal(trunc, 1);
	assert_int_equal(n, 5);
	assert_string_equal(out, "ABC D");
	n = norm_text("abc", 3, out, 1, NULL, NULL, &trunc);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	assert_int_equal(trunc, 1);
}

static void
test_norm_name(void **state)
{
	static const struct in_out cases[] = {
		{ "Sukamaju", "SUKAMAJU" },
		{ "SUKA MAJU", "SUKAMAJU" },
		{ "Suka-Maju", "SUKAMAJU" },
		{ "suka.maju", "SUKAMAJU" },
		{ "\xef\xbd\x93\xef\xbd\x95\xef\xbd\x8b\xef\xbd\x81maju", "SUKAMAJU" },
		{ "Ilir Barat II", "ILIRBARATII" },
		{ "Alang-alang Lebar", "ALANGALANGLEBAR" },
		{ "KABUPATEN OGAN KOMERING ULU", "KABUPATENOGANKOMERINGULU" },
		{ "Ma'rang", "MARANG" },
		{ "S\xc3\xbcKAMAJU", "SUKAMAJU" },
		{ "Sukamaju \xf0\x9f\x98\x80", "SUKAMAJU" },
		{ "\xd8\xa7\xd9\x84" "A", "A" },
		{ "", "" },
	};
	char	 out[NORM_NAME_MAX], small[5];
	size_t	 i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = norm_name(cases[i].in, strlen(cases[i].in), out, sizeof(out));
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("norm_name('%s') = '%s', expected '%s'", cases[i].in, out, cases[i].out);
		assert_int_equal(n, strlen(out));
	}
	n = norm_name("Sukamaju", 8, small, sizeof(small));
	assert_int_equal(n, 8);
	assert_string_equal(small, "SUKA");
	assert_int_equal(norm_name("abc", 3, NULL, 0), 3);
}

static void
test_norm_area_split(void **state)
{
	static const struct {
		const char		*in;
		enum norm_area_kind	 kind;
		const char		*code;
		int			 level;
		const char		*cands;		/* "NAME|QUAL;NAME|QUAL" */
	} cases[] = {
		{ "", NORM_AREA_NONE, "", 0, "" },
		{ "!!", NORM_AREA_NONE, "", 0, "" },
		{ "16", NORM_AREA_CODE, "16", 1, "" },
		{ "1671", NORM_AREA_CODE, "1671", 2, "" },
		{ "167101", NORM_AREA_CODE, "167101", 3, "" },
		{ "1671011001", NORM_AREA_CODE, "1671011001", 4, "" },
		{ "16.71.01.1001", NORM_AREA_CODE, "1671011001", 4, "" },
		{ "16 71", NORM_AREA_CODE, "1671", 2, "" },
		{ "1671 011001", NORM_AREA_CODE, "1671011001", 4, "" },
		{ "167 1011001", NORM_AREA_NUMBER, "1671011001", 0, "" },
		{ "167", NORM_AREA_NUMBER, "167", 0, "" },
		{ "081234567890", NORM_AREA_NUMBER, "081234567890", 0, "" },
		{ "SUKAMAJU", NORM_AREA_NAME, "", 0, "SUKAMAJU|" },
		{ "Suka-Maju", NORM_AREA_NAME, "", 0, "SUKAMAJU|;SUKA|MAJU" },
		{ "SUKAMAJU BABAT", NORM_AREA_NAME, "", 0, "SUKAMAJUBABAT|;SUKAMAJU|BABAT" },
		{ "SUKA MAJU BABAT", NORM_AREA_NAME, "", 0,
		    "SUKAMAJUBABAT|;SUKAMAJU|BABAT;SUKA|MAJUBABAT" },
		{ "desa sukamaju", NORM_AREA_NAME, "", 0, "DESASUKAMAJU|;SUKAMAJU|" },
		{ "sukamaju kec babat", NORM_AREA_NAME, "", 0,
		    "SUKAMAJUKECBABAT|;SUKAMAJUBABAT|;SUKAMAJU|BABAT" },
		{ "sukamaju pak", NORM_AREA_NAME, "", 0, "SUKAMAJUPAK|;SUKAMAJU|PAK;SUKAMAJU|" },
		{ "tanjung mas", NORM_AREA_NAME, "", 0, "TANJUNGMAS|;TANJUNG|MAS;TANJUNG|" },
		{ "sukamaju +6281234567890", NORM_AREA_NAME, "", 0,
		    "SUKAMAJU6281234567890|;SUKAMAJU|6281234567890;SUKAMAJU|" },
		{ "sukamaju 1671011001", NORM_AREA_NAME, "", 0,
		    "SUKAMAJU1671011001|;SUKAMAJU|1671011001" },
		{ "sukamaju 1671", NORM_AREA_NAME, "", 0, "SUKAMAJU1671|;SUKAMAJU|1671" },
		{ "a b c d e f g h i j", NORM_AREA_NAME, "", 0,
		    "ABCDEFGHIJ|;ABCDEFGHI|J;ABCDEFGH|IJ;ABCDEFG|HIJ;ABCDEF|GHIJ;ABCDE|FGHIJ;ABCD|EFGHIJ;"
		    "ABC|DEFGHIJ" },
	};
	struct norm_area	 a;
	char			 got[1024];
	size_t			 i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k = norm_area_split(cases[i].in, strlen(cases[i].in), &a);
		assert_int_equal(k, a.kind);
		got[0] = '\0';
		for (k = 0; k < a.ncand; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s|%s", k ? ";" : "",
			    a.cand[k].name, a.cand[k].qualifier);
		if (a.kind != cases[i].kind || strcmp(a.code, cases[i].code) != 0 ||
		    a.level != cases[i].level || strcmp(got, cases[i].cands) != 0)
			fail_msg("norm_area_split('%s'): kind %d code '%s' level %d cands '%s'; expected "
			    "kind %d code '%s' level %d cands '%s'", cases[i].in, a.kind, a.code, a.level,
			    got, cases[i].kind, cases[i].code, cases[i].level, cases[i].cands);
	}
}

struct pcase {
	const char		*in;
	enum parse_action	 action;
	enum parse_how		 how;
	const char		*alias;
	const char		*area;
	const char		*pin;
	const char		*text;
	unsigned		 choice;
};

static void
run_cases(struct parse_table *t, const struct pcase *cases, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		parse_message(t, cases[i].in, strlen(cases[i].in), &res);
		if (res.action != cases[i].action || res.how != cases[i].how ||
		    strcmp(res.alias, cases[i].alias) != 0 || strcmp(res.area, cases[i].area) != 0 ||
		    strcmp(res.pin, cases[i].pin) != 0 || strcmp(res.text, cases[i].text) != 0 ||
		    res.choice != cases[i].choice)
			fail_msg("parse('%s'): %s/%s alias '%s' area '%s' pin '%s' text '%s' choice %u",
			    cases[i].in, parse_action_name(res.action), parse_how_name(res.how), res.alias,
			    res.area, res.pin, res.text, res.choice);
	}
}

static void
test_parse_keywords(void **state)
{
	static const struct pcase cases[] = {
		{ "DAFTAR SUKAMAJU", PARSE_SUBSCRIBE, PARSE_HOW_EXACT, "DAFTAR", "SUKAMAJU", "", "", 0 },
		{ "daftra x", PARSE_SUBSCRIBE, PARSE_HOW_TYPO, "DAFTAR", "X", "", "", 0 },	/* swap */
		{ "dafar x", PARSE_SUBSCRIBE, PARSE_HOW_TYPO, "DAFTAR", "X", "", "", 0 },	/* delete */
		{ "daftaar x", PARSE_SUBSCRIBE, PARSE_HOW_TYPO, "DAFTAR", "X", "", "", 0 },	/* insert */
		{ "daftor x", PARSE_SUBSCRIBE, PARSE_HOW_TYPO, "DAFTAR", "X", "", "", 0 },	/* substitute */
		{ "adftar", PARSE_SUBSCRIBE, PARSE_HOW_TYPO, "DAFTAR", "", "", "", 0 },	/* first pair */
		{ "daftarr", PARSE_SUBSCRIBE, PARSE_HOW_TYPO, "DAFTAR", "", "", "", 0 },	/* last */
		{ "dfatra", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },		/* two typos */
		{ "rge", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },		/* 3 letters */
		{ "re", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },
		{ "reg", PARSE_SUBSCRIBE, PARSE_HOW_EXACT, "REG", "", "", "", 0 },
		{ "kimm", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },		/* KIM: 3 */
		{ "meku", PARSE_UNKNOWN, PARSE_HOW_AMBIGUOUS, "", "", "", "", 0 },	/* MELU/METU */
		{ "siap", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },		/* ignored */
		{ "siar", PARSE_BROADCAST, PARSE_HOW_EXACT, "SIAR", "", "", "", 0 },
		{ "REG1671", PARSE_SUBSCRIBE, PARSE_HOW_GLUED, "REG", "1671", "", "", 0 },
		{ "REGSUKAMAJU", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },
		{ "STOP1671 pak", PARSE_UNSUBSCRIBE, PARSE_HOW_GLUED, "STOP", "1671 PAK", "", "", 0 },
		{ "stooop", PARSE_UNSUBSCRIBE, PARSE_HOW_STRETCHED, "STOP", "", "", "", 0 },
		{ "offff", PARSE_UNSUBSCRIBE, PARSE_HOW_STRETCHED, "OFF", "", "", "", 0 },
		{ "off", PARSE_UNSUBSCRIBE, PARSE_HOW_EXACT, "OFF", "", "", "", 0 },
		{ "stop pak", PARSE_UNSUBSCRIBE, PARSE_HOW_EXACT, "STOP", "", "", "", 0 },
		{ "stop semua ya", PARSE_UNSUBSCRIBE, PARSE_HOW_EXACT, "STOP", "", "", "", 0 },
		{ "daftar pak", PARSE_SUBSCRIBE, PARSE_HOW_EXACT, "DAFTAR", "PAK", "", "", 0 },
		{ "daftar ya sukamaju ya", PARSE_SUBSCRIBE, PARSE_HOW_EXACT, "DAFTAR", "SUKAMAJU", "", "",
		    0 },
		{ "daftar cinta kasih", PARSE_SUBSCRIBE, PARSE_HOW_EXACT, "DAFTAR", "CINTA KASIH", "",
		    "", 0 },
		{ "daftar x terima kasih", PARSE_SUBSCRIBE, PARSE_HOW_EXACT, "DAFTAR", "X", "", "", 0 },
		{ "1", PARSE_CHOICE, PARSE_HOW_CHOICE, "", "", "", "", 1 },
		{ "99", PARSE_CHOICE, PARSE_HOW_CHOICE, "", "", "", "", 99 },
		{ "0", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },
		{ "00", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },
		{ "100", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },
		{ "", PARSE_UNKNOWN, PARSE_HOW_EMPTY, "", "", "", "", 0 },
		{ "?", PARSE_HELP, PARSE_HOW_EXACT, "?", "", "", "", 0 },
		{ "LAPOR  Jalan\nrusak  ", PARSE_REPORT, PARSE_HOW_EXACT, "LAPOR", "", "",
		    "Jalan\nrusak", 0 },
		{ "LAPOR#:- x", PARSE_REPORT, PARSE_HOW_EXACT, "LAPOR", "", "", "x", 0 },
		{ "KIM  Rapat!", PARSE_GROUP, PARSE_HOW_EXACT, "KIM", "", "", "Rapat!", 0 },
		{ "SIAR 12 1671 Teks", PARSE_BROADCAST, PARSE_HOW_EXACT, "SIAR", "1671", "12", "Teks", 0 },
		{ "SIAR 12 16.71.01.1001 T", PARSE_BROADCAST, PARSE_HOW_EXACT, "SIAR", "16 71 01 1001",
		    "12", "T", 0 },
		{ "SIAR 12 16 71 T", PARSE_BROADCAST, PARSE_HOW_EXACT, "SIAR", "16", "12", "71 T", 0 },
		{ "INFO sukamaju", PARSE_PULL, PARSE_HOW_EXACT, "INFO", "SUKAMAJU", "", "", 0 },
	};
	struct parse_table	*t = parse_table_new();

	(void)state;
	run_cases(t, cases, sizeof(cases) / sizeof(cases[0]));
	parse_table_free(t);
}

static void
test_parse_overwrites_result(void **state)
{
	struct parse_table	*t = parse_table_new();

	(void)state;
	parse_message(t, "SIAR 1234 1671 banjir", 21, &res);
	assert_string_equal(res.pin, "1234");
	parse_message(t, "halo", 4, &res);
	assert_int_equal(res.action, PARSE_UNKNOWN);
	assert_string_equal(res.pin, "");
	assert_string_equal(res.area, "");
	assert_string_equal(res.text, "");
	assert_string_equal(res.alias, "");
	assert_int_equal(res.pattern, -1);
	parse_table_free(t);
}

static void
test_parse_text_offsets(void **state)
{
	struct parse_table	*t = parse_table_new();
	const char		*in = "LAPOR: air \xff naik\n";

	(void)state;
	parse_message(t, in, strlen(in), &res);
	assert_int_equal(res.action, PARSE_REPORT);
	assert_string_equal(res.text, "air \xef\xbf\xbd naik");	/* U+FFFD */
	assert_int_equal(res.text_off, 7);
	assert_int_equal(res.text_len, 10);
	/* an embedded NUL does not cut the text */
	parse_message(t, "LAPOR a\0b", 9, &res);
	assert_string_equal(res.text, "a\xef\xbf\xbd" "b");
	parse_table_free(t);
}

static void
test_parse_long_input(void **state)
{
	struct parse_table	*t = parse_table_new();
	size_t			 n = 100000;
	char			*big = malloc(n);

	(void)state;
	assert_non_null(big);
	memcpy(big, "LAPOR ", 6);
	memset(big + 6, 'x', n - 6);
	parse_message(t, big, n, &res);
	assert_int_equal(res.action, PARSE_REPORT);
	assert_int_equal(res.norm_truncated, 1);
	assert_int_equal(res.text_truncated, 1);
	assert_int_equal(strlen(res.text), PARSE_TEXT_MAX - 1);
	assert_int_equal(res.text_len, n - 6);
	/* a cut never splits a UTF-8 sequence */
	for (size_t i = 6; i + 3 <= n; i += 3)
		memcpy(big + i, "\xe2\x80\xa6", 3);
	parse_message(t, big, n, &res);
	assert_int_equal(strlen(res.text) % 3, 0);
	free(big);
	parse_table_free(t);
}

static void
test_table_load(void **state)
{
	static const char text[] =
	    "# comment\n"
	    "\n"
	    "alias Ndherek subscribe\r\n"
	    "alias OFF help\n"				/* re-alias replaces */
	    "ignore CERITA\n"
	    "filler PAK\n"
	    "pattern ^MAU DAFTAR (?<area>.+)$ subscribe\n"
	    "pattern ^ADUAN (?<pin>\\d+) (?<text>.+)$ report\n"
	    "pattern ^(?:PILIH|NO) (?<choice>\\d+)$ choice\n"
	    "pattern ^minta info$ info\n";
	static const struct pcase cases[] = {
		{ "ndherek sukamaju", PARSE_SUBSCRIBE, PARSE_HOW_EXACT, "NDHEREK", "SUKAMAJU", "", "",
		    0 },
		{ "off", PARSE_HELP, PARSE_HOW_EXACT, "OFF", "", "", "", 0 },
		{ "cerita", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },
		{ "daftar sukamaju pak", PARSE_SUBSCRIBE, PARSE_HOW_EXACT, "DAFTAR", "SUKAMAJU", "", "",
		    0 },
		{ "Mau daftar Suka-Maju pak", PARSE_SUBSCRIBE, PARSE_HOW_PATTERN, "", "SUKA MAJU", "", "",
		    0 },
		{ "aduan 77 Jalan RUSAK!!", PARSE_REPORT, PARSE_HOW_PATTERN, "", "", "77",
		    "Jalan RUSAK!!", 0 },
		{ "pilih 3", PARSE_CHOICE, PARSE_HOW_PATTERN, "", "", "", "", 3 },
		{ "pilih 300", PARSE_UNKNOWN, PARSE_HOW_NONE, "", "", "", "", 0 },
		{ "Minta info", PARSE_PULL, PARSE_HOW_PATTERN, "", "", "", "", 0 },
	};
	struct parse_table	*t = parse_table_new();
	char			 err[256] = "";

	(void)state;
	assert_int_equal(parse_table_load_text(t, text, err, sizeof(err)), 0);
	run_cases(t, cases, sizeof(cases) / sizeof(cases[0]));
	parse_message(t, "aduan 77 Jalan RUSAK!!", 22, &res);
	assert_int_equal(res.pattern, 1);
	parse_table_free(t);
}

static void
test_table_load_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*err;
	} cases[] = {
		{ "alias X\n", "line 1: expected: alias WORD ACTION" },
		{ "\nalias X Y Z\n", "line 2: expected: alias WORD ACTION" },
		{ "alias X dance\n", "line 1: unknown action 'dance'" },
		{ "alias X choice\n", "line 1: unknown action 'choice'" },
		{ "alias 12 help\n", "line 1: alias '12' is a number" },
		{ "alias !!! help\n", "line 1: alias '!!!' is not one word" },
		{ "alias AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA help\n", "line 1: alias 'AAAA" },
		{ "# ok\nfrobnicate X\n", "line 2: unknown directive 'frobnicate'" },
		{ "ignore\n", "line 1: expected: ignore WORD" },
		{ "ignore TWO WORDS\n", "line 1: expected: ignore WORD (one word)" },
		{ "filler ...\n", "line 1: '...' has no letters" },
		{ "pattern subscribe\n", "line 1: expected: pattern REGEX ACTION" },
		{ "pattern ^(A subscribe\n", "line 1: bad pattern at offset 3: missing closing parenthesis" },
		{ "pattern ^A$ nothing\n", "line 1: unknown action 'nothing'" },
	};
	struct parse_table	*t = parse_table_new();
	char			 err[256];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse_table_load_text(t, cases[i].text, err, sizeof(err)), -1);
		if (strncmp(err, cases[i].err, strlen(cases[i].err)) != 0)
			fail_msg("load('%s'): '%s', expected '%s…'", cases[i].text, err, cases[i].err);
	}
	/* all or nothing: nothing from a file with an error further down stays */
	assert_int_equal(parse_table_load_text(t, "alias FOO help\nalias OFF help\n"
	    "pattern ^X$ help\nalias BAR dance\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 4: unknown action 'dance'"));
	parse_message(t, "foo", 3, &res);
	assert_int_equal(res.action, PARSE_UNKNOWN);
	parse_message(t, "off", 3, &res);
	assert_int_equal(res.action, PARSE_UNSUBSCRIBE);
	parse_message(t, "x", 1, &res);
	assert_int_equal(res.action, PARSE_UNKNOWN);
	parse_table_free(t);
}

static void
test_table_too_many_patterns(void **state)
{
	struct parse_table	*t = parse_table_new();
	char			 text[4096] = "", err[256];
	int			 i;

	(void)state;
	for (i = 0; i <= PARSE_MAX_PATTERNS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "pattern ^P%d$ help\n", i);
	assert_int_equal(parse_table_load_text(t, text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many patterns"));
	parse_table_free(t);
}

/* An admin's catastrophic pattern gives up instead of stalling the daemon. */
static void
test_pattern_time_bound(void **state)
{
	static const char *const pats[] = { "(a+)+$", "(a|aa)+$", "(.*a){20}", "((a+)*)*x" };
	struct parse_table	*t;
	char			 line[128], in[1100], err[256];
	double			 t0, ms;
	size_t			 i;

	(void)state;
	memset(in, 'a', 1000);
	memcpy(in + 1000, " !x", 4);
	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		t = parse_table_new();
		snprintf(line, sizeof(line), "pattern %s help\n", pats[i]);
		assert_int_equal(parse_table_load_text(t, line, err, sizeof(err)), 0);
		t0 = mono_now();
		parse_message(t, in, strlen(in), &res);
		ms = (mono_now() - t0) * 1e3;
		print_message("pattern %-12s on 1,000 chars: %.3f ms\n", pats[i], ms);
		assert_int_equal(res.action, PARSE_UNKNOWN);
		/* the budget is 5 ms on the target; allow for sanitizer builds */
		assert_true(ms < 50.0);
		parse_table_free(t);
	}
}

static void
test_names(void **state)
{
	int	 a;

	(void)state;
	for (a = 0; a < PARSE_NACTIONS; a++)
		if (a != PARSE_UNKNOWN)
			assert_int_equal(parse_action_from_name(parse_action_name(a)), a);
	assert_int_equal(parse_action_from_name("SIAR"), PARSE_BROADCAST);
	assert_int_equal(parse_action_from_name("kim"), PARSE_GROUP);
	assert_int_equal(parse_action_from_name("info"), PARSE_PULL);
	assert_int_equal(parse_action_from_name("nope"), -1);
	assert_string_equal(parse_action_name((enum parse_action)99), "unknown");
	assert_string_equal(parse_how_name(PARSE_HOW_STRETCHED), "stretched");
	assert_string_equal(parse_how_name((enum parse_how)99), "none");
	parse_table_free(NULL);
}

/* SETUJU ID PIN: the announcement id and the PIN; CEK keeps what follows as text. */
static void
test_parse_approve_verify(void **state)
{
	static const struct {
		const char	*in;
		long long	 ref;
		const char	*pin;
	} cases[] = {
		{ "SETUJU 12 1234", 12, "1234" }, { "setuju#7#98765", 7, "98765" }, { "APPROVE 3", 3, "" },
		{ "SETUJU abc 1234", 0, "1234" }, { "SETUJU", 0, "" }, { "SETUJU 1234567890123 1", 0, "1" },
	};
	struct parse_table	*t = parse_table_new();
	struct parse_result	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_message(t, cases[i].in, strlen(cases[i].in), &r), PARSE_APPROVE);
		assert_int_equal(r.ref, cases[i].ref);
		assert_string_equal(r.pin, cases[i].pin);
	}
	assert_int_equal(parse_message(t, "CEK K7QXA", 9, &r), PARSE_VERIFY);
	assert_string_equal(r.text, "K7QXA");
	assert_int_equal(r.ref, 0);
	/* a later message does not keep the id */
	assert_int_equal(parse_message(t, "INFO", 4, &r), PARSE_PULL);
	assert_int_equal(r.ref, 0);
	assert_int_equal(parse_action_from_name("cek"), PARSE_VERIFY);
	assert_int_equal(parse_action_from_name("setuju"), PARSE_APPROVE);
	parse_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_norm_text),
		cmocka_unit_test(test_norm_text_map),
		cmocka_unit_test(test_norm_text_truncation),
		cmocka_unit_test(test_norm_name),
		cmocka_unit_test(test_norm_area_split),
		cmocka_unit_test(test_parse_keywords),
		cmocka_unit_test(test_parse_overwrites_result),
		cmocka_unit_test(test_parse_text_offsets),
		cmocka_unit_test(test_parse_long_input),
		cmocka_unit_test(test_table_load),
		cmocka_unit_test(test_table_load_errors),
		cmocka_unit_test(test_table_too_many_patterns),
		cmocka_unit_test(test_pattern_time_bound),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse_approve_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
