/*
 * gsm7 — the GSM 03.38 alphabet: transliteration of UTF-8 text to what fits the 7-bit default alphabet
 * plus its extension table, and SMS segment counting. Pure: no I/O, no allocation, any bytes accepted.
 *
 * Transliteration policy (SPEC §6: cheap messages, nothing a reader needs is lost):
 *   - kept: every character of the default alphabet and of the extension table (^ { } \ [ ~ ] | €)
 *   - punctuation: curly/low quotes, primes, backtick, acute accent → ' or "; guillemets → ";
 *     hyphens, en/em dashes, minus → -; ellipsis → ...; bullets (• ◦ ‣ ⁃ ● ▪ ∙ ·) → -;
 *     fraction slash → /; ¼ ½ ¾ → 1/4 1/2 3/4; ™ → TM; × → x
 *   - spaces: tab, no-break, en/em/thin/hair, narrow no-break, ideographic → space;
 *     zero-width space/joiners, word joiner, BOM, soft hyphen, variation selectors, combining marks →
 *     nothing
 *   - letters: accented Latin letters missing from GSM-7 → the base letter with its case (á → a,
 *     Ş → S, ç → Ç as phones display it); ligatures written out (œ → oe); fullwidth and "fancy"
 *     mathematical letters/digits → plain; Greek capitals that look Latin (Α Β Ε …) → Latin
 *   - control characters other than LF, CR and FF (NUL included) → nothing
 *   - everything else (emoji, other scripts, °, ©) stays: the text is then not GSM-7 and goes as UCS-2,
 *     in which case the sender should send the original text.
 * Invalid UTF-8 bytes become '?' in the transliteration and U+FFFD (one UTF-16 unit) when counting UCS-2.
 */
#ifndef PARSERS_GSM7_H
#define PARSERS_GSM7_H

#include <stddef.h>

#define GSM7_SINGLE_SEPTETS	160
#define GSM7_PART_SEPTETS	153	/* 7 septets go to the concatenation header */
#define GSM7_SINGLE_UCS2	70
#define GSM7_PART_UCS2		67

enum gsm7_encoding {
	GSM7_ENC_GSM7 = 0,
	GSM7_ENC_UCS2,
};

struct gsm7_count {
	enum gsm7_encoding	 encoding;
	size_t			 units;		/* septets (GSM-7, escapes count 2) or UTF-16 code units */
	size_t			 chars;		/* characters (code points) of the text that is sent */
	size_t			 segments;	/* SMS parts; 1 for the empty text */
	int			 transliterated;	/* the GSM-7 text differs from the original */
};

/*
 * Transliterates in[0..len) (see policy above) into out: at most outsz-1 bytes plus NUL (outsz > 0),
 * never cutting a UTF-8 sequence. Returns the full length of the result (a return >= outsz means out
 * holds only its start). *all_gsm7 (if not NULL) is set to 1 when every character of the result is in
 * the default alphabet or extension table, else 0.
 */
size_t	 gsm7_translit(const char *in, size_t len, char *out, size_t outsz, int *all_gsm7);

/* Is the code point in the default alphabet (1 septet) or extension table (2 septets)? 0 if neither. */
int	 gsm7_septets(unsigned long cp);

/*
 * What sending in[0..len) costs after transliteration: GSM-7 when the transliteration is all GSM-7
 * (units/chars then describe the transliterated text), else UCS-2 of the original text; also UCS-2 of
 * the original when that takes fewer segments (70 "…" are 1 UCS-2 SMS but 210 septets). The sender
 * sends gsm7_translit()'s text when encoding is GSM7_ENC_GSM7, else the original.
 * Segments: GSM-7 160 septets in one SMS, else parts of 153, an escape pair never split across parts;
 * UCS-2 70 units, else parts of 67, a surrogate pair never split.
 */
void	 gsm7_count(const char *in, size_t len, struct gsm7_count *);

/* The same without transliteration ("naive"): UCS-2 as soon as one character is outside GSM-7.
 * For the benchmark comparison and for callers that must send the text unchanged. */
void	 gsm7_count_naive(const char *in, size_t len, struct gsm7_count *);

#endif
