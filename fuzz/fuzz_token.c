/*
 * libFuzzer harness for tokens: tok_peek, tok_verify (libjwt) and
 * tok_verify_hs256 (ours, what sessions use), HS256 with a fixed key at a
 * fixed time, on the input as a C string.  A token that verifies must
 * really be HS256 and unexpired, and the two must agree on which do.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/token.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The key the seed corpus is signed with. */
static const unsigned char key[] = "fuzz-key-0123456789abcdef-fuzz!!";

#define NOW	1795967999	/* 2026-11-29T15:59:59Z */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *tok, alg[16], kid[64];
	enum tok_status st, pst, own;
	jwt_t *jwt = NULL;
	cJSON *claims = NULL;
	const cJSON *exp;

	if (size > 8192)
		return 0;
	tok = ck_strndup((const char *)data, size);
	pst = tok_peek(tok, alg, sizeof(alg), kid, sizeof(kid));
	if (pst != TOK_OK && pst != TOK_MALFORMED)
		abort();
	st = tok_verify(tok, JWT_ALG_HS256, key, sizeof(key) - 1, NOW, &jwt);
	if (st >= TOK__MAX || (st == TOK_MALFORMED) != (pst == TOK_MALFORMED))
		abort();
	if (st == TOK_OK) {
		if (jwt == NULL || jwt_get_alg(jwt) != JWT_ALG_HS256 ||
		    strcmp(alg, "HS256") != 0 ||
		    jwt_get_grant_int(jwt, "exp") <= NOW)
			abort();
		jwt_free(jwt);
	} else if (jwt != NULL)
		abort();
	own = tok_verify_hs256(tok, key, sizeof(key) - 1, NOW, &claims);
	if (own >= TOK__MAX || (own == TOK_OK) != (st == TOK_OK) ||
	    (own == TOK_MALFORMED && pst != TOK_MALFORMED))
		abort();
	if (own == TOK_OK) {
		exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
		if (!cJSON_IsObject(claims) || !cJSON_IsNumber(exp) ||
		    exp->valuedouble <= NOW)
			abort();
	}
	cJSON_Delete(claims);
	free(tok);
	return 0;
}
