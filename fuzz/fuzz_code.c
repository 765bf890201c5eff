/*
 * libFuzzer harness for code tokens (ES256) as a checkpoint checks them
 * (handlers/verify.c: /v/{token} and POST /api/v1/verify): tok_open on
 * the input as a C string, the key chosen by its "kid" from a trust
 * list's JWKS (two keys, loaded with keyring_load_jwks), tok_check with
 * that key's verifier, and tok_check_known as for a token kept when
 * signed.  tok_verify_es256 must say what tok_open and tok_check say;
 * libjwt (tok_verify with the key's PEM) must accept the signature of
 * whatever ours accepts; a token that verifies is ES256, unexpired, its
 * claims an object; a token that verifies is known good too.  The same token
 * checked as HS256 with the public key as the secret (the key confusion
 * of RFC 8725 3.1) must never pass as ES256.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/keyring.h"
#include "../fcgi/token.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * The public halves of the two keys the seed corpus is signed with (the
 * private halves were used once, to sign it, and kept nowhere).
 */
static const char jwks[] = "{\"keys\":["
    "{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"jAbX5JxUjS4VygyVlNQzo_ytinKM0l6S9ZDW6Pxp6Xk\","
    "\"y\":\"n2ktfiGipMzDz0ZektTe-uMheNCLkXo6-cfcTx_Fx-0\","
    "\"kid\":\"qvtsEf3SyLw_\",\"use\":\"sig\",\"alg\":\"ES256\"},"
    "{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"cCjFl1Qrh2EruduG0W_KbVymg3ViaRP185xHMX0dG9Q\","
    "\"y\":\"CTL-HFBAWNyJhCQLAv8qWXGoT-SVDb5DuvFh9sZDIfA\","
    "\"kid\":\"PDFdmMUuz4zO\",\"use\":\"sig\",\"alg\":\"ES256\"}]}";

#define NOW	1795967999	/* 2026-11-29T15:59:59Z */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keyring ring;
	const struct key *key;
	struct tok_parts p;
	struct buf err;
	enum tok_status st, own, known, ref, hs;
	const cJSON *exp;
	cJSON *claims = NULL;
	jwt_t *jwt = NULL;
	char *tok;

	if (ring.n == 0) {
		buf_init(&err);
		if (keyring_load_jwks(&ring, jwks, sizeof(jwks) - 1, &err) ==
		    -1 || ring.n != 2)
			abort();
		buf_free(&err);
	}
	if (size > TOK_MAX + 64)
		return 0;
	tok = ck_strndup((const char *)data, size);
	own = tok_verify_es256(tok, ring.k[0].verifier, NOW, &claims);
	if (own >= TOK__MAX ||
	    (claims != NULL) != (own == TOK_OK || own == TOK_EXPIRED))
		abort();
	cJSON_Delete(claims);
	claims = NULL;
	if ((st = tok_open(tok, &p)) != TOK_OK) {
		if (st != TOK_MALFORMED || p.claims != NULL ||
		    own != TOK_MALFORMED)
			abort();
		free(tok);
		return 0;
	}
	if (strlen(p.alg) >= sizeof(p.alg) || strlen(p.kid) > TOK_KID_MAX ||
	    p.signed_len >= strlen(tok) || tok[p.signed_len] != '.')
		abort();
	key = keyring_find(&ring, p.kid);
	if (key != NULL && strcmp(key->kid, p.kid) != 0)
		abort();
	if (key == NULL)
		key = &ring.k[0];	/* checked all the same */

	st = tok_check(tok, &p, "ES256", key->verifier, NULL, 0, NOW);
	known = tok_check_known(&p, "ES256", NOW);
	if (st >= TOK__MAX || known >= TOK__MAX ||
	    (st != TOK_BAD_SIG && st != known) ||
	    ((st == TOK_WRONG_ALG) != (strcmp(p.alg, "ES256") != 0)))
		abort();
	if (key == &ring.k[0] && st != own)
		abort();
	if (st == TOK_OK) {
		exp = cJSON_GetObjectItemCaseSensitive(p.claims, "exp");
		if (!cJSON_IsObject(p.claims) || !cJSON_IsNumber(exp) ||
		    exp->valuedouble <= NOW)
			abort();
		/* The reference accepts what ours accepts. */
		ref = tok_verify(tok, JWT_ALG_ES256,
		    (const unsigned char *)key->pub_pem, key->pub_len, NOW,
		    &jwt);
		/*
		 * Its signature, that is: libjwt 1.10 reads "exp" as an
		 * integer, so an exp of 1.8e9 or with a fraction, which is
		 * a NumericDate all the same (RFC 7519 2), expires there.
		 */
		if ((ref != TOK_OK && ref != TOK_EXPIRED) ||
		    (ref == TOK_OK) != (jwt != NULL) || (jwt != NULL &&
		    jwt_get_alg(jwt) != JWT_ALG_ES256))
			abort();
		jwt_free(jwt);
	}
	/* HS256 keyed with the public key: never an ES256 pass. */
	hs = tok_check(tok, &p, "HS256", NULL,
	    (const unsigned char *)key->pub_pem, key->pub_len, NOW);
	if (hs == TOK_OK && st == TOK_OK)
		abort();
	tok_close(&p);
	free(tok);
	return 0;
}
