/* JWT signing and verification; see jwt.h for the rules enforced. */
#include <string.h>

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
