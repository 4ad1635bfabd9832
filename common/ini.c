/* ini — the INI line reader (see ini.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/ini.h"
#include "common/str.h"
#include "common/xmalloc.h"

const char *
ini_why(enum ini_kind kind)
{
	switch (kind) {
	case INI_BAD_SECTION:
		return "malformed section header";
	case INI_NO_EQUALS:
		return "expected KEY = VALUE";
	case INI_BAD_QUOTE:
		return "unterminated quote";
	case INI_TOO_LONG:
		return "line too long";
	case INI_NUL_BYTE:
		return "a NUL byte (is this a text file?)";
	default:
		return "";
	}
}

/* Cuts an inline comment off v (INI_COMMENTS); returns v trimmed. */
static char *
cut_comment(char *v)
{
	char	*p;

	for (p = v; *p; p++)
		if ((p > v && (*p == ';' || *p == '#') && isspace((unsigned char)p[-1])) ||
		    (p == v && (*p == ';' || (*p == '#' && (p[1] == '\0' || isspace((unsigned char)p[1])))))) {
			*p = '\0';
			break;
		}
	return str_trim(v);
}

/* Fills l from the trimmed line s (a copy of l->text it may cut). */
static void
classify(struct ini_line *l, char *s, int flags)
{
	char	*close, *rest, *eq;

	if (*s == '[') {
		close = strchr(s, ']');
		rest = close ? str_trim(close + 1) : NULL;
		l->kind = close && (*rest == '\0' || *rest == ';' || *rest == '#') ? INI_SECTION : INI_BAD_SECTION;
		if (close != NULL) {
			*close = '\0';
			l->name = str_trim(s + 1);
		}
		return;
	}
	if ((eq = strchr(s, '=')) == NULL) {
		l->kind = INI_NO_EQUALS;
		return;
	}
	*eq = '\0';
	l->kind = INI_KEY;
	l->key = str_trim(s);
	l->value = str_trim(eq + 1);
	if ((flags & INI_QUOTES) && *l->value == '"') {
		char *q = strchr(l->value + 1, '"');

		if (q == NULL) {
			l->kind = INI_BAD_QUOTE;
			l->key = l->value = NULL;
			return;
		}
		*q = '\0';
		l->value++;
	} else if (flags & INI_COMMENTS)
		l->value = cut_comment(l->value);
}

static int
parse_len(const char *text, size_t len, int flags, ini_line_cb cb, void *arg)
{
	const char	*p = text, *end = text + len, *nl, *line;
	char		*buf = NULL;
	size_t		 n, cap = 0;
	int		 lineno = 0, rc = 0;

	while (p < end && rc == 0) {
		struct ini_line	 l;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line = p;
		p = nl ? nl + 1 : end;
		memset(&l, 0, sizeof(l));
		l.lineno = ++lineno;
		/* two copies: text stays whole, the other is cut into name, key and value */
		if (2 * n + 2 > cap)
			buf = xrealloc(buf, cap = 2 * n + 2);
		memcpy(buf, line, n);
		buf[n] = '\0';
		memcpy(buf + n + 1, buf, n + 1);
		l.text = str_trim(buf);
		if (memchr(line, '\0', n) != NULL)
			l.kind = INI_NUL_BYTE;
		else if ((flags & INI_LINE_LIMIT) && n > INI_LINE_MAX)
			l.kind = INI_TOO_LONG;
		else if (*l.text == '\0' || *l.text == ';' || *l.text == '#')
			continue;	/* blank or a comment */
		else
			classify(&l, str_trim(buf + n + 1), flags);
		rc = cb(&l, arg);
	}
	free(buf);
	return rc;
}

int
ini_section_cb(const struct ini_line *l, void *arg)
{
	struct ini_section	*s = arg;
	size_t			 n = strlen(s->name);

	if (l->kind == INI_SECTION || l->kind == INI_BAD_SECTION)
		s->in = !strncasecmp(l->text + 1, s->name, n) && l->text[n + 1] == ']';
	else if (l->kind == INI_KEY && s->in)
		return s->cb(l, s->arg);
	return 0;
}

int
ini_parse(const char *text, int flags, ini_line_cb cb, void *arg)
{
	return parse_len(text, strlen(text), flags, cb, arg);
}

int
ini_parse_file(const char *path, int flags, ini_line_cb cb, void *arg)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;
	int	 rc, saved;

	if ((f = fopen(path, "r")) == NULL)
		return INI_EOPEN;
	do {
		if (cap - len < 8192)
			buf = xrealloc(buf, cap = cap ? 2 * cap : 16384);
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		saved = errno;
		fclose(f);
		free(buf);
		errno = saved;
		return INI_EREAD;
	}
	fclose(f);
	rc = parse_len(buf, len, flags, cb, arg);
	free(buf);
	return rc;
}
