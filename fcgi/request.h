/*
 * The request as handlers see it: method, path, query, cookies and a
 * parsed body.  The parsers here are pure functions over byte strings so
 * that they can be unit-tested and fuzzed without a server.
 */
#ifndef HC_REQUEST_H
#define HC_REQUEST_H

#include <stddef.h>

#include <cJSON.h>

#include "util.h"

enum method {
	METHOD_GET,
	METHOD_HEAD,
	METHOD_POST,
	METHOD_PUT,
	METHOD_DELETE,
	METHOD__MAX
};

enum body_kind {
	BODY_NONE,
	BODY_FORM,	/* application/x-www-form-urlencoded */
	BODY_JSON,	/* application/json, top level object */
	BODY_CSV	/* text/csv: kept as sent, in raw */
};

struct kv {
	char	*key;
	char	*val;
};

struct kvlist {
	struct kv	*v;
	size_t		 n;
	size_t		 cap;
};

#define KV_MAX		128	/* pairs in one query, form or cookie header */
#define ROUTE_PARAMS	4

/*
 * What a request's head may be (docs/deploy.md): the web server in front
 * may pass anything on, so the responder bounds it itself, before it
 * reads anything else.  Past these it answers 414 (the URI) or 431.
 */
#define URI_MAX		4096	/* bytes of REQUEST_URI, path and query */
#define HEADERS_MAX	64	/* header fields (HTTP_* parameters) */
#define HEADER_MAX	8192	/* bytes of one parameter's value */
#define HEADERS_BYTES	16384	/* bytes of every header field, names too */
#define COOKIE_MAX	4096	/* bytes of one cookie, name=value */
#define PARAMS_MAX	128	/* FastCGI parameters in all */
#define PARAMS_BYTES	32768	/* bytes of every parameter, names too */

struct request {
	enum method	 method;
	char		*path;		/* without the query string */
	struct kvlist	 query;
	struct kvlist	 cookies;
	struct kvlist	 form;
	cJSON		*json;
	enum body_kind	 body_kind;
	char		*raw;		/* BODY_CSV: the body, NUL-terminated */
	size_t		 raw_len;
	const char	*content_type;	/* raw header, may be NULL */
	const char	*authorization;
	const char	*accept_language;
	const char	*origin;		/* Origin, may be NULL */
	const char	*sec_fetch_site;	/* Sec-Fetch-Site, may be NULL */
	const char	*remote_addr;
	const char	*params[ROUTE_PARAMS];	/* {name} parts of the route */
	char		 id[17];	/* request id, hex */
	int		 refused;	/* its head refused: the status (resp says why) */
};

/* Returns the method for a CGI REQUEST_METHOD, or METHOD__MAX. */
enum method method_parse(const char *s);
/* Returns the name of m. */
const char *method_name(enum method m);

void kv_free(struct kvlist *l);
/* Returns the value of the first key k, or NULL. */
const char *kv_get(const struct kvlist *l, const char *k);

/*
 * Parses "a=1&b=%20x+y" into l, percent- and plus-decoded.  Returns 0, or
 * -1 on bad escapes, NUL bytes, or more than KV_MAX pairs.
 */
int kv_parse_query(struct kvlist *l, const char *s, size_t n);
/*
 * Parses a Cookie header "a=1; b=2"; malformed pieces are skipped.  0, -1
 * (more than KV_MAX cookies) or -2 (a piece longer than COOKIE_MAX).
 */
int kv_parse_cookies(struct kvlist *l, const char *s, size_t n);
/* Percent-decodes a path in place-safe way into a new string; NULL on bad escapes or NUL. */
char *path_decode(const char *s, size_t n);

enum ctype {
	CTYPE_NONE,
	CTYPE_FORM,
	CTYPE_JSON,
	CTYPE_CSV,	/* text/csv */
	CTYPE_OTHER
};

/* Returns the media type of a Content-Type header (charset must be UTF-8 if given). */
enum ctype ctype_parse(const char *s);

/*
 * Parses a JSON body: must be one object and nothing after it.  Returns
 * the object, or NULL for anything else.
 */
cJSON *json_parse_body(const char *s, size_t n);

/* Returns 1 if the n bytes at s are well-formed UTF-8 without NUL or C0 controls except \t\n\r. */
int utf8_valid(const char *s, size_t n);

void request_free(struct request *r);

#endif
