/*
 * Routing: method + path pattern -> route index.  Patterns are literal
 * segments and "{name}" parameters that match one non-empty segment.
 */
#ifndef HC_ROUTER_H
#define HC_ROUTER_H

#include "request.h"

struct route {
	enum method	 method;	/* GET also answers HEAD */
	const char	*pattern;	/* "/api/v1/venues/{id}" */
};

#define ROUTE_NOT_FOUND		(-1)
#define ROUTE_BAD_METHOD	(-2)

/*
 * Returns the index of the route matching m and path in a table of n
 * entries of stride bytes, each starting with a struct route; parameter
 * values (pointing into params_buf, which must hold strlen(path)+1
 * bytes) are stored in params.  Else ROUTE_NOT_FOUND, or
 * ROUTE_BAD_METHOD with the methods that would match in *allow (a bit
 * mask of 1 << method).
 */
int router_match(const void *table, size_t n, size_t stride, enum method m,
    const char *path, char *params_buf, const char **params,
    unsigned *allow);

/* Writes the Allow header value for a method mask ("GET, HEAD, POST"). */
void router_allow(unsigned allow, struct buf *out);

#endif
