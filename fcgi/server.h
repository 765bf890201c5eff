/*
 * The FastCGI loop: accept a request, build a struct request from the
 * CGI environment, let the application fill a struct response, write it,
 * and log one line (request id, method, route pattern, status, time).
 */
#ifndef HC_SERVER_H
#define HC_SERVER_H

#include "request.h"
#include "response.h"

struct server_io;

/*
 * route is set by the application to the matched pattern for the log.
 * A request whose head was refused (req->refused, the status) comes with
 * resp already answering it and no path: the application may only put
 * the answer in its own words.
 */
typedef void (*server_fn)(void *app, struct request *req,
    struct response *resp, struct server_io *io, const char **route);

/*
 * Deferred work between requests: returns the milliseconds until it
 * wants to run (0: it did some and has more), or -1 when it has none;
 * with now set, what is due runs.
 */
typedef int (*server_idle_fn)(void *app, int now);

/*
 * Called after each answer is written: the route the application set,
 * the status, and the milliseconds since the request was accepted.
 */
typedef void (*server_done_fn)(void *app, const char *route, int status,
    double ms);
/* Sets the hook server_run calls after each answer (NULL: none). */
void server_on_done(server_done_fn fn);

/*
 * Serves requests on the FastCGI socket (fd 0) until SIGTERM/SIGINT.
 * Between requests it runs a step of idle (may be NULL); when no request
 * is waiting, idle's steps until it has no more work, then it writes the
 * held log lines and waits.  Each request's stdin (its body, and the
 * rest the web server sends after it) is read to its end before the
 * answer goes out, within stdin_ms of the request's start.  Returns 0
 * or 1.
 */
int server_run(server_fn fn, server_idle_fn idle, void *app, int stdin_ms);

/*
 * Reads and parses the body of a request (form or JSON) up to limit
 * bytes: CONTENT_LENGTH of them, or without one, a body in chunks to the
 * end of the stdin (mod_proxy_fcgi passes one on so).  Returns 0, or the
 * HTTP status to answer with (400, 408, 413, 415) after filling resp
 * with the error.
 */
int server_read_body(struct server_io *io, struct request *req,
    struct response *resp, size_t limit);

/*
 * Parses a body already in memory (also what the fuzzer drives).
 * Returns 0 or an HTTP status with resp filled in.
 */
int request_parse_body(struct request *req, const char *ctype,
    const char *body, size_t len, struct response *resp);

#endif
