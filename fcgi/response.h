/*
 * Responses: status, headers and body collected in memory, then written
 * out as one CGI response with the security headers every answer
 * carries.  JSON errors have one shape: {"error":{"code","message"}}.
 */
#ifndef HC_RESPONSE_H
#define HC_RESPONSE_H

#include "util.h"

struct response {
	int		 status;
	const char	*ctype;
	const char	*cache;		/* Cache-Control; NULL means no-store */
	struct buf	 headers;	/* extra "Name: value\r\n" lines */
	struct buf	 body;
	const char	*err_code;	/* for the log line */
};

void resp_init(struct response *r);
void resp_free(struct response *r);

/* Adds a header line; the value must not contain CR or LF. */
void resp_header(struct response *r, const char *name, const char *fmt, ...)
    HC_PRINTF(3, 4);
/* Sets a JSON body from buf contents and the status. */
void resp_json(struct response *r, int status, const char *json);
/* Replaces the response with a JSON error. */
void resp_error(struct response *r, int status, const char *code,
    const char *message);
/* Replaces the response with a redirect (303 after POST, else 302). */
void resp_redirect(struct response *r, int status, const char *location);
/* Adds a Set-Cookie header. max_age < 0: session cookie; 0: delete. */
void resp_cookie(struct response *r, const char *name, const char *value,
    long max_age, int http_only, int secure);

/* Returns the reason phrase for status. */
const char *status_text(int status);

/* Writes the whole CGI response (head only when head is set) to out. */
void resp_serialize(const struct response *r, const char *request_id,
    int head, struct buf *out);

#endif
