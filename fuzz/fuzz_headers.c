/*
 * libFuzzer harness for the decisions made on request headers alone:
 * whether a state-changing request is cross-site (cross_site, from
 * Sec-Fetch-Site and Origin, routes.c), which session token a request
 * carries (request_token, from Authorization and the Cookie header,
 * session.c) and its language (ctx_lang, from the hc_lang cookie and
 * Accept-Language).  Those are static, so the two files are included
 * here, as lighttpd's tests include a module's file to test its static
 * functions.  The input is up to five lines: Sec-Fetch-Site, Origin,
 * Authorization, Cookie, Accept-Language; the first byte's low bits say
 * which are sent at all (an empty header is not an absent one).  Each
 * answer is checked against a plain statement of the rule, for a
 * public_base_url with and without a path, over http and https.
 */
#include "../handlers/routes.c"
#include "../handlers/session.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const bases[] = {
	"https://hc.example.gov.cn",
	"https://hc.example.gov.cn/",
	"http://127.0.0.1:8080/app/",
};

/* Returns 1 if o is the origin of base: scheme://host[:port], any case. */
static int
same_origin(const char *o, const char *base)
{
	const char *host = strstr(base, "://");
	size_t n;

	n = strcspn(host + 3, "/") + (size_t)(host + 3 - base);
	return strlen(o) == n && strncasecmp(o, base, n) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct app a;
	const char *f[5] = { NULL, NULL, NULL, NULL, NULL }, *tok, *want, *ck;
	char *copy, *p, *nl;
	struct request req;
	struct ctx c;
	size_t i;
	int cross, secure;

	if (size < 1 || size > 8192)
		return 0;
	copy = ck_strndup((const char *)data + 1, size - 1);
	for (p = copy, i = 0; i < 5; i++) {
		if (data[0] & (1u << i))
			f[i] = p;
		if ((nl = strchr(p, '\n')) == NULL) {
			p += strlen(p);
			continue;
		}
		*nl = '\0';
		p = nl + 1;
	}
	memset(&req, 0, sizeof(req));
	req.sec_fetch_site = f[0];
	req.origin = f[1];
	req.authorization = f[2];
	req.accept_language = f[4];
	if (f[3] != NULL && kv_parse_cookies(&req.cookies, f[3],
	    strlen(f[3])) == -1) {
		kv_free(&req.cookies);
		free(copy);
		return 0;
	}
	memset(&c, 0, sizeof(c));
	c.app = &a;
	c.req = &req;

	for (i = 0; i < NELEM(bases); i++) {
		a.conf.public_base_url = bases[i];
		cross = f[0] != NULL && strcmp(f[0], "same-origin") != 0 &&
		    strcmp(f[0], "none") != 0;
		if (!cross && f[1] != NULL)
			cross = !same_origin(f[1], bases[i]);
		if (cross_site(&c) != cross)
			abort();
	}

	/* The bearer token first, then the cookie of the scheme's name. */
	for (secure = 0; secure <= 1; secure++) {
		a.conf.cookie_secure = secure;
		ck = kv_get(&req.cookies, secure ? "__Host-hc_session" :
		    "hc_session");
		want = ck;
		if (f[2] != NULL && strncasecmp(f[2], "Bearer ", 7) == 0)
			want = f[2] + 7 + strspn(f[2] + 7, " ");
		tok = request_token(&c);
		if (want == NULL ? tok != NULL : tok == NULL ||
		    strcmp(tok, want) != 0 || (want != ck && (tok < f[2] ||
		    tok > f[2] + strlen(f[2]))))
			abort();
	}

	/* English only when asked for: the cookie, else the header. */
	ck = kv_get(&req.cookies, "hc_lang");
	if (ctx_lang(&req) != (ck != NULL ? (strcmp(ck, "en") == 0 ? LANG_EN :
	    LANG_ZH) : f[4] != NULL && strncasecmp(f[4], "en", 2) == 0 ?
	    LANG_EN : LANG_ZH))
		abort();
	kv_free(&req.cookies);
	free(copy);
	return 0;
}
