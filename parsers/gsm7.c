/*
 * gsm7.c — GSM 03.38 membership, the transliteration table and segment counting (policy and
 * contracts in gsm7.h). Accented letters come from the shared fold table (fold_table.c).
 */
#include <stdint.h>
#include <string.h>

#include "parsers/fold.h"
#include "parsers/gsm7.h"

/* Non-ASCII code points of the default alphabet, sorted. */
static const uint32_t gsm7_basic_hi[] = {
	0x00A1, 0x00A3, 0x00A4, 0x00A5, 0x00A7, 0x00BF, 0x00C4, 0x00C5, 0x00C6, 0x00C7, 0x00C9,
	0x00D1, 0x00D6, 0x00D8, 0x00DC, 0x00DF, 0x00E0, 0x00E4, 0x00E5, 0x00E6, 0x00E8, 0x00E9,
	0x00EC, 0x00F1, 0x00F2, 0x00F6, 0x00F8, 0x00F9, 0x00FC, 0x0393, 0x0394, 0x0398, 0x039B,
	0x039E, 0x03A0, 0x03A3, 0x03A6, 0x03A8, 0x03A9,
};

int
gsm7_septets(unsigned long cp)
{
	if (cp < 0x80) {
		if (cp == '\n' || cp == '\r')
			return 1;
		if (cp == '\f')
			return 2;
		if (cp < 0x20 || cp == 0x7F || cp == '`')
			return 0;
		if (strchr("[\\]^{|}~", (int)cp) != NULL)
			return 2;
		return 1;
	}
	if (cp == 0x20AC)	/* € */
		return 2;
	if (cp > 0xFFFF)	/* and the cast below keeps its value */
		return 0;
	return norm_cp_find(gsm7_basic_hi, sizeof(gsm7_basic_hi) / sizeof(gsm7_basic_hi[0]),
	    sizeof(gsm7_basic_hi[0]), (uint32_t)cp) != NULL;
}

/* Replacements for code points outside GSM-7, sorted by code point ("" = drop). */
static const struct translit {
	uint32_t	 cp;
	const char	*to;
} translit[] = {
	{ 0x0009, " " }, { 0x000B, " " }, { 0x0060, "'" }, { 0x00A0, " " }, { 0x00AB, "\"" },
	{ 0x00AD, "" }, { 0x00B4, "'" }, { 0x00B7, "-" }, { 0x00BB, "\"" }, { 0x00BC, "1/4" },
	{ 0x00BD, "1/2" }, { 0x00BE, "3/4" }, { 0x00D7, "x" }, { 0x00E7, "\xC3\x87" },
	{ 0x02BC, "'" }, { 0x02C6, "^" }, { 0x02DC, "~" },
	{ 0x2000, " " }, { 0x2001, " " }, { 0x2002, " " }, { 0x2003, " " }, { 0x2004, " " },
	{ 0x2005, " " }, { 0x2006, " " }, { 0x2007, " " }, { 0x2008, " " }, { 0x2009, " " },
	{ 0x200A, " " }, { 0x200B, "" }, { 0x200C, "" }, { 0x200D, "" }, { 0x200E, "" },
	{ 0x200F, "" }, { 0x2010, "-" }, { 0x2011, "-" }, { 0x2012, "-" }, { 0x2013, "-" },
	{ 0x2014, "-" }, { 0x2015, "-" }, { 0x2018, "'" }, { 0x2019, "'" }, { 0x201A, "'" },
	{ 0x201B, "'" }, { 0x201C, "\"" }, { 0x201D, "\"" }, { 0x201E, "\"" }, { 0x201F, "\"" },
	{ 0x2022, "-" }, { 0x2023, "-" }, { 0x2024, "." }, { 0x2025, ".." }, { 0x2026, "..." },
	{ 0x2028, "\n" }, { 0x2029, "\n" }, { 0x202F, " " }, { 0x2032, "'" }, { 0x2033, "\"" },
	{ 0x2043, "-" }, { 0x2044, "/" }, { 0x205F, " " }, { 0x2060, "" }, { 0x2122, "TM" },
	{ 0x2212, "-" }, { 0x2219, "-" }, { 0x25AA, "-" }, { 0x25CF, "-" }, { 0x25E6, "-" },
	{ 0x3000, " " }, { 0xFE0E, "" }, { 0xFE0F, "" }, { 0xFEFF, "" },
};

/*
 * The GSM-7 replacement for cp: NULL when cp is kept as it is (in GSM-7 or not replaceable), else a
 * string ("" = dropped). buf holds computed replacements.
 */
static const char *
translit_cp(uint32_t cp, char buf[4])
{
	const struct translit	*t;
	const char		*f;

	if (cp == NORM_CP_INVALID)
		return "?";
	if (gsm7_septets(cp) > 0)
		return NULL;
	if (cp >= 0x0300 && cp <= 0x036F)	/* combining marks: the base letter stays */
		return "";
	if (cp >= 0xFF01 && cp <= 0xFF5E) {	/* fullwidth ASCII */
		buf[0] = (char)(cp - 0xFEE0);
		buf[1] = '\0';
		return buf;
	}
	if ((t = norm_cp_find(translit, sizeof(translit) / sizeof(translit[0]), sizeof(translit[0]), cp)) != NULL)
		return t->to;
	/* Greek capitals that look Latin (the others are GSM-7 letters) */
	if (cp >= 0x0391 && cp <= 0x03A9 && (buf[0] = norm_homoglyph(cp)) != 0) {
		buf[1] = '\0';
		return buf;
	}
	if ((f = norm_fold_lookup(cp)) != NULL)
		return f;
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return "";	/* C0/C1 controls (NUL too): nothing a reader sees */
	return NULL;
}

size_t
gsm7_translit(const char *in, size_t len, char *out, size_t outsz, int *all_gsm7)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 pos = 0, o = 0, n, k;
	uint32_t		 cp;
	const char		*r;
	char			 buf[4], enc[4];
	int			 all = 1, full = 0;

	while (pos < len) {
		cp = norm_utf8_next(s + pos, len - pos, &n);
		if ((r = translit_cp(cp, buf)) != NULL) {
			k = strlen(r);
		} else {
			memcpy(enc, s + pos, n);
			r = enc;
			k = n;
			if (gsm7_septets(cp) == 0)
				all = 0;
		}
		if (!full && outsz > 0 && o + k <= outsz - 1)
			memcpy(out + o, r, k);
		else
			full = 1;	/* keep counting, write no more (never half a sequence) */
		o += k;
		pos += n;
	}
	if (outsz > 0) {
		if (!full)
			out[o] = '\0';
		else {
			/* out holds a prefix; terminate it after the last whole replacement written */
			size_t	 w = 0;

			pos = 0;
			while (pos < len) {
				cp = norm_utf8_next(s + pos, len - pos, &n);
				r = translit_cp(cp, buf);
				k = r != NULL ? strlen(r) : n;
				if (w + k > outsz - 1)
					break;
				w += k;
				pos += n;
			}
			out[w] = '\0';
		}
	}
	if (all_gsm7 != NULL)
		*all_gsm7 = all;
	return o;
}

struct segcount {
	size_t	 total;		/* units */
	size_t	 cur;		/* units in the current part */
	size_t	 parts;		/* parts when split at part_size */
	size_t	 chars;
};

static void
seg_add(struct segcount *c, size_t units, size_t part_size)
{
	c->total += units;
	c->chars++;
	if (c->parts == 0)
		c->parts = 1;
	if (c->cur + units > part_size) {	/* never split an escape or surrogate pair */
		c->parts++;
		c->cur = 0;
	}
	c->cur += units;
}

/* The count of a text in encoding enc (GSM7_ENC_GSM7 or GSM7_ENC_UCS2). */
static void
seg_finish(const struct segcount *c, enum gsm7_encoding enc, int transliterated, struct gsm7_count *out)
{
	size_t	 single = enc == GSM7_ENC_GSM7 ? GSM7_SINGLE_SEPTETS : GSM7_SINGLE_UCS2;

	out->encoding = enc;
	out->transliterated = transliterated;
	out->units = c->total;
	out->chars = c->chars;
	out->segments = c->total <= single ? 1 : c->parts;
}

static void
count_ucs2(const char *in, size_t len, struct gsm7_count *out)
{
	const unsigned char	*s = (const unsigned char *)in;
	struct segcount		 c = { 0, 0, 0, 0 };
	size_t			 pos = 0, n;
	uint32_t		 cp;

	while (pos < len) {
		cp = norm_utf8_next(s + pos, len - pos, &n);
		seg_add(&c, cp != NORM_CP_INVALID && cp > 0xFFFF ? 2 : 1, GSM7_PART_UCS2);
		pos += n;
	}
	seg_finish(&c, GSM7_ENC_UCS2, 0, out);
}

void
gsm7_count_naive(const char *in, size_t len, struct gsm7_count *out)
{
	const unsigned char	*s = (const unsigned char *)in;
	struct segcount		 c = { 0, 0, 0, 0 };
	size_t			 pos = 0, n;
	uint32_t		 cp;
	int			 sep;

	while (pos < len) {
		cp = norm_utf8_next(s + pos, len - pos, &n);
		if (cp == NORM_CP_INVALID || (sep = gsm7_septets(cp)) == 0) {
			count_ucs2(in, len, out);
			return;
		}
		seg_add(&c, (size_t)sep, GSM7_PART_SEPTETS);
		pos += n;
	}
	seg_finish(&c, GSM7_ENC_GSM7, 0, out);
}

void
gsm7_count(const char *in, size_t len, struct gsm7_count *out)
{
	const unsigned char	*s = (const unsigned char *)in;
	struct segcount		 c = { 0, 0, 0, 0 };
	size_t			 pos = 0, n, i;
	uint32_t		 cp, rc;
	const char		*r;
	char			 buf[4];
	int			 sep, changed = 0;

	while (pos < len) {
		cp = norm_utf8_next(s + pos, len - pos, &n);
		pos += n;
		if ((r = translit_cp(cp, buf)) == NULL) {
			if ((sep = gsm7_septets(cp)) == 0) {
				count_ucs2(in, len, out);
				return;
			}
			seg_add(&c, (size_t)sep, GSM7_PART_SEPTETS);
			continue;
		}
		changed = 1;
		for (i = 0; r[i] != '\0'; i += n) {
			rc = norm_utf8_next((const unsigned char *)r + i, strlen(r + i), &n);
			seg_add(&c, (size_t)gsm7_septets(rc), GSM7_PART_SEPTETS);
		}
	}
	seg_finish(&c, GSM7_ENC_GSM7, changed, out);
	if (changed) {
		/* "…" is 1 UCS-2 unit but 3 septets: keep the original if that is cheaper */
		struct gsm7_count	 u;

		count_ucs2(in, len, &u);
		if (u.segments < out->segments)
			*out = u;
	}
}
