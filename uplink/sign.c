/* sign — Ed25519 with OpenSSL's EVP_PKEY_ED25519 (see sign.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/xmalloc.h"
#include "uplink/sign.h"

struct sign_key {
	EVP_PKEY	*pkey;
};

struct sign_key *
sign_load(const char *path, int private_key, char *err, size_t errlen)
{
	FILE		*f;
	EVP_PKEY	*pk;
	struct sign_key	*k;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %m", path);
		return NULL;
	}
	pk = private_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (pk == NULL) {
		snprintf(err, errlen, "%s: not a PEM %s key (%s)", path, private_key ? "private" : "public",
		    ERR_reason_error_string(ERR_get_error()));
		return NULL;
	}
	if (EVP_PKEY_id(pk) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "%s: not an Ed25519 key (make one with: openssl genpkey -algorithm "
		    "ed25519 -out hub.key; openssl pkey -in hub.key -pubout -out hub.pub)", path);
		EVP_PKEY_free(pk);
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->pkey = pk;
	return k;
}

void
sign_free(struct sign_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int
sign_msg(struct sign_key *k, const char *msg, size_t len, char out[SIGN_B64_LEN])
{
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	unsigned char	 sig[64];
	size_t		 siglen = sizeof(sig);
	int		 ok;

	ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)msg, len) == 1 && siglen == 64;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, sig, 64);
	return 0;
}

int
sign_verify(struct sign_key *k, const char *msg, size_t len, const char *sig_b64)
{
	EVP_MD_CTX	*ctx;
	unsigned char	 sig[72];
	int		 n, ok;

	if (k == NULL || sig_b64 == NULL || strlen(sig_b64) != 88)
		return 0;
	if ((n = EVP_DecodeBlock(sig, (const unsigned char *)sig_b64, 88)) != 66)	/* 64 + "==" padding */
		return 0;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, 64, (const unsigned char *)msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}
