/*
 * libFuzzer harness for the request path as a worker takes it: the
 * first byte picks the method, the rest is the path of REQUEST_URI
 * (before any "?"), percent-decoded by path_decode and matched by
 * router_match against the service's own route patterns (read from
 * handlers/routes.c when the harness is built), into a parameter buffer
 * of exactly the size the worker gives it.  Each parameter then goes
 * through the check its handler makes: venue tokens of /c/{token}
 * (venue_token_valid), ids (v_int), phones (valid_phone), region codes
 * (valid_region_code).  Checks that a match gives the path back when its
 * parameters are put into the pattern, that parameters are non-empty
 * segments, that a wrong method's Allow names methods and not the one
 * asked, and that what each check accepts has the form it promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/router.h"
#include "../fcgi/validate.h"
#include "../handlers/valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct route routes[] = {
#include "routes.inc"
};

/* Returns 1 if every byte of s is base64url. */
static int
b64url_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* Aborts unless a parameter named name (as in the pattern) checks out. */
static void
check_param(const char *name, size_t len, const char *v)
{
	long long n;
	size_t i;

	if (len == 7 && strncmp(name, "{token}", 7) == 0) {
		if (venue_token_valid(v) && (strlen(v) != VENUE_TOKEN_LEN ||
		    !b64url_chars(v)))
			abort();
	} else if (len == 4 && strncmp(name, "{id}", 4) == 0) {
		if (v_int(v, 1, INT64_MAX, &n) && n < 1)
			abort();
	} else if (len == 7 && strncmp(name, "{phone}", 7) == 0) {
		if (valid_phone(v)) {
			if (strlen(v) != 11 || v[0] != '1')
				abort();
			for (i = 0; i < 11; i++)
				if (v[i] < '0' || v[i] > '9')
					abort();
		}
	} else if (len == 8 && strncmp(name, "{region}", 8) == 0) {
		if (valid_region_code(v) && (strlen(v) != 6 ||
		    strspn(v, "0123456789") != 6))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
	static char token[VENUE_TOKEN_LEN + 1];
	const char *params[ROUTE_PARAMS], *pat, *e;
	char *path, *pbuf;
	struct buf back, allow;
	enum method m;
	unsigned mask;
	size_t np, len;
	int i;

	/* A venue token as venues.c makes one has the form checked. */
	if (token[0] == '\0') {
		rand_token(token, sizeof(token), VENUE_TOKEN_BYTES);
		if (!venue_token_valid(token))
			abort();
	}
	if (size < 1 || size > 8192)
		return 0;
	m = (enum method)(data[0] % METHOD__MAX);
	if ((path = path_decode((const char *)data + 1, size - 1)) == NULL)
		return 0;
	if (strlen(path) > size - 1)
		abort();
	pbuf = malloc(strlen(path) + 1);
	if (pbuf == NULL)
		abort();
	i = router_match(routes, nroutes, sizeof(routes[0]), m, path, pbuf,
	    params, &mask);
	if (i == ROUTE_BAD_METHOD) {
		if (mask == 0 || (mask & (1u << m)) ||
		    (m == METHOD_HEAD && (mask & (1u << METHOD_GET))))
			abort();
		buf_init(&allow);
		router_allow(mask, &allow);
		if (allow.len == 0)
			abort();
		buf_free(&allow);
	} else if (i != ROUTE_NOT_FOUND) {
		if (i < 0 || (size_t)i >= nroutes || (routes[i].method != m &&
		    !(m == METHOD_HEAD && routes[i].method == METHOD_GET)))
			abort();
		/* The pattern with its parameters put in: the path again. */
		buf_init(&back);
		np = 0;
		for (pat = routes[i].pattern; *pat != '\0'; pat++) {
			if (*pat != '{') {
				buf_putc(&back, *pat);
				continue;
			}
			if ((e = strchr(pat, '}')) == NULL ||
			    np >= ROUTE_PARAMS || params[np] == NULL ||
			    params[np][0] == '\0' ||
			    strchr(params[np], '/') != NULL)
				abort();
			len = (size_t)(e - pat) + 1;
			check_param(pat, len, params[np]);
			buf_puts(&back, params[np++]);
			pat = e;
		}
		for (; np < ROUTE_PARAMS; np++)
			if (params[np] != NULL)
				abort();
		if (strcmp(buf_cstr(&back), path) != 0)
			abort();
		buf_free(&back);
	}
	free(pbuf);
	free(path);
	return 0;
}
