/* test_csv — the bulk imports' CSV reader (finding 3 of the security review): over-long lines and
 * fields, too many fields and unclosed quotes are one per-line error each, and the reader never
 * writes past its buffer (a guard after it must stay intact) nor stops making progress. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"

struct guarded {
	char	 buf[64];
	char	 guard[64];
};

static void
test_fields(void **state)
{
	const char	*in = "a,\"b,\"\"c\"\"\",\r\n\"multi\nline\",x\nlast", *p = in, *end = in + strlen(in);
	char		 buf[64], *f[8];

	assert_int_equal(csv_record(&p, end, buf, sizeof(buf), f, 8), 3);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "b,\"c\"");
	assert_string_equal(f[2], "");
	assert_int_equal(csv_record(&p, end, buf, sizeof(buf), f, 8), 2);
	assert_string_equal(f[0], "multi\nline");
	assert_int_equal(csv_record(&p, end, buf, sizeof(buf), f, 8), 1);
	assert_string_equal(f[0], "last");
	assert_int_equal(csv_record(&p, end, buf, sizeof(buf), f, 8), CSV_END);
}

/* The reported crash: a line that fills the buffer, then empty fields (2,047 characters and 7
 * commas against a 2,048-byte buffer; here 63 and 7 against 64). */
static void
test_overflow(void **state)
{
	char		 line[256], *f[8];
	const char	*p, *end;
	struct guarded	 g;
	size_t		 fill;

	for (fill = 50; fill < 70; fill++) {
		memset(line, 'x', fill);
		memcpy(line + fill, ",,,,,,,\n+62812,1671\n", 21);
		memset(g.guard, 0x5a, sizeof(g.guard));
		p = line;
		end = line + strlen(line);
		int rc = csv_record(&p, end, g.buf, sizeof(g.buf), f, 8);
		for (size_t i = 0; i < sizeof(g.guard); i++)
			assert_int_equal(g.guard[i], 0x5a);
		if (fill + 8 > sizeof(g.buf))
			assert_int_equal(rc, CSV_TOO_LONG);
		/* the bad line is skipped whole; the next one reads normally */
		assert_int_equal(csv_record(&p, end, g.buf, sizeof(g.buf), f, 8), 2);
		assert_string_equal(f[0], "+62812");
		assert_int_equal(csv_record(&p, end, g.buf, sizeof(g.buf), f, 8), CSV_END);
	}
}

static void
test_errors_progress(void **state)
{
	const char	*in = "1,2,3,4,5,6,7,8,9\n\"long,\nquoted " "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
	    "\",z\nok,1\n\"never closed\nmore\n";
	const char	*p = in, *end = in + strlen(in);
	char		 buf[64], *f[8];

	assert_int_equal(csv_record(&p, end, buf, sizeof(buf), f, 8), CSV_TOO_LONG);	/* 9 fields */
	assert_int_equal(csv_record(&p, end, buf, sizeof(buf), f, 8), CSV_TOO_LONG);	/* long, quoted newline */
	assert_int_equal(csv_record(&p, end, buf, sizeof(buf), f, 8), 2);
	assert_string_equal(f[0], "ok");
	assert_int_equal(csv_record(&p, end, buf, sizeof(buf), f, 8), CSV_BAD_QUOTE);
	assert_int_equal(csv_record(&p, end, buf, sizeof(buf), f, 8), CSV_END);
	/* tiny buffers */
	p = "a,b\n";
	end = p + 4;
	assert_int_equal(csv_record(&p, end, buf, 1, f, 8), CSV_TOO_LONG);
	assert_int_equal(csv_record(&p, end, buf, 1, f, 8), CSV_END);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_errors_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
