/*
 * Sign-in with WeChat (POST /api/v1/auth/wechat): the mini-program's
 * wx.login code is exchanged at WeChat (jscode2session) for the user's
 * openid; a bound openid signs in its account, like an OTP login; an
 * unknown one needs the getPhoneNumber code, turned by WeChat into the
 * user's phone number, whose account (the one an OTP login reaches) is
 * bound to the openid and signed in.
 *
 * The openid is kept only as a keyed hash; WeChat's session_key is never
 * read out of its answer; the app secret goes only into WeChat's URLs and
 * no log line.  The access token is shared by every worker through the
 * database, kept until shortly before it expires and fetched again once
 * when WeChat says it is stale (40001, 42001).  All calls to WeChat of
 * one request together stay within wechat_timeout_ms; no database lock is
 * held while waiting on WeChat.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../fcgi/clock.h"
#include "../fcgi/http.h"
#include "../fcgi/log.h"
#include "ratelimit.h"
#include "session.h"
#include "valid.h"
#include "wxparse.h"

#define ANSWER_MAX	(64 * 1024)	/* bytes of one WeChat answer */
#define TOKEN_MARGIN	300		/* seconds before WeChat's expiry */

/* One request's budget of time for WeChat. */
struct wx {
	struct ctx	*c;
	long long	 deadline;	/* monotonic ms */
};

/* Returns the monotonic clock in milliseconds. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Calls WeChat: GET base+path (body NULL) or POST body, within what is
 * left of the budget.  Returns WX_OK with r's body, or WX_UNAVAILABLE
 * (timeout, refused, not 200; logged without the URL).
 */
static enum wx_res
call(struct wx *w, const char *what, const char *url, const char *body,
    struct http_resp *r)
{
	long long left = w->deadline - now_ms();
	enum http_err e;

	if (left <= 0) {
		buf_init(&r->body);
		log_msg("wechat", "%s: no time left", what);
		return WX_UNAVAILABLE;
	}
	e = http_request(url, body, (long)left, (long)left, ANSWER_MAX, r);
	if (e != HTTP_OK) {
		log_msg("wechat", "%s: %s", what, http_strerror(e));
		return WX_UNAVAILABLE;
	}
	if (r->status != 200) {
		log_msg("wechat", "%s: status %ld", what, r->status);
		return WX_UNAVAILABLE;
	}
	return WX_OK;
}

/* Frees r, wiping the body (it may hold a session_key or a token). */
static void
resp_done(struct http_resp *r)
{
	if (r->body.ptr != NULL)
		explicit_bzero(r->body.ptr, r->body.cap);
	buf_free(&r->body);
}

/* Logs an answer that is not WX_OK, by its meaning only. */
static enum wx_res
said(const char *what, enum wx_res res)
{
	static const char *const names[WX__MAX] = { "ok", "code invalid",
	    "rate limited", "token expired", "unavailable or malformed" };

	if (res != WX_OK)
		log_msg("wechat", "%s: %s", what, names[res]);
	return res;
}

/* jscode2session: WX_OK with openid, or what went wrong. */
static enum wx_res
wx_openid(struct wx *w, const char *code, char openid[WX_OPENID_MAX + 1])
{
	struct app *a = w->c->app;
	struct http_resp r;
	struct buf url;
	enum wx_res res;

	buf_init(&url);
	buf_printf(&url, "%s/sns/jscode2session?appid=%s&secret=%s&js_code=%s"
	    "&grant_type=authorization_code", a->conf.wechat_api_base,
	    a->conf.wechat_appid, a->wechat_secret, code);
	if ((res = call(w, "jscode2session", buf_cstr(&url), NULL, &r)) ==
	    WX_OK)
		res = wx_parse_session(r.body.ptr, r.body.len, openid);
	explicit_bzero(url.ptr, url.cap);
	buf_free(&url);
	resp_done(&r);
	/* A stale access token cannot be the answer here. */
	return said("jscode2session", res == WX_TOKEN_EXPIRED ?
	    WX_UNAVAILABLE : res);
}

/*
 * The access token: the shared one while it lasts (unless fresh is
 * asked for), else a new one from WeChat, stored for every worker.
 */
static enum wx_res
wx_token(struct wx *w, int fresh, char token[WX_TOKEN_MAX + 1])
{
	struct ctx *c = w->c;
	struct app *a = c->app;
	struct db_stmt *s;
	struct http_resp r;
	struct buf url;
	long long expires_in, keep;
	enum wx_res res;
	int rc;

	if (!fresh) {
		s = db_stmt(a->db, SQL_WECHAT_TOKEN_GET);
		db_bind_int(s, 1, c->now);
		if ((rc = db_step(s)) == DB_ROW)
			snprintf(token, WX_TOKEN_MAX + 1, "%s",
			    db_col_text(s, 0));
		db_reset(s);
		if (rc == DB_ROW && token[0] != '\0')
			return WX_OK;
	}
	buf_init(&url);
	buf_printf(&url, "%s/cgi-bin/token?grant_type=client_credential"
	    "&appid=%s&secret=%s", a->conf.wechat_api_base,
	    a->conf.wechat_appid, a->wechat_secret);
	if ((res = call(w, "token", buf_cstr(&url), NULL, &r)) == WX_OK)
		res = wx_parse_token(r.body.ptr, r.body.len, token,
		    &expires_in);
	explicit_bzero(url.ptr, url.cap);
	buf_free(&url);
	resp_done(&r);
	if (res != WX_OK)
		return said("token", res == WX_TOKEN_EXPIRED ||
		    res == WX_CODE_INVALID ? WX_UNAVAILABLE : res);
	/* Kept until shortly before WeChat's expiry (half, if it is short). */
	keep = expires_in > 2 * TOKEN_MARGIN ? expires_in - TOKEN_MARGIN :
	    expires_in / 2;
	if (db_begin(a->db) == 0) {
		s = db_stmt(a->db, SQL_WECHAT_TOKEN_PUT);
		db_bind_text(s, 1, token);
		db_bind_int(s, 2, c->now + keep);
		db_bind_int(s, 3, c->now);
		if (db_run(s) == DB_ERR || db_commit(a->db) == -1)
			db_rollback(a->db);
	}
	return WX_OK;
}

/* getuserphonenumber: WX_OK with the phone and *china, or what went wrong. */
static enum wx_res
wx_phone_once(struct wx *w, const char *token, const char *phone_code,
    char phone[WX_PHONE_MAX + 1], int *china)
{
	struct http_resp r;
	struct buf url, body;
	enum wx_res res;

	buf_init(&url);
	buf_init(&body);
	buf_printf(&url, "%s/wxa/business/getuserphonenumber?access_token=%s",
	    w->c->app->conf.wechat_api_base, token);
	buf_puts(&body, "{\"code\":\"");
	buf_json_str(&body, phone_code);
	buf_puts(&body, "\"}");
	if ((res = call(w, "getuserphonenumber", buf_cstr(&url),
	    buf_cstr(&body), &r)) == WX_OK)
		res = wx_parse_phone(r.body.ptr, r.body.len, phone, china);
	explicit_bzero(url.ptr, url.cap);
	buf_free(&url);
	buf_free(&body);
	resp_done(&r);
	return res;
}

/* The phone of phone_code, with one fresh token if the kept one is stale. */
static enum wx_res
wx_phone(struct wx *w, const char *phone_code, char phone[WX_PHONE_MAX + 1],
    int *china)
{
	char token[WX_TOKEN_MAX + 1];
	enum wx_res res;

	if ((res = wx_token(w, 0, token)) != WX_OK)
		return res;
	res = wx_phone_once(w, token, phone_code, phone, china);
	if (res == WX_TOKEN_EXPIRED) {
		said("getuserphonenumber", res);
		if ((res = wx_token(w, 1, token)) == WX_OK)
			res = wx_phone_once(w, token, phone_code, phone,
			    china);
		if (res == WX_TOKEN_EXPIRED)
			res = WX_UNAVAILABLE;
	}
	explicit_bzero(token, sizeof(token));
	return said("getuserphonenumber", res);
}

/* Maps a failed answer to our status and code, with e. */
static int
wx_err(enum wx_res res, struct in_err *e)
{
	switch (res) {
	case WX_CODE_INVALID:
		return in_err(e, 401, "wechat_code_invalid", NULL, NULL);
	case WX_RATE_LIMITED:
		return in_err(e, 429, "wechat_rate_limited", NULL, NULL);
	default:
		return in_err(e, 503, "wechat_unavailable", NULL, NULL);
	}
}

/*
 * Signs in through WeChat.  Returns 0 with *token and *expires, or a
 * status with e: 409 phone_required, 401 wechat_code_invalid, 422
 * phone_not_mainland, 429 rate_limited (*retry set) or
 * wechat_rate_limited, 503 wechat_unavailable, 500.
 */
static int
wechat_sign_in(struct ctx *c, const char *code, const char *phone_code,
    char **token, time_t *expires, long *retry, struct in_err *e)
{
	struct app *a = c->app;
	struct wx w = { c, now_ms() + a->conf.wechat_timeout_ms };
	struct db_stmt *s;
	char openid[WX_OPENID_MAX + 1], mac[65], phone[WX_PHONE_MAX + 1];
	char addr[INET6_ADDRSTRLEN + 4];
	int64_t account_id;
	enum wx_res res;
	long wait;
	int rc, china;

	*token = NULL;
	/* The per-IP limit first, committed before WeChat is asked. */
	if (db_begin(a->db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	ratelimit_addr(c->req->remote_addr, addr, sizeof(addr));
	if ((wait = ratelimit_hit(c, "wechat-ip", addr, a->conf.otp_ip_hourly,
	    3600)) != 0 || db_commit(a->db) == -1) {
		db_rollback(a->db);
		if (wait <= 0)
			return in_err(e, 500, "internal", NULL, NULL);
		*retry = wait;
		return in_err(e, 429, "rate_limited", NULL, NULL);
	}

	if ((res = wx_openid(&w, code, openid)) != WX_OK)
		return wx_err(res, e);
	ctx_mac(a, "wechat-openid", openid, mac);
	explicit_bzero(openid, sizeof(openid));

	s = db_stmt(a->db, SQL_WECHAT_BOUND);
	db_bind_text(s, 1, mac);
	if ((rc = db_step(s)) == DB_ROW)
		account_id = db_col_int(s, 0);
	db_reset(s);
	if (rc == DB_ERR)
		return in_err(e, 500, "internal", NULL, NULL);
	if (rc == DB_ROW) {
		if (db_begin(a->db) == -1)
			return in_err(e, 500, "internal", NULL, NULL);
		s = db_stmt(a->db, SQL_WECHAT_SEEN);
		db_bind_int(s, 1, account_id);
		db_bind_int(s, 2, c->now);
		if (db_run(s) == DB_ERR) {
			db_rollback(a->db);
			return in_err(e, 500, "internal", NULL, NULL);
		}
		return session_create(c, account_id, token, expires) != 0 ?
		    in_err(e, 500, "internal", NULL, NULL) : 0;
	}
	if (phone_code == NULL)
		return in_err(e, 409, "phone_required", NULL, NULL);

	if ((res = wx_phone(&w, phone_code, phone, &china)) != WX_OK)
		return wx_err(res, e);
	if (!china || !valid_phone(phone)) {
		explicit_bzero(phone, sizeof(phone));
		return in_err(e, 422, "phone_not_mainland", NULL, NULL);
	}

	if (db_begin(a->db) == -1)
		goto err;
	if ((account_id = session_account(c, phone)) == -1)
		goto rollback;
	s = db_stmt(a->db, SQL_WECHAT_BIND);
	db_bind_text(s, 1, mac);
	db_bind_int(s, 2, account_id);
	db_bind_int(s, 3, c->now);
	if (db_run(s) == DB_ERR)
		goto rollback;
	explicit_bzero(phone, sizeof(phone));
	return session_create(c, account_id, token, expires) != 0 ?
	    in_err(e, 500, "internal", NULL, NULL) : 0;
rollback:
	db_rollback(a->db);
err:
	explicit_bzero(phone, sizeof(phone));
	return in_err(e, 500, "internal", NULL, NULL);
}

/*
 * POST /api/v1/auth/wechat {"code","phone_code"?}
 * 200 {"token","expires_at"} and the hc_session cookie; 400 bad fields;
 * 401 wechat_code_invalid; 404 when no app id is configured; 409
 * phone_required; 422 phone_not_mainland; 429 rate_limited (Retry-After)
 * or wechat_rate_limited; 503 wechat_unavailable.
 */
void
api_auth_wechat(struct ctx *c)
{
	const char *code, *phone_code = NULL;
	struct in_err e;
	enum field f;
	char *token;
	time_t expires;
	long retry = 0;

	if (*c->app->conf.wechat_appid == '\0') {
		api_err(c, 404, "not_found");
		return;
	}
	if (in_str(c, "code", wx_code_valid, "invalid_code", &code, &e))
		goto fail;
	f = req_str(c->req, "phone_code", wx_code_valid, &phone_code);
	if (f != FIELD_OK && f != FIELD_MISSING) {
		in_field(&e, f, "phone_code", "invalid_code", NULL);
		goto fail;
	}
	if (f == FIELD_MISSING)
		phone_code = NULL;
	if (wechat_sign_in(c, code, phone_code, &token, &expires, &retry,
	    &e) != 0)
		goto fail;
	session_answer(c, token, expires);
	return;
fail:
	if (e.status == 429 && retry > 0)
		resp_header(c->resp, "Retry-After", "%ld", retry);
	api_in_error(c, &e);
}
