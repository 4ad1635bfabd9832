/*
 * sign — Ed25519 signatures on downlink commands (OpenSSL libcrypto). The hub signs the exact
 * bytes of each command with its private key; a box verifies them with the hub's public key from
 * its configuration before it acts. Signatures travel as base64.
 */
#ifndef UPLINK_SIGN_H
#define UPLINK_SIGN_H
#include <stddef.h>

struct sign_key;

#define SIGN_B64_LEN	96	/* a 64-byte signature in base64, NUL included */

/* Loads a PEM Ed25519 key: private (the hub) or public (a box). NULL with err. */
struct sign_key	*sign_load(const char *path, int private_key, char *err, size_t errlen);
void		 sign_free(struct sign_key *);	/* accepts NULL */
/* Signs msg into out (base64). 0 ok, -1 failure. */
int		 sign_msg(struct sign_key *, const char *msg, size_t len, char out[SIGN_B64_LEN]);
/* 1 when sig_b64 is a valid signature of msg by the key, else 0. */
int		 sign_verify(struct sign_key *, const char *msg, size_t len, const char *sig_b64);
#endif
