/*
 * bench_parser — parsers/ performance figures (printed, never asserted): parse_message() throughput on
 * one core over a realistic mix of village SMS with the sample keywords.conf patterns loaded, the worst
 * case of admin patterns (catastrophic regexes on a 1,000-character message), and GSM-7 counting with
 * and without transliteration. Run from the repo root: build/bench/bench_parser.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parsers/gsm7.h"
#include "parsers/parse.h"
#include "tests/unit/clock.h"

static const char *const mix[] = {
	"REG SUKAMAJU", "reg#sukamaju", "Daftar  sukamaju!!", "DAFTRA sukamaju", "daftar 1671011001",
	"REG 16.71.01.1001", "Daftar Suka Maju Babat", "stop", "STOP.", "Berhenti", "\xef\xbc\xb3\xef\xbc\xb4\xef\xbc\xaf\xef\xbc\xb0",
	"BERHENTI \xf0\x9f\x98\x80", "unreg sukamaju", "INFO", "info?", "berita", "1", "2",
	"LAPOR jalan di RT 03 rusak parah, mohon segera diperbaiki.\nTerima kasih pak",
	"Lapor: air sungai naik sejak subuh, warga mulai mengungsi ke masjid",
	"KIM rapat malam ini jam 8 di balai desa", "SIAR 1234 1671 Banjir di Kel. Sukamaju, warga harap waspada",
	"Assalamualaikum pak", "Selamat pagi, apakah besok ada posyandu?", "?", "bantuan", "Help",
	"", "   ", "\xf0\x9f\x99\x8f\xf0\x9f\x99\x8f\xf0\x9f\x99\x8f", "ok makasih", "Siap pak",
	"saya mau daftar sukamaju", "pilih 2", "Dáftar Sukamaju", "REG SUKAMAJU ya terima kasih",
	"Mohon info jadwal vaksin di puskesmas kecamatan babat minggu ini",
	"\xe2\x80\x9cLAPOR\xe2\x80\x9d jembatan putus \xe2\x80\x94 butuh perahu\xe2\x80\xa6",
	"keluar", "Ikut desa sukamaju kec babat",
};
#define NMIX	(sizeof(mix) / sizeof(mix[0]))

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*buf;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static struct parse_result	 res;
static volatile unsigned	 sink;

static double
throughput(struct parse_table *t, size_t *lens)
{
	double		 t0, el;
	size_t		 n = 0, i;

	t0 = mono_now();
	do {
		for (i = 0; i < 1000; i++, n++)
			sink += parse_message(t, mix[n % NMIX], lens[n % NMIX], &res);
	} while ((el = mono_now() - t0) < 1.0);
	return (double)n / el;
}

static double
worst_ms(const char *patterns, const char *msg, int reps)
{
	struct parse_table	*t = parse_table_new();
	char			 err[256];
	double			 t0, el;
	int			 i;

	if (parse_table_load_text(t, patterns, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_parser: %s\n", err);
		exit(1);
	}
	t0 = mono_now();
	for (i = 0; i < reps; i++)
		sink += parse_message(t, msg, strlen(msg), &res);
	el = mono_now() - t0;
	parse_table_free(t);
	return el * 1000 / reps;
}

int
main(void)
{
	struct parse_table	*t;
	struct gsm7_count	 c, nv;
	size_t			 lens[NMIX], i, smart = 0, naive = 0;
	char			 err[256], *kw, msg[1100], many[4096];
	const char		*cat[] = { "(A+)+$", "(A|AA)+$", "(.*A){20}", "(A+)+(?=Z)" };
	double			 w, wmax = 0, t0;
	long			 n;
	static const char *const ann[] = {
		"\xe2\x80\x9c" "Banjir\xe2\x80\x9d \xe2\x80\x94 air Sungai Musi naik\xe2\x80\xa6 Warga di bantaran "
		"diminta segera mengungsi ke SD Negeri 12. Bawa dokumen penting & obat-obatan. "
		"Info: Pak RT 08123456789",
		"Jadwal posyandu bulan ini: \xe2\x80\xa2 Sabtu 7 Des \xe2\x80\x93 balai desa \xe2\x80\xa2 "
		"Sabtu 14 Des \xe2\x80\x93 masjid Al\xe2\x80\x99Ikhlas. Bawa buku KIA.",
		"Pemadaman listrik Kamis 08.00\xe2\x80\x93" "12.00 di Kel. Sukamaju & Sukarami. Mohon maaf "
		"atas ketidaknyamanannya\xe2\x80\xa6",
		"Vaksinasi gratis di Puskesmas Babat, Senin\xe2\x80\x93Jumat, 08.00\xe2\x80\x93" "14.00.",
		"Harga beras naik \xf0\x9f\x98\x9f mohon bijak berbelanja",
	};

	for (i = 0; i < NMIX; i++)
		lens[i] = strlen(mix[i]);
	t = parse_table_new();
	printf("parser throughput (one core, %zu-message mix):\n", NMIX);
	printf("  built-in table:               %10.0f msg/s\n", throughput(t, lens));
	if ((kw = slurp("parsers/keywords.conf")) != NULL) {
		if (parse_table_load_text(t, kw, err, sizeof(err)) != 0) {
			fprintf(stderr, "bench_parser: parsers/keywords.conf: %s\n", err);
			return 1;
		}
		free(kw);
		printf("  + parsers/keywords.conf:      %10.0f msg/s\n", throughput(t, lens));
	}
	parse_table_free(t);

	memset(msg, 'a', 1000);
	strcpy(msg + 1000, " x");
	{
		uint32_t	 jit = 0;

		(void)pcre2_config(PCRE2_CONFIG_JIT, &jit);
		printf("worst case, 1,000-character message, one catastrophic pattern (PCRE2 JIT %s):\n",
		    jit ? "on" : "off");
	}
	for (i = 0; i < sizeof(cat) / sizeof(cat[0]); i++) {
		snprintf(many, sizeof(many), "pattern %s help\n", cat[i]);
		w = worst_ms(many, msg, 200);
		if (w > wmax)
			wmax = w;
		printf("  %-14s %8.3f ms/msg\n", cat[i], w);
	}
	many[0] = '\0';
	for (i = 0; i < PARSE_MAX_PATTERNS; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "pattern %s help\n",
		    cat[i % (sizeof(cat) / sizeof(cat[0]))]);
	printf("  %d catastrophic patterns (the table maximum): %.3f ms/msg (budget 5 ms)\n",
	    PARSE_MAX_PATTERNS, worst_ms(many, msg, 50));

	printf("GSM-7 segments, %zu sample announcements:\n", sizeof(ann) / sizeof(ann[0]));
	for (i = 0; i < sizeof(ann) / sizeof(ann[0]); i++) {
		gsm7_count(ann[i], strlen(ann[i]), &c);
		gsm7_count_naive(ann[i], strlen(ann[i]), &nv);
		smart += c.segments;
		naive += nv.segments;
		printf("  #%zu  naive %s %zu seg   transliterated %s %zu seg\n", i + 1,
		    nv.encoding == GSM7_ENC_UCS2 ? "UCS-2" : "GSM-7", nv.segments,
		    c.encoding == GSM7_ENC_UCS2 ? "UCS-2" : "GSM-7", c.segments);
	}
	printf("  total: naive %zu, transliterated %zu segments\n", naive, smart);
	t0 = mono_now();
	n = 0;
	do {
		for (i = 0; i < 1000; i++, n++) {
			gsm7_count(ann[n % 5], strlen(ann[n % 5]), &c);
			sink += (unsigned)c.segments;
		}
	} while (mono_now() - t0 < 0.5);
	printf("  gsm7_count: %.0f texts/s\n", (double)n / (mono_now() - t0));
	return 0;
}
