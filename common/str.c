/* str — string helpers (see str.h). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/str.h"
#include "common/utf8.h"

char *
str_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

const char *
str_after_scheme(const char *s, const char *scheme)
{
	size_t	 n = strlen(scheme);

	if (strncmp(s, scheme, n) != 0)
		return NULL;
	s += n;
	if (*s == 's')
		s++;
	return strncmp(s, "://", 3) == 0 ? s + 3 : NULL;
}

int
str_digits_n(const char *s, size_t len)
{
	return str_made_of(s, len, len, STR_DIGITS);
}

int
str_is_digits(const char *s)
{
	return str_digits_n(s, strlen(s));
}

static int
vis_hidden(unsigned int cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t
str_visible(const char *s, enum str_vis_ws ws, char *out, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0;

	if (len == 0)
		return 0;
	while (*p) {
		char		 tmp[12];
		size_t		 n, k;
		unsigned int	 cp;

		n = utf8_decode((const char *)p, SIZE_MAX, &cp);
		if (n == 0) {
			memcpy(tmp, "\xef\xbf\xbd", 3);	/* U+FFFD */
			k = 3;
			n = 1;
		} else if (cp < 0x20 || cp == 0x7f) {
			int keep = 0;

			if (cp == '\n' || cp == '\r' || cp == '\t') {
				if (ws == STR_VIS_WS_SPACE) {
					tmp[0] = ' ';
					k = 1;
					goto put;
				}
				if (ws == STR_VIS_WS_KEEP)
					keep = cp != '\r' || p[1] == '\n';
			}
			if (keep) {
				tmp[0] = (char)cp;
				k = 1;
			} else {
				/* control pictures: U+2400 + c, DEL at U+2421 */
				unsigned int pic = cp == 0x7f ? 0x2421 : 0x2400 + cp;

				k = utf8_encode(pic, tmp);
			}
		} else if (vis_hidden(cp)) {
			k = (size_t)snprintf(tmp, sizeof(tmp), "<U+%04X>", cp);
		} else {
			memcpy(tmp, p, n);
			k = n;
		}
put:
		if (o + k >= len)
			break;
		memcpy(out + o, tmp, k);
		o += k;
		p += n;
	}
	out[o] = '\0';
	return o;
}

int
str_is_visible(const char *s, enum str_vis_ws ws)
{
	const unsigned char	*p = (const unsigned char *)s;

	while (*p) {
		unsigned int	 cp;
		size_t		 n = utf8_decode((const char *)p, SIZE_MAX, &cp);

		if (n == 0 || cp == 0x7f || vis_hidden(cp))
			return 0;
		if (cp < 0x20) {
			if (ws != STR_VIS_WS_KEEP || cp == '\r' || (cp != '\n' && cp != '\t'))
				return 0;
		}
		p += n;
	}
	return 1;
}

char *
str_word(char **sp)
{
	char	*s = *sp, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0') {
		*sp = s;
		return NULL;
	}
	w = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*sp = s;
	return w;
}

int
str_made_of(const char *s, size_t n, size_t max, const char *allowed)
{
	size_t	 i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(allowed, s[i]) == NULL)
			return 0;
	return 1;
}
