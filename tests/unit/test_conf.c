/* test_conf — the INI reader: values, defaults, errors with line numbers, and the sample. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf.h"

static char *
write_tmp(const char *text)
{
	static char	 path[64];
	int		 fd;

	snprintf(path, sizeof(path), "/tmp/kt-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static struct conf *
load(const char *text, char *err, size_t len)
{
	char		*path = write_tmp(text);
	struct conf	*c = conf_load(path, err, len);

	unlink(path);
	return c;
}

static void
test_values(void **state)
{
	char		 err[512];
	struct conf	*c = load(
	    "; comment\n"
	    "[gateway]\n"
	    "database = /tmp/x.db ; trailing comment\n"
	    "areas = 1671, 1672\n"
	    "language = en\n"
	    "reply_limit = 5\n"
	    "incomplete_timeout = 15m\n"
	    "[modem tsel-1]    ; a modem\n"
	    "connection = at\n"
	    "device = /dev/ttyUSB0\n"
	    "model = at\n"
	    "rate = 20/min\n"
	    "daily_limit = 300\n"
	    "delivery_reports = yes\n"
	    "[modem dummy]\n"
	    "connection = none\n"
	    "model = dummy\n"
	    "device = \"phone dir\"\n"
	    "rate = 0\n"
	    "[http]\n"
	    "listen = 127.0.0.1:9090\n"
	    "token = secret\n"
	    "session_idle = 20m\n"
	    "login_lock = 1h\n", err, sizeof(err));

	assert_non_null(c);
	assert_string_equal(c->database, "/tmp/x.db");
	assert_string_equal(c->areas, "1671, 1672");
	assert_string_equal(c->language, "en");
	assert_int_equal(c->reply_limit, 5);
	assert_int_equal(c->incomplete_timeout_s, 900);
	assert_string_equal(c->country, "62");			/* default */
	assert_int_equal(c->nmodems, 2);
	assert_string_equal(c->modems[0].name, "tsel-1");
	assert_string_equal(conf_modem_gammu(&c->modems[0], "device"), "/dev/ttyUSB0");
	assert_int_equal(c->modems[0].rate.count, 20);
	assert_int_equal(c->modems[0].rate.per_s, 60);
	assert_int_equal(c->modems[0].daily_limit, 300);
	assert_int_equal(c->modems[0].delivery_reports, 1);
	assert_int_equal(c->modems[0].poll_ms, 1000);
	assert_string_equal(conf_modem_gammu(&c->modems[1], "device"), "phone dir");
	assert_int_equal(c->modems[1].rate.per_s, 0);
	assert_int_equal(c->http_enabled, 1);
	assert_string_equal(c->http_listen, "127.0.0.1:9090");
	assert_string_equal(c->http_token, "secret");
	assert_int_equal(c->web_idle_s, 1200);
	assert_int_equal(c->web_life_s, 12 * 3600);		/* default */
	assert_int_equal(c->web_lock_after, 5);			/* default */
	assert_int_equal(c->web_lock_s, 3600);
	conf_free(c);
}

static void
test_relative_paths(void **state)
{
	char		 err[512];
	struct conf	*c = load("[gateway]\ndatabase = var/k.db\n", err, sizeof(err));

	assert_non_null(c);
	assert_string_equal(c->database, "/tmp/var/k.db");
	assert_string_equal(c->lockfile, "/tmp/var/k.db.lock");
	conf_free(c);
}

static const struct {
	const char	*text;
	const char	*error;		/* substring expected in the message */
} bad[] = {
	{ "[gateway]\nfoo = 1\n", ":2: unknown key 'foo' in [gateway]" },
	{ "[gatway]\n", ":1: unknown section [gatway]" },
	{ "x = 1\n", ":1: key 'x' outside a section" },
	{ "[gateway]\nreply_limit = many\n", ":2: reply_limit = many: expected a whole number" },
	{ "[gateway]\nreply_limit = 1000\n", ":2: reply_limit = 1000: out of range" },
	{ "[gateway]\n\n\nlanguage = jv\n", "language = jv: expected id or en" },
	{ "[modem a]\nconnection = at\nrate = fast\n", ":3: rate = fast: expected a rate" },
	{ "[modem a]\nconnection = at\n[modem a]\nconnection = at\n", ":3: [modem a] appears twice" },
	{ "[modem a]\ndevice = /dev/x\n", ":1: [modem a] needs connection" },
	{ "[modem]\n", ":1: unknown section [modem]" },
	{ "[gateway]\njust a line\n", ":2: expected KEY = VALUE" },
	{ "[http]\nlisten = localhost\n", ":2: listen = localhost: expected ADDRESS:PORT" },
	{ "[http]\nlisten = 127.0.0.1:99999\n", "port must be a number from 1 to 65535" },
	{ "[modem a]\nconnection = at\nenabled = maybe\n", ":3: enabled = maybe: expected yes or no" },
	{ "[gateway]\ncountry = +62\n", "country = +62: expected a calling code" },
	{ "[gateway\n", ":1: malformed section header" },
	{ "[gateway]\nkeywords = \"unterminated\n", ":2: unterminated quote" },
	{ "[gateway] language = en\n", ":1: malformed section header" },
	{ "[gateway]\n[gateway]\n", ":2: [gateway] appears twice" },
	{ "[http]\n[gateway]\n[http]\n", ":3: [http] appears twice" },
	{ "[modem a/b]\n", ":1: a modem name must be 1-64 characters" },
};

static void
test_errors(void **state)
{
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char		 err[512] = "";
		struct conf	*c = load(bad[i].text, err, sizeof(err));

		if (c != NULL || strstr(err, bad[i].error) == NULL)
			fail_msg("case %zu: expected error containing \"%s\", got \"%s\"", i, bad[i].error,
			    c ? "(accepted)" : err);
	}
}

/* A line may hold 4094 bytes; a longer one is an error with its number, not cut in two. */
static void
test_long_line(void **state)
{
	char		 err[512], *text = malloc(2 * 4096 + 64), *p = text;
	struct conf	*c;

	p += sprintf(p, "[gateway]\n;");
	memset(p, 'x', 4093);
	p += 4093;
	p += sprintf(p, "\ncountry = 62\n;");
	memset(p, 'x', 4094);
	p += 4094;
	sprintf(p, "\n");
	c = load(text, err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, ":4: line too long"));
	p[-1] = '\0';		/* 4094 bytes: fine */
	c = load(text, err, sizeof(err));
	assert_non_null(c);
	conf_free(c);
	free(text);
}

static void
test_missing_file(void **state)
{
	char	 err[512];

	assert_null(conf_load("/nonexistent/kentongan.conf", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
}

/* The sample is the reference: it must load, and every key of the table must be in it. */
static void
test_sample(void **state)
{
	char		 err[512], *text;
	struct conf	*c = conf_load("kentongan.conf.sample", err, sizeof(err));
	FILE		*f;
	long		 len;
	const char	*section, *name;
	int		 i;

	if (c == NULL)
		fail_msg("kentongan.conf.sample: %s", err);
	conf_free(c);
	f = fopen("kentongan.conf.sample", "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	for (i = 0; conf_key_at(i, &section, &name) == 0; i++) {
		char	 pat[80];

		snprintf(pat, sizeof(pat), "\n%s ", name);
		if (strstr(text, pat) == NULL) {
			snprintf(pat, sizeof(pat), "\n; %s ", name);
			if (strstr(text, pat) == NULL)
				fail_msg("key [%s] %s is not documented in kentongan.conf.sample", section, name);
		}
	}
	free(text);
}

/* Every value the sample shows is the default: `-n -v` of a file that sets nothing prints the same
 * configuration as the sample (daily_limit showed 500 in the sample and 0 in `-n -v`). */
static void
test_sample_defaults(void **state)
{
	static const char *minimal = "[gateway]\n[modem telkomsel-1]\nconnection = at\n"
	    "device = /dev/ttyUSB0\nmodel = at\n[http]\n";
	const char	*path = ".kt-defaults-test.conf";	/* beside the sample: same relative paths */
	char		 err[512], *a = NULL, *b = NULL, *la, *lb, *sa, *sb;
	size_t		 alen = 0, blen = 0;
	struct conf	*cs, *cm;
	FILE		*f;

	f = fopen(path, "w");
	assert_non_null(f);
	fputs(minimal, f);
	fclose(f);
	cs = conf_load("kentongan.conf.sample", err, sizeof(err));
	cm = conf_load(path, err, sizeof(err));
	unlink(path);
	if (cs == NULL || cm == NULL)
		fail_msg("%s", err);
	f = open_memstream(&a, &alen);
	conf_dump(cs, f);
	fclose(f);
	f = open_memstream(&b, &blen);
	conf_dump(cm, f);
	fclose(f);
	/* line by line, the first (naming the file) aside */
	la = strtok_r(a, "\n", &sa);
	lb = strtok_r(b, "\n", &sb);
	for (la = strtok_r(NULL, "\n", &sa), lb = strtok_r(NULL, "\n", &sb); la || lb;
	    la = strtok_r(NULL, "\n", &sa), lb = strtok_r(NULL, "\n", &sb)) {
		if (la == NULL || lb == NULL || strcmp(la, lb) != 0)
			fail_msg("the sample shows '%s' where the default is '%s'", la ? la : "(nothing)",
			    lb ? lb : "(nothing)");
	}
	free(a);
	free(b);
	conf_free(cs);
	conf_free(cm);
}

static void
test_rate_duration(void **state)
{
	struct conf_rate	 r;
	long			 d;

	assert_int_equal(conf_parse_rate("10/min", &r), 0);
	assert_int_equal(r.count, 10);
	assert_int_equal(r.per_s, 60);
	assert_int_equal(conf_parse_rate("1/s", &r), 0);
	assert_int_equal(r.per_s, 1);
	assert_int_equal(conf_parse_rate("600/h", &r), 0);
	assert_int_equal(r.per_s, 3600);
	assert_int_equal(conf_parse_rate("0", &r), 0);
	assert_int_equal(r.per_s, 0);
	assert_int_equal(conf_parse_rate("10", &r), -1);
	assert_int_equal(conf_parse_rate("10/week", &r), -1);
	assert_int_equal(conf_parse_rate("-1/s", &r), -1);
	assert_int_equal(conf_parse_duration("90", &d), 0);
	assert_int_equal(d, 90);
	assert_int_equal(conf_parse_duration("10m", &d), 0);
	assert_int_equal(d, 600);
	assert_int_equal(conf_parse_duration("6h", &d), 0);
	assert_int_equal(d, 21600);
	assert_int_equal(conf_parse_duration("2d", &d), 0);
	assert_int_equal(d, 172800);
	assert_int_equal(conf_parse_duration("soon", &d), -1);
	assert_int_equal(conf_parse_duration("5y", &d), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_sample_defaults),
		cmocka_unit_test(test_rate_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
