/*
 * The HTTP client on libcurl (http.h): one easy handle per request, no
 * signals (NOSIGNAL: timeouts without SIGALRM in a FastCGI worker),
 * peer and host verified, redirects not followed, only http and https.
 */
#include <string.h>

#include <curl/curl.h>

#include "http.h"

struct sink {
	struct buf	*b;
	size_t		 max;
	int		 over;
};

/* Appends a piece of the answer; a short count stops curl past the cap. */
static size_t
sink_write(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (s->b->len + len > s->max) {
		s->over = 1;
		return 0;
	}
	buf_append(s->b, p, len);
	return len;
}

int
http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
http_cleanup(void)
{
	curl_global_cleanup();
}

enum http_err
http_request(const char *url, const char *json_body, long connect_ms,
    long total_ms, size_t max_bytes, struct http_resp *r)
{
	struct curl_slist *hdrs = NULL;
	struct sink s;
	CURL *h;
	CURLcode rc;
	enum http_err e;

	r->status = 0;
	buf_init(&r->body);
	if ((h = curl_easy_init()) == NULL)
		return HTTP_FAILED;
	s.b = &r->body;
	s.max = max_bytes;
	s.over = 0;
	if (connect_ms > total_ms)
		connect_ms = total_ms;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms < 1 ? 1L :
	    connect_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms < 1 ? 1L : total_ms);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP |
	    CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "healthcode");
	if (json_body != NULL) {
		hdrs = curl_slist_append(hdrs,
		    "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(json_body));
	}
	rc = curl_easy_perform(h);
	switch (rc) {
	case CURLE_OK:
		e = HTTP_OK;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		e = HTTP_TIMEOUT;
		break;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		e = HTTP_CONNECT;
		break;
	case CURLE_WRITE_ERROR:
		e = s.over ? HTTP_TOO_BIG : HTTP_FAILED;
		break;
	default:
		e = HTTP_FAILED;
		break;
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (e != HTTP_OK)
		buf_reset(&r->body);
	buf_cstr(&r->body);
	return e;
}

const char *
http_strerror(enum http_err e)
{
	switch (e) {
	case HTTP_OK:
		return "ok";
	case HTTP_TIMEOUT:
		return "timed out";
	case HTTP_CONNECT:
		return "cannot connect";
	case HTTP_TOO_BIG:
		return "answer too large";
	default:
		return "request failed";
	}
}
