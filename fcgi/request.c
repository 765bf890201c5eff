/*
 * Request parsing: query strings, form bodies, cookies, content types and
 * JSON bodies.  Everything that arrives from outside passes through here
 * and is bounded: a fixed number of pairs, no NUL bytes, valid escapes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "request.h"

static const char *const methods[METHOD__MAX] = {
	"GET", "HEAD", "POST", "PUT", "DELETE"
};

enum method
method_parse(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < METHOD__MAX; i++)
		if (strcmp(s, methods[i]) == 0)
			return (enum method)i;
	return METHOD__MAX;
}

const char *
method_name(enum method m)
{
	return m < METHOD__MAX ? methods[m] : "?";
}

void
kv_free(struct kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

const char *
kv_get(const struct kvlist *l, const char *k)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, k) == 0)
			return l->v[i].val;
	return NULL;
}

static void
kv_add(struct kvlist *l, char *k, char *v)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = ck_realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].key = k;
	l->v[l->n].val = v;
	l->n++;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Decodes %XX (and '+' as space when plus is set); NULL on bad input or NUL. */
static char *
pct_decode(const char *s, size_t n, int plus)
{
	char *out = ck_malloc(n + 1), *o = out;
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				goto bad;
			if ((*o++ = (char)(hi << 4 | lo)) == '\0')
				goto bad;
			i += 2;
		} else if (s[i] == '+' && plus)
			*o++ = ' ';
		else if (s[i] == '\0')
			goto bad;
		else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

char *
path_decode(const char *s, size_t n)
{
	return pct_decode(s, n, 0);
}

int
kv_parse_query(struct kvlist *l, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *amp, *eq;
	char *k, *v;

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if (l->n >= KV_MAX)
			return -1;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((k = pct_decode(p, (size_t)(eq - p), 1)) == NULL)
			return -1;
		v = eq < amp ? pct_decode(eq + 1, (size_t)(amp - eq - 1), 1) :
		    ck_strdup("");
		if (v == NULL) {
			free(k);
			return -1;
		}
		kv_add(l, k, v);
		p = amp + 1;
	}
	return 0;
}

int
kv_parse_cookies(struct kvlist *l, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *semi, *eq, *ks, *ke, *vs, *ve;

	while (p < end) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		for (ks = p; ks < semi && (*ks == ' ' || *ks == '\t'); ks++)
			;
		if (semi - ks > COOKIE_MAX)
			return -2;
		eq = memchr(ks, '=', (size_t)(semi - ks));
		if (eq != NULL) {
			for (ke = eq; ke > ks && (ke[-1] == ' ' ||
			    ke[-1] == '\t'); ke--)
				;
			for (vs = eq + 1; vs < semi && *vs == ' '; vs++)
				;
			for (ve = semi; ve > vs && ve[-1] == ' '; ve--)
				;
			if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"')
				vs++, ve--;
			if (ke > ks && memchr(ks, '\0', (size_t)(ke - ks)) ==
			    NULL && memchr(vs, '\0', (size_t)(ve - vs)) == NULL) {
				if (l->n >= KV_MAX)
					return -1;
				kv_add(l, ck_strndup(ks, (size_t)(ke - ks)),
				    ck_strndup(vs, (size_t)(ve - vs)));
			}
		}
		p = semi + 1;
	}
	return 0;
}

enum ctype
ctype_parse(const char *s)
{
	const char *semi, *p;
	size_t len;
	enum ctype t;

	if (s == NULL || *s == '\0')
		return CTYPE_NONE;
	semi = strchr(s, ';');
	len = semi ? (size_t)(semi - s) : strlen(s);
	while (len && s[len - 1] == ' ')
		len--;
	if (len == 33 && strncasecmp(s, "application/x-www-form-urlencoded",
	    len) == 0)
		t = CTYPE_FORM;
	else if (len == 16 && strncasecmp(s, "application/json", len) == 0)
		t = CTYPE_JSON;
	else if (len == 8 && strncasecmp(s, "text/csv", len) == 0)
		t = CTYPE_CSV;
	else
		return CTYPE_OTHER;
	/* Any parameters: only charset=utf-8 is understood. */
	for (p = semi; p != NULL; p = strchr(p + 1, ';')) {
		while (*++p == ' ')
			;
		p--;
		if (strncasecmp(p + 1, "charset=", 8) == 0) {
			const char *v = p + 9;
			size_t vl = strcspn(v, "; ");
			if (*v == '"')
				v++, vl = strcspn(v, "\"");
			if (!(vl == 5 && strncasecmp(v, "utf-8", 5) == 0) &&
			    !(vl == 4 && strncasecmp(v, "utf8", 4) == 0))
				return CTYPE_OTHER;
		}
	}
	return t;
}

/*
 * Returns 1 if a string in the JSON text escapes NUL ("\u0000"): cJSON
 * would cut the string there, so "a\u0000b" would arrive as "a".
 */
static int
json_has_nul_escape(const char *s, size_t n)
{
	size_t i;
	int in_str = 0;

	for (i = 0; i < n; i++) {
		if (!in_str) {
			in_str = s[i] == '"';
			continue;
		}
		if (s[i] == '"')
			in_str = 0;
		else if (s[i] == '\\' && i + 1 < n) {
			if (s[i + 1] == 'u' && i + 5 < n &&
			    memcmp(s + i + 2, "0000", 4) == 0)
				return 1;
			i++;	/* the escaped character */
		}
	}
	return 0;
}

cJSON *
json_parse_body(const char *s, size_t n)
{
	const char *end = NULL;
	cJSON *j;

	if (!utf8_valid(s, n) || json_has_nul_escape(s, n))
		return NULL;
	j = cJSON_ParseWithLengthOpts(s, n, &end, 0);
	if (j == NULL)
		return NULL;
	while (end != NULL && end < s + n && (*end == ' ' || *end == '\n' ||
	    *end == '\r' || *end == '\t'))
		end++;
	if (end != s + n || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

int
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t len;

	while (p < end) {
		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t' && *p != '\n' &&
			    *p != '\r') || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		if ((len = utf8_seq((const char *)p, (size_t)(end - p))) == 0)
			return 0;
		p += len;
	}
	return 1;
}

void
request_free(struct request *r)
{
	free(r->path);
	kv_free(&r->query);
	kv_free(&r->cookies);
	kv_free(&r->form);
	cJSON_Delete(r->json);
	if (r->raw != NULL)	/* a case list: identity numbers */
		explicit_bzero(r->raw, r->raw_len);
	free(r->raw);
	memset(r, 0, sizeof(*r));
}
