/* Building and serialising responses, with fixed security headers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "response.h"

/*
 * No inline script or style anywhere: pages load /static/ files, so the
 * policy can forbid everything else.
 */
#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; form-action 'self'; " \
	"frame-ancestors 'none'; base-uri 'none'"

void
resp_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	buf_init(&r->headers);
	buf_init(&r->body);
}

void
resp_free(struct response *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
}

void
resp_header(struct response *r, const char *name, const char *fmt, ...)
{
	struct buf v;
	va_list ap;
	int n;
	size_t i;

	buf_init(&v);
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(&v, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(v.ptr, (size_t)n + 1, fmt, ap);
	va_end(ap);
	v.len = (size_t)n;
	for (i = 0; i < v.len; i++)	/* no header injection */
		if (v.ptr[i] == '\r' || v.ptr[i] == '\n')
			v.ptr[i] = ' ';
	buf_printf(&r->headers, "%s: %s\r\n", name, v.ptr);
	buf_free(&v);
}

void
resp_json(struct response *r, int status, const char *json)
{
	r->status = status;
	r->ctype = "application/json; charset=utf-8";
	buf_reset(&r->body);
	buf_puts(&r->body, json);
}

void
resp_error(struct response *r, int status, const char *code,
    const char *message)
{
	r->status = status;
	r->ctype = "application/json; charset=utf-8";
	r->err_code = code;
	buf_reset(&r->body);
	buf_puts(&r->body, "{\"error\":{\"code\":\"");
	buf_json_str(&r->body, code);
	buf_puts(&r->body, "\",\"message\":\"");
	buf_json_str(&r->body, message);
	buf_puts(&r->body, "\"}}");
}

void
resp_redirect(struct response *r, int status, const char *location)
{
	r->status = status;
	r->ctype = "text/plain; charset=utf-8";
	buf_reset(&r->body);
	resp_header(r, "Location", "%s", location);
}

void
resp_cookie(struct response *r, const char *name, const char *value,
    long max_age, int http_only, int secure)
{
	struct buf c;

	buf_init(&c);
	buf_printf(&c, "%s=%s; Path=/; SameSite=Lax", name, value);
	if (max_age >= 0)
		buf_printf(&c, "; Max-Age=%ld", max_age);
	if (http_only)
		buf_puts(&c, "; HttpOnly");
	if (secure)
		buf_puts(&c, "; Secure");
	resp_header(r, "Set-Cookie", "%s", c.ptr);
	buf_free(&c);
}

const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void
resp_serialize(const struct response *r, const char *request_id, int head,
    struct buf *out)
{
	buf_printf(out, "Status: %d %s\r\n", r->status, status_text(r->status));
	if (r->body.len > 0 || r->ctype != NULL)
		buf_printf(out, "Content-Type: %s\r\n",
		    r->ctype ? r->ctype : "text/plain; charset=utf-8");
	buf_printf(out, "Content-Length: %zu\r\n", r->body.len);
	buf_printf(out, "Cache-Control: %s\r\n",
	    r->cache ? r->cache : "no-store");
	buf_puts(out,
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: same-origin\r\n"
	    "Content-Security-Policy: " CSP "\r\n");
	if (request_id != NULL)
		buf_printf(out, "X-Request-Id: %s\r\n", request_id);
	buf_append(out, r->headers.ptr ? r->headers.ptr : "", r->headers.len);
	buf_puts(out, "\r\n");
	if (!head)
		buf_append(out, r->body.ptr ? r->body.ptr : "", r->body.len);
}
