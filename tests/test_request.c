/*
 * Tests for the request parsers: query strings, cookies, paths, content
 * types, JSON bodies, UTF-8 and methods.  Every input is copied into a
 * heap buffer of exactly its length, without a NUL, so that the
 * sanitizer build catches a parser reading past n.
 */
#include <stdlib.h>
#include <string.h>

#include "../fcgi/request.h"
#include "t.h"

/* A heap copy of the n bytes at s, with nothing after them. */
static char *
exact(const char *s, size_t n)
{
	char *p = ck_malloc(n);

	if (n)
		memcpy(p, s, n);
	return p;
}

/* Renders a list as "k=v|k=v|" for comparison. */
static const char *
render(const struct kvlist *l, struct buf *b)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < l->n; i++)
		buf_printf(b, "%s=%s|", l->v[i].key, l->v[i].val);
	return buf_cstr(b);
}

/*
 * Parsers over (s, n): want is the rendered list, or NULL for -1.  A
 * zero n means strlen(s).
 */
static const struct kvcase {
	const char	*in;
	size_t		 n;
	const char	*want;
} query_cases[] = {
	/* Valid. */
	{ "", 0, "" },
	{ "a=1", 0, "a=1|" },
	{ "a=1&b=2", 0, "a=1|b=2|" },
	{ "a=%20x+y", 0, "a= x y|" },
	{ "q=a%2Bb", 0, "q=a+b|" },
	{ "k+1=v", 0, "k 1=v|" },
	{ "a=%41%4a%4A", 0, "a=AJJ|" },
	{ "%E5%81%A5=%e5%ba%b7", 0, "\xe5\x81\xa5=\xe5\xba\xb7|" },
	{ "a=%3D%26", 0, "a==&|" },
	{ "a=1&&b=2&", 0, "a=1|b=2|" },
	{ "&&&", 0, "" },
	{ "flag", 0, "flag=|" },
	{ "flag&a=1", 0, "flag=|a=1|" },
	{ "a=", 0, "a=|" },
	{ "=v", 0, "=v|" },
	{ "a=b=c", 0, "a=b=c|" },
	{ "a=1&a=2", 0, "a=1|a=2|" },
	{ "a=1&b=2", 3, "a=1|" },		/* only n bytes */
	{ "a=%41", 5, "a=A|" },
	/* Invalid. */
	{ "%00", 0, NULL },
	{ "a=%00", 0, NULL },
	{ "a=b%00c", 0, NULL },
	{ "%00=1", 0, NULL },
	{ "a=b\0c", 5, NULL },			/* raw NUL */
	{ "a=1&b\0=2", 8, NULL },
	{ "%", 0, NULL },
	{ "a=%", 0, NULL },
	{ "a=%4", 0, NULL },
	{ "a=%41", 4, NULL },			/* escape cut by n */
	{ "a=%zz", 0, NULL },
	{ "a=%g0", 0, NULL },
	{ "a=%0g", 0, NULL },
	{ "%zz=1", 0, NULL },
	{ "a=%%41", 0, NULL },
	{ "a=1&b=%", 0, NULL },
	{ "a=% 1", 0, NULL },
}, cookie_cases[] = {
	{ "", 0, "" },
	{ "a=1", 0, "a=1|" },
	{ "a=1; b=2", 0, "a=1|b=2|" },
	{ "a=1;b=2", 0, "a=1|b=2|" },
	{ "  a = 1 ;  b=2  ", 0, "a=1|b=2|" },
	{ "\ta\t=1", 0, "a=1|" },
	{ "a=x y", 0, "a=x y|" },
	{ "sid=\"abc\"", 0, "sid=abc|" },
	{ "sid= \"a b\" ", 0, "sid=a b|" },
	{ "sid=\"\"", 0, "sid=|" },
	{ "sid=\"", 0, "sid=\"|" },
	{ "sid=\"abc", 0, "sid=\"abc|" },
	{ "a=", 0, "a=|" },
	{ "a=b=c", 0, "a=b=c|" },
	{ "a=%41", 0, "a=%41|" },		/* not percent-decoded */
	{ "junk; a=1", 0, "a=1|" },
	{ "a=1; junk", 0, "a=1|" },
	{ "=v; a=1", 0, "a=1|" },
	{ " =v; a=1", 0, "a=1|" },
	{ ";;a=1;;", 0, "a=1|" },
	{ ";", 0, "" },
	{ "a=1; a=2", 0, "a=1|a=2|" },
	{ "a=1\0; b=2", 9, "b=2|" },		/* NUL: piece skipped */
	{ "a\0=1; b=2", 9, "b=2|" },
	{ "a=1; b=2", 4, "a=1|" },
};

static void
kv_table(const char *what, const struct kvcase *tab, size_t n,
    int (*parse)(struct kvlist *, const char *, size_t))
{
	struct kvlist l = { 0 };
	struct buf b;
	size_t i, len;
	char *in;
	int rc;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		len = tab[i].n ? tab[i].n : strlen(tab[i].in);
		in = exact(tab[i].in, len);
		rc = parse(&l, in, len);
		if (tab[i].want == NULL)
			T_CHECK(rc == -1, "%s[%zu] \"%s\": rc %d, want -1",
			    what, i, tab[i].in, rc);
		else {
			T_CHECK(rc == 0, "%s[%zu] \"%s\": rc %d, want 0",
			    what, i, tab[i].in, rc);
			T_STREQ(render(&l, &b), tab[i].want, "%s[%zu]", what,
			    i);
		}
		kv_free(&l);
		T_CHECK(l.v == NULL && l.n == 0 && l.cap == 0,
		    "%s[%zu]: kv_free leaves a list", what, i);
		free(in);
	}
	buf_free(&b);
}

/* n pairs "kI=I", joined by sep. */
static void
many(struct buf *b, int n, const char *sep)
{
	int i;

	buf_reset(b);
	for (i = 0; i < n; i++)
		buf_printf(b, "%sk%d=%d", i ? sep : "", i, i);
}

static void
limits(void)
{
	struct kvlist l = { 0 };
	struct buf b;

	buf_init(&b);
	many(&b, KV_MAX, "&");
	T_CHECK(kv_parse_query(&l, b.ptr, b.len) == 0, "query: KV_MAX pairs");
	T_CHECK(l.n == KV_MAX, "query: %zu pairs, want %d", l.n, KV_MAX);
	T_STREQ(kv_get(&l, "k127"), "127", "query: last of KV_MAX");
	kv_free(&l);

	buf_puts(&b, "&&&&");	/* empty pairs do not count */
	T_CHECK(kv_parse_query(&l, b.ptr, b.len) == 0,
	    "query: KV_MAX pairs and empty ones");
	kv_free(&l);

	many(&b, KV_MAX + 1, "&");
	T_CHECK(kv_parse_query(&l, b.ptr, b.len) == -1,
	    "query: KV_MAX + 1 pairs accepted");
	kv_free(&l);

	many(&b, KV_MAX, "; ");
	T_CHECK(kv_parse_cookies(&l, b.ptr, b.len) == 0,
	    "cookies: KV_MAX pairs");
	T_CHECK(l.n == KV_MAX, "cookies: %zu pairs, want %d", l.n, KV_MAX);
	kv_free(&l);

	buf_puts(&b, "; junk; =x");	/* malformed pieces do not count */
	T_CHECK(kv_parse_cookies(&l, b.ptr, b.len) == 0,
	    "cookies: KV_MAX pairs and malformed ones");
	kv_free(&l);

	many(&b, KV_MAX + 1, "; ");
	T_CHECK(kv_parse_cookies(&l, b.ptr, b.len) == -1,
	    "cookies: KV_MAX + 1 pairs accepted");
	kv_free(&l);

	/* One cookie of COOKIE_MAX bytes (name=value, leading blanks aside). */
	buf_reset(&b);
	buf_puts(&b, "a=1;  \tb=");
	while (b.len < 7 + COOKIE_MAX)
		buf_putc(&b, 'v');
	buf_puts(&b, "; c=3");
	T_CHECK(kv_parse_cookies(&l, b.ptr, b.len) == 0 && l.n == 3,
	    "cookies: one of COOKIE_MAX bytes");
	kv_free(&l);
	buf_reset(&b);
	buf_puts(&b, "a=1; b=");
	while (b.len < 5 + COOKIE_MAX + 1)
		buf_putc(&b, 'v');
	T_CHECK(kv_parse_cookies(&l, b.ptr, b.len) == -2,
	    "cookies: one of COOKIE_MAX + 1 bytes accepted");
	kv_free(&l);
	buf_reset(&b);
	while (b.len < COOKIE_MAX + 1)
		buf_putc(&b, 'x');
	T_CHECK(kv_parse_cookies(&l, b.ptr, b.len) == -2,
	    "cookies: a malformed piece of COOKIE_MAX + 1 bytes accepted");
	kv_free(&l);
	buf_free(&b);
}

static void
get(void)
{
	struct kvlist l = { 0 };
	const char *q = "a=1&b=&a=2&c", *c = "x=1; y=2; x=3";

	T_CHECK(kv_get(&l, "a") == NULL, "kv_get on an empty list");
	T_CHECK(kv_parse_query(&l, q, strlen(q)) == 0, "get: query");
	T_STREQ(kv_get(&l, "a"), "1", "query duplicate: first wins");
	T_STREQ(kv_get(&l, "b"), "", "query empty value");
	T_STREQ(kv_get(&l, "c"), "", "query key without =");
	T_STREQ(kv_get(&l, "d"), NULL, "query absent key");
	T_STREQ(kv_get(&l, "A"), NULL, "query keys are case-sensitive");
	kv_free(&l);

	T_CHECK(kv_parse_cookies(&l, c, strlen(c)) == 0, "get: cookies");
	T_STREQ(kv_get(&l, "x"), "1", "cookie duplicate: first wins");
	T_STREQ(kv_get(&l, "y"), "2", "cookie y");
	kv_free(&l);

	/* Parsing appends to what the list holds. */
	T_CHECK(kv_parse_query(&l, "a=1", 3) == 0 &&
	    kv_parse_query(&l, "b=2", 3) == 0 && l.n == 2,
	    "query appends: n = %zu", l.n);
	kv_free(&l);
}

/* path_decode: want NULL for rejected. */
static const struct kvcase path_cases[] = {
	{ "/", 0, "/" },
	{ "/api/v1/me", 0, "/api/v1/me" },
	{ "/a%20b", 0, "/a b" },
	{ "/a+b", 0, "/a+b" },			/* no plus decoding */
	{ "/%E5%81%A5%e5%ba%b7", 0, "/\xe5\x81\xa5\xe5\xba\xb7" },
	{ "/a%2Fb", 0, "/a/b" },
	{ "/abc", 2, "/a" },
	{ "", 0, "" },
	{ "/%00", 0, NULL },
	{ "/%", 0, NULL },
	{ "/%4", 0, NULL },
	{ "/%41", 3, NULL },
	{ "/%zz", 0, NULL },
	{ "/%4g", 0, NULL },
	{ "/a\0b", 4, NULL },
};

static void
paths(void)
{
	size_t i, len;
	char *in, *got;

	for (i = 0; i < NELEM(path_cases); i++) {
		len = path_cases[i].n ? path_cases[i].n :
		    strlen(path_cases[i].in);
		in = exact(path_cases[i].in, len);
		got = path_decode(in, len);
		T_STREQ(got, path_cases[i].want, "path_decode[%zu]", i);
		free(got);
		free(in);
	}
}

static const struct ccase {
	const char	*in;
	enum ctype	 want;
} ctype_cases[] = {
	{ NULL, CTYPE_NONE },
	{ "", CTYPE_NONE },
	{ "application/json", CTYPE_JSON },
	{ "application/json; charset=utf-8", CTYPE_JSON },
	{ "application/json;charset=UTF-8", CTYPE_JSON },
	{ "Application/JSON; Charset=\"utf-8\"", CTYPE_JSON },
	{ "application/json; charset=utf8", CTYPE_JSON },
	{ "application/json ; charset=utf-8", CTYPE_JSON },
	{ "application/json; foo=bar", CTYPE_JSON },
	{ "application/json;", CTYPE_JSON },
	{ "application/x-www-form-urlencoded", CTYPE_FORM },
	{ "application/x-www-form-urlencoded; charset=UTF-8", CTYPE_FORM },
	{ "APPLICATION/X-WWW-FORM-URLENCODED", CTYPE_FORM },
	{ "application/json; charset=iso-8859-1", CTYPE_OTHER },
	{ "application/json; charset=utf-16", CTYPE_OTHER },
	{ "application/json; charset=utf-8x", CTYPE_OTHER },
	{ "application/json; charset=", CTYPE_OTHER },
	{ "application/json; foo=bar; charset=latin1", CTYPE_OTHER },
	{ "application/x-www-form-urlencoded; charset=gbk", CTYPE_OTHER },
	{ "text/plain", CTYPE_OTHER },
	{ "text/plain; charset=utf-8", CTYPE_OTHER },
	{ "multipart/form-data; boundary=x", CTYPE_OTHER },
	{ "application/jsonx", CTYPE_OTHER },
	{ "application/json-patch+json", CTYPE_OTHER },
	{ "application/", CTYPE_OTHER },
	{ "application", CTYPE_OTHER },
	{ " application/json", CTYPE_OTHER },
	{ ";", CTYPE_OTHER },
};

static void
ctypes(void)
{
	size_t i;
	enum ctype got;

	for (i = 0; i < NELEM(ctype_cases); i++) {
		got = ctype_parse(ctype_cases[i].in);
		T_CHECK(got == ctype_cases[i].want,
		    "ctype_parse[%zu] \"%s\": %d, want %d", i,
		    ctype_cases[i].in ? ctype_cases[i].in : "(null)",
		    (int)got, (int)ctype_cases[i].want);
	}
}

/* JSON bodies: ok is 1 if an object must come back. */
static const struct jcase {
	const char	*in;
	size_t		 n;
	int		 ok;
} json_cases[] = {
	{ "{}", 0, 1 },
	{ "{\"a\":1}", 0, 1 },
	{ "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\"}", 0, 1 },
	{ "{\"a\":1} \n\t\r", 0, 1 },
	{ "\n {\"a\":1}", 0, 1 },
	{ "{\"a\":\"\xe5\x81\xa5\xe5\xba\xb7\"}", 0, 1 },
	{ "{\"a\":\"\\u0000\"}", 0, 0 },	/* escaped NUL: would cut the string */
	{ "{\"a\":\"x\\u0000y\"}", 0, 0 },
	{ "{\"a\":\"\\\\u0000\"}", 0, 1 },	/* an escaped backslash, then text */
	{ "{\"a\":\"\\u0001\"}", 0, 1 },
	{ "{\"a\":1}x", 7, 1 },			/* only n bytes */
	{ "", 0, 0 },
	{ " ", 0, 0 },
	{ "[]", 0, 0 },
	{ "[{}]", 0, 0 },
	{ "\"str\"", 0, 0 },
	{ "1", 0, 0 },
	{ "null", 0, 0 },
	{ "true", 0, 0 },
	{ "{}x", 0, 0 },
	{ "{} {}", 0, 0 },
	{ "{}}", 0, 0 },
	{ "{\"a\":1", 0, 0 },
	{ "{\"a\":1}", 6, 0 },
	{ "{\"a\":\"\xff\"}", 0, 0 },
	{ "{\"a\":\"\xc0\xaf\"}", 0, 0 },
	{ "{\"a\":\"\xed\xa0\x80\"}", 0, 0 },
	{ "{\"a\":\"x\0\"}", 10, 0 },
	{ "{}\0", 3, 0 },
	{ "\0{}", 3, 0 },
	{ "{\"a\":1}\v", 0, 0 },
	{ "{\"a\":1}\x1b", 0, 0 },
};

static void
json(void)
{
	size_t i, len;
	char *in;
	cJSON *j, *a;
	const char *s = "{\"name\":\"\xe5\xbc\xa0\xe4\xb8\x89\",\"n\":7} ";

	for (i = 0; i < NELEM(json_cases); i++) {
		len = json_cases[i].n ? json_cases[i].n :
		    strlen(json_cases[i].in);
		in = exact(json_cases[i].in, len);
		j = json_parse_body(in, len);
		T_CHECK((j != NULL) == json_cases[i].ok,
		    "json_parse_body[%zu]: got %s, want %s", i,
		    j ? "object" : "NULL", json_cases[i].ok ? "object" : "NULL");
		T_CHECK(j == NULL || cJSON_IsObject(j),
		    "json_parse_body[%zu]: not an object", i);
		cJSON_Delete(j);
		free(in);
	}

	in = exact(s, strlen(s));
	j = json_parse_body(in, strlen(s));
	a = cJSON_GetObjectItemCaseSensitive(j, "name");
	T_STREQ(cJSON_IsString(a) ? a->valuestring : NULL,
	    "\xe5\xbc\xa0\xe4\xb8\x89", "json_parse_body: string value");
	a = cJSON_GetObjectItemCaseSensitive(j, "n");
	T_CHECK(cJSON_IsNumber(a) && a->valueint == 7,
	    "json_parse_body: number value");
	cJSON_Delete(j);
	free(in);
}

static const struct ucase {
	const char	*in;
	size_t		 n;
	int		 ok;
} utf8_cases[] = {
	{ "", 0, 1 },
	{ "abc ~", 0, 1 },
	{ "\t\n\r", 0, 1 },
	{ "\xe5\x81\xa5\xe5\xba\xb7\xe7\xa0\x81", 0, 1 },	/* 健康码 */
	{ "\xc2\x80", 0, 1 },		/* U+0080 */
	{ "\xdf\xbf", 0, 1 },		/* U+07FF */
	{ "\xe0\xa0\x80", 0, 1 },	/* U+0800 */
	{ "\xed\x9f\xbf", 0, 1 },	/* U+D7FF */
	{ "\xee\x80\x80", 0, 1 },	/* U+E000 */
	{ "\xef\xbf\xbf", 0, 1 },	/* U+FFFF */
	{ "\xf0\x90\x80\x80", 0, 1 },	/* U+10000 */
	{ "\xf0\x9f\x98\x80", 0, 1 },	/* U+1F600 */
	{ "\xf4\x8f\xbf\xbf", 0, 1 },	/* U+10FFFF */
	/* Control characters. */
	{ "\0", 1, 0 },
	{ "a\0b", 3, 0 },
	{ "\x01", 0, 0 },
	{ "\x0b", 0, 0 },
	{ "\x1f", 0, 0 },
	{ "a\x1b[0m", 0, 0 },
	{ "\x7f", 0, 0 },
	/* Overlong forms. */
	{ "\xc0\x80", 0, 0 },
	{ "\xc0\xaf", 0, 0 },
	{ "\xc1\xbf", 0, 0 },
	{ "\xe0\x80\x80", 0, 0 },
	{ "\xe0\x9f\xbf", 0, 0 },
	{ "\xf0\x80\x80\x80", 0, 0 },
	{ "\xf0\x8f\xbf\xbf", 0, 0 },
	/* Surrogates. */
	{ "\xed\xa0\x80", 0, 0 },	/* U+D800 */
	{ "\xed\xbf\xbf", 0, 0 },	/* U+DFFF */
	{ "\xed\xa0\xbd\xed\xb8\x80", 0, 0 },	/* CESU-8 pair */
	/* Beyond U+10FFFF, and bytes that never appear. */
	{ "\xf4\x90\x80\x80", 0, 0 },
	{ "\xf5\x80\x80\x80", 0, 0 },
	{ "\xf8\x88\x80\x80\x80", 0, 0 },
	{ "\xfe", 0, 0 },
	{ "\xff", 0, 0 },
	/* Truncated sequences and stray continuation bytes. */
	{ "\xc2", 0, 0 },
	{ "\xe5\x81", 0, 0 },
	{ "\xf0\x90\x80", 0, 0 },
	{ "a\xe5", 0, 0 },
	{ "\xe5\x81\xa5", 2, 0 },	/* cut by n */
	{ "\x80", 0, 0 },
	{ "\xbf", 0, 0 },
	{ "\xc2\x41", 0, 0 },
	{ "\xe5\x41\x81", 0, 0 },
	{ "\xe5\x81\xc0", 0, 0 },
	{ "\xf0\x90\x80\x41", 0, 0 },
};

static void
utf8(void)
{
	size_t i, len;
	char *in;
	int got;

	for (i = 0; i < NELEM(utf8_cases); i++) {
		len = utf8_cases[i].n ? utf8_cases[i].n :
		    strlen(utf8_cases[i].in);
		in = exact(utf8_cases[i].in, len);
		got = utf8_valid(in, len);
		T_CHECK(got == utf8_cases[i].ok, "utf8_valid[%zu]: %d, want %d",
		    i, got, utf8_cases[i].ok);
		free(in);
	}
}

static const struct mcase {
	const char	*in;
	enum method	 want;
} method_cases[] = {
	{ "GET", METHOD_GET },
	{ "HEAD", METHOD_HEAD },
	{ "POST", METHOD_POST },
	{ "PUT", METHOD_PUT },
	{ "DELETE", METHOD_DELETE },
	{ "get", METHOD__MAX },
	{ "Post", METHOD__MAX },
	{ "GET ", METHOD__MAX },
	{ "GETS", METHOD__MAX },
	{ "PATCH", METHOD__MAX },
	{ "OPTIONS", METHOD__MAX },
	{ "", METHOD__MAX },
	{ NULL, METHOD__MAX },
};

static void
methods(void)
{
	size_t i;
	enum method got;

	for (i = 0; i < NELEM(method_cases); i++) {
		got = method_parse(method_cases[i].in);
		T_CHECK(got == method_cases[i].want,
		    "method_parse[%zu]: %d, want %d", i, (int)got,
		    (int)method_cases[i].want);
	}
	T_STREQ(method_name(METHOD_GET), "GET", "method_name GET");
	T_STREQ(method_name(METHOD_DELETE), "DELETE", "method_name DELETE");
	T_STREQ(method_name(METHOD__MAX), "?", "method_name __MAX");
}

int
main(void)
{
	kv_table("query", query_cases, NELEM(query_cases), kv_parse_query);
	kv_table("cookie", cookie_cases, NELEM(cookie_cases),
	    kv_parse_cookies);
	limits();
	get();
	paths();
	ctypes();
	json();
	utf8();
	methods();
	T_DONE("request");
}
