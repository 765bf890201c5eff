/* JWT signing and verification; see token.h for the rules enforced. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
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
tok_open(const char *tok, struct tok_parts *p)
{
	const char *d1, *d2, *end = NULL;
	const cJSON *a, *k;
	cJSON *hdr;
	struct buf b;
	enum tok_status st;

	memset(p, 0, sizeof(*p));
	if ((st = header_of(tok, &hdr)) != TOK_OK)
		return st;
	a = cJSON_GetObjectItemCaseSensitive(hdr, "alg");
	k = cJSON_GetObjectItemCaseSensitive(hdr, "kid");
	if (cJSON_IsString(a) && strlen(a->valuestring) < sizeof(p->alg))
		strcpy(p->alg, a->valuestring);
	if (cJSON_IsString(k) && strlen(k->valuestring) < sizeof(p->kid))
		strcpy(p->kid, k->valuestring);
	cJSON_Delete(hdr);
	d1 = strchr(tok, '.');
	d2 = strchr(d1 + 1, '.');
	p->signed_len = (size_t)(d2 - tok);
	buf_init(&b);
	if (b64url_decode(&b, d1 + 1, (size_t)(d2 - d1 - 1)) == 0 &&
	    b.len > 0 && (p->claims = cJSON_ParseWithLengthOpts(b.ptr, b.len,
	    &end, 0)) != NULL && (end != b.ptr + b.len ||
	    !cJSON_IsObject(p->claims))) {
		cJSON_Delete(p->claims);
		p->claims = NULL;
	}
	buf_free(&b);
	return TOK_OK;
}

void
tok_close(struct tok_parts *p)
{
	cJSON_Delete(p->claims);
	p->claims = NULL;
}

enum tok_status
tok_peek(const char *tok, char *alg, size_t alglen, char *kid, size_t kidlen)
{
	struct tok_parts p;
	enum tok_status st;

	alg[0] = kid[0] = '\0';
	if ((st = tok_open(tok, &p)) != TOK_OK)
		return st;
	if (strlen(p.alg) < alglen)
		strcpy(alg, p.alg);
	if (strlen(p.kid) < kidlen)
		strcpy(kid, p.kid);
	tok_close(&p);
	return TOK_OK;
}

enum tok_status
tok_verify(const char *tok, jwt_alg_t alg, const unsigned char *key,
    size_t keylen, time_t now, jwt_t **out)
{
	char halg[16], kid[TOK_KID_MAX + 1];
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
	/* No "typ": optional (RFC 7519), and every byte enlarges the QR. */
	buf_putc(&hdr, '}');
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

EVP_PKEY_CTX *
tok_es256_verifier(EVP_PKEY *pub)
{
	EVP_PKEY_CTX *ctx;

	if (pub == NULL || (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub,
	    NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_verify_init(ctx) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Appends a DER INTEGER of the 32-byte big-endian unsigned n. */
static size_t
der_uint(unsigned char *out, const unsigned char n[32])
{
	size_t i = 0, len;

	while (i < 31 && n[i] == 0)
		i++;
	len = 32 - i;
	out[0] = 0x02;
	if (n[i] & 0x80) {	/* a leading zero keeps it positive */
		out[1] = (unsigned char)(len + 1);
		out[2] = 0;
		memcpy(out + 3, n + i, len);
		return len + 3;
	}
	out[1] = (unsigned char)len;
	memcpy(out + 2, n + i, len);
	return len + 2;
}

/*
 * Checks r||s against the signing input with a prepared verifier: the
 * SHA-256 of the input, and the signature as the DER SEQUENCE { r, s }
 * OpenSSL takes.  1 valid, 0 not.
 */
static int
es256_ok(EVP_PKEY_CTX *verifier, const char *input, size_t inlen,
    const unsigned char raw[64])
{
	unsigned char der[72], dgst[32];
	unsigned int dlen;
	size_t n;

	n = der_uint(der + 2, raw);
	n += der_uint(der + 2 + n, raw + 32);
	der[0] = 0x30;
	der[1] = (unsigned char)n;
	if (sha256() == NULL || EVP_Digest(input, inlen, dgst, &dlen,
	    sha256(), NULL) != 1 || dlen != sizeof(dgst))
		return 0;
	return EVP_PKEY_verify(verifier, der, n + 2, dgst, sizeof(dgst)) == 1;
}

/*
 * HMAC-SHA256.  The algorithm is fetched once, and a context keyed with
 * the last key seen is kept: each check copies it (EVP_MAC_CTX_dup)
 * instead of keying a new one, which was a sixth of a verification.
 */
static EVP_MAC_CTX *
hs256_ctx(const unsigned char *key, size_t keylen)
{
	static EVP_MAC *mac;
	static EVP_MAC_CTX *keyed;
	static unsigned char keyed_key[64];
	static size_t keyed_len;
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;

	if (keyed != NULL && keylen == keyed_len &&
	    CRYPTO_memcmp(key, keyed_key, keylen) == 0)
		return EVP_MAC_CTX_dup(keyed);
	if (mac == NULL && (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    EVP_MAC_init(ctx, key, keylen, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	if (keylen > sizeof(keyed_key))
		return ctx;	/* not kept */
	EVP_MAC_CTX_free(keyed);
	keyed = ctx;
	memcpy(keyed_key, key, keylen);
	keyed_len = keylen;
	return EVP_MAC_CTX_dup(keyed);
}

static int
hs256_ok(const unsigned char *key, size_t keylen, const char *input,
    size_t inlen, const unsigned char *sig, size_t siglen)
{
	EVP_MAC_CTX *ctx;
	unsigned char out[32];
	size_t outlen = 0;
	int ok = 0;

	if ((ctx = hs256_ctx(key, keylen)) != NULL &&
	    EVP_MAC_update(ctx, (const unsigned char *)input, inlen) == 1 &&
	    EVP_MAC_final(ctx, out, &outlen, sizeof(out)) == 1)
		ok = siglen == sizeof(out) && outlen == sizeof(out) &&
		    CRYPTO_memcmp(out, sig, sizeof(out)) == 0;
	EVP_MAC_CTX_free(ctx);
	OPENSSL_cleanse(out, sizeof(out));
	return ok;
}

/* After the signature: the payload a JSON object, "exp" after now. */
static enum tok_status
check_claims(const struct tok_parts *p, time_t now)
{
	const cJSON *exp;

	/* Signed, so ours or a trusted issuer's: still a JSON object. */
	if (p->claims == NULL)
		return TOK_MALFORMED;
	exp = cJSON_GetObjectItemCaseSensitive(p->claims, "exp");
	return cJSON_IsNumber(exp) && exp->valuedouble > (double)now ?
	    TOK_OK : TOK_EXPIRED;
}

enum tok_status
tok_check(const char *tok, const struct tok_parts *p, const char *alg,
    EVP_PKEY_CTX *verifier, const unsigned char *key, size_t keylen,
    time_t now)
{
	struct buf sig;
	int ok;

	if (strcmp(p->alg, alg) != 0)
		return TOK_WRONG_ALG;
	if (verifier == NULL && (key == NULL || keylen == 0))
		return TOK_BAD_SIG;
	buf_init(&sig);
	ok = b64url_decode(&sig, tok + p->signed_len + 1,
	    strlen(tok + p->signed_len + 1)) == 0;
	if (ok && verifier != NULL)
		ok = sig.len == 64 && es256_ok(verifier, tok, p->signed_len,
		    (const unsigned char *)sig.ptr);
	else if (ok)
		ok = hs256_ok(key, keylen, tok, p->signed_len,
		    (const unsigned char *)sig.ptr, sig.len);
	buf_free(&sig);
	if (!ok)
		return TOK_BAD_SIG;
	return check_claims(p, now);
}

enum tok_status
tok_check_known(const struct tok_parts *p, const char *alg, time_t now)
{
	if (strcmp(p->alg, alg) != 0)
		return TOK_WRONG_ALG;
	return check_claims(p, now);
}

/* tok_open and tok_check in one; *claims as tok_verify_es256 says. */
static enum tok_status
verify_jws(const char *tok, const char *alg, EVP_PKEY_CTX *verifier,
    const unsigned char *key, size_t keylen, time_t now, cJSON **claims)
{
	struct tok_parts p;
	enum tok_status st;

	*claims = NULL;
	if ((st = tok_open(tok, &p)) != TOK_OK)
		return st;
	st = tok_check(tok, &p, alg, verifier, key, keylen, now);
	if (st == TOK_OK || st == TOK_EXPIRED) {
		*claims = p.claims;
		p.claims = NULL;
	}
	tok_close(&p);
	return st;
}

enum tok_status
tok_verify_es256(const char *tok, EVP_PKEY_CTX *verifier, time_t now,
    cJSON **claims)
{
	/* No verifier: bad_signature, after the malformed and alg checks. */
	return verify_jws(tok, "ES256", verifier, NULL, 0, now, claims);
}

enum tok_status
tok_verify_hs256(const char *tok, const unsigned char *key, size_t keylen,
    time_t now, cJSON **claims)
{
	return verify_jws(tok, "HS256", NULL, key, keylen, now, claims);
}
