/* test_log — log lines are one line each and display-safe; phone numbers are masked whatever their
 * length (finding 1 and the LOW list of the security review). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

/* Runs one log_info with stderr sent to a temporary file; returns what was written. */
static char *
captured(const char *fmt, const char *arg)
{
	FILE	*tmp = tmpfile();
	int	 saved = dup(2);
	char	*buf = calloc(1, 8192);
	size_t	 n;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	log_info(fmt, arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, 8191, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

static void
test_one_line(void **state)
{
	char	*out;

	log_init("test", 1, LOG_LVL_INFO);
	/* a USSD sessionId with a newline must not forge a second log line */
	out = captured("ussd session=%s from=x", "abc\n00:00:00.000 error: forged\x1b]0;t\x07");
	assert_int_equal(strchr(out, '\n') - out + 1, strlen(out));
	assert_null(strchr(out, 0x1b));
	assert_null(strchr(out, 0x07));
	assert_non_null(strstr(out, "abc\xe2\x90\x8a" "00:00:00.000 error: forged\xe2\x90\x9b]0;t\xe2\x90\x87 from=x"));
	free(out);
	out = captured("from=%s", "\xe2\x80\xae" "abc");
	assert_non_null(strstr(out, "from=<U+202E>abc\n"));
	free(out);
}

static void
test_msisdn_mask(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "+6281234567890", "+*********7890" },
		{ "+628123456", "+*****3456" },
		{ "08123", "*8123" },
		{ "1234", "1234" },
		{ "TELKOMSEL", "TELKOMSEL" },
		{ "INFO\x1b[2J", "INFO\xe2\x90\x9b[2J" },
	};
	char	 buf[40];
	size_t	 i;

	log_init("test", 1, LOG_LVL_INFO);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(log_msisdn(cases[i].in, buf), cases[i].out);
	log_setlevel(LOG_LVL_DEBUG);
	assert_string_equal(log_msisdn("+6281234567890", buf), "+6281234567890");
	log_setlevel(LOG_LVL_INFO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_msisdn_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
