/*
 * A small HTTP client on libcurl for calls to other services: GET, or
 * POST of a JSON body, with connect and total timeouts in milliseconds,
 * TLS verified, and a cap on the answer's size.  It knows nothing of
 * who it talks to, and logs no URL (they may carry secrets).
 */
#ifndef HC_HTTP_H
#define HC_HTTP_H

#include <stddef.h>

#include "util.h"

/* An answer: its status and body (NUL-terminated). */
struct http_resp {
	long		status;
	struct buf	body;
};

/* What went wrong when no answer came. */
enum http_err {
	HTTP_OK,
	HTTP_TIMEOUT,	/* the connect or the total timeout ran out */
	HTTP_CONNECT,	/* refused, unreachable, name not resolved */
	HTTP_TOO_BIG,	/* the answer passed the size cap */
	HTTP_FAILED	/* TLS, protocol or anything else */
};

/* Initialises libcurl once for the process, before any request: 0 or -1. */
int http_init(void);
/* Releases libcurl at exit. */
void http_cleanup(void);
/*
 * GETs url (json_body NULL) or POSTs json_body as application/json,
 * within connect_ms and total_ms, reading at most max_bytes.  Returns
 * HTTP_OK with r filled (any status), else why not (r's body empty).
 * The caller frees r->body.
 */
enum http_err http_request(const char *url, const char *json_body,
    long connect_ms, long total_ms, size_t max_bytes, struct http_resp *r);
/* Returns a short description of e (no URL, nothing secret). */
const char *http_strerror(enum http_err e);

#endif
