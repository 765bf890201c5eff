/*
 * Tests for the router: literal and {param} segments, HEAD answered by
 * GET, 404 against 405 with the Allow mask, and the Allow header.  The
 * table's entries are larger than struct route, as the application's
 * are, so a wrong stride shows.
 */
#include <stdlib.h>
#include <string.h>

#include "../fcgi/router.h"
#include "t.h"

struct myroute {
	struct route	 r;
	int		 id;
};

static const struct myroute routes[] = {
	{ { METHOD_GET, "/" }, 100 },
	{ { METHOD_GET, "/api/v1/venues" }, 101 },
	{ { METHOD_POST, "/api/v1/venues" }, 102 },
	{ { METHOD_GET, "/api/v1/venues/{id}" }, 103 },
	{ { METHOD_DELETE, "/api/v1/venues/{id}" }, 104 },
	{ { METHOD_GET, "/api/v1/venues/{id}/checkins/{cid}" }, 105 },
	{ { METHOD_POST, "/login" }, 106 },
	{ { METHOD_PUT, "/api/v1/me" }, 107 },
	{ { METHOD_GET, "/v/{a}/{b}/{c}/{d}" }, 108 },
	{ { METHOD_GET, "/w/{a}/{b}/{c}/{d}/{e}" }, 109 },	/* > ROUTE_PARAMS */
};

#define M(m)	(1u << METHOD_##m)

static const struct rcase {
	enum method	 m;
	const char	*path;
	int		 want;		/* index, or ROUTE_* */
	const char	*p0, *p1;	/* params[0], params[1] */
	unsigned	 allow;
} cases[] = {
	{ METHOD_GET, "/", 0, NULL, NULL, 0 },
	{ METHOD_HEAD, "/", 0, NULL, NULL, 0 },
	{ METHOD_POST, "/", ROUTE_BAD_METHOD, NULL, NULL, M(GET) | M(HEAD) },
	{ METHOD_GET, "/api/v1/venues", 1, NULL, NULL, 0 },
	{ METHOD_HEAD, "/api/v1/venues", 1, NULL, NULL, 0 },
	{ METHOD_POST, "/api/v1/venues", 2, NULL, NULL, 0 },
	{ METHOD_PUT, "/api/v1/venues", ROUTE_BAD_METHOD, NULL, NULL,
	  M(GET) | M(HEAD) | M(POST) },
	{ METHOD_GET, "/api/v1/venues/42", 3, "42", NULL, 0 },
	{ METHOD_HEAD, "/api/v1/venues/42", 3, "42", NULL, 0 },
	{ METHOD_DELETE, "/api/v1/venues/42", 4, "42", NULL, 0 },
	{ METHOD_GET, "/api/v1/venues/a b%", 3, "a b%", NULL, 0 },
	{ METHOD_POST, "/api/v1/venues/42", ROUTE_BAD_METHOD, NULL, NULL,
	  M(GET) | M(HEAD) | M(DELETE) },
	{ METHOD_GET, "/api/v1/venues/42/checkins/7", 5, "42", "7", 0 },
	{ METHOD_GET, "/v/1/22/333/4444", 8, "1", "22", 0 },
	{ METHOD_POST, "/login", 6, NULL, NULL, 0 },
	{ METHOD_GET, "/login", ROUTE_BAD_METHOD, NULL, NULL, M(POST) },
	{ METHOD_HEAD, "/login", ROUTE_BAD_METHOD, NULL, NULL, M(POST) },
	{ METHOD_PUT, "/api/v1/me", 7, NULL, NULL, 0 },
	{ METHOD_GET, "/api/v1/me", ROUTE_BAD_METHOD, NULL, NULL, M(PUT) },
	/* Not found: trailing slashes, empty segments, near misses. */
	{ METHOD_GET, "", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_GET, "//", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_GET, "/api/v1/venues/", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_POST, "/login/", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_GET, "/api/v1/venues/42/", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_GET, "/api/v1/venues//checkins/7", ROUTE_NOT_FOUND, NULL,
	  NULL, 0 },
	{ METHOD_GET, "/api/v1/venues/42/checkins/", ROUTE_NOT_FOUND, NULL,
	  NULL, 0 },
	{ METHOD_GET, "/api/v1/venues/42/checkins", ROUTE_NOT_FOUND, NULL,
	  NULL, 0 },
	{ METHOD_GET, "/api/v1/venue", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_GET, "/api/v1/venuesx", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_GET, "/API/v1/venues", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_GET, "api/v1/venues", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_GET, "/v/1/2/3", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_GET, "/v/1/2/3/4/5", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_GET, "/w/1/2/3/4/5", ROUTE_NOT_FOUND, NULL, NULL, 0 },
	{ METHOD_DELETE, "/nope", ROUTE_NOT_FOUND, NULL, NULL, 0 },
};

static void
matching(void)
{
	const struct rcase *c;
	const char *params[ROUTE_PARAMS];
	char *pbuf;
	unsigned allow;
	size_t i, k;
	int got;

	for (i = 0; i < NELEM(cases); i++) {
		c = &cases[i];
		/* Exactly the documented size, so ASan sees overruns. */
		pbuf = ck_malloc(strlen(c->path) + 1);
		for (k = 0; k < ROUTE_PARAMS; k++)
			params[k] = "unset";
		allow = 0xdead;
		got = router_match(routes, NELEM(routes), sizeof(routes[0]),
		    c->m, c->path, pbuf, params, &allow);
		T_CHECK(got == c->want, "[%zu] %s %s: %d, want %d", i,
		    method_name(c->m), c->path, got, c->want);
		if (got >= 0 && got == c->want) {
			T_CHECK(routes[got].id == 100 + got,
			    "[%zu] id %d", i, routes[got].id);
			T_STREQ(params[0], c->p0, "[%zu] params[0]", i);
			T_STREQ(params[1], c->p1, "[%zu] params[1]", i);
			if (got != 8)
				T_CHECK(params[2] == NULL && params[3] == NULL,
				    "[%zu] unused params not NULL", i);
		}
		if (c->want < 0)
			T_CHECK(allow == c->allow, "[%zu] %s %s: allow %#x, "
			    "want %#x", i, method_name(c->m), c->path, allow,
			    c->allow);
		free(pbuf);
	}
}

/* Four parameters: all captured, each its own string. */
static void
four(void)
{
	const char *path = "/v/1/22/333/4444", *params[ROUTE_PARAMS];
	char *pbuf = ck_malloc(strlen(path) + 1), small[2];
	unsigned allow;

	T_CHECK(router_match(routes, NELEM(routes), sizeof(routes[0]),
	    METHOD_GET, path, pbuf, params, &allow) == 8, "four params");
	T_STREQ(params[2], "333", "params[2]");
	T_STREQ(params[3], "4444", "params[3]");
	free(pbuf);

	allow = 0xdead;
	T_CHECK(router_match(routes, 0, sizeof(routes[0]), METHOD_GET, "/",
	    small, params, &allow) == ROUTE_NOT_FOUND && allow == 0,
	    "empty table");
}

static const struct acase {
	unsigned	 allow;
	const char	*want;
} allow_cases[] = {
	{ 0, "" },
	{ M(GET), "GET" },
	{ M(POST), "POST" },
	{ M(GET) | M(HEAD) | M(POST), "GET, HEAD, POST" },
	{ M(POST) | M(GET) | M(HEAD), "GET, HEAD, POST" },
	{ M(HEAD) | M(DELETE), "HEAD, DELETE" },
	{ M(GET) | M(HEAD) | M(POST) | M(PUT) | M(DELETE),
	  "GET, HEAD, POST, PUT, DELETE" },
	{ 1u << METHOD__MAX, "" },
	{ (1u << 31) | M(PUT), "PUT" },
};

static void
allow_header(void)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < NELEM(allow_cases); i++) {
		buf_reset(&b);
		router_allow(allow_cases[i].allow, &b);
		T_STREQ(buf_cstr(&b), allow_cases[i].want, "router_allow[%zu]",
		    i);
	}
	/* Appends to what the buffer holds. */
	buf_reset(&b);
	buf_puts(&b, "Allow: ");
	router_allow(M(GET) | M(HEAD), &b);
	T_STREQ(buf_cstr(&b), "Allow: GET, HEAD", "router_allow appends");
	buf_free(&b);
}

int
main(void)
{
	matching();
	four();
	allow_header();
	T_DONE("router");
}
