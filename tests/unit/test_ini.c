/* test_ini — the one INI line reader: sections, keys, comments, blank lines, malformed lines with
 * their line numbers, CRLF, long lines, quotes and inline comments, and the file wrapper. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ini.h"

/* Every line the reader hands on, as "LINE KIND name|key=value" in one string. */
struct seen {
	char	 out[32768];
	int	 stop_at;	/* stop (return 7) at this line; 0: never */
};

static int
record_cb(const struct ini_line *l, void *arg)
{
	struct seen	*s = arg;
	size_t		 o = strlen(s->out);

	switch (l->kind) {
	case INI_SECTION:
		snprintf(s->out + o, sizeof(s->out) - o, "%d [%s]\n", l->lineno, l->name);
		break;
	case INI_KEY:
		snprintf(s->out + o, sizeof(s->out) - o, "%d %s=%s\n", l->lineno, l->key, l->value);
		break;
	default:
		snprintf(s->out + o, sizeof(s->out) - o, "%d bad%d %s (%s) %s\n", l->lineno, (int)l->kind,
		    ini_why(l->kind), l->name ? l->name : "-", l->text);
		break;
	}
	return l->lineno == s->stop_at ? 7 : 0;
}

static const char *
run(const char *text, int flags)
{
	static struct seen s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(ini_parse(text, flags, record_cb, &s), 0);
	return s.out;
}

static void
test_sections_keys_comments(void **state)
{
	assert_string_equal(run(
	    "; a comment\n"
	    "# another\n"
	    "\n"
	    "   \t\n"
	    "top = level\n"
	    "[ gateway ]\n"
	    "  key   =   some value  \n"
	    "empty =\n"
	    "eq = a=b\n"
	    "[modem tsel-1] ; note\n"
	    "[x] # note\n"
	    "last=1", 0),
	    "5 top=level\n"
	    "6 [gateway]\n"
	    "7 key=some value\n"
	    "8 empty=\n"
	    "9 eq=a=b\n"
	    "10 [modem tsel-1]\n"
	    "11 [x]\n"
	    "12 last=1\n");
	assert_string_equal(run("", 0), "");
	assert_string_equal(run("\n\n", 0), "");
}

static void
test_malformed(void **state)
{
	assert_string_equal(run(
	    "[open\n"
	    "[x] junk\n"
	    "just words\n"
	    "[]\n", 0),
	    "1 bad2 malformed section header (-) [open\n"
	    "2 bad2 malformed section header (x) [x] junk\n"
	    "3 bad3 expected KEY = VALUE (-) just words\n"
	    "4 []\n");
}

static void
test_crlf(void **state)
{
	assert_string_equal(run("[a]\r\nk = v\r\n\r\n; c\r\nz=\"q\"\r\n", INI_QUOTES),
	    "1 [a]\n2 k=v\n5 z=q\n");
}

static void
test_values(void **state)
{
	/* without flags a value is the rest of the line */
	assert_string_equal(run("re = (\\d+);x # y\nq = \"a ; b\" c\n", 0),
	    "1 re=(\\d+);x # y\n2 q=\"a ; b\" c\n");
	assert_string_equal(run(
	    "a = x ; c\n"
	    "b = x # c\n"
	    "c = x;y#z\n"
	    "d =   ; empty\n"
	    "e = #123#\n"
	    "f = # c\n"
	    "g = \"a ; b\" rest\n"
	    "h = \"open\n"
	    "i = \"\"\n", INI_QUOTES | INI_COMMENTS),
	    "1 a=x\n2 b=x\n3 c=x;y#z\n4 d=\n5 e=#123#\n6 f=\n7 g=a ; b\n"
	    "8 bad4 unterminated quote (-) h = \"open\n"
	    "9 i=\n");
}

static void
test_long_lines(void **state)
{
	char	*text = malloc(3 * INI_LINE_MAX + 64), *p = text;
	char	 want[64];

	p += sprintf(p, "[s]\nk = ");
	memset(p, 'v', INI_LINE_MAX - 4);	/* "k = " + this: exactly INI_LINE_MAX */
	p += INI_LINE_MAX - 4;
	p += sprintf(p, "\nl = ");
	memset(p, 'w', INI_LINE_MAX - 3);	/* one byte more */
	p += INI_LINE_MAX - 3;
	p += sprintf(p, "\nm = 1\n");
	{
		struct seen *s = calloc(1, sizeof(*s));

		assert_int_equal(ini_parse(text, INI_LINE_LIMIT, record_cb, s), 0);
		assert_memory_equal(s->out, "1 [s]\n2 k=vvv", 13);
		snprintf(want, sizeof(want), "\n3 bad5 line too long (-) l = www");
		assert_non_null(strstr(s->out, want));
		assert_non_null(strstr(s->out, "\n4 m=1\n"));
		/* without the limit the line is a key like any other */
		memset(s, 0, sizeof(*s));
		assert_int_equal(ini_parse(text, 0, record_cb, s), 0);
		assert_non_null(strstr(s->out, "\n3 l=www"));
		assert_null(strstr(s->out, "too long"));
		free(s);
	}
	free(text);
}

static void
test_stop(void **state)
{
	struct seen	 s;

	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	assert_int_equal(ini_parse("a=1\nb=2\nc=3\n", 0, record_cb, &s), 7);
	assert_string_equal(s.out, "1 a=1\n2 b=2\n");
}

/* A gammurc-format profile: only [gammu]'s keys, matched as libGammu does ("[GAMMU]", "[gammu]x"). */
static void
test_section(void **state)
{
	struct seen		 s;
	struct ini_section	 gammu = { "gammu", record_cb, &s, 0 };

	memset(&s, 0, sizeof(s));
	assert_int_equal(ini_parse(
	    "before = 0\n"
	    "[GAMMU]\n"
	    "device = /dev/ttyUSB0\n"
	    "no equals here\n"
	    "[kentongan]\n"
	    "usb = 12d1:1001\n"
	    "[gammu1]\n"
	    "model = x\n"
	    "[gammu]trailing\n"
	    "connection = at\n"
	    "[gamm\n"
	    "after = 1\n", 0, ini_section_cb, &gammu), 0);
	assert_string_equal(s.out, "3 device=/dev/ttyUSB0\n10 connection=at\n");
}

static void
test_file(void **state)
{
	char		 path[] = "/tmp/kt-ini-XXXXXX";
	static const char text[] = "[a]\nk = v\nnul = x\0y\nafter = 1\n";
	struct seen	 s;
	int		 fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	memset(&s, 0, sizeof(s));
	assert_int_equal(ini_parse_file(path, 0, record_cb, &s), 0);
	assert_string_equal(s.out, "1 [a]\n2 k=v\n3 bad6 a NUL byte (is this a text file?) (-) nul = x\n"
	    "4 after=1\n");
	unlink(path);
	errno = 0;
	assert_int_equal(ini_parse_file(path, 0, record_cb, &s), INI_EOPEN);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ini_parse_file("/tmp", 0, record_cb, &s), INI_EREAD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_keys_comments),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_section),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
