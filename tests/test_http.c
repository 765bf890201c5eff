/*
 * The HTTP client (fcgi/http.c) against a tiny server on a local socket,
 * run in a child process: a GET and a JSON POST answered, a status other
 * than 200 passed on, the size cap, the total timeout on a server that
 * never answers (and the time it took), a refused connection, and a
 * scheme other than http(s) refused.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../fcgi/http.h"
#include "t.h"

/* Answers each connection by the request's path, until killed. */
static void
serve(int ls)
{
	char req[4096], big[8192], head[256];
	const char *body;
	ssize_t n;
	int s, status;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (;;) {
		if ((s = accept(ls, NULL, NULL)) == -1)
			continue;
		n = read(s, req, sizeof(req) - 1);
		req[n > 0 ? n : 0] = '\0';
		status = 200;
		if (strncmp(req, "GET /hang", 9) == 0) {
			sleep(5);
			close(s);
			continue;
		}
		if (strncmp(req, "GET /big", 8) == 0)
			body = big;
		else if (strncmp(req, "GET /missing", 12) == 0) {
			status = 404;
			body = "{\"no\":1}";
		} else if (strncmp(req, "POST /echo", 10) == 0)
			body = strstr(req, "Content-Type: application/json") &&
			    strstr(req, "{\"a\":1}") ? "{\"posted\":true}" :
			    "{\"posted\":false}";
		else
			body = "{\"ok\":true}";
		snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\nConnection: "
		    "close\r\n\r\n", status, strlen(body));
		(void)!write(s, head, strlen(head));
		(void)!write(s, body, strlen(body));
		close(s);
	}
}

/* Returns a listening socket on 127.0.0.1 and its port in *port. */
static int
listen_local(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s == -1 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s, 16) == -1 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) == -1)
		return -1;
	*port = ntohs(sa.sin_port);
	return s;
}

static long long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
main(void)
{
	struct http_resp r;
	char url[128];
	enum http_err e;
	long long t0, took;
	pid_t pid;
	int ls, port, closed;

	T_CHECK(http_init() == 0, "http_init");
	if ((ls = listen_local(&port)) == -1) {
		T_CHECK(0, "cannot listen");
		T_DONE("http");
	}
	if ((pid = fork()) == 0) {
		serve(ls);
		_exit(0);
	}
	close(ls);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/get", port);
	e = http_request(url, NULL, 1000, 2000, 1024, &r);
	T_CHECK(e == HTTP_OK && r.status == 200, "GET: %d %ld", e, r.status);
	T_STREQ(buf_cstr(&r.body), "{\"ok\":true}", "GET body");
	buf_free(&r.body);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/echo", port);
	e = http_request(url, "{\"a\":1}", 1000, 2000, 1024, &r);
	T_CHECK(e == HTTP_OK && r.status == 200, "POST: %d %ld", e, r.status);
	T_STREQ(buf_cstr(&r.body), "{\"posted\":true}", "POST as JSON");
	buf_free(&r.body);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/missing", port);
	e = http_request(url, NULL, 1000, 2000, 1024, &r);
	T_CHECK(e == HTTP_OK && r.status == 404, "404: %d %ld", e, r.status);
	buf_free(&r.body);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", port);
	e = http_request(url, NULL, 1000, 2000, 1024, &r);
	T_CHECK(e == HTTP_TOO_BIG, "size cap: %d", e);
	T_CHECK(r.body.len == 0, "no body past the cap: %zu", r.body.len);
	buf_free(&r.body);
	e = http_request(url, NULL, 1000, 2000, 16384, &r);
	T_CHECK(e == HTTP_OK && r.body.len == 8191, "under the cap: %d %zu", e,
	    r.body.len);
	buf_free(&r.body);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hang", port);
	t0 = ms_now();
	e = http_request(url, NULL, 1000, 300, 1024, &r);
	took = ms_now() - t0;
	T_CHECK(e == HTTP_TIMEOUT, "timeout: %d", e);
	T_CHECK(took >= 250 && took < 1000, "timeout took %lld ms", took);
	buf_free(&r.body);

	/* A port nobody listens on: bind one, close it. */
	if ((closed = listen_local(&port)) != -1)
		close(closed);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	e = http_request(url, NULL, 1000, 2000, 1024, &r);
	T_CHECK(e == HTTP_CONNECT, "refused: %d", e);
	buf_free(&r.body);

	e = http_request("ftp://127.0.0.1/", NULL, 1000, 2000, 1024, &r);
	T_CHECK(e != HTTP_OK, "ftp refused: %d", e);
	buf_free(&r.body);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	http_cleanup();
	T_DONE("http");
}
