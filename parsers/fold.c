/*
 * fold.c — the parsers' UTF-8 step (declared in norm.h, on common/utf8.c's decoder) and the small
 * hand-made folding tables (homoglyphs, ignorable code points, letters without an ASCII form)
 * behind parsers/fold.h. The big accent/fullwidth table is generated into fold_table.c.
 */
#include "common/utf8.h"
#include "parsers/fold.h"

uint32_t
norm_utf8_next(const unsigned char *s, size_t len, size_t *n)
{
	unsigned int	 cp;

	if ((*n = utf8_decode((const char *)s, len, &cp)) == 0) {
		*n = 1;
		return NORM_CP_INVALID;
	}
	return cp;
}

const void *
norm_cp_find(const void *tab, size_t n, size_t size, uint32_t cp)
{
	const char	*base = tab;
	size_t		 lo = 0, hi = n, mid;
	uint32_t	 k;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		k = *(const uint32_t *)(const void *)(base + mid * size);
		if (k == cp)
			return base + mid * size;
		if (k < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *
norm_fold_lookup(uint32_t cp)
{
	const struct norm_fold	*f;

	if (cp < norm_fold_table[0].cp)
		return NULL;
	f = norm_cp_find(norm_fold_table, norm_fold_count, sizeof(norm_fold_table[0]), cp);
	return f != NULL ? f->ascii : NULL;
}

/* Cyrillic and Greek letters that render like a Latin letter in common phone fonts. */
static const struct homoglyph {
	uint32_t	 cp;
	char		 latin;
} homoglyphs[] = {
	{ 0x0391, 'A' }, { 0x0392, 'B' }, { 0x0395, 'E' }, { 0x0396, 'Z' }, { 0x0397, 'H' },
	{ 0x0399, 'I' }, { 0x039A, 'K' }, { 0x039C, 'M' }, { 0x039D, 'N' }, { 0x039F, 'O' },
	{ 0x03A1, 'P' }, { 0x03A4, 'T' }, { 0x03A5, 'Y' }, { 0x03A7, 'X' }, { 0x03B1, 'A' },
	{ 0x03B5, 'E' }, { 0x03B9, 'I' }, { 0x03BA, 'K' }, { 0x03BD, 'V' }, { 0x03BF, 'O' },
	{ 0x03C1, 'P' }, { 0x03C4, 'T' }, { 0x03C5, 'U' }, { 0x03C7, 'X' },
	{ 0x0405, 'S' }, { 0x0406, 'I' }, { 0x0408, 'J' }, { 0x0410, 'A' }, { 0x0412, 'B' },
	{ 0x0415, 'E' }, { 0x041A, 'K' }, { 0x041C, 'M' }, { 0x041D, 'H' }, { 0x041E, 'O' },
	{ 0x0420, 'P' }, { 0x0421, 'C' }, { 0x0422, 'T' }, { 0x0423, 'Y' }, { 0x0425, 'X' },
	{ 0x0430, 'A' }, { 0x0432, 'B' }, { 0x0435, 'E' }, { 0x043A, 'K' }, { 0x043C, 'M' },
	{ 0x043D, 'H' }, { 0x043E, 'O' }, { 0x0440, 'P' }, { 0x0441, 'C' }, { 0x0442, 'T' },
	{ 0x0443, 'Y' }, { 0x0445, 'X' }, { 0x0455, 'S' }, { 0x0456, 'I' }, { 0x0458, 'J' },
	{ 0x04AE, 'Y' }, { 0x04AF, 'Y' }, { 0x04BB, 'H' }, { 0x04CF, 'I' }, { 0x051A, 'Q' },
	{ 0x051B, 'Q' }, { 0x051C, 'W' }, { 0x051D, 'W' },
};

char
norm_homoglyph(uint32_t cp)
{
	const struct homoglyph	*h;

	if (cp < 0x0391 || cp > 0x051D)
		return 0;
	h = norm_cp_find(homoglyphs, sizeof(homoglyphs) / sizeof(homoglyphs[0]), sizeof(homoglyphs[0]), cp);
	return h != NULL ? h->latin : 0;
}

int
norm_is_ignorable(uint32_t cp)
{
	return cp == 0x00AD || cp == 0x034F || cp == 0x180E || cp == 0xFEFF ||
	    (cp >= 0x0300 && cp <= 0x036F) ||	/* combining diacritics */
	    (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
	    (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) ||
	    (cp >= 0x200B && cp <= 0x200F) ||	/* zero-width space/joiners, LRM/RLM */
	    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
	    (cp >= 0xFE00 && cp <= 0xFE0F) ||	/* variation selectors */
	    (cp >= 0xE0100 && cp <= 0xE01EF);
}

int
norm_is_other_letter(uint32_t cp)
{
	return (cp >= 0x0250 && cp <= 0x02AF) ||	/* IPA extensions */
	    (cp >= 0x0370 && cp <= 0x03FF && cp != 0x037E && cp != 0x0387) ||	/* Greek */
	    (cp >= 0x0400 && cp <= 0x052F) ||		/* Cyrillic */
	    (cp >= 0x0531 && cp <= 0x0587) ||		/* Armenian */
	    (cp >= 0x05D0 && cp <= 0x05EA) ||		/* Hebrew */
	    (cp >= 0x0620 && cp <= 0x064A) || (cp >= 0x066E && cp <= 0x06D3) ||	/* Arabic (Jawi) */
	    (cp >= 0x0900 && cp <= 0x0963) ||		/* Devanagari */
	    (cp >= 0x0E01 && cp <= 0x0E3A) ||		/* Thai */
	    (cp >= 0x1B00 && cp <= 0x1BFF) ||		/* Balinese, Sundanese, Batak */
	    (cp >= 0xA980 && cp <= 0xA9DF) ||		/* Javanese */
	    (cp >= 0x3040 && cp <= 0x30FF) ||		/* Hiragana, Katakana */
	    (cp >= 0x4E00 && cp <= 0x9FFF) ||		/* CJK */
	    (cp >= 0xAC00 && cp <= 0xD7A3);		/* Hangul */
}
