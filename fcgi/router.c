/*
 * Matches a path against the route table.  Linear scan: the table is a
 * few dozen entries and each comparison stops at the first differing
 * byte, which is cheaper than building anything cleverer.
 */
#include <string.h>

#include "router.h"

/* Returns 1 if path matches pattern; parameters are copied into buf. */
static int
match(const char *pat, const char *path, char *buf, const char **params)
{
	size_t np = 0, len;
	const char *e;

	while (*pat != '\0') {
		if (*pat == '{') {
			if ((e = strchr(pat, '}')) == NULL)
				return 0;
			len = strcspn(path, "/");
			if (len == 0 || np >= ROUTE_PARAMS)
				return 0;
			memcpy(buf, path, len);
			buf[len] = '\0';
			params[np++] = buf;
			buf += len + 1;
			path += len;
			pat = e + 1;
			continue;
		}
		if (*pat++ != *path++)
			return 0;
	}
	for (; np < ROUTE_PARAMS; np++)
		params[np] = NULL;
	return *path == '\0';
}

int
router_match(const void *table, size_t n, size_t stride, enum method m,
    const char *path, char *params_buf, const char **params,
    unsigned *allow)
{
	const struct route *r;
	size_t i;
	int found = 0;

	*allow = 0;
	for (i = 0; i < n; i++) {
		r = (const struct route *)((const char *)table + i * stride);
		if (!match(r->pattern, path, params_buf, params))
			continue;
		if (r->method == m ||
		    (m == METHOD_HEAD && r->method == METHOD_GET))
			return (int)i;
		found = 1;
		*allow |= 1u << r->method;
		if (r->method == METHOD_GET)
			*allow |= 1u << METHOD_HEAD;
	}
	return found ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

void
router_allow(unsigned allow, struct buf *out)
{
	int m, first = 1;

	for (m = 0; m < METHOD__MAX; m++) {
		if (!(allow & (1u << m)))
			continue;
		if (!first)
			buf_puts(out, ", ");
		buf_puts(out, method_name((enum method)m));
		first = 0;
	}
}
