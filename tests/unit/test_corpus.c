/*
 * test_corpus — runs every SMS in the *.txt files of tests/corpus (or $KT_CORPUS) through
 * parse_message() with the built-in table plus parsers/keywords.conf (or $KT_KEYWORDS) and checks the
 * expected action and arguments (format below and in tests/corpus/README.md).
 *
 * Corpus file format (one message per file, named after what it taught us):
 *	# free comment lines
 *	expect: subscribe|unsubscribe|pull|report|group|broadcast|help|choice|unknown   (required)
 *	area: WORDS          normalised area; absent = must be empty
 *	pin: PIN             absent = must be empty
 *	text: TEXT           C escapes \n \r \t \\; absent = must be empty (unless text-len is given)
 *	choice: N            absent = must be 0
 *	how: exact|typo|…    optional (parse_how_name); alias: WORD, keyword: WORD optional
 *	text-len: N          optional byte length of text; text-truncated: 0|1 optional
 *	area-kind: none|code|number|name, area-code: DIGITS   optional, checks norm_area_split(area)
 *	cand: NAME|QUALIFIER optional, repeatable: the first candidates of norm_area_split, in order
 *	text-hex: 41 42 …    the raw message as hex (for invalid UTF-8); then there is no body
 *	---
 *	raw message bytes, exactly, to the end of the file
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parsers/norm.h"
#include "parsers/parse.h"

#define CORPUS_MIN	150

static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	if (lenp != NULL)
		*lenp = (size_t)n;
	return buf;
}

static void
unescape(char *s)
{
	char	*o = s;

	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s;
			continue;
		}
		s++;
		*o++ = *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s == 't' ? '\t' : *s;
	}
	*o = '\0';
}

struct expect {
	char	 action[32], how[32], alias[64], keyword[64], area[256], pin[64], kind[16];
	char	 code[32], text[4096], cand[8][160], choice[16];
	int	 has_how, has_alias, has_keyword, has_text, has_len, has_trunc, has_kind, has_code;
	size_t	 text_len, ncand;
	int	 trunc;
};

static int	 failures;

static void
case_fail(const char *file, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "corpus %s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

#define SET(field, v)	snprintf(e->field, sizeof(e->field), "%s", (v))

/* Parses the header; sets *body and *blen to the message (hex decoded into hexbuf). 0 or -1. */
static int
parse_case(const char *file, char *data, size_t dlen, struct expect *e, const char **body,
    size_t *blen, unsigned char *hexbuf, size_t hexsz)
{
	char		*p = data, *nl, *v;
	unsigned	 x;
	size_t		 n = 0;
	int		 hex = 0, off;

	memset(e, 0, sizeof(*e));
	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (strcmp(p, "---") == 0) {
			if (nl == NULL) {
				*body = data + dlen;
				*blen = 0;
			} else {
				*body = nl + 1;
				*blen = dlen - (size_t)(nl + 1 - data);
			}
			break;
		}
		if (p[0] != '#' && p[0] != '\0') {
			if ((v = strstr(p, ": ")) != NULL) {
				*v = '\0';
				v += 2;
			} else if ((v = strchr(p, ':')) != NULL && v[1] == '\0') {
				*v++ = '\0';
			} else {
				case_fail(file, "bad header line '%s'", p);
				return -1;
			}
			if (strcmp(p, "expect") == 0)
				SET(action, v);
			else if (strcmp(p, "how") == 0) {
				SET(how, v);
				e->has_how = 1;
			} else if (strcmp(p, "alias") == 0) {
				SET(alias, v);
				e->has_alias = 1;
			} else if (strcmp(p, "keyword") == 0) {
				SET(keyword, v);
				e->has_keyword = 1;
			} else if (strcmp(p, "area") == 0)
				SET(area, v);
			else if (strcmp(p, "pin") == 0)
				SET(pin, v);
			else if (strcmp(p, "choice") == 0)
				SET(choice, v);
			else if (strcmp(p, "text") == 0) {
				SET(text, v);
				unescape(e->text);
				e->has_text = 1;
			} else if (strcmp(p, "text-len") == 0) {
				e->text_len = strtoul(v, NULL, 10);
				e->has_len = 1;
			} else if (strcmp(p, "text-truncated") == 0) {
				e->trunc = atoi(v);
				e->has_trunc = 1;
			} else if (strcmp(p, "area-kind") == 0) {
				SET(kind, v);
				e->has_kind = 1;
			} else if (strcmp(p, "area-code") == 0) {
				SET(code, v);
				e->has_code = 1;
			} else if (strcmp(p, "cand") == 0 && e->ncand < 8)
				snprintf(e->cand[e->ncand++], sizeof(e->cand[0]), "%s", v);
			else if (strcmp(p, "text-hex") == 0) {
				hex = 1;
				while (sscanf(v, " %2x%n", &x, &off) == 1 && n < hexsz) {
					hexbuf[n++] = (unsigned char)x;
					v += off;
				}
				*body = (const char *)hexbuf;
				*blen = n;
			} else {
				case_fail(file, "unknown header '%s'", p);
				return -1;
			}
		}
		if (nl == NULL) {
			if (!hex) {
				case_fail(file, "no '---' line and no text-hex header");
				return -1;
			}
			break;
		}
		p = nl + 1;
	}
	if (e->action[0] == '\0') {
		case_fail(file, "no 'expect:' header");
		return -1;
	}
	return 0;
}

static void
check_case(struct parse_table *t, const char *file, const struct expect *e, const char *body,
    size_t blen)
{
	static struct parse_result	 r;
	struct norm_area		 a;
	static const char *const	 kinds[] = { "none", "code", "number", "name" };
	char				 c[160];
	size_t				 i;
	unsigned long			 want_choice;

	parse_message(t, body, blen, &r);
	if (strcmp(parse_action_name(r.action), e->action) != 0) {
		case_fail(file, "action %s (how=%s keyword=%s norm='%.60s'), expected %s",
		    parse_action_name(r.action), parse_how_name(r.how), r.keyword, r.norm, e->action);
		return;
	}
	if (e->has_how && strcmp(parse_how_name(r.how), e->how) != 0)
		case_fail(file, "how %s, expected %s", parse_how_name(r.how), e->how);
	if (e->has_alias && strcmp(r.alias, e->alias) != 0)
		case_fail(file, "alias '%s', expected '%s'", r.alias, e->alias);
	if (e->has_keyword && strcmp(r.keyword, e->keyword) != 0)
		case_fail(file, "keyword '%s', expected '%s'", r.keyword, e->keyword);
	if (strcmp(r.area, e->area) != 0)
		case_fail(file, "area '%s', expected '%s'", r.area, e->area);
	if (strcmp(r.pin, e->pin) != 0)
		case_fail(file, "pin '%s', expected '%s'", r.pin, e->pin);
	want_choice = e->choice[0] != '\0' ? strtoul(e->choice, NULL, 10) : 0;
	if (r.choice != want_choice)
		case_fail(file, "choice %u, expected %lu", r.choice, want_choice);
	if (e->has_text || !e->has_len) {
		if (strcmp(r.text, e->text) != 0)
			case_fail(file, "text '%s', expected '%s'", r.text, e->text);
	}
	if (e->has_len && strlen(r.text) != e->text_len)
		case_fail(file, "text length %zu, expected %zu", strlen(r.text), e->text_len);
	if (e->has_trunc && r.text_truncated != e->trunc)
		case_fail(file, "text_truncated %d, expected %d", r.text_truncated, e->trunc);
	if (!e->has_kind && !e->has_code && e->ncand == 0)
		return;
	norm_area_split(r.area, strlen(r.area), &a);
	if (e->has_kind && strcmp(kinds[a.kind], e->kind) != 0)
		case_fail(file, "area kind %s, expected %s", kinds[a.kind], e->kind);
	if (e->has_code && strcmp(a.code, e->code) != 0)
		case_fail(file, "area code '%s', expected '%s'", a.code, e->code);
	for (i = 0; i < e->ncand; i++) {
		if (i >= a.ncand) {
			case_fail(file, "only %u candidates, expected '%s' at %zu", a.ncand, e->cand[i], i);
			break;
		}
		snprintf(c, sizeof(c), "%s|%s", a.cand[i].name, a.cand[i].qualifier);
		if (strcmp(c, e->cand[i]) != 0)
			case_fail(file, "candidate %zu '%s', expected '%s'", i, c, e->cand[i]);
	}
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_corpus(void **state)
{
	const char		*dir = getenv("KT_CORPUS"), *kwpath = getenv("KT_KEYWORDS");
	struct parse_table	*t;
	DIR			*d;
	struct dirent		*de;
	char			 path[4096], err[256], **names = NULL, *data, *kw;
	size_t			 n = 0, cap = 0, i, dlen, blen = 0, nl;
	static unsigned char	 hexbuf[65536];
	struct expect		*e;
	const char		*body = NULL;

	(void)state;
	if (dir == NULL)
		dir = "tests/corpus";
	if (kwpath == NULL)
		kwpath = "parsers/keywords.conf";
	t = parse_table_new();
	if ((kw = slurp(kwpath, NULL)) != NULL) {
		if (parse_table_load_text(t, kw, err, sizeof(err)) != 0)
			case_fail(kwpath, "%s", err);
		free(kw);
	} else
		case_fail(kwpath, "cannot read");
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		nl = strlen(de->d_name);
		if (de->d_name[0] == '.' || nl < 5 || strcmp(de->d_name + nl - 4, ".txt") != 0)
			continue;	/* README.md and editor files are not cases */
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			names = realloc(names, cap * sizeof(*names));
			assert_non_null(names);
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	e = malloc(sizeof(*e));
	assert_non_null(e);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((data = slurp(path, &dlen)) == NULL) {
			case_fail(names[i], "cannot read");
			continue;
		}
		if (parse_case(names[i], data, dlen, e, &body, &blen, hexbuf, sizeof(hexbuf)) == 0)
			check_case(t, names[i], e, body, blen);
		free(data);
		free(names[i]);
	}
	free(names);
	free(e);
	parse_table_free(t);
	fprintf(stderr, "corpus: %zu cases in %s, %d failures\n", n, dir, failures);
	assert_true(n >= CORPUS_MIN);
	assert_int_equal(failures, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
