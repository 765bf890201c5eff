/*
 * Tests for JWT signing and verification: HS256 and ES256 tokens that
 * verify, and every way a token must not: expired, "alg":"none",
 * another algorithm with the same key, an HMAC keyed with the public
 * key, tampering, wrong keys and malformed input.  The ES256 keys are
 * generated here with OpenSSL.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "../fcgi/token.h"
#include "t.h"

#define NOW	1795967999L	/* 2026-11-29T15:59:59Z */

static const unsigned char key[] = "0123456789abcdef0123456789abcdef";
#define KEYLEN	(sizeof(key) - 1)

/* Claims {"sub":"42"} with "exp" when exp is not 0. */
static cJSON *
claims(long exp)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "sub", "42");
	if (exp != 0)
		cJSON_AddNumberToObject(c, "exp", (double)exp);
	return c;
}

/* Signs claims(exp) with alg and k. */
static char *
sign(jwt_alg_t alg, const unsigned char *k, size_t klen, const char *kid,
    long exp)
{
	cJSON *c = claims(exp);
	char *tok = tok_sign(alg, k, klen, kid, c);

	cJSON_Delete(c);
	return tok;
}

/*
 * Verifies with libjwt (tok_verify) and, for HS256, with tok_verify_hs256
 * too; returns the status of the one the service uses.
 */
static enum tok_status
verify(const char *tok, jwt_alg_t alg, const unsigned char *k, size_t klen)
{
	jwt_t *jwt = (jwt_t *)&jwt;	/* not NULL: must be reset */
	enum tok_status st;

	st = tok_verify(tok, alg, k, klen, NOW, &jwt);
	if (st == TOK_OK && jwt == NULL)
		t_fail(__FILE__, __LINE__, "TOK_OK without a token");
	if (st != TOK_OK && jwt != NULL)
		t_fail(__FILE__, __LINE__, "status %d with a token", (int)st);
	if (st == TOK_OK)
		jwt_free(jwt);
	if (alg == JWT_ALG_HS256) {
		/* Sessions use our own HS256 check: it must agree with libjwt. */
		cJSON *c = (cJSON *)&c;	/* not NULL: must be reset */
		enum tok_status own = tok_verify_hs256(tok, k, klen, NOW, &c);
		if ((own == TOK_OK) != (st == TOK_OK))
			t_fail(__FILE__, __LINE__, "tok_verify_hs256 says %s, "
			    "libjwt %s", tok_status_name(own),
			    tok_status_name(st));
		if (own == TOK_OK && !cJSON_IsObject(c))
			t_fail(__FILE__, __LINE__, "TOK_OK without claims");
		if (own != TOK_OK && own != TOK_EXPIRED && c != NULL)
			t_fail(__FILE__, __LINE__, "status %d with claims",
			    (int)own);
		if (c != (cJSON *)&c)
			cJSON_Delete(c);
		st = own;
	}
	return st;
}

#define T_VERIFY(tok, alg, k, klen, want, what) do {			\
	enum tok_status st_ = verify((tok), (alg), (k), (klen));	\
	T_CHECK(st_ == (want), "%s: %s, want %s", (what),		\
	    tok_status_name(st_), tok_status_name(want));		\
} while (0)

/* "b64url(header).b64url(payload).sig" from plain JSON parts. */
static char *
forge(const char *header, const char *payload, const char *sig)
{
	struct buf b;

	buf_init(&b);
	b64url_encode(&b, header, strlen(header));
	buf_putc(&b, '.');
	b64url_encode(&b, payload, strlen(payload));
	buf_putc(&b, '.');
	buf_puts(&b, sig);
	return b.ptr;
}

/* forge() signed with HMAC-SHA-256/384 (md) under k. */
static char *
forge_hmac(const char *header, const char *payload, const EVP_MD *md,
    const unsigned char *k, size_t klen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;
	char *input = forge(header, payload, "");
	struct buf b;

	input[strlen(input) - 1] = '\0';	/* drop the last '.' */
	HMAC(md, k, (int)klen, (unsigned char *)input, strlen(input), mac,
	    &maclen);
	buf_init(&b);
	buf_printf(&b, "%s.", input);
	b64url_encode(&b, mac, maclen);
	free(input);
	return b.ptr;
}

/* tok with its part (0, 1, 2) replaced by repl. */
static char *
replace_part(const char *tok, int part, const char *repl)
{
	const char *d1 = strchr(tok, '.'), *d2 = strchr(d1 + 1, '.');
	struct buf b;

	buf_init(&b);
	buf_append(&b, tok, part == 0 ? 0 : (size_t)(d1 - tok) + 1);
	if (part == 2)
		buf_append(&b, d1 + 1, (size_t)(d2 - d1));
	buf_puts(&b, repl);
	if (part == 0)
		buf_puts(&b, d1);
	else if (part == 1)
		buf_puts(&b, d2);
	return b.ptr;
}

static void
hs256(void)
{
	char *ok, *tok, alg[16], kid[64], *p;
	jwt_t *jwt = NULL;
	const char *payload = "{\"sub\":\"1\",\"exp\":4102444800}";
	struct buf b;

	ok = sign(JWT_ALG_HS256, key, KEYLEN, "k1", NOW + 3600);
	T_CHECK(ok != NULL, "tok_sign HS256");
	if (ok == NULL)
		return;

	/* Valid, and the claims come back. */
	T_CHECK(tok_verify(ok, JWT_ALG_HS256, key, KEYLEN, NOW, &jwt) ==
	    TOK_OK, "valid HS256 token");
	if (jwt != NULL) {
		T_STREQ(jwt_get_grant(jwt, "sub"), "42", "sub claim");
		T_CHECK(jwt_get_grant_int(jwt, "exp") == NOW + 3600,
		    "exp claim %ld", jwt_get_grant_int(jwt, "exp"));
		jwt_free(jwt);
	}
	T_CHECK(tok_peek(ok, alg, sizeof(alg), kid, sizeof(kid)) == TOK_OK,
	    "tok_peek");
	T_STREQ(alg, "HS256", "tok_peek alg");
	T_STREQ(kid, "k1", "tok_peek kid");

	/* Expiry: exp must be present and after now. */
	tok = sign(JWT_ALG_HS256, key, KEYLEN, NULL, NOW + 1);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_OK, "exp = now + 1");
	T_CHECK(tok_peek(tok, alg, sizeof(alg), kid, sizeof(kid)) == TOK_OK &&
	    strcmp(alg, "HS256") == 0 && kid[0] == '\0', "tok_peek no kid");
	free(tok);
	tok = sign(JWT_ALG_HS256, key, KEYLEN, NULL, NOW);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_EXPIRED, "exp = now");
	free(tok);
	tok = sign(JWT_ALG_HS256, key, KEYLEN, NULL, NOW - 1);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_EXPIRED, "exp < now");
	free(tok);
	tok = sign(JWT_ALG_HS256, key, KEYLEN, NULL, 0);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_EXPIRED, "no exp");
	free(tok);
	tok = forge_hmac("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    "{\"sub\":\"42\",\"exp\":\"4102444800\"}", EVP_sha256(), key,
	    KEYLEN);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_EXPIRED, "exp a string");
	free(tok);
	tok = forge_hmac("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload,
	    EVP_sha256(), key, KEYLEN);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_OK,
	    "hand-made HS256 (checks forge_hmac)");
	free(tok);

	/* "alg":"none", unsigned or with a valid token's signature. */
	tok = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, "");
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_WRONG_ALG, "alg none");
	T_CHECK(tok_peek(tok, alg, sizeof(alg), kid, sizeof(kid)) == TOK_OK &&
	    strcmp(alg, "none") == 0, "tok_peek alg none");
	free(tok);
	tok = forge("{\"alg\":\"none\"}", payload, strrchr(ok, '.') + 1);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_WRONG_ALG,
	    "alg none with a signature");
	free(tok);
	tok = forge("{\"alg\":\"hs256\"}", payload, strrchr(ok, '.') + 1);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_WRONG_ALG, "alg hs256");
	free(tok);
	tok = forge("{\"typ\":\"JWT\"}", payload, strrchr(ok, '.') + 1);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_WRONG_ALG, "no alg");
	free(tok);
	tok = forge("{\"alg\":256}", payload, strrchr(ok, '.') + 1);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_WRONG_ALG, "alg number");
	free(tok);

	/* Another HMAC with the same key. */
	tok = sign(JWT_ALG_HS384, key, KEYLEN, NULL, NOW + 3600);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_WRONG_ALG, "HS384");
	free(tok);
	tok = sign(JWT_ALG_HS512, key, KEYLEN, NULL, NOW + 3600);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_WRONG_ALG, "HS512");
	free(tok);
	/*
	 * Two "alg" members: the header check (cJSON) reads the first and
	 * checks an HS256 MAC, which this is not; libjwt (jansson) reads the
	 * last and says wrong_algorithm.  Refused either way.
	 */
	tok = forge_hmac("{\"alg\":\"HS256\",\"alg\":\"HS384\"}", payload,
	    EVP_sha384(), key, KEYLEN);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_BAD_SIG,
	    "duplicate alg, HS384-signed");
	free(tok);

	/* Tampering. */
	buf_init(&b);
	b64url_encode(&b, payload, strlen(payload));
	tok = replace_part(ok, 1, b.ptr);
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_BAD_SIG,
	    "replaced payload");
	free(tok);
	buf_free(&b);
	tok = ck_strdup(ok);
	p = strchr(tok, '.') + 3;
	*p = *p == 'A' ? 'B' : 'A';
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_BAD_SIG,
	    "one payload character");
	free(tok);
	tok = ck_strdup(ok);
	p = strrchr(tok, '.') + 1;
	*p = *p == 'A' ? 'B' : 'A';
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_BAD_SIG,
	    "first signature character");
	free(tok);
	tok = ck_strdup(ok);
	tok[strlen(tok) - 1] = '\0';
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_BAD_SIG,
	    "signature cut short");
	free(tok);
	tok = replace_part(ok, 2, "");
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_BAD_SIG,
	    "empty signature");
	free(tok);
	/* {"alg":"HS256","kid":"k2"} */
	tok = replace_part(ok, 0, "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsyIn0");
	T_VERIFY(tok, JWT_ALG_HS256, key, KEYLEN, TOK_BAD_SIG,
	    "header with another kid");
	free(tok);

	/* Wrong or missing key. */
	T_VERIFY(ok, JWT_ALG_HS256, (const unsigned char *)
	    "0123456789abcdef0123456789abcdeF", KEYLEN, TOK_BAD_SIG,
	    "wrong key");
	T_VERIFY(ok, JWT_ALG_HS256, key, KEYLEN - 1, TOK_BAD_SIG,
	    "key one byte short");
	T_VERIFY(ok, JWT_ALG_HS256, key, 0, TOK_BAD_SIG, "empty key");
	T_VERIFY(ok, JWT_ALG_HS256, NULL, 0, TOK_BAD_SIG, "NULL key");
	/* The keyed context kept (token.c) follows the key asked for. */
	T_VERIFY(ok, JWT_ALG_HS256, key, KEYLEN, TOK_OK,
	    "the right key again after wrong ones");
	T_VERIFY(ok, JWT_ALG_HS256, (const unsigned char *)
	    "0123456789abcdef0123456789abcdeF", KEYLEN, TOK_BAD_SIG,
	    "and a wrong one after it");
	T_VERIFY(ok, JWT_ALG_HS384, key, KEYLEN, TOK_WRONG_ALG,
	    "HS256 token, HS384 expected");
	free(ok);
}

static const char *const malformed[] = {
	"",
	"garbage",
	"a.b",
	"eyJhbGciOiJIUzI1NiJ9.e30",
	"a.b.c.d",
	"eyJhbGciOiJIUzI1NiJ9.e30.c2ln.",
	".e30.c2ln",
	"eyJhbGciOiJIUzI1NiJ9..c2ln",
	"eyJhbGciOiJIUzI1NiJ9.e30.c2ln=",
	"eyJhbGciOiJIUzI1NiJ9.e30.c2l+",
	"eyJhbGciOiJIUzI1NiJ9.e30.c2l/",
	"eyJhbGciOiJIUzI1NiJ9 .e30.c2ln",
	"eyJhbGciOiJIUzI1NiJ9.e30.c2ln\n",
	"Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
	"W10.e30.c2ln",			/* header [] */
	"Ig.e30.c2ln",			/* header "" */
	"ew.e30.c2ln",			/* header { */
	"eyJhbGciOiJIUzI1NiJ9x.e30.c2ln",	/* length % 4 == 1 */
	"e31.e30.c2ln",			/* "e30" ({}) with stray bits */
	/* Headers with bytes after the object. */
	"e30x.e30.c2ln",		/* {}1 */
	"eyJhbGciOiJIUzI1NiJ9eA.e30.c2ln",	/* {"alg":"HS256"}x */
	"7w.e30.c2ln",			/* header byte 0xef */
};

/* {"alg":"HS256"}.AAAA...A.c2ln, n bytes long. */
static char *
long_token(size_t n)
{
	char *t = ck_malloc(n + 1);

	memset(t, 'A', n);
	memcpy(t, "eyJhbGciOiJIUzI1NiJ9.", 21);
	memcpy(t + n - 5, ".c2ln", 5);
	t[n] = '\0';
	return t;
}

static void
malformed_tokens(void)
{
	char alg[16], kid[64], *big;
	size_t i;
	enum tok_status st;

	for (i = 0; i < NELEM(malformed); i++) {
		T_VERIFY(malformed[i], JWT_ALG_HS256, key, KEYLEN,
		    TOK_MALFORMED, malformed[i]);
		memset(alg, 'x', sizeof(alg));
		memset(kid, 'x', sizeof(kid));
		st = tok_peek(malformed[i], alg, sizeof(alg), kid, sizeof(kid));
		T_CHECK(st == TOK_MALFORMED && alg[0] == '\0' &&
		    kid[0] == '\0', "tok_peek malformed[%zu]: %s", i,
		    tok_status_name(st));
	}
	T_VERIFY(NULL, JWT_ALG_HS256, key, KEYLEN, TOK_MALFORMED, "NULL");

	/* A well-formed token of TOK_MAX bytes is read; longer ones not. */
	big = long_token(TOK_MAX);
	T_VERIFY(big, JWT_ALG_HS256, key, KEYLEN, TOK_BAD_SIG, "TOK_MAX bytes");
	free(big);
	big = long_token(TOK_MAX + 1);
	T_VERIFY(big, JWT_ALG_HS256, key, KEYLEN, TOK_MALFORMED,
	    "TOK_MAX + 1 bytes");
	free(big);
	big = long_token(5000);
	T_VERIFY(big, JWT_ALG_HS256, key, KEYLEN, TOK_MALFORMED, "5000 bytes");
	free(big);

	/* Header fields longer than the caller's buffers come back empty. */
	big = forge("{\"alg\":\"HS256\",\"kid\":\"0123456789\"}", "{}", "c2ln");
	T_CHECK(tok_peek(big, alg, 6, kid, 10) == TOK_OK && strcmp(alg,
	    "HS256") == 0 && kid[0] == '\0', "tok_peek: kid too long");
	T_CHECK(tok_peek(big, alg, 5, kid, 11) == TOK_OK && alg[0] == '\0' &&
	    strcmp(kid, "0123456789") == 0, "tok_peek: alg too long");
	free(big);

	/*
	 * A kid of TOK_KID_MAX characters is read whole, the longest the
	 * JWKS loader keeps (KID_MAX); one more is no kid.
	 */
	{
		struct tok_parts p;
		char hdr[128], k[TOK_KID_MAX + 2];

		memset(k, 'k', sizeof(k) - 1);
		k[TOK_KID_MAX] = '\0';
		snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\","
		    "\"kid\":\"%s\"}", k);
		big = forge(hdr, "{}", "c2ln");
		T_CHECK(tok_open(big, &p) == TOK_OK, "open: kid of TOK_KID_MAX");
		T_STREQ(p.kid, k, "kid of TOK_KID_MAX characters");
		tok_close(&p);
		free(big);
		k[TOK_KID_MAX] = 'k';
		k[TOK_KID_MAX + 1] = '\0';
		snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\","
		    "\"kid\":\"%s\"}", k);
		big = forge(hdr, "{}", "c2ln");
		T_CHECK(tok_open(big, &p) == TOK_OK, "open: kid too long");
		T_STREQ(p.kid, "", "kid of TOK_KID_MAX + 1 characters");
		tok_close(&p);
		free(big);
	}

	T_STREQ(tok_status_name(TOK_OK), "ok", "status name ok");
	T_STREQ(tok_status_name(TOK_MALFORMED), "malformed", "malformed");
	T_STREQ(tok_status_name(TOK_WRONG_ALG), "wrong_algorithm", "wrong");
	T_STREQ(tok_status_name(TOK_BAD_SIG), "bad_signature", "bad_sig");
	T_STREQ(tok_status_name(TOK_EXPIRED), "expired", "expired");
	T_STREQ(tok_status_name(TOK__MAX), "malformed", "__MAX");
}

/* A new key pair on curve as PEM: private in *priv, public in *pub. */
static int
keypair(const char *curve, char **priv, char **pub)
{
	EVP_PKEY *pk;
	BIO *b1 = BIO_new(BIO_s_mem()), *b2 = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int rc = -1;

	*priv = *pub = NULL;
	if ((pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve)) == NULL ||
	    b1 == NULL || b2 == NULL ||
	    PEM_write_bio_PrivateKey(b1, pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_PUBKEY(b2, pk) != 1)
		goto out;
	n = BIO_get_mem_data(b1, &p);
	*priv = ck_strndup(p, (size_t)n);
	n = BIO_get_mem_data(b2, &p);
	*pub = ck_strndup(p, (size_t)n);
	rc = 0;
out:
	EVP_PKEY_free(pk);
	BIO_free(b1);
	BIO_free(b2);
	return rc;
}

/* A PEM string as a key: pointer and length (not for T_VERIFY). */
#define PEM(s)	(const unsigned char *)(s), strlen(s)
#define U(s)	((const unsigned char *)(s))

static void
es256(void)
{
	char *priv, *pub, *priv2, *pub2, *priv3, *pub3, *tok, *t2;
	char alg[16], kid[64];
	jwt_t *jwt = NULL;

	if (keypair("P-256", &priv, &pub) == -1 ||
	    keypair("P-256", &priv2, &pub2) == -1 ||
	    keypair("P-384", &priv3, &pub3) == -1) {
		t_fail(__FILE__, __LINE__, "cannot generate EC keys");
		return;
	}
	T_CHECK(strncmp(pub, "-----BEGIN PUBLIC KEY-----\n", 27) == 0,
	    "public key PEM");

	tok = sign(JWT_ALG_ES256, PEM(priv), "kid1", NOW + 3600);
	T_CHECK(tok != NULL, "tok_sign ES256");
	if (tok == NULL)
		goto out;
	T_CHECK(tok_peek(tok, alg, sizeof(alg), kid, sizeof(kid)) == TOK_OK,
	    "tok_peek ES256");
	T_STREQ(alg, "ES256", "tok_peek ES256 alg");
	T_STREQ(kid, "kid1", "tok_peek ES256 kid");
	T_CHECK(tok_verify(tok, JWT_ALG_ES256, PEM(pub), NOW, &jwt) ==
	    TOK_OK, "valid ES256 token");
	if (jwt != NULL) {
		T_STREQ(jwt_get_grant(jwt, "sub"), "42", "ES256 sub claim");
		jwt_free(jwt);
	}
	/* The signature is raw R || S: 64 bytes, 86 characters. */
	T_CHECK(strlen(strrchr(tok, '.') + 1) == 86, "ES256 signature %zu "
	    "characters", strlen(strrchr(tok, '.') + 1));

	T_VERIFY(tok, JWT_ALG_ES256, U(pub2), strlen(pub2), TOK_BAD_SIG,
	    "ES256, another key");
	T_VERIFY(tok, JWT_ALG_ES256, U(pub3), strlen(pub3), TOK_BAD_SIG,
	    "ES256, a P-384 key");
	T_VERIFY(tok, JWT_ALG_ES256, (const unsigned char *)"not a key", 9,
	    TOK_BAD_SIG, "ES256, not a PEM key");
	t2 = replace_part(tok, 1, "eyJzdWIiOiIxIiwiZXhwIjo0MTAyNDQ0ODAwfQ");
	T_VERIFY(t2, JWT_ALG_ES256, U(pub), strlen(pub), TOK_BAD_SIG,
	    "ES256, replaced payload");
	free(t2);
	/* Verified as HS256 with the public key as the secret. */
	T_VERIFY(tok, JWT_ALG_HS256, U(pub), strlen(pub), TOK_WRONG_ALG,
	    "ES256 token, HS256 expected");
	free(tok);

	tok = sign(JWT_ALG_ES256, PEM(priv), NULL, NOW);
	T_VERIFY(tok, JWT_ALG_ES256, U(pub), strlen(pub), TOK_EXPIRED, "ES256 expired");
	free(tok);

	/* The classic confusion: HMAC keyed with the public key's text. */
	tok = sign(JWT_ALG_HS256, PEM(pub), "kid1", NOW + 3600);
	T_CHECK(tok != NULL, "tok_sign HS256 with the public PEM");
	T_VERIFY(tok, JWT_ALG_ES256, U(pub), strlen(pub), TOK_WRONG_ALG,
	    "HS256 keyed with the public key, ES256 expected");
	free(tok);
	tok = forge_hmac("{\"alg\":\"ES256\",\"alg\":\"HS256\"}",
	    "{\"exp\":4102444800}", EVP_sha256(), PEM(pub));
	T_VERIFY(tok, JWT_ALG_ES256, U(pub), strlen(pub), TOK_WRONG_ALG,
	    "duplicate alg, HS256 keyed with the public key");
	free(tok);

	tok = sign(JWT_ALG_ES384, PEM(priv3), NULL, NOW + 3600);
	T_VERIFY(tok, JWT_ALG_ES256, U(pub3), strlen(pub3), TOK_WRONG_ALG,
	    "ES384 token, ES256 expected");
	free(tok);
out:
	free(priv);
	free(pub);
	free(priv2);
	free(pub2);
	free(priv3);
	free(pub3);
}

/* Reads a PEM key (private or public) as an EVP_PKEY. */
static EVP_PKEY *
pkey_of(const char *pem, int private)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = private ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) :
	    PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);

	BIO_free(b);
	return k;
}

/*
 * tok_sign_es256/tok_verify_es256 (keys parsed once) against libjwt: each
 * accepts the other's tokens, and the attacks fail the same way.
 */
static void
es256_own(void)
{
	char *priv, *pub, *priv2, *pub2, *tok, *t2;
	EVP_PKEY *k, *kpub, *k2pub;
	EVP_PKEY_CTX *vpub, *v2;
	cJSON *c, *got = NULL;
	jwt_t *jwt = NULL;
	char alg[16], kid[64];

	if (keypair("P-256", &priv, &pub) == -1 ||
	    keypair("P-256", &priv2, &pub2) == -1) {
		t_fail(__FILE__, __LINE__, "cannot generate EC keys");
		return;
	}
	k = pkey_of(priv, 1);
	kpub = pkey_of(pub, 0);
	k2pub = pkey_of(pub2, 0);
	vpub = tok_es256_verifier(kpub);
	v2 = tok_es256_verifier(k2pub);
	T_CHECK(vpub != NULL && v2 != NULL, "tok_es256_verifier");

	c = claims(NOW + 3600);
	tok = tok_sign_es256(k, "kid9", c);
	cJSON_Delete(c);
	T_CHECK(tok != NULL, "tok_sign_es256");
	if (tok == NULL)
		goto out;
	T_CHECK(tok_peek(tok, alg, sizeof(alg), kid, sizeof(kid)) == TOK_OK,
	    "peek own ES256");
	T_STREQ(alg, "ES256", "own ES256 alg");
	T_STREQ(kid, "kid9", "own ES256 kid");
	T_CHECK(strlen(strrchr(tok, '.') + 1) == 86, "r||s is 86 characters");
	/* libjwt accepts ours. */
	T_CHECK(tok_verify(tok, JWT_ALG_ES256, PEM(pub), NOW, &jwt) == TOK_OK,
	    "libjwt verifies tok_sign_es256");
	jwt_free(jwt);
	/* And ours accepts libjwt's. */
	t2 = sign(JWT_ALG_ES256, PEM(priv), "kid1", NOW + 3600);
	T_CHECK(tok_verify_es256(t2, vpub, NOW, &got) == TOK_OK,
	    "tok_verify_es256 verifies libjwt's token");
	T_CHECK(got != NULL && cJSON_IsString(cJSON_GetObjectItem(got, "sub")) &&
	    strcmp(cJSON_GetObjectItem(got, "sub")->valuestring, "42") == 0,
	    "claims returned");
	cJSON_Delete(got);
	free(t2);

	T_CHECK(tok_verify_es256(tok, vpub, NOW, &got) == TOK_OK, "own round trip");
	cJSON_Delete(got);
	T_CHECK(tok_verify_es256(tok, vpub, NOW + 3600, &got) == TOK_EXPIRED,
	    "exp == now is expired");
	cJSON_Delete(got);
	/* A token known to be signed: every check but the signature's. */
	{
		struct tok_parts p;
		T_CHECK(tok_open(tok, &p) == TOK_OK, "open own token");
		T_CHECK(tok_check_known(&p, "ES256", NOW) == TOK_OK,
		    "known: valid");
		T_CHECK(tok_check_known(&p, "ES256", NOW + 3600) ==
		    TOK_EXPIRED, "known: still expires");
		T_CHECK(tok_check_known(&p, "HS256", NOW) == TOK_WRONG_ALG,
		    "known: still pinned to the algorithm asked for");
		tok_close(&p);
		t2 = replace_part(tok, 1, "WzFd");	/* [1]: not an object */
		T_CHECK(tok_open(t2, &p) == TOK_OK &&
		    tok_check_known(&p, "ES256", NOW) == TOK_MALFORMED,
		    "known: the payload still a JSON object");
		tok_close(&p);
		free(t2);
	}
	T_CHECK(tok_verify_es256(tok, v2, NOW, &got) == TOK_BAD_SIG &&
	    got == NULL, "another key");
	T_CHECK(tok_verify_es256(tok, NULL, NOW, &got) == TOK_BAD_SIG,
	    "no key");
	t2 = replace_part(tok, 1, "eyJzdWIiOiIxIiwiZXhwIjo0MTAyNDQ0ODAwfQ");
	T_CHECK(tok_verify_es256(t2, vpub, NOW, &got) == TOK_BAD_SIG,
	    "replaced payload");
	free(t2);
	t2 = replace_part(tok, 2, "AAAA");
	T_CHECK(tok_verify_es256(t2, vpub, NOW, &got) == TOK_BAD_SIG,
	    "short signature");
	free(t2);
	/* HS256 keyed with the public key's PEM text. */
	t2 = sign(JWT_ALG_HS256, PEM(pub), "kid9", NOW + 3600);
	T_CHECK(tok_verify_es256(t2, vpub, NOW, &got) == TOK_WRONG_ALG,
	    "HS256 with the public key as secret");
	free(t2);
	t2 = forge_hmac("{\"alg\":\"none\"}", "{\"exp\":4102444800}",
	    EVP_sha256(), PEM(pub));
	T_CHECK(tok_verify_es256(t2, vpub, NOW, &got) == TOK_WRONG_ALG,
	    "alg none");
	free(t2);
	T_CHECK(tok_verify_es256("garbage", vpub, NOW, &got) == TOK_MALFORMED,
	    "garbage");
	T_CHECK(tok_verify_es256("", vpub, NOW, &got) == TOK_MALFORMED, "empty");
	/* Signed without exp: expired, never valid forever. */
	c = claims(0);
	t2 = tok_sign_es256(k, NULL, c);
	cJSON_Delete(c);
	T_CHECK(tok_verify_es256(t2, vpub, NOW, &got) == TOK_EXPIRED,
	    "no exp");
	cJSON_Delete(got);
	free(t2);
	/*
	 * The verifier is kept for every token: a failure leaves it usable,
	 * and r and s of every length (a high bit wants a zero byte in DER,
	 * a leading zero byte is dropped) verify.
	 */
	{
		int i, bad = 0;
		c = claims(NOW + 3600);
		for (i = 0; i < 600; i++) {
			t2 = tok_sign_es256(k, NULL, c);
			if (tok_verify_es256(t2, v2, NOW, &got) != TOK_BAD_SIG ||
			    tok_verify_es256(t2, vpub, NOW, &got) != TOK_OK)
				bad++;
			cJSON_Delete(got);
			free(t2);
		}
		cJSON_Delete(c);
		T_CHECK(bad == 0, "600 signatures verify with one verifier "
		    "(%d did not)", bad);
	}
	free(tok);
out:
	EVP_PKEY_free(k);
	EVP_PKEY_free(kpub);
	EVP_PKEY_CTX_free(vpub);
	EVP_PKEY_CTX_free(v2);
	EVP_PKEY_free(k2pub);
	free(priv);
	free(pub);
	free(priv2);
	free(pub2);
}

int
main(void)
{
	hs256();
	malformed_tokens();
	es256();
	es256_own();
	T_DONE("token");
}
