/*
 * hex — the one hex encoder and decoder: PIN salts and hashes (lowercase, as stored), PDUs and UDHs
 * (uppercase, as modems and libGammu write them). Pure libc.
 */
#ifndef COMMON_HEX_H
#define COMMON_HEX_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The value of one hex digit (either case), -1 for anything else. */
int	 hex_value(int c);
/* Lowercase hex of n bytes into out (2n+1 bytes); returns out. */
char	*hex_encode(const uint8_t *, size_t n, char *out);
/* The same in uppercase (PDUs, UDHs). */
char	*hex_encode_upper(const uint8_t *, size_t n, char *out);
/* Decodes the len hex digits at s (either case) into at most max bytes; returns the byte count,
 * -1 on an odd length, a non-hex digit or more than max bytes. */
ssize_t	 hex_decode_n(const char *s, size_t len, uint8_t *out, size_t max);
/* hex_decode_n() of a whole string. */
int	 hex_decode(const char *, uint8_t *out, size_t max);
#endif
