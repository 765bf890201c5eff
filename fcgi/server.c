/* The FastCGI accept loop over libfcgi; see server.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <fcgiapp.h>
#include <fastcgi.h>

#include "clock.h"
#include "log.h"
#include "server.h"

/*
 * At most this much of a request's stdin is read and dropped once its
 * answer is known: more than any configuration in conf/ lets through
 * (32 MiB).
 */
#define DRAIN_MAX	(64 << 20)

struct server_io {
	FCGX_Request	*fr;
	struct timespec	 t0;		/* when the request came */
	int		 stdin_ms;	/* the time its stdin may take */
	double		 armed;		/* ms after t0 the socket's bound was set */
	int		 late;		/* and that time ran out */
	int		 unbound;	/* reads need no bound (no body declared) */
};

static volatile sig_atomic_t stopping;
static server_done_fn on_done;
static uint32_t	id_prefix, id_count;
static int	id_seeded;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static const char *
param(FCGX_Request *fr, const char *name)
{
	return FCGX_GetParam(name, fr->envp);
}

/*
 * Bounds the request's head (request.h): its FastCGI parameters, the URI,
 * the header fields (HTTP_*).  A web server we do not control may pass
 * on anything; nothing past these is read further.  Returns 0, or 414 or
 * 431 after filling resp.
 */
static int
head_bounded(FCGX_Request *fr, struct response *resp)
{
	const char *uri = param(fr, "REQUEST_URI"), *eq;
	size_t n = 0, nh = 0, bytes = 0, hbytes = 0, len, big = 0;
	char **e;

	for (e = fr->envp; *e != NULL; e++) {
		len = strlen(*e);
		eq = strchr(*e, '=');
		if (eq != NULL && len - (size_t)(eq + 1 - *e) > big)
			big = len - (size_t)(eq + 1 - *e);
		n++;
		bytes += len;
		if (strncmp(*e, "HTTP_", 5) == 0) {
			nh++;
			hbytes += len;
		}
	}
	if (n > PARAMS_MAX || nh > HEADERS_MAX) {
		resp_error(resp, 431, "too_many_headers", "the request has "
		    "too many header fields");
		return 431;
	}
	if (uri != NULL && strlen(uri) > URI_MAX) {
		resp_error(resp, 414, "uri_too_long", "the request URI is "
		    "too long");
		return 414;
	}
	if (big > HEADER_MAX) {
		resp_error(resp, 431, "header_too_large", "a request header "
		    "field is too large");
		return 431;
	}
	if (bytes > PARAMS_BYTES || hbytes > HEADERS_BYTES) {
		resp_error(resp, 431, "headers_too_large", "the request's "
		    "header fields are too large together");
		return 431;
	}
	return 0;
}

/* Fills req from the CGI environment; returns 0 or an HTTP status. */
static int
request_from_env(FCGX_Request *fr, struct request *req,
    struct response *resp)
{
	const char *uri, *q, *cookie;
	unsigned char id[8];
	struct buf hex;
	size_t plen;
	int rc;

	/* A random prefix per process and a counter: unique, and no syscall. */
	if (!id_seeded) {
		rand_bytes(&id_prefix, sizeof(id_prefix));
		id_seeded = 1;
	}
	id_count++;
	memcpy(id, &id_prefix, 4);
	memcpy(id + 4, &id_count, 4);
	buf_init(&hex);
	hex_encode(&hex, id, sizeof(id));
	memcpy(req->id, hex.ptr, sizeof(req->id));
	buf_free(&hex);

	req->method = method_parse(param(fr, "REQUEST_METHOD"));
	req->content_type = param(fr, "CONTENT_TYPE");
	req->authorization = param(fr, "HTTP_AUTHORIZATION");
	req->accept_language = param(fr, "HTTP_ACCEPT_LANGUAGE");
	req->origin = param(fr, "HTTP_ORIGIN");
	req->sec_fetch_site = param(fr, "HTTP_SEC_FETCH_SITE");
	req->remote_addr = param(fr, "REMOTE_ADDR");
	if (req->remote_addr == NULL)
		req->remote_addr = "";

	if ((rc = head_bounded(fr, resp)) != 0)
		return rc;
	if ((uri = param(fr, "REQUEST_URI")) == NULL || *uri != '/') {
		resp_error(resp, 400, "bad_request", "missing request URI");
		return 400;
	}
	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	if ((req->path = path_decode(uri, plen)) == NULL) {
		resp_error(resp, 400, "bad_request", "bad escape in path");
		return 400;
	}
	if (q != NULL && kv_parse_query(&req->query, q + 1, strlen(q + 1))) {
		resp_error(resp, 400, "bad_query", "malformed query string");
		return 400;
	}
	if ((cookie = param(fr, "HTTP_COOKIE")) != NULL &&
	    (rc = kv_parse_cookies(&req->cookies, cookie, strlen(cookie)))) {
		/* None of them, for the answer's language either. */
		kv_free(&req->cookies);
		if (rc == -2) {
			resp_error(resp, 431, "cookie_too_large", "a cookie is "
			    "too large");
			return 431;
		}
		resp_error(resp, 400, "bad_request", "too many cookies");
		return 400;
	}
	return 0;
}

int
request_parse_body(struct request *req, const char *ctype, const char *body,
    size_t len, struct response *resp)
{
	switch (ctype_parse(ctype)) {
	case CTYPE_JSON:
		if (len == 0)
			return 0;	/* a bodiless POST of a JSON API */
		if ((req->json = json_parse_body(body, len)) == NULL) {
			resp_error(resp, 400, "malformed_json", "the body is "
			    "not a well-formed UTF-8 JSON object");
			return 400;
		}
		req->body_kind = BODY_JSON;
		return 0;
	case CTYPE_FORM:
		if (kv_parse_query(&req->form, body, len) == -1) {
			resp_error(resp, 400, "malformed_form",
			    "the form body is malformed");
			return 400;
		}
		req->body_kind = BODY_FORM;
		return 0;
	case CTYPE_CSV:
		/* Kept as sent: the route's handler parses it. */
		req->raw = ck_malloc(len + 1);
		memcpy(req->raw, body, len);
		req->raw[len] = '\0';
		req->raw_len = len;
		req->body_kind = BODY_CSV;
		return 0;
	case CTYPE_NONE:
		if (len == 0)
			return 0;
		/* FALLTHROUGH */
	default:
		resp_error(resp, 415, "unsupported_media_type", "send "
		    "application/json or application/x-www-form-urlencoded");
		return 415;
	}
}

/*
 * Bounds the next read of the request's stdin by the time it has left
 * (a bound set less than 100 ms ago stands: a read then ends at most
 * that much late, and a request costs one setsockopt, not one a read);
 * -1 (and io->late) when no time is left.
 */
static int
io_bound(struct server_io *io)
{
	double now = clock_ms_since(&io->t0), left = io->stdin_ms - now;
	struct timeval tv;

	if (left < 1) {
		io->late = 1;
		return -1;
	}
	if (io->armed >= 0 && now - io->armed < 100)
		return 0;
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)((left - tv.tv_sec * 1000.0) * 1000);
	if (setsockopt(io->fr->ipcFd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == -1)
		return -1;
	io->armed = now;
	return 0;
}

/*
 * Reads up to n bytes of the request's stdin into p (NULL: reads and
 * drops them).  Whatever libfcgi holds is taken as is; each read of the
 * socket waits only for the time the request has left, so a client
 * that trickles its body through a server that passes it on as it comes
 * gets no more than that in all.  Returns the bytes read: fewer at the
 * end of the stdin, at an error, or when the time ran out (io->late).
 */
static size_t
io_read(struct server_io *io, char *p, size_t n)
{
	FCGX_Stream *in = io->fr->in;
	char trash[8192];
	size_t got = 0, k;
	int r;

	while (got < n) {
		k = (size_t)(in->stop - in->rdNext);
		if (k == 0) {
			/* One byte: one fill of libfcgi's buffer at most. */
			if (FCGX_HasSeenEOF(in) ||
			    (!io->unbound && io_bound(io) == -1))
				break;
			k = 1;
		}
		if (k > n - got)
			k = n - got;
		if (p == NULL && k > sizeof(trash))
			k = sizeof(trash);
		if ((r = FCGX_GetStr(p != NULL ? p + got : trash, (int)k,
		    in)) <= 0)
			break;
		got += (size_t)r;
	}
	r = FCGX_GetError(in);
	if (r == EAGAIN || r == EWOULDBLOCK)
		io->late = 1;
	return got;
}

/*
 * Reads what is left of the request's stdin, up to the empty record
 * that ends it, before the answer goes out and the connection closes.
 * The web server may still be sending it: the rest of a body answered
 * without reading it (413, 404, 401...), or only that empty record,
 * which Apache's mod_proxy_fcgi writes on its own after the body.  A
 * worker that closes first makes the server's next write fail, and the
 * client gets the server's error instead of our answer (nginx 502,
 * Apache 503, mod_fcgid 500); on a kept connection (FCGI_KEEP_CONN) the
 * rest would be read as the next request.  At most DRAIN_MAX bytes and
 * the request's time: then the connection is closed all the same.
 */
static void
io_drain(struct server_io *io, const char *id)
{
	const char *cl = param(io->fr, "CONTENT_LENGTH");
	size_t n;

	if (FCGX_HasSeenEOF(io->fr->in))
		return;
	/*
	 * A request that declares no body (no length, no chunks) has only
	 * the empty record to come, which every server sends at once: no
	 * bound for it, and no system call to set one (most requests).
	 */
	io->unbound = (cl == NULL || *cl == '\0' || strcmp(cl, "0") == 0) &&
	    param(io->fr, "HTTP_TRANSFER_ENCODING") == NULL;
	n = io_read(io, NULL, DRAIN_MAX);
	if (!FCGX_HasSeenEOF(io->fr->in) || FCGX_GetError(io->fr->in)) {
		io->fr->keepConnection = 0;
		LOG("%s: the rest of the request not read (%zu bytes, %s)", id,
		    n, io->late ? "out of time" : n >= DRAIN_MAX ? "too long" :
		    "ended early");
	}
}

/*
 * Reads a body that comes in chunks and declares no length, as
 * mod_proxy_fcgi passes one on: to the end of the stdin, at most limit
 * bytes (then it stops at limit + 1).
 */
static void
io_read_unsized(struct server_io *io, struct buf *body, size_t limit)
{
	size_t n, want;

	do {
		want = limit + 1 - body->len;
		if (want > 8192)
			want = 8192;
		buf_reserve(body, want);
		n = io_read(io, body->ptr + body->len, want);
		body->len += n;
	} while (n == want && body->len <= limit);
}

int
server_read_body(struct server_io *io, struct request *req,
    struct response *resp, size_t limit)
{
	const char *cl = param(io->fr, "CONTENT_LENGTH");
	long long len = 0;
	struct buf body;
	int rc, unsized;

	unsized = (cl == NULL || *cl == '\0') &&
	    param(io->fr, "HTTP_TRANSFER_ENCODING") != NULL;
	if (cl != NULL && *cl != '\0') {
		char *end;
		errno = 0;
		len = strtoll(cl, &end, 10);
		if (errno || *end != '\0' || len < 0) {
			resp_error(resp, 400, "bad_request",
			    "bad Content-Length");
			return 400;
		}
	}
	if ((unsigned long long)len > limit)
		goto large;
	buf_init(&body);
	if (unsized)
		io_read_unsized(io, &body, limit);
	else {
		buf_reserve(&body, (size_t)len);
		body.len = io_read(io, body.ptr, (size_t)len);
	}
	if (body.len > limit) {
		buf_free(&body);
		goto large;
	}
	body.ptr[body.len] = '\0';
	if (unsized ? !FCGX_HasSeenEOF(io->fr->in) ||
	    FCGX_GetError(io->fr->in) != 0 : body.len != (size_t)len) {
		buf_free(&body);
		if (io->late) {
			resp_error(resp, 408, "request_timeout", "the request "
			    "body did not arrive in time");
			return 408;
		}
		resp_error(resp, 400, "bad_request", "the body ended early");
		return 400;
	}
	rc = request_parse_body(req, req->content_type, body.ptr, body.len,
	    resp);
	buf_free(&body);
	return rc;
large:
	resp_error(resp, 413, "body_too_large", "the request body is too "
	    "large");
	return 413;
}

/*
 * Waits up to ms (-1: for ever) for a connection on the listening socket;
 * 1 if one came.
 */
static int
wait_readable(int ms)
{
	struct pollfd pfd = { FCGI_LISTENSOCK_FILENO, POLLIN, 0 };
	int rc;

	rc = poll(&pfd, 1, ms);
	return rc != 0;	/* a signal or an error: go on to accept */
}

/* Returns 1 if the listening socket is a unix-domain socket. */
static int
listen_is_unix(void)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	return getsockname(FCGI_LISTENSOCK_FILENO, (struct sockaddr *)&sa,
	    &len) == 0 && sa.ss_family == AF_UNIX;
}

void
server_on_done(server_done_fn fn)
{
	on_done = fn;
}

int
server_run(server_fn fn, server_idle_fn idle, void *app, int stdin_ms)
{
	int ms, unix_socket, fl, rc;
	struct sigaction sa;
	FCGX_Request fr;
	struct server_io io;
	struct request req;
	struct response resp;
	struct buf out;
	const char *route;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: accept() must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0,
	    FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		LOG("cannot initialise FastCGI");
		return 1;
	}
	/*
	 * accept() that does not wait tells whether a request is waiting
	 * without a poll() per request; only the listening socket is
	 * non-blocking (accepted ones do not inherit it on Linux).
	 */
	if ((fl = fcntl(FCGI_LISTENSOCK_FILENO, F_GETFL)) == -1 ||
	    fcntl(FCGI_LISTENSOCK_FILENO, F_SETFL, fl | O_NONBLOCK) == -1) {
		LOG("cannot make the FastCGI socket non-blocking");
		FCGX_Free(&fr, 1);
		return 1;
	}
	buf_init(&out);
	unix_socket = listen_is_unix();
	log_hold();
	for (;;) {
		/* Deferred work: a step of it between requests. */
		ms = idle != NULL ? idle(app, 0) : -1;
		if (stopping)
			break;
		rc = FCGX_Accept_r(&fr);
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR) {
			if (ms == 0)
				continue;	/* more of it, nobody waiting */
			/* Nothing to do: out with the log, then wait. */
			log_flush();
			if (!wait_readable(ms) && ms > 0)
				(void)idle(app, 1);
			continue;
		}
		if (rc < 0)
			break;
		memset(&io, 0, sizeof(io));
		io.fr = &fr;
		io.stdin_ms = stdin_ms;
		io.armed = -1;
		clock_gettime(CLOCK_MONOTONIC, &io.t0);
		memset(&req, 0, sizeof(req));
		resp_init(&resp);
		route = "-";
		/* A refused request too: the application words the answer. */
		req.refused = request_from_env(&fr, &req, &resp);
		fn(app, &req, &resp, &io, &route);
		io_drain(&io, req.id);
		buf_reset(&out);
		resp_serialize(&resp, req.id, req.method == METHOD_HEAD, &out);
		FCGX_PutStr(out.ptr, (int)out.len, fr.out);
		/*
		 * libfcgi closes a connection "lingering": shutdown, then wait
		 * for the web server to close its end.  The worker sits idle
		 * meanwhile.  On a unix socket nothing sent can be lost to a
		 * plain close, so detach first, which makes it close at once.
		 */
		if (unix_socket)
			FCGX_Detach(&fr);
		FCGX_Finish_r(&fr);
		/* Route pattern, never the raw path: paths can carry tokens. */
		LOG("%s %s %s %d %.2fms%s%s", req.id, method_name(req.method),
		    route, resp.status, clock_ms_since(&io.t0),
		    resp.err_code ? " " : "", resp.err_code ? resp.err_code :
		    "");
		if (on_done != NULL)
			on_done(app, route, resp.status, clock_ms_since(&io.t0));
		request_free(&req);
		resp_free(&resp);
	}
	FCGX_Free(&fr, 1);
	buf_free(&out);
	log_flush();
	return 0;
}
