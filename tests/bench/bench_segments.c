/*
 * bench_segments — what transliteration saves (printed, never asserted): the SMS parts that
 * tests/bench/announcements.txt (50 realistic announcements, one per line, "\n" escapes) costs
 *   - as the modem worker sends it: gsm7_count() (GSM-7 of the transliterated text, or UCS-2 of
 *     the original when that is not all GSM-7 or takes fewer parts), and
 *   - with a naive encoder: gsm7_count_naive() (UCS-2 as soon as one character is outside GSM-7),
 * and how many announcements fit one SMS each way. As a cross-check it also encodes each text the
 * way gateway/modem/modem_worker.c w_send() does (gsm7_translit, then GSM_EncodeMultiPartSMS with
 * SMS_ConcatenatedTextLong) and counts the parts libGammu really produces.
 * usage: bench_segments [FILE] [-v]   (default tests/bench/announcements.txt; -v: one line each)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gammu.h>

#include "parsers/gsm7.h"

#define MAXTEXT	4096

/* "\n" → newline, "\\" → backslash; in place. */
static void
unescape(char *s)
{
	char	*w = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*w++ = '\n';
			s++;
		} else if (s[0] == '\\' && s[1] == '\\') {
			*w++ = '\\';
			s++;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

/* UTF-8 → libGammu's UCS-2BE string (surrogate pairs for non-BMP), NUL-terminated; out holds cap units. */
static void
to_gammu(const char *in, unsigned char *out, size_t cap)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 n = 0;

	while (*p != '\0' && n + 3 < cap) {
		uint32_t	 c;
		int		 extra;

		if (*p < 0x80)
			c = *p++, extra = 0;
		else if ((*p & 0xe0) == 0xc0)
			c = *p++ & 0x1f, extra = 1;
		else if ((*p & 0xf0) == 0xe0)
			c = *p++ & 0x0f, extra = 2;
		else if ((*p & 0xf8) == 0xf0)
			c = *p++ & 0x07, extra = 3;
		else
			c = 0xfffd, extra = 0, p++;
		while (extra-- > 0 && (*p & 0xc0) == 0x80)
			c = (c << 6) | (*p++ & 0x3f);
		if (c >= 0x10000) {
			c -= 0x10000;
			out[2 * n] = (unsigned char)((0xd800 + (c >> 10)) >> 8);
			out[2 * n + 1] = (unsigned char)(0xd800 + (c >> 10));
			n++;
			c = 0xdc00 + (c & 0x3ff);
		}
		out[2 * n] = (unsigned char)(c >> 8);
		out[2 * n + 1] = (unsigned char)c;
		n++;
	}
	out[2 * n] = out[2 * n + 1] = 0;
}

/* The parts libGammu encodes text into, as w_send() asks it to; -1 on an encoding error. */
static int
gammu_parts(const char *text, int ucs2)
{
	static unsigned char		 ucs[2 * (3 * MAXTEXT + 4)];
	static GSM_MultiSMSMessage	 ms;
	GSM_MultiPartSMSInfo		 info;

	to_gammu(text, ucs, sizeof(ucs) / 2);
	GSM_ClearMultiPartSMSInfo(&info);
	info.Class = -1;
	info.EntriesNum = 1;
	info.UnicodeCoding = ucs2;
	info.Entries[0].ID = SMS_ConcatenatedTextLong;
	info.Entries[0].Buffer = ucs;
	memset(&ms, 0, sizeof(ms));
	if (GSM_EncodeMultiPartSMS(NULL, &info, &ms) != ERR_NONE)
		return -1;
	return ms.Number;
}

int
main(int argc, char **argv)
{
	const char		*path = "tests/bench/announcements.txt";
	static char		 line[MAXTEXT], tr[3 * MAXTEXT + 16];
	FILE			*f;
	struct gsm7_count	 c, nv;
	long			 n = 0, segs = 0, naive = 0, one = 0, one_naive = 0, gsegs = 0, gdiff = 0;
	long			 gsm7 = 0, gsm7_naive = 0, translit = 0, ucs2_cheaper = 0;
	int			 i, verbose = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else
			path = argv[i];
	}
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t	 len;
		int	 g, all;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		unescape(line);
		len = strlen(line);
		gsm7_count(line, len, &c);
		gsm7_count_naive(line, len, &nv);
		n++;
		segs += (long)c.segments;
		naive += (long)nv.segments;
		one += c.segments == 1;
		one_naive += nv.segments == 1;
		gsm7 += c.encoding == GSM7_ENC_GSM7;
		gsm7_naive += nv.encoding == GSM7_ENC_GSM7;
		translit += c.encoding == GSM7_ENC_GSM7 && c.transliterated;
		/* the worker: GSM-7 of the transliteration, else UCS-2 of the original */
		if (c.encoding == GSM7_ENC_GSM7) {
			gsm7_translit(line, len, tr, sizeof(tr), &all);
			g = gammu_parts(tr, 0);
		} else {
			gsm7_translit(line, len, tr, sizeof(tr), &all);
			ucs2_cheaper += all;	/* all GSM-7 after transliteration, yet UCS-2 is fewer parts */
			g = gammu_parts(line, 1);
		}
		gsegs += g;
		if (g != (int)c.segments)
			gdiff++;
		if (verbose)
			printf("segments %2ld: %-4s %3zu units %d part(s) (libGammu %d) | naive %-4s %3zu units "
			    "%d part(s)\n", n, c.encoding == GSM7_ENC_GSM7 ? "gsm7" : "ucs2", c.units,
			    (int)c.segments, g, nv.encoding == GSM7_ENC_GSM7 ? "gsm7" : "ucs2", nv.units,
			    (int)nv.segments);
	}
	fclose(f);
	if (n == 0) {
		printf("segments: no announcements in %s\n", path);
		return 1;
	}
	printf("segments %ld announcements (%s)\n", n, path);
	printf("segments naive (UCS-2 if any char is outside GSM-7): %ld parts; %ld GSM-7, %ld UCS-2; "
	    "%ld of %ld fit one SMS\n", naive, gsm7_naive, n - gsm7_naive, one_naive, n);
	printf("segments kentongan (gsm7_count: transliterate, UCS-2 when cheaper): %ld parts; %ld GSM-7 "
	    "(%ld transliterated), %ld UCS-2 (%ld of them only because UCS-2 is fewer parts); %ld of %ld "
	    "fit one SMS\n", segs, gsm7, translit, n - gsm7, ucs2_cheaper, one, n);
	printf("segments ratio kentongan/naive: %.3f (%.1f%% fewer parts)\n", (double)segs / naive,
	    100.0 * (naive - segs) / naive);
	printf("segments cross-check, libGammu GSM_EncodeMultiPartSMS as the worker calls it: %ld parts; "
	    "%ld announcement(s) differ from gsm7_count\n", gsegs, gdiff);
	return 0;
}
