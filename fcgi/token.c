/* JWT signing and verification; see jwt.h for the rules enforced. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "token.h"

static const char *const names[TOK__MAX] = {
	"ok", "malformed", "wrong_algorithm", "bad_signature", "expired"
};

const char *
tok_status_name(enum tok_status st)
{
	return st < TOK__MAX ? names[st] : "malformed";
}

char *
tok_sign(jwt_alg_t alg, const unsigned char *key, size_t keylen,
    const char *kid, const cJSON *claims)
{
	jwt_t *jwt = NULL;
	char *json = NULL, *tok = NULL;

	if (jwt_new(&jwt) != 0)
		return NULL;
	if ((json = cJSON_PrintUnformatted(claims)) == NULL ||
	    jwt_add_grants_json(jwt, json) != 0 ||
	    (kid != NULL && jwt_add_header(jwt, "kid", kid) != 0) ||
	    jwt_set_alg(jwt, alg, key, (int)keylen) != 0)
		goto out;
	tok = jwt_encode_str(jwt);
out:
	cJSON_free(json);
	jwt_free(jwt);
	return tok;
}

/* Checks the compact form: three base64url parts, header a JSON object. */
static enum tok_status
header_of(const char *tok, cJSON **hdr)
{
	const char *d1, *d2, *p;
	size_t len;
	struct buf b;

	*hdr = NULL;
	if (tok == NULL || (len = strnlen(tok, TOK_MAX + 1)) == 0 ||
	    len > TOK_MAX)
		return TOK_MALFORMED;
	for (p = tok; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.'))
			return TOK_MALFORMED;
	if ((d1 = strchr(tok, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') ||
	    d1 == tok || d2 == d1 + 1)
		return TOK_MALFORMED;
	buf_init(&b);
	if (b64url_decode(&b, tok, (size_t)(d1 - tok)) == 0 && b.len > 0) {
		const char *end = NULL;
		*hdr = cJSON_ParseWithLengthOpts(b.ptr, b.len, &end, 0);
		/* The header is one object and nothing after it. */
		if (*hdr != NULL && end != b.ptr + b.len) {
			cJSON_Delete(*hdr);
			*hdr = NULL;
		}
	}
	buf_free(&b);
	if (*hdr == NULL || !cJSON_IsObject(*hdr)) {
		cJSON_Delete(*hdr);
		*hdr = NULL;
		return TOK_MALFORMED;
	}
	return TOK_OK;
}

enum tok_status
tok_peek(const char *tok, char *alg, size_t alglen, char *kid, size_t kidlen)
{
	cJSON *hdr, *a, *k;
	enum tok_status st;

	alg[0] = kid[0] = '\0';
	if ((st = header_of(tok, &hdr)) != TOK_OK)
		return st;
	a = cJSON_GetObjectItemCaseSensitive(hdr, "alg");
	k = cJSON_GetObjectItemCaseSensitive(hdr, "kid");
	if (cJSON_IsString(a) && strlen(a->valuestring) < alglen)
		strcpy(alg, a->valuestring);
	if (cJSON_IsString(k) && strlen(k->valuestring) < kidlen)
		strcpy(kid, k->valuestring);
	cJSON_Delete(hdr);
	return TOK_OK;
}

enum tok_status
tok_verify(const char *tok, jwt_alg_t alg, const unsigned char *key,
    size_t keylen, time_t now, jwt_t **out)
{
	char halg[16], kid[64];
	jwt_t *jwt = NULL;
	enum tok_status st;
	long exp;

	*out = NULL;
	if ((st = tok_peek(tok, halg, sizeof(halg), kid, sizeof(kid))) !=
	    TOK_OK)
		return st;
	/* Pinned before libjwt sees it: no "none", no HS256-with-public-key. */
	if (strcmp(halg, jwt_alg_str(alg)) != 0)
		return TOK_WRONG_ALG;
	if (key == NULL || keylen == 0)
		return TOK_BAD_SIG;
	if (jwt_decode(&jwt, tok, key, (int)keylen) != 0 || jwt == NULL)
		return TOK_BAD_SIG;
	if (jwt_get_alg(jwt) != alg) {
		jwt_free(jwt);
		return TOK_WRONG_ALG;
	}
	exp = jwt_get_grant_int(jwt, "exp");
	if (exp <= 0 || (time_t)exp <= now) {
		jwt_free(jwt);
		return TOK_EXPIRED;
	}
	*out = jwt;
	return TOK_OK;
}

cJSON *
tok_unverified_claims(const char *tok)
{
	const char *d1, *d2, *end = NULL;
	cJSON *hdr, *pl = NULL;
	struct buf b;

	if (header_of(tok, &hdr) != TOK_OK)
		return NULL;
	cJSON_Delete(hdr);
	d1 = strchr(tok, '.');
	d2 = strchr(d1 + 1, '.');
	buf_init(&b);
	if (b64url_decode(&b, d1 + 1, (size_t)(d2 - d1 - 1)) == 0 &&
	    b.len > 0 && (pl = cJSON_ParseWithLengthOpts(b.ptr, b.len, &end,
	    0)) != NULL && (end != b.ptr + b.len || !cJSON_IsObject(pl))) {
		cJSON_Delete(pl);
		pl = NULL;
	}
	buf_free(&b);
	return pl;
}

/* The digest, fetched once: implicit fetches per call are slow in OpenSSL 3. */
static EVP_MD *
sha256(void)
{
	static EVP_MD *md;

	if (md == NULL)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	return md;
}

char *
tok_sign_es256(EVP_PKEY *key, const char *kid, const cJSON *claims)
{
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	unsigned char der[80], raw[64];
	const unsigned char *p;
	size_t derlen = sizeof(der);
	char *json = NULL, *tok = NULL;
	struct buf b, hdr;

	buf_init(&b);
	buf_init(&hdr);
	buf_puts(&hdr, "{\"alg\":\"ES256\"");
	if (kid != NULL) {
		buf_puts(&hdr, ",\"kid\":\"");
		buf_json_str(&hdr, kid);
		buf_putc(&hdr, '"');
	}
	buf_puts(&hdr, ",\"typ\":\"JWT\"}");
	if ((json = cJSON_PrintUnformatted(claims)) == NULL)
		goto out;
	b64url_encode(&b, hdr.ptr, hdr.len);
	buf_putc(&b, '.');
	b64url_encode(&b, json, strlen(json));
	if ((ctx = EVP_MD_CTX_new()) == NULL || sha256() == NULL ||
	    EVP_DigestSignInit(ctx, NULL, sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, der, &derlen, (const unsigned char *)b.ptr,
	    b.len) != 1)
		goto out;
	/* DER SEQUENCE { r, s } to the fixed-width r||s of JWS. */
	p = der;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(s, raw + 32, 32) != 32)
		goto out;
	buf_putc(&b, '.');
	b64url_encode(&b, raw, sizeof(raw));
	tok = ck_strdup(b.ptr);
out:
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	cJSON_free(json);
	buf_free(&b);
	buf_free(&hdr);
	return tok;
}

/* Checks r||s against the signing input with pub.  1 valid, 0 not. */
static int
es256_ok(EVP_PKEY *pub, const char *input, size_t inlen,
    const unsigned char raw[64])
{
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int derlen, ok = 0;

	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(raw, 32, NULL)) == NULL ||
	    (s = BN_bin2bn(raw + 32, 32, NULL)) == NULL ||
	    ECDSA_SIG_set0(sig, r, s) != 1)
		goto out;
	r = s = NULL;		/* owned by sig now */
	if ((derlen = i2d_ECDSA_SIG(sig, &der)) <= 0)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL || sha256() == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, sha256(), NULL, pub) != 1)
		goto out;
	ok = EVP_DigestVerify(ctx, der, (size_t)derlen,
	    (const unsigned char *)input, inlen) == 1;
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return ok;
}

enum tok_status
tok_verify_es256(const char *tok, EVP_PKEY *pub, time_t now, cJSON **claims)
{
	const char *d1, *d2, *end = NULL;
	const cJSON *alg, *exp;
	cJSON *hdr = NULL, *pl = NULL;
	struct buf sig, body;
	enum tok_status st;

	*claims = NULL;
	if ((st = header_of(tok, &hdr)) != TOK_OK)
		return st;
	alg = cJSON_GetObjectItemCaseSensitive(hdr, "alg");
	st = cJSON_IsString(alg) && strcmp(alg->valuestring, "ES256") == 0 ?
	    TOK_OK : TOK_WRONG_ALG;
	cJSON_Delete(hdr);
	if (st != TOK_OK)
		return st;
	if (pub == NULL)
		return TOK_BAD_SIG;
	d1 = strchr(tok, '.');
	d2 = strchr(d1 + 1, '.');
	buf_init(&sig);
	buf_init(&body);
	if (b64url_decode(&sig, d2 + 1, strlen(d2 + 1)) == -1 ||
	    sig.len != 64) {
		st = TOK_BAD_SIG;
		goto out;
	}
	if (!es256_ok(pub, tok, (size_t)(d2 - tok),
	    (const unsigned char *)sig.ptr)) {
		st = TOK_BAD_SIG;
		goto out;
	}
	/* Signed, so ours or a trusted issuer's: still parsed strictly. */
	if (b64url_decode(&body, d1 + 1, (size_t)(d2 - d1 - 1)) == -1 ||
	    body.len == 0 ||
	    (pl = cJSON_ParseWithLengthOpts(body.ptr, body.len, &end, 0)) ==
	    NULL || end != body.ptr + body.len || !cJSON_IsObject(pl)) {
		cJSON_Delete(pl);
		st = TOK_MALFORMED;
		goto out;
	}
	exp = cJSON_GetObjectItemCaseSensitive(pl, "exp");
	*claims = pl;
	st = cJSON_IsNumber(exp) && exp->valuedouble > (double)now ? TOK_OK :
	    TOK_EXPIRED;
out:
	buf_free(&sig);
	buf_free(&body);
	return st;
}
