/*
 * norm — text normalisation shared by the SMS parser, the area index and the area resolver.
 *
 * Owns the one definition of "the same word" in Kentongan: case folded, accents stripped, fullwidth and
 * "fancy" (mathematical, circled) letters and Cyrillic/Greek look-alikes mapped to Latin, punctuation,
 * emoji and invalid UTF-8 treated as separators. The store indexes area names with norm_name() and the
 * resolver looks SMS text up with the same function, so both sides always agree.
 *
 * Pure: no I/O, no allocation, never reads past the given length, any bytes accepted.
 */
#ifndef PARSERS_NORM_H
#define PARSERS_NORM_H

#include <stddef.h>
#include <stdint.h>

#define NORM_NAME_MAX		64	/* bytes incl. NUL for a normalised area name */
#define NORM_AREA_MAXCAND	8	/* (name, qualifier) candidates from one area argument */
#define NORM_CODE_MAX		16	/* bytes incl. NUL for a Kemendagri code (10 digits) */

#define NORM_CP_INVALID		0xFFFFFFFFu	/* returned for a byte that does not start a valid sequence */

/*
 * Decodes one code point from s[0..len) (len >= 1). Sets *n to the bytes consumed (always >= 1).
 * Overlong forms, surrogates, values above U+10FFFF and truncated sequences give NORM_CP_INVALID
 * with *n = 1, so a caller skipping *n bytes always makes progress and never reads past len.
 */
uint32_t	 norm_utf8_next(const unsigned char *s, size_t len, size_t *n);


/*
 * Normalises SMS text to words of uppercase ASCII letters/digits (letters of other scripts are kept as
 * UTF-8) separated by single spaces, without leading/trailing space. Separators: whitespace, any
 * punctuation or symbol (SPEC §4 names # . , * /), emoji, control characters and invalid UTF-8 bytes.
 * Zero-width characters, soft hyphens and combining marks vanish without splitting a word. A run of '?'
 * before any word and not stuck to one becomes the word "?" (the help keyword: "?", "? cara daftar");
 * any other '?' is punctuation.
 *
 * Writes at most outsz-1 bytes plus a NUL (outsz >= 1) and returns the bytes written; stops at a word
 * when out is full (possibly inside a word) and sets *truncated (if not NULL) to 1, else 0. start and
 * end are both NULL or both arrays of outsz entries: out[i] came from in[start[i] .. end[i]) (a space
 * maps to the first separator it replaced, with end == start).
 */
size_t	 norm_text(const char *in, size_t len, char *out, size_t outsz, uint32_t *start,
	    uint32_t *end, int *truncated);

/*
 * Area-name key: uppercase ASCII letters and digits only, everything else dropped
 * ("Sukamaju", "SUKA MAJU", "Suka-Maju", "ｓｕｋａｍａｊｕ" → "SUKAMAJU"). snprintf-like: writes at most
 * outsz-1 bytes plus NUL (if outsz > 0) and returns the full key length, so a return >= outsz means
 * truncated. Letters without an ASCII form (Arabic, CJK…) are dropped.
 */
size_t	 norm_name(const char *in, size_t len, char *out, size_t outsz);

/*
 * The name villagers use for a stored area name: "KABUPATEN MUSI RAWAS" → "MUSI RAWAS",
 * "KOTA PALEMBANG" → "PALEMBANG" (KAB., KAB, KOTA ADM. likewise). Returns a pointer into name.
 */
const char	*norm_area_plain(const char *name);
/* The index key of a stored area name: norm_name(norm_area_plain(name)). Same contract as norm_name. */
size_t	 norm_area_key(const char *name, char *out, size_t outsz);

enum norm_area_kind {
	NORM_AREA_NONE = 0,	/* empty argument */
	NORM_AREA_CODE,		/* a Kemendagri code: code[] and level are set */
	NORM_AREA_NUMBER,	/* digits only but not shaped like a code (a phone number, typo) */
	NORM_AREA_NAME,		/* words: try cand[0..ncand) in order */
};

struct norm_area_cand {
	char	 name[NORM_NAME_MAX];		/* norm_name() key of the area's own name */
	char	 qualifier[NORM_NAME_MAX];	/* key of the enclosing area (district, city) or "" */
};

struct norm_area {
	enum norm_area_kind	 kind;
	char			 code[NORM_CODE_MAX];	/* digits only, for NORM_AREA_CODE/NUMBER */
	int			 level;		/* code: 1 province, 2 regency/city, 3 district, 4 village */
	unsigned		 ncand;
	struct norm_area_cand	 cand[NORM_AREA_MAXCAND];
};

/*
 * Splits an area argument (raw or already normalised SMS text) for resolution (SPEC §3).
 * A code is 2/4/6/10 digits, also written in groups on the Kemendagri boundaries ("16.71.01.1001",
 * "1671 01 1001"). Names give candidates, best first: all words joined ("SUKAMAJU BABAT" →
 * {SUKAMAJUBABAT, ""}), then every split point from the right ({SUKAMAJU, BABAT}); the village/district
 * markers DESA, DS, KEL, KELURAHAN, KEC, KECAMATAN are dropped from candidates after the first (and mark
 * the split point when they stand between two names); a trailing form of address or mobile number
 * ("SUKAMAJU PAK", "SUKAMAJU 081234567890") gives the same candidates without it, last. At most NORM_AREA_MAXCAND candidates, the rest dropped.
 * Returns the kind (also stored in out->kind).
 */
enum norm_area_kind norm_area_split(const char *in, size_t len, struct norm_area *out);

#endif
