/*
 * Compact JWTs (RFC 7515/7519).  Every check pins the algorithm named by
 * the caller and requires "exp" after now, which libjwt 1.10 leaves to
 * us.  libjwt signs (tok_sign) and verifies (tok_verify) any algorithm
 * and is the reference the tests hold ours to; the service itself opens
 * a token once (tok_open) and checks it with keys and verifiers prepared
 * at start (tok_check, tok_verify_es256, tok_verify_hs256).
 */
#ifndef HC_TOKEN_H
#define HC_TOKEN_H

#include <time.h>

#include <cJSON.h>
#include <jwt.h>
#include <openssl/evp.h>

#include "util.h"

#define TOK_MAX	4096	/* longer tokens are malformed */
/*
 * The longest "kid" read from a header, and so from an issuer's JWKS
 * (KID_MAX, keyring.h): one limit for both, or a key could load that no
 * token is able to name.
 */
#define TOK_KID_MAX	64

enum tok_status {
	TOK_OK,
	TOK_MALFORMED,
	TOK_WRONG_ALG,
	TOK_BAD_SIG,
	TOK_EXPIRED,
	TOK__MAX
};

/* Returns a stable name for a status ("expired", "bad_signature", ...). */
const char *tok_status_name(enum tok_status st);

/*
 * Signs the claims (a JSON object) with alg and key (HS*: the secret;
 * ES*: a PEM private key), adding "kid" to the header when given.
 * Returns the token (free with free()) or NULL.
 */
char *tok_sign(jwt_alg_t alg, const unsigned char *key, size_t keylen,
    const char *kid, const cJSON *claims);

/*
 * A compact token split and decoded once; nothing in it is trusted until
 * tok_check says so.
 */
struct tok_parts {
	char	 alg[16];	/* the header's, "" if absent or too long */
	char	 kid[TOK_KID_MAX + 1];	/* the same */
	cJSON	*claims;	/* the payload, or NULL if not a JSON object */
	size_t	 signed_len;	/* bytes of "header.payload" */
};

/*
 * Checks the form (three base64url parts, at most TOK_MAX bytes, the
 * header one JSON object) and decodes it into p.  TOK_OK (tok_close p
 * after) or TOK_MALFORMED.
 */
enum tok_status tok_open(const char *tok, struct tok_parts *p);
void tok_close(struct tok_parts *p);
/*
 * Checks an opened token, in this order: the header's alg is exactly alg
 * (TOK_WRONG_ALG), the signature, with verifier for ES256 or with key for
 * HS256 (TOK_BAD_SIG), the payload a JSON object (TOK_MALFORMED), its
 * "exp" after now (TOK_EXPIRED).
 */
enum tok_status tok_check(const char *tok, const struct tok_parts *p,
    const char *alg, EVP_PKEY_CTX *verifier, const unsigned char *key,
    size_t keylen, time_t now);
/*
 * tok_check for a token whose signature is known good because it is, byte
 * for byte, one the caller signed and kept: the same checks in the same
 * order, the signature's excepted.
 */
enum tok_status tok_check_known(const struct tok_parts *p, const char *alg,
    time_t now);

/*
 * Reads the header of an unverified token: "alg" and "kid" (either may
 * be returned empty).  TOK_OK or TOK_MALFORMED.
 */
enum tok_status tok_peek(const char *tok, char *alg, size_t alglen,
    char *kid, size_t kidlen);

/*
 * Verifies tok: header alg must be exactly alg, signature valid with key
 * (HS*: secret; ES*: PEM public key), "exp" present and > now.  On TOK_OK
 * *out holds the decoded token (jwt_free it).
 */
enum tok_status tok_verify(const char *tok, jwt_alg_t alg,
    const unsigned char *key, size_t keylen, time_t now, jwt_t **out);

/*
 * ES256 with a key parsed once.  libjwt 1.10 re-reads the PEM key on
 * every ES256 sign and verify, and OpenSSL 3's decoders make that the
 * dominant cost of a request; these produce and accept the same compact
 * JWS (RFC 7515, signature r||s per RFC 7518), checked against libjwt in
 * the unit tests.
 */
/* Returns a token signed with key (a P-256 private key), or NULL. */
char *tok_sign_es256(EVP_PKEY *key, const char *kid, const cJSON *claims);
/*
 * Returns a verifier for the P-256 public key pub, prepared once and
 * used for every token (EVP_PKEY_CTX_free it), or NULL.
 */
EVP_PKEY_CTX *tok_es256_verifier(EVP_PKEY *pub);
/*
 * Verifies an ES256 token: header alg exactly "ES256", signature checked
 * with verifier (NULL: bad_signature), a JSON object payload with "exp" >
 * now.  On TOK_OK *claims holds the payload (cJSON_Delete it); on
 * TOK_EXPIRED too, for the caller to read.
 */
enum tok_status tok_verify_es256(const char *tok, EVP_PKEY_CTX *verifier,
    time_t now, cJSON **claims);
/*
 * The same for HS256 with the secret key: what sessions use on every
 * request.  libjwt signs them; this checks them with the HMAC fetched
 * once and no second JSON library.
 */
enum tok_status tok_verify_hs256(const char *tok, const unsigned char *key,
    size_t keylen, time_t now, cJSON **claims);

#endif
