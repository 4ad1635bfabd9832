/* test_fs — reading a whole text file (keywords, USSD menu): the text, and each refusal's message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fs.h"

static char	 dir[] = "/tmp/kt-test-fs-XXXXXX";

static const char *
put(const char *name, const void *data, size_t len)
{
	static char	 path[256];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static void
test_read_text(void **state)
{
	char	 err[256] = "", *t;

	(void)state;
	t = fs_read_text(put("ok", "DAFTAR = REG\n", 13), 64, "keywords file", err, sizeof(err));
	assert_non_null(t);
	assert_string_equal(t, "DAFTAR = REG\n");
	free(t);
	/* exactly max bytes is fine; one more is not, and the message says the limit */
	t = fs_read_text(put("max", "0123456789", 10), 10, "keywords file", err, sizeof(err));
	assert_non_null(t);
	free(t);
	assert_null(fs_read_text(put("big", "01234567890", 11), 10, "keywords file", err, sizeof(err)));
	assert_non_null(strstr(err, "/big: larger than 10 bytes"));
	assert_non_null(strstr(err, "keywords file "));
	assert_null(fs_read_text(put("nul", "ab\0cd", 5), 64, "USSD menu", err, sizeof(err)));
	assert_non_null(strstr(err, "USSD menu "));
	assert_non_null(strstr(err, "/nul: contains NUL bytes"));
	assert_null(fs_read_text("/nonexistent/kt-menu.conf", 64, "USSD menu", err, sizeof(err)));
	assert_string_equal(err, "USSD menu /nonexistent/kt-menu.conf: No such file or directory");
	t = fs_read_text(put("empty", "", 0), 64, "keywords file", err, sizeof(err));
	assert_non_null(t);
	assert_string_equal(t, "");
	free(t);
}

static void
test_mb_message(void **state)
{
	char	 err[256] = "", *big = calloc(1, 1024 * 1024 + 1);

	(void)state;
	memset(big, 'a', 1024 * 1024 + 1);
	assert_null(fs_read_text(put("huge", big, 1024 * 1024 + 1), 1024 * 1024, "keywords file", err, sizeof(err)));
	assert_non_null(strstr(err, ": larger than 1 MB"));
	free(big);
}

static void
test_mkdir_parent(void **state)
{
	char		 path[256];
	struct stat	 sb;

	(void)state;
	snprintf(path, sizeof(path), "%s/var/kentongan.db", dir);
	assert_int_equal(fs_mkdir_parent(path), 0);
	snprintf(path, sizeof(path), "%s/var", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	snprintf(path, sizeof(path), "%s/var/kentongan.db", dir);
	assert_int_equal(fs_mkdir_parent(path), 0);	/* already there */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_text),
		cmocka_unit_test(test_mb_message),
		cmocka_unit_test(test_mkdir_parent),
	};
	int rc;
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return rc;
}
