/*
 * fuzz_csv — libFuzzer target for the bulk imports' CSV reader (common/csv.c). The first byte picks
 * the buffer size (1..256) so every boundary is reached; every record must be read without writing
 * outside the buffer (ASan), each field must be NUL-terminated inside it, and every call must make
 * progress until CSV_END.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p, *end, *last;
	char		*buf, *f[8];
	size_t		 buflen;
	int		 n, i;

	if (size < 1)
		return 0;
	buflen = (size_t)data[0] + 1;
	buf = malloc(buflen);	/* exactly buflen: ASan sees the first byte past it */
	p = (const char *)data + 1;
	end = (const char *)data + size;
	for (;;) {
		last = p;
		n = csv_record(&p, end, buf, buflen, f, 8);
		if (n == CSV_END)
			break;
		if (p <= last || p > end)
			abort();	/* no progress, or read past the data */
		if (n < 0)
			continue;
		if (n > 8)
			abort();
		for (i = 0; i < n; i++) {
			if (f[i] < buf || f[i] >= buf + buflen || memchr(f[i], '\0', (size_t)(buf + buflen - f[i])) == NULL)
				abort();
		}
	}
	free(buf);
	return 0;
}
