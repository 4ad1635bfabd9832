/* html — escaping, form and cookie parsing for the web console (see html.h). Pure: libc only. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "gateway/web/html.h"

const char *
html_entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

size_t
html_escape(const char *s, char *out, size_t len)
{
	size_t		 need = 0, o = 0;
	int		 full = 0;

	for (; *s; s++) {
		const char	*e = html_entity((unsigned char)*s);
		size_t		 n = e ? strlen(e) : 1;

		if (!full && o + n < len) {
			if (e)
				memcpy(out + o, e, n);
			else
				out[o] = *s;
			o += n;
		} else
			full = 1;
		need += n;
	}
	if (len > 0)
		out[o] = '\0';
	return need;
}

/* Decodes s[0..n) into a new string; NULL with *why on a bad escape, NUL or a value too long. */
static char *
decode(const char *s, size_t n, size_t max, const char **why)
{
	char	*out;
	size_t	 i, o = 0;

	if (n > max * 3) {
		*why = "a field is too long";
		return NULL;
	}
	out = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi, lo;

			if (i + 2 >= n) {
				*why = "a %-escape is cut short";
				goto bad;
			}
			hi = hex_value((unsigned char)s[i + 1]);
			lo = hex_value((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0) {
				*why = "a bad %-escape";
				goto bad;
			}
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0) {
			*why = "a NUL byte";
			goto bad;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (o > max) {
		*why = "a field is too long";
		goto bad;
	}
	return out;
bad:
	free(out);
	return NULL;
}

static int
text_ok(const char *s, int value)
{
	const unsigned char *p;

	if (!utf8_valid(s, strlen(s)))
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(value && (*p == '\t' || *p == '\r' || *p == '\n'))) || *p == 0x7F)
			return 0;
	return 1;
}

int
web_form_parse(const char *s, size_t len, struct web_form *f, const char **why)
{
	size_t	 i = 0;

	memset(f, 0, sizeof(*f));
	*why = NULL;
	if (memchr(s, '\0', len) != NULL) {
		*why = "a NUL byte";
		return -1;
	}
	while (i < len) {
		size_t		 end = i, eq;
		char		*name, *value;

		while (end < len && s[end] != '&')
			end++;
		if (end == i) {
			i = end + 1;
			continue;
		}
		for (eq = i; eq < end && s[eq] != '='; eq++)
			;
		if (f->n == WEB_FORM_MAX) {
			*why = "too many fields";
			goto bad;
		}
		if ((name = decode(s + i, eq - i, 256, why)) == NULL)
			goto bad;
		value = decode(s + (eq < end ? eq + 1 : end), eq < end ? end - eq - 1 : 0, WEB_FORM_VALUE_MAX, why);
		if (value == NULL) {
			free(name);
			goto bad;
		}
		f->names[f->n] = name;
		f->values[f->n] = value;
		f->n++;
		if (!text_ok(name, 0) || !text_ok(value, 1)) {
			*why = "a field is not UTF-8 text";
			goto bad;
		}
		i = end + 1;
	}
	return 0;
bad:
	web_form_free(f);
	return -1;
}

void
web_form_free(struct web_form *f)
{
	int i;

	for (i = 0; i < f->n; i++) {
		free(f->names[i]);
		free(f->values[i]);
	}
	f->n = 0;
}

const char *
web_form_get(const struct web_form *f, const char *name)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->names[i], name))
			return f->values[i];
	return NULL;
}

int
web_form_all(const struct web_form *f, const char *name, const char **out, int max)
{
	int i, n = 0;

	for (i = 0; i < f->n && n < max; i++)
		if (!strcmp(f->names[i], name))
			out[n++] = f->values[i];
	return n;
}

int
web_cookie(const char *h, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name);

	while (h != NULL && *h) {
		size_t n;

		h += strspn(h, " \t;");
		n = strcspn(h, ";");
		if (n > nl && strncmp(h, name, nl) == 0 && h[nl] == '=') {
			const char	*v = h + nl + 1;
			size_t		 vl = n - nl - 1;

			while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			if (vl >= len)
				return -1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return 0;
		}
		h += n;
	}
	return -1;
}

void
web_mask_number(const char *number, char *out, size_t len)
{
	size_t n = strlen(number);

	if (n < 8) {
		snprintf(out, len, "****");
		return;
	}
	snprintf(out, len, "%.6s****%s", number, number + n - 3);
}
