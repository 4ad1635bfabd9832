/* test_table — the console's output formats: JSON escaping, CSV quoting, arrays, text columns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/table.h"

static const char *names[] = { "id", "text", "areas" };

static char *
render(enum table_format fmt, const char *text)
{
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f = open_memstream(&buf, &len);
	struct table		*t = table_new(f, fmt);
	const char		*values[] = { "7", text, "[\"1671\",\"1672\"]" };
	int			 types[] = { TABLE_COL_INT, TABLE_COL_TEXT, TABLE_COL_JSON };
	struct table_row	 r = { 3, names, values, types };

	table_row(t, &r);
	table_end(t);
	fclose(f);
	return buf;
}

static void
test_json(void **state)
{
	char	*out = render(TABLE_JSON, "say \"hi\"\\\nbaris\tdua\x01");

	assert_string_equal(out, "[\n{\"id\":7,\"text\":\"say \\\"hi\\\"\\\\\\nbaris\\tdua\\u0001\","
	    "\"areas\":[\"1671\",\"1672\"]}\n]\n");
	free(out);
	out = render(TABLE_JSON, "x");
	assert_non_null(strstr(out, "\"areas\":[\"1671\",\"1672\"]"));
	free(out);
}

static void
test_csv(void **state)
{
	char	*out = render(TABLE_CSV, "Bu Siti, \"KIM\" Maju");

	assert_string_equal(out, "id,text,areas\r\n7,\"Bu Siti, \"\"KIM\"\" Maju\",1671;1672\r\n");
	free(out);
}

static void
test_text(void **state)
{
	char	 long_text[200], *out;

	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	memcpy(long_text, "Ümlaut ", 8);	/* multi-byte characters count as one column */
	out = render(TABLE_TEXT, long_text);
	/* header and row line up: the text column is cut to 60 columns with an ellipsis */
	assert_non_null(strstr(out, "\xe2\x80\xa6  1671;1672\n"));
	{
		const char *nl = strchr(out, '\n');
		const char *row = nl + 1;
		size_t hdr_areas = (size_t)(strstr(out, "areas") - out);
		size_t row_areas = (size_t)(strstr(row, "1671;1672") - row);

		/* byte offsets differ by the extra UTF-8 bytes: Ü (1) and … (2) */
		assert_int_equal(row_areas - 3, hdr_areas);
	}
	free(out);
	out = render(TABLE_TEXT, "line one\nline two");
	assert_non_null(strstr(out, "line one line two"));
	free(out);
}

static void
test_escape(void **state)
{
	char	 big[64], small[12];

	assert_string_equal(json_escape("a\"b\\c", big, sizeof(big)), "a\\\"b\\\\c");
	/* cut at a character boundary, never inside an escape or a UTF-8 sequence */
	json_escape("éééééééé", small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
	assert_int_equal(strlen(small) % 2, 0);
}

/* Finding 1: an SMS must not drive the official's terminal (CSI, OSC 52 clipboard, OSC 0 title,
 * U+202E) in text or CSV output; --json stays lossless. */
static void
test_terminal_escapes(void **state)
{
	const char	*evil = "aman\x1b[2J\x1b[H\x1b[8m \x1b]52;c;ZXZpbA==\x07 \x1b]0;t\x07";
	const char	*evil2 = "\xe2\x80\xae gnp.exe \xc2\x9b" "1m \x7f \xe2\x81\xa6x \xff";
	enum table_format fmts[] = { TABLE_TEXT, TABLE_CSV };
	size_t		 i;
	char		*out;

	for (i = 0; i < 2; i++) {
		out = render(fmts[i], evil);
		assert_null(strchr(out, 0x1b));
		assert_null(strchr(out, 0x07));
		/* visible instead: the control picture for ESC */
		assert_non_null(strstr(out, "aman\xe2\x90\x9b[2J"));
		free(out);
		out = render(fmts[i], evil2);
		assert_null(strchr(out, 0x7f));
		assert_null(strstr(out, "\xe2\x80\xae"));	/* U+202E */
		assert_null(strstr(out, "\xe2\x81\xa6"));	/* U+2066 */
		assert_null(strstr(out, "\xc2\x9b"));		/* C1 CSI */
		assert_null(strchr(out, 0xff));
		/* the code point of the bidi mark, U+FFFD for a byte that is not UTF-8 */
		assert_non_null(strstr(out, "<U+202E> gnp.exe"));
		assert_non_null(strstr(out, "<U+009B>1m"));
		assert_non_null(strstr(out, "\xef\xbf\xbd"));
		free(out);
	}
	/* JSON keeps every character (escaped where JSON needs it) */
	out = render(TABLE_JSON, evil);
	assert_non_null(strstr(out, "aman\\u001b[2J"));
	free(out);
	out = render(TABLE_JSON, evil2);
	assert_non_null(strstr(out, "\xe2\x80\xae gnp.exe"));
	free(out);
	/* a lone CR would return the cursor and hide what came before it */
	out = render(TABLE_CSV, "ok\rEVIL\r\nnext");
	assert_non_null(strstr(out, "ok\xe2\x90\x8d" "EVIL\r\nnext"));
	free(out);
}

/* Finding 7: cells that a spreadsheet would run are prefixed with ' (numbers are left alone). */
static void
test_csv_formula(void **state)
{
	static const struct {
		const char *in, *cell;
	} cases[] = {
		{ "=HYPERLINK(\"http://evil.example\",\"Klik\")",
		  "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Klik\"\")\"" },
		{ "+1+cmd|' /C calc'!A0", "\"'+1+cmd|' /C calc'!A0\"" },
		{ "-2+3", "\"'-2+3\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\t=1", "\"'\t=1\"" },
		{ "\r=1", "\"'\xe2\x90\x8d=1\"" },
		{ "+6281234567890", "+6281234567890" },
		{ "-12.5", "-12.5" },
		{ "aman = damai", "aman = damai" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char	*out = render(TABLE_CSV, cases[i].in), want[256];

		snprintf(want, sizeof(want), "\r\n7,%s,1671;1672\r\n", cases[i].cell);
		if (strstr(out, want) == NULL)
			fail_msg("case %zu: %s does not contain %s", i, out, want);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_terminal_escapes),
		cmocka_unit_test(test_csv_formula),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
