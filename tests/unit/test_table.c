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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
