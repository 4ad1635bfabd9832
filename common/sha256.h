/*
 * sha256 — SHA-256 (FIPS 180-4) and the PIN hash built on it. Pure libc, no I/O; used by the
 * store to keep officials' SIAR PINs hashed with a per-record salt, never in clear.
 */
#ifndef COMMON_SHA256_H
#define COMMON_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32

struct sha256 {
	uint32_t	 h[8];
	uint64_t	 len;		/* bytes hashed so far */
	uint8_t		 buf[64];
	size_t		 nbuf;
};

void	sha256_init(struct sha256 *);
void	sha256_update(struct sha256 *, const void *, size_t);
void	sha256_final(struct sha256 *, uint8_t out[SHA256_LEN]);
void	sha256(const void *, size_t, uint8_t out[SHA256_LEN]);

#define PIN_HASH_ROUNDS	10000
/* Stretched PIN hash: h0 = SHA-256(salt || pin), h(i+1) = SHA-256(h(i) || salt || pin), rounds times. */
void	pin_hash(const uint8_t *salt, size_t saltlen, const char *pin, uint8_t out[SHA256_LEN]);
/* Compares n bytes in time independent of where they differ. 0 when equal. */
int	ct_memcmp(const void *, const void *, size_t n);
#endif
