/*
 * ES256 (P-256) signing keys: a directory of PEM private keys, of which
 * the newest (last by file name) signs; their public halves as a JWKS;
 * and public keys read from other issuers' JWKS for verification.
 */
#ifndef HC_KEYRING_H
#define HC_KEYRING_H

#include <time.h>

#include <openssl/evp.h>

#include "token.h"
#include "util.h"

/*
 * Our kids are the first 12 characters (72 bits) of the RFC 7638
 * thumbprint: unique among a region's keys, and short, because every
 * character of the token makes the QR code denser.
 */
#define KID_LEN		12
#define KID_MAX		TOK_KID_MAX	/* kids read from other issuers' JWKS */

struct key {
	char	 kid[KID_MAX + 1];
	EVP_PKEY *pkey;		/* parsed once: private, or public only */
	EVP_PKEY_CTX *verifier;	/* tok_es256_verifier(pkey) */
	char	 x[44], y[44];	/* base64url coordinates */
	char	*priv_pem;	/* NULL for a public-only key */
	size_t	 priv_len;
	char	*pub_pem;
	size_t	 pub_len;
};

struct keyring {
	struct key	*k;
	size_t		 n;
};

/* Loads every *.pem private key in dir, sorted by name.  0 or -1 with err. */
int keyring_load_dir(struct keyring *r, const char *dir, struct buf *err);
/* Adds the public keys of a JWKS document (EC P-256 only).  0 or -1 with err. */
int keyring_load_jwks(struct keyring *r, const char *json, size_t len,
    struct buf *err);
/*
 * Creates a new P-256 key in dir as "<UTC time to the nanosecond>-<kid
 * prefix>.pem", mode 0600, so that it sorts last and signs.  Writes its
 * kid.  0 or -1.
 */
int keyring_generate(const char *dir, char kid[KID_MAX + 1],
    struct buf *err);
/* Returns the signing key (the newest private key), or NULL. */
const struct key *keyring_signer(const struct keyring *r);
/* Returns the key with kid, or NULL. */
const struct key *keyring_find(const struct keyring *r, const char *kid);
/* Appends {"keys":[...]} with every key's public half. */
void keyring_jwks(const struct keyring *r, struct buf *out);
void keyring_free(struct keyring *r);

#endif
