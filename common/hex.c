/* hex — the one hex encoder and decoder (see hex.h). */
#include <string.h>

#include "common/hex.h"

static char *
encode(const uint8_t *p, size_t n, char *out, const char *digits)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

char *
hex_encode(const uint8_t *p, size_t n, char *out)
{
	return encode(p, n, out, "0123456789abcdef");
}

char *
hex_encode_upper(const uint8_t *p, size_t n, char *out)
{
	return encode(p, n, out, "0123456789ABCDEF");
}

int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t
hex_decode_n(const char *s, size_t len, uint8_t *out, size_t max)
{
	size_t	 i;

	if (len % 2 != 0 || len / 2 > max)
		return -1;
	for (i = 0; i < len / 2; i++) {
		int hi = hex_value((unsigned char)s[2 * i]), lo = hex_value((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (ssize_t)(len / 2);
}

int
hex_decode(const char *s, uint8_t *out, size_t max)
{
	return (int)hex_decode_n(s, strlen(s), out, max);
}
