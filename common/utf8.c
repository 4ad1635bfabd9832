/* utf8 — the one UTF-8 <-> UCS-2 codec (see utf8.h). */
#include <stdint.h>

#include "common/utf8.h"

size_t
utf8_decode(const char *str, size_t len, unsigned int *cp)
{
	const unsigned char	*s = (const unsigned char *)str;
	unsigned int		 c = s[0], v, min;
	size_t			 n, i;

	*cp = c;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Bytes one U+FFFD stands for in utf8_to_ucs2 when the sequence at p is not well-formed: its lead
 * byte and as many of the continuation bytes the lead announces as follow it. */
static size_t
bad_len(const unsigned char *p)
{
	size_t	 n = 1, want = (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : 0;

	while (want-- > 0 && (p[n] & 0xc0) == 0x80)
		n++;
	return n;
}

size_t
utf8_to_ucs2(const char *in, unsigned char *out, size_t outunits)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 n = 0;

	while (*p && n + 1 < outunits) {
		unsigned int	 c;
		size_t		 k = utf8_decode((const char *)p, SIZE_MAX, &c);

		if (k == 0) {
			k = bad_len(p);
			c = 0xfffd;
		}
		p += k;
		if (c >= 0x10000) {
			if (n + 2 >= outunits)
				break;
			c -= 0x10000;
			out[2 * n] = (unsigned char)((0xd800 + (c >> 10)) >> 8);
			out[2 * n + 1] = (unsigned char)((0xd800 + (c >> 10)) & 0xff);
			n++;
			c = 0xdc00 + (c & 0x3ff);
		}
		out[2 * n] = (unsigned char)(c >> 8);
		out[2 * n + 1] = (unsigned char)(c & 0xff);
		n++;
	}
	out[2 * n] = out[2 * n + 1] = 0;
	return n;
}

size_t
utf8_encode(unsigned int cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

void
ucs2n_to_utf8(const unsigned char *in, size_t nunits, char *out, size_t outlen)
{
	size_t	 o = 0, i = 0;

	while (i < nunits && o + 5 < outlen) {
		uint32_t c = (uint32_t)in[2 * i] << 8 | in[2 * i + 1];

		i++;
		if (c >= 0xd800 && c < 0xdc00 && i < nunits) {
			uint32_t lo = (uint32_t)in[2 * i] << 8 | in[2 * i + 1];

			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		if (c >= 0xd800 && c < 0xe000)
			c = 0xfffd;	/* a lone surrogate: not a character, and not valid UTF-8 */
		else if (c == 0)
			c = 0x2400;	/* a NUL inside the text: kept, visibly, instead of cutting it */
		o += utf8_encode(c, out + o);
	}
	out[o] = '\0';
}

size_t
ucs2_len(const unsigned char *in)
{
	size_t n = 0;

	while (in[2 * n] || in[2 * n + 1])
		n++;
	return n;
}

void
ucs2_to_utf8(const unsigned char *in, char *out, size_t outlen)
{
	ucs2n_to_utf8(in, ucs2_len(in), out, outlen);
}

int
utf8_valid(const char *s, size_t len)
{
	size_t		 i = 0, n;
	unsigned int	 cp;

	for (; i < len; i += n)
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			return 0;
	return 1;
}

size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

size_t
utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

size_t
utf8_prefix(const char *s, size_t chars)
{
	size_t	 i, n = 0;

	for (i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == chars)
			break;
	return i;
}
