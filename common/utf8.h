/*
 * utf8 — the one UTF-8 <-> UCS-2 codec: libGammu's unicode strings (UCS-2BE/UTF-16BE, two zero
 * bytes at the end) to and from the UTF-8 the rest of the house speaks. Bad input never yields bad
 * output: an invalid UTF-8 sequence becomes U+FFFD, a lone surrogate U+FFFD, a NUL inside a text
 * U+2400 (kept visibly instead of cutting the text). Pure libc.
 */
#ifndef COMMON_UTF8_H
#define COMMON_UTF8_H
#include <stddef.h>

/* UTF-8 -> UCS-2BE/UTF-16BE in out (2 * outunits bytes, terminator included); returns the code
 * units written, without the terminator. */
size_t	utf8_to_ucs2(const char *in, unsigned char *out, size_t outunits);
/* nunits UTF-16BE units (NULs and surrogates allowed) -> UTF-8 in out (outlen bytes). */
void	ucs2n_to_utf8(const unsigned char *in, size_t nunits, char *out, size_t outlen);
/* The same for a string ended by two zero bytes. */
void	ucs2_to_utf8(const unsigned char *in, char *out, size_t outlen);
/* Code units of a string ended by two zero bytes. */
size_t	ucs2_len(const unsigned char *in);
/* The one UTF-8 encoder: code point cp (at most U+10FFFF) as 1-4 bytes at out; returns how many. */
size_t	utf8_encode(unsigned int cp, char *out);
/* The one UTF-8 decoder: the length (1-4) of the well-formed sequence at s (len bytes there; SIZE_MAX
 * for a NUL-terminated string, as a NUL never continues a sequence) and its code point in *cp; 0
 * when it is not well-formed (then *cp is the first byte). Overlong forms, surrogates and code
 * points past U+10FFFF are not well-formed. */
size_t	utf8_decode(const char *s, size_t len, unsigned int *cp);
/* Whether s[0..len) is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
int	utf8_valid(const char *s, size_t len);
/* Characters (code points) of s: its bytes that do not continue a sequence. */
size_t	utf8_chars(const char *s);
/* Bytes of s[0..n) that fit in max bytes without cutting a sequence: n when n <= max, else max
 * moved back to the start of the character it would cut. */
size_t	utf8_cut(const char *s, size_t n, size_t max);
/* Bytes of the first chars characters of s (all of s when shorter): a cut that keeps whole ones. */
size_t	utf8_prefix(const char *s, size_t chars);
#endif
