/*
 * deflate — batches up are zlib-compressed (RFC 1950) when that makes them smaller: JSON records
 * of one box repeat their keys, so a 200-record batch shrinks several times. A payload starting
 * with '{' is plain JSON; one starting with 0x78 (the zlib header) is compressed JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "common/xmalloc.h"
#include "uplink/uplink-internal.h"

#define INFLATE_MAX	(16 << 20)	/* a batch never inflates beyond this */

unsigned char *
uplink_deflate(const char *json, size_t len, size_t *outlen)
{
	uLongf		 n = compressBound(len);
	unsigned char	*out = xmalloc(n);

	if (len < 256 || compress2(out, &n, (const Bytef *)json, len, 6) != Z_OK || n >= len) {
		free(out);
		return NULL;
	}
	*outlen = n;
	return out;
}

char *
uplink_inflate(const void *payload, size_t len)
{
	z_stream	 zs;
	size_t		 cap = len * 8 + 1024;
	char		*out;
	int		 rc;

	if (len == 0 || ((const unsigned char *)payload)[0] != 0x78)
		return NULL;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		return NULL;
	out = xmalloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)payload;
	zs.avail_in = (uInt)len;
	for (;;) {
		zs.next_out = (Bytef *)out + zs.total_out;
		zs.avail_out = (uInt)(cap - 1 - zs.total_out);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if ((rc != Z_OK && rc != Z_BUF_ERROR) || (rc == Z_BUF_ERROR && zs.avail_in == 0) ||
		    cap >= INFLATE_MAX) {
			inflateEnd(&zs);
			free(out);
			return NULL;
		}
		if (zs.avail_out == 0) {
			cap *= 2;
			out = xrealloc(out, cap);
		}
	}
	out[zs.total_out] = '\0';
	inflateEnd(&zs);
	return out;
}
