/*
 * WeChat's answers, parsed (wxparse.h).  Pure: cJSON over a body,
 * nothing kept, nothing logged.  An answer is an object; an "errcode"
 * other than 0 says what went wrong; otherwise the fields we need must
 * be there with the right types and shapes, or the answer is malformed.
 */
#include <string.h>

#include <cJSON.h>

#include "wxparse.h"

/* Returns 1 if s is 1..max characters, each of class (0: [A-Za-z0-9_-], 1: printable). */
static int
shape(const char *s, size_t max, int printable)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		unsigned char ch = (unsigned char)s[n];
		if (n >= max)
			return 0;
		if (printable ? (ch <= 0x20 || ch >= 0x7f) :
		    !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return 0;
	}
	return n > 0;
}

enum wx_res
wx_errcode(long long errcode)
{
	switch (errcode) {
	case 0:
		return WX_OK;
	case 40029:
	case 40163:
		return WX_CODE_INVALID;
	case 45011:
		return WX_RATE_LIMITED;
	case 40001:
	case 42001:
		return WX_TOKEN_EXPIRED;
	default:
		return WX_UNAVAILABLE;
	}
}

/*
 * Parses body into an object and reads its errcode: WX_OK with *out (to
 * be freed), or the errcode's meaning, or WX_UNAVAILABLE if malformed.
 */
static enum wx_res
parse(const char *body, size_t len, cJSON **out)
{
	cJSON *o, *ec;
	enum wx_res r;
	double d;

	*out = NULL;
	if (body == NULL || (o = cJSON_ParseWithLength(body, len)) == NULL)
		return WX_UNAVAILABLE;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return WX_UNAVAILABLE;
	}
	if ((ec = cJSON_GetObjectItemCaseSensitive(o, "errcode")) != NULL) {
		d = cJSON_IsNumber(ec) ? ec->valuedouble : 0.5;
		/* Integers only, in a sane range (no UB in the cast). */
		if (!(d >= -1e9 && d <= 1e9) || d != (double)(long long)d) {
			cJSON_Delete(o);
			return WX_UNAVAILABLE;
		}
		if ((r = wx_errcode((long long)d)) != WX_OK) {
			cJSON_Delete(o);
			return r;
		}
	}
	*out = o;
	return WX_OK;
}

/* Returns the string member name of o if it has shape (max, printable), else NULL. */
static const char *
member(const cJSON *o, const char *name, size_t max, int printable)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    !shape(v->valuestring, max, printable))
		return NULL;
	return v->valuestring;
}

enum wx_res
wx_parse_session(const char *body, size_t len, char openid[WX_OPENID_MAX + 1])
{
	const char *id;
	cJSON *o;
	enum wx_res r;

	openid[0] = '\0';
	if ((r = parse(body, len, &o)) != WX_OK)
		return r;
	if ((id = member(o, "openid", WX_OPENID_MAX, 0)) == NULL) {
		cJSON_Delete(o);
		return WX_UNAVAILABLE;
	}
	memcpy(openid, id, strlen(id) + 1);
	cJSON_Delete(o);
	return WX_OK;
}

enum wx_res
wx_parse_token(const char *body, size_t len, char token[WX_TOKEN_MAX + 1],
    long long *expires_in)
{
	const cJSON *ex;
	const char *t;
	cJSON *o;
	enum wx_res r;

	token[0] = '\0';
	*expires_in = 0;
	if ((r = parse(body, len, &o)) != WX_OK)
		return r;
	/* A token we are told is expired, on the token's own call, is malformed. */
	ex = cJSON_GetObjectItemCaseSensitive(o, "expires_in");
	if ((t = member(o, "access_token", WX_TOKEN_MAX, 1)) == NULL ||
	    !cJSON_IsNumber(ex) || !(ex->valuedouble >= 1 &&
	    ex->valuedouble <= 1e7)) {
		cJSON_Delete(o);
		return WX_UNAVAILABLE;
	}
	memcpy(token, t, strlen(t) + 1);
	*expires_in = (long long)ex->valuedouble;
	cJSON_Delete(o);
	return WX_OK;
}

enum wx_res
wx_parse_phone(const char *body, size_t len, char phone[WX_PHONE_MAX + 1],
    int *china)
{
	const cJSON *info, *cc;
	const char *p;
	size_t i;
	cJSON *o;
	enum wx_res r;

	phone[0] = '\0';
	*china = 0;
	if ((r = parse(body, len, &o)) != WX_OK)
		return r;
	info = cJSON_GetObjectItemCaseSensitive(o, "phone_info");
	if (!cJSON_IsObject(info) ||
	    (p = member(info, "purePhoneNumber", WX_PHONE_MAX, 0)) == NULL)
		goto bad;
	for (i = 0; p[i] != '\0'; i++)
		if (p[i] < '0' || p[i] > '9')
			goto bad;
	cc = cJSON_GetObjectItemCaseSensitive(info, "countryCode");
	if (cc != NULL && !cJSON_IsString(cc))
		goto bad;
	*china = cc == NULL || strcmp(cc->valuestring, "86") == 0;
	memcpy(phone, p, i + 1);
	cJSON_Delete(o);
	return WX_OK;
bad:
	cJSON_Delete(o);
	return WX_UNAVAILABLE;
}

int
wx_code_valid(const char *s)
{
	return s != NULL && shape(s, 128, 0);
}
