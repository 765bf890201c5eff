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

#include <fcgiapp.h>
#include <fastcgi.h>

#include "clock.h"
#include "log.h"
#include "server.h"

struct server_io {
	FCGX_Request	*fr;
};

static volatile sig_atomic_t stopping;
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

/* Fills req from the CGI environment; returns 0 or an HTTP status. */
static int
request_from_env(FCGX_Request *fr, struct request *req,
    struct response *resp)
{
	const char *uri, *q, *cookie;
	unsigned char id[8];
	struct buf hex;
	size_t plen;

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
	    kv_parse_cookies(&req->cookies, cookie, strlen(cookie)) == -1) {
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

int
server_read_body(struct server_io *io, struct request *req,
    struct response *resp, size_t limit)
{
	const char *cl = param(io->fr, "CONTENT_LENGTH");
	long long len = 0;
	struct buf body;
	int n, rc;

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
	if ((unsigned long long)len > limit) {
		resp_error(resp, 413, "body_too_large", "the request body is "
		    "too large");
		return 413;
	}
	buf_init(&body);
	buf_reserve(&body, (size_t)len);
	while (body.len < (size_t)len) {
		n = FCGX_GetStr(body.ptr + body.len, (int)((size_t)len -
		    body.len), io->fr->in);
		if (n <= 0)
			break;
		body.len += (size_t)n;
	}
	body.ptr[body.len] = '\0';
	if (body.len != (size_t)len) {
		buf_free(&body);
		resp_error(resp, 400, "bad_request", "the body ended early");
		return 400;
	}
	rc = request_parse_body(req, req->content_type, body.ptr, body.len,
	    resp);
	buf_free(&body);
	return rc;
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

int
server_run(server_fn fn, server_idle_fn idle, void *app)
{
	int ms, unix_socket, fl, rc;
	struct sigaction sa;
	FCGX_Request fr;
	struct server_io io = { &fr };
	struct request req;
	struct response resp;
	struct timespec t0;
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
		clock_gettime(CLOCK_MONOTONIC, &t0);
		memset(&req, 0, sizeof(req));
		resp_init(&resp);
		route = "-";
		if (request_from_env(&fr, &req, &resp) == 0)
			fn(app, &req, &resp, &io, &route);
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
		    route, resp.status, clock_ms_since(&t0),
		    resp.err_code ? " " : "", resp.err_code ? resp.err_code :
		    "");
		request_free(&req);
		resp_free(&resp);
	}
	FCGX_Free(&fr, 1);
	buf_free(&out);
	log_flush();
	return 0;
}
