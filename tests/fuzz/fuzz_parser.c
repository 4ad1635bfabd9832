/*
 * fuzz_parser — libFuzzer target for parsers/: parse_message() on a table with admin patterns,
 * norm_area_split()/norm_name() on the area it found, and the GSM-7 functions on the raw input.
 * An input starting with "#kw\n" is instead loaded as a keywords file into a fresh table, then the
 * rest after a NUL (if any) is parsed with it. Checks output invariants, not just crashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/gsm7.h"
#include "parsers/norm.h"
#include "parsers/parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_keywords[] =
    "alias NDHEREK subscribe\n"
    "ignore CERITA\n"
    "filler PAK\n"
    "pattern ^(?:SAYA |AKU )?(?:MAU|INGIN) (?:DAFTAR|IKUT) (?<area>.+)$ subscribe\n"
    "pattern ^(?:PILIH|NO) (?<choice>\\d{1,2})$ choice\n"
    "pattern ^ADUAN (?<pin>\\d+) (?<text>.+)$ report\n"
    "pattern (A+)+$ help\n";

static void
check_utf8(const char *s)
{
	size_t	 len = strlen(s), pos = 0, n;

	while (pos < len) {
		if (norm_utf8_next((const unsigned char *)s + pos, len - pos, &n) == NORM_CP_INVALID)
			abort();
		pos += n;
	}
}

static void
run(struct parse_table *t, const char *s, size_t len)
{
	static struct parse_result	 r;
	struct norm_area		 a;
	struct gsm7_count		 c, nv;
	char				 out[512], key[NORM_NAME_MAX];
	size_t				 n;
	int				 all;

	parse_message(t, s, len, &r);
	if ((unsigned)r.action >= PARSE_NACTIONS || strlen(r.norm) >= PARSE_NORM_MAX)
		abort();
	check_utf8(r.text);
	check_utf8(r.norm);
	check_utf8(r.keyword);
	if (r.text_off + r.text_len > len)
		abort();
	if (r.action == PARSE_CHOICE && (r.choice < 1 || r.choice > 99))
		abort();
	norm_area_split(r.area, strlen(r.area), &a);
	if (a.ncand > NORM_AREA_MAXCAND)
		abort();
	n = norm_name(s, len, key, sizeof(key));
	if (n < sizeof(key) && strlen(key) != n)
		abort();
	n = gsm7_translit(s, len, out, sizeof(out), &all);
	if (n < sizeof(out) && strlen(out) != n)
		abort();
	if (strlen(out) >= sizeof(out))
		abort();
	gsm7_count(s, len, &c);
	gsm7_count_naive(s, len, &nv);
	if (c.segments < 1 || nv.segments < 1 || c.segments > nv.segments)
		abort();	/* transliteration must never cost more */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct parse_table	*table;
	struct parse_table		*t;
	char				*buf, err[256];
	const char			*s = (const char *)data;
	size_t				 kl;

	if (table == NULL) {
		table = parse_table_new();
		if (parse_table_load_text(table, fuzz_keywords, err, sizeof(err)) != 0)
			abort();
	}
	if (size >= 4 && memcmp(s, "#kw\n", 4) == 0) {
		kl = strnlen(s, size);
		buf = malloc(kl + 1);
		memcpy(buf, s, kl);
		buf[kl] = '\0';
		t = parse_table_new();
		(void)parse_table_load_text(t, buf, err, sizeof(err));
		if (kl < size)
			run(t, s + kl + 1, size - kl - 1);
		parse_table_free(t);
		free(buf);
		return 0;
	}
	/* a copy of exactly size bytes, so ASan sees any read past the end */
	buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	run(table, buf, size);
	free(buf);
	return 0;
}
