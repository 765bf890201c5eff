/*
 * Compact JWTs over libjwt, with the checks libjwt 1.10 leaves to us:
 * the algorithm is pinned by the caller (checked in the header before
 * libjwt sees the token, and again after), and "exp" is checked here.
 */
#ifndef HC_TOKEN_H
#define HC_TOKEN_H

#include <time.h>

#include <cJSON.h>
#include <jwt.h>

#include "util.h"

#define TOK_MAX	4096	/* longer tokens are malformed */

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

#endif
