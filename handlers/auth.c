/*
 * Phone sign-in with one-time codes, for the API and the pages: a code
 * is sent (6 digits, kept as a keyed hash, single use, a few tries), and
 * the right one opens a session (session.c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "phone.h"
#include "ratelimit.h"
#include "session.h"
#include "valid.h"

/* Hands the code to the delivery: the configured command, or the outbox file. */
static int
deliver(struct app *a, const char *phone, const char *code)
{
	const char *cmd = a->conf.sms_command;
	FILE *f;
	int rc;

	if (cmd != NULL && *cmd != '\0') {
		/* Code on stdin, not in argv or the environment (ps, /proc). */
		if ((f = popen(cmd, "w")) == NULL)
			return -1;
		fprintf(f, "%s %s\n", phone, code);
		rc = pclose(f);
		return rc == 0 ? 0 : -1;
	}
	if ((f = fopen(a->conf.sms_outbox, "a")) == NULL)
		return -1;
	fprintf(f, "%s %s\n", phone, code);
	return fclose(f) == 0 ? 0 : -1;
}

/* The keyed hash a code is kept as, bound to its phone. */
static void
code_mac(struct app *a, const char *phone, const char *code, char mac[65])
{
	char pc[32];

	snprintf(pc, sizeof(pc), "%s:%s", phone, code);
	ctx_mac(a, "otp", pc, mac);
	explicit_bzero(pc, sizeof(pc));
}

/*
 * A short keyed tag of a phone for the log lines an operator alerts on:
 * the same phone, the same tag, and never the number.
 */
static void
phone_tag(struct app *a, const char *phone, char tag[13])
{
	char mac[65];

	ctx_mac(a, "log-phone", phone, mac);
	memcpy(tag, mac, 12);
	tag[12] = '\0';
}

/*
 * The limits on sending codes: one per phone per otp_resend_interval,
 * otp_phone_hourly an hour and otp_phone_daily a day (so a phone cannot
 * be sent a text a minute all day, at the operator's cost), and
 * otp_ip_hourly per address (IPv6 by its /64).  A phone's limits are
 * kept by its keyed hash pmac (phone.h), which account deletion has
 * too.  0, the wait, or -1.
 */
static long
send_limits(struct ctx *c, const char *phone, const char *pmac)
{
	struct app *a = c->app;
	const struct rate_window caps[] = {
		{ a->conf.otp_phone_hourly, 3600 },
		{ a->conf.otp_phone_daily, 86400 },
	};
	char addr[INET6_ADDRSTRLEN + 4], tag[13];
	long wait;

	if ((wait = ratelimit_check(c, "otp-phone", pmac, 1,
	    a->conf.otp_resend)) != 0)
		return wait;	/* an impatient user, not an attack */
	if ((wait = ratelimit_hits(c, "otp-phone", pmac, caps, 2)) != 0) {
		if (wait > 0) {
			phone_tag(a, phone, tag);
			LOG("auth: one-time codes refused for phone %s: at its "
			    "hourly or daily cap", tag);
		}
		return wait;
	}
	ratelimit_addr(c->req->remote_addr, addr, sizeof(addr));
	if ((wait = ratelimit_hit(c, "otp-ip", addr, a->conf.otp_ip_hourly,
	    3600)) > 0)
		LOG("auth: one-time codes refused for an address: at "
		    "otp_ip_hourly");
	return wait;
}

/*
 * Sends a code to phone.  Returns 202, or a status with e: 429
 * rate_limited (*retry_after set), 503 sms_unavailable, 500.
 */
static int
send_code(struct ctx *c, const char *phone, long *retry_after,
    struct in_err *e)
{
	struct app *a = c->app;
	struct db_stmt *s;
	char code[8], mac[65], pmac[65];
	long wait;

	*retry_after = 0;
	phone_mac(a, phone, pmac);
	if (db_begin(a->db) == -1)
		goto dberr;
	if ((wait = send_limits(c, phone, pmac)) != 0) {
		db_rollback(a->db);
		if (wait < 0)
			goto dberr;
		*retry_after = wait;
		return in_err(e, 429, "rate_limited", NULL, NULL);
	}
	snprintf(code, sizeof(code), "%06u", rand_uniform(1000000));
	code_mac(a, phone, code, mac);

	/*
	 * One-time codes are kept at most retention_otp_minutes: expired
	 * ones of any phone go here (indexed, inside this transaction), not
	 * only at the daily purge.
	 */
	s = db_stmt(a->db, SQL_OTP_EXPIRE);
	db_bind_int(s, 1, c->now - a->conf.keep.otp_minutes * 60);
	if (db_run(s) == DB_ERR)
		goto rollback;
	/* A new code replaces any earlier one for the phone. */
	s = db_stmt(a->db, SQL_OTP_DELETE_PHONE);
	db_bind_text(s, 1, pmac);
	if (db_run(s) == DB_ERR)
		goto rollback;
	s = db_stmt(a->db, SQL_OTP_INSERT);
	db_bind_text(s, 1, pmac);
	db_bind_text(s, 2, mac);
	db_bind_int(s, 3, c->now);
	db_bind_int(s, 4, c->now + a->conf.otp_ttl);
	if (db_run(s) == DB_ERR || db_commit(a->db) == -1)
		goto rollback;

	/* Delivered after commit, so a slow gateway holds no lock. */
	if (deliver(a, phone, code) == -1) {
		LOG("one-time code delivery failed");
		s = db_stmt(a->db, SQL_OTP_DELETE_PHONE);
		db_bind_text(s, 1, pmac);
		(void)db_run(s);
		explicit_bzero(code, sizeof(code));
		return in_err(e, 503, "sms_unavailable", NULL, NULL);
	}
	explicit_bzero(code, sizeof(code));
	return 202;
rollback:
	db_rollback(a->db);
dberr:
	explicit_bzero(code, sizeof(code));
	return in_err(e, 500, "internal", NULL, NULL);
}

/*
 * The limits on trying codes, before the code is read: login_ip_hourly
 * tries per address (IPv6 by its /64), right or wrong, recorded; and
 * otp_fail_daily wrong codes per phone, whichever codes they were for, so
 * that asking for new codes does not buy new guesses (kept by the
 * phone's keyed hash pmac, as send_limits).  0, the wait, or -1.
 */
static long
try_limits(struct ctx *c, const char *phone, const char *pmac)
{
	struct app *a = c->app;
	char addr[INET6_ADDRSTRLEN + 4], tag[13];
	long wait;

	ratelimit_addr(c->req->remote_addr, addr, sizeof(addr));
	if ((wait = ratelimit_hit(c, "login-ip", addr, a->conf.login_ip_hourly,
	    3600)) != 0) {
		if (wait > 0)
			LOG("auth: sign-in refused for an address: at "
			    "login_ip_hourly");
		return wait;
	}
	if ((wait = ratelimit_check(c, "otp-fail", pmac,
	    a->conf.otp_fail_daily, 86400)) > 0) {
		phone_tag(a, phone, tag);
		LOG("auth: sign-in refused for phone %s: locked after "
		    "otp_fail_daily wrong codes", tag);
	}
	return wait;
}

/*
 * Checks phone's code and opens a session.  Returns 0 with *token and
 * *expires, or a status with e: 401 wrong_code, code_expired,
 * too_many_attempts; 429 rate_limited (*retry_after set); 500.  A try
 * that is refused is still counted against the address.
 */
static int
sign_in(struct ctx *c, const char *phone, const char *code, char **token,
    time_t *expires, long *retry_after, struct in_err *e)
{
	struct app *a = c->app;
	struct db_stmt *s;
	char mac[65], pmac[65], tag[13];
	int64_t otp_id, account_id, attempts, exp_at;
	long wait;
	int match, rc;

	*token = NULL;
	*retry_after = 0;
	phone_mac(a, phone, pmac);
	if (db_begin(a->db) == -1)
		goto dberr;
	if ((wait = try_limits(c, phone, pmac)) != 0) {
		if (wait < 0)
			goto rollback;
		if (db_commit(a->db) == -1)
			goto rollback;
		*retry_after = wait;
		return in_err(e, 429, "rate_limited", NULL, NULL);
	}
	s = db_stmt(a->db, SQL_OTP_LATEST);
	db_bind_text(s, 1, pmac);
	if ((rc = db_step(s)) != DB_ROW) {
		db_reset(s);
		if (rc == DB_ERR)
			goto rollback;
		if (db_commit(a->db) == -1)
			goto rollback;
		return in_err(e, 401, "code_expired", NULL, NULL);
	}
	otp_id = db_col_int(s, 0);
	code_mac(a, phone, code, mac);
	match = ct_streq(mac, db_col_text(s, 1));
	exp_at = db_col_int(s, 2);
	attempts = db_col_int(s, 3);
	db_reset(s);

	if (exp_at <= c->now || attempts >= a->conf.otp_max_attempts) {
		if (db_commit(a->db) == -1)
			goto rollback;
		return in_err(e, 401, exp_at <= c->now ? "code_expired" :
		    "too_many_attempts", NULL, NULL);
	}
	if (!match) {
		s = db_stmt(a->db, SQL_OTP_ATTEMPT);
		db_bind_int(s, 1, otp_id);
		if (db_run(s) == DB_ERR ||
		    ratelimit_add(c, "otp-fail", pmac) == -1 ||
		    db_commit(a->db) == -1)
			goto rollback;
		if (ratelimit_check(c, "otp-fail", pmac,
		    a->conf.otp_fail_daily, 86400) > 0) {
			phone_tag(a, phone, tag);
			LOG("auth: phone %s reached otp_fail_daily wrong codes: "
			    "sign-in locked for a day", tag);
		}
		return in_err(e, 401, attempts + 1 >= a->conf.otp_max_attempts ?
		    "too_many_attempts" : "wrong_code", NULL, NULL);
	}

	/* Single use: the code goes before the session is made. */
	s = db_stmt(a->db, SQL_OTP_DELETE);
	db_bind_int(s, 1, otp_id);
	if (db_run(s) == DB_ERR)
		goto rollback;
	if ((account_id = session_account(c, phone)) == -1)
		goto rollback;
	if (session_create(c, account_id, token, expires) != 0)
		goto dberr;	/* rolled back */
	return 0;
rollback:
	db_rollback(a->db);
dberr:
	return in_err(e, 500, "internal", NULL, NULL);
}

/*
 * POST /api/v1/auth/otp {"phone"}
 * 202 sent; 400 bad phone; 429 rate limited (Retry-After); 503 delivery down.
 * The answer is the same whether or not the phone has an account.
 */
void
api_otp(struct ctx *c)
{
	struct in_err e;
	const char *phone;
	long retry = 0;
	cJSON *o;

	if (in_str(c, "phone", valid_phone, "invalid_phone", &phone, &e) ||
	    send_code(c, phone, &retry, &e) != 202) {
		if (e.status == 429)
			resp_header(c->resp, "Retry-After", "%ld", retry);
		api_in_error(c, &e);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "sent", 1);
	cJSON_AddNumberToObject(o, "expires_in", (double)c->app->conf.otp_ttl);
	cJSON_AddNumberToObject(o, "resend_after",
	    (double)c->app->conf.otp_resend);
	api_json(c, 202, o);
	cJSON_Delete(o);
}

/*
 * POST /api/v1/auth/login {"phone","code"}
 * 200 {"token","expires_at"} and the hc_session cookie; 400 bad fields;
 * 401 wrong_code, code_expired, too_many_attempts; 429 rate_limited.
 */
void
api_login(struct ctx *c)
{
	const char *phone, *code;
	struct in_err e;
	char *token;
	time_t expires;
	long retry = 0;

	if (in_str(c, "phone", valid_phone, "invalid_phone", &phone, &e) ||
	    in_str(c, "code", valid_otp, "invalid_code", &code, &e) ||
	    sign_in(c, phone, code, &token, &expires, &retry, &e)) {
		if (e.status == 429)
			resp_header(c->resp, "Retry-After", "%ld", retry);
		api_in_error(c, &e);
		return;
	}
	session_answer(c, token, expires);
}

/* POST /api/v1/auth/logout: 200 {"logged_out":true}; 401 without a session. */
void
api_logout(struct ctx *c)
{
	session_end(c);
	resp_json(c->resp, 200, "{\"logged_out\":true}");
}

/*
 * The page to return to after sign-in: "next" from the form, else the
 * query, when it is a path of ours (never another site); else NULL.
 */
static const char *
login_next(struct ctx *c)
{
	const char *n = kv_get(&c->req->form, "next");

	if (n == NULL)
		n = kv_get(&c->req->query, "next");
	return valid_local_path(n) ? n : NULL;
}

/* Renders the sign-in form with the phone kept and messages in place. */
static void
login_form(struct ctx *c, int status, const char *phone, int sent,
    const struct in_err *e, const char *retry)
{
	cJSON *d = cJSON_CreateObject();
	const char *next = login_next(c);

	if (next != NULL)
		cJSON_AddStringToObject(d, "next", next);
	if (phone != NULL && valid_phone(phone))
		cJSON_AddStringToObject(d, "phone", phone);
	if (sent)
		cJSON_AddBoolToObject(d, "sent", 1);
	if (e != NULL) {
		/* Errors of the code show under the code, the rest under the phone. */
		cJSON_AddStringToObject(d, sent ? "code_error" : "phone_error",
		    page_msg(c, e->code));
		c->resp->err_code = e->code;
	}
	if (retry != NULL)
		cJSON_AddStringToObject(d, "retry", retry);
	page_render(c, status, "login.html", "login_title", d);
}

/* GET /login[?next=/path]: the form; 302 to next (or /) when already signed in. */
void
page_login(struct ctx *c)
{
	const char *next = login_next(c);

	if (c->authed) {
		resp_redirect(c->resp, 302, next != NULL ? next : "/");
		return;
	}
	login_form(c, 200, NULL, 0, NULL, NULL);
}

/*
 * POST /login, form: phone, code, action=send|login, next, _csrf.
 * send: 200 form with "sent" or the error; login: 303 to next (a local
 * path) or /, or the form with the error (400/401/429).
 */
void
page_login_post(struct ctx *c)
{
	const char *action = kv_get(&c->req->form, "action");
	const char *phone, *code, *next;
	struct in_err e;
	char *token, wait[16];
	time_t expires;
	long retry = 0;
	int st;

	if (in_str(c, "phone", valid_phone, "invalid_phone", &phone, &e)) {
		e.code = "invalid_phone";	/* missing or malformed alike */
		login_form(c, 400, NULL, 0, &e, NULL);
		return;
	}
	if (action != NULL && strcmp(action, "send") == 0) {
		if ((st = send_code(c, phone, &retry, &e)) == 202) {
			login_form(c, 200, phone, 1, NULL, NULL);
			return;
		}
		snprintf(wait, sizeof(wait), "%ld", retry);
		login_form(c, st, phone, 0, &e, st == 429 ? wait : NULL);
		return;
	}
	if (in_str(c, "code", valid_otp, "invalid_code", &code, &e)) {
		e.code = "invalid_code";	/* missing or not 6 digits alike */
		login_form(c, 400, phone, 1, &e, NULL);
		return;
	}
	if ((st = sign_in(c, phone, code, &token, &expires, &retry,
	    &e)) != 0) {
		snprintf(wait, sizeof(wait), "%ld", retry);
		login_form(c, st, phone, 1, &e, st == 429 ? wait : NULL);
		return;
	}
	session_cookie(c, token, expires);
	free(token);
	next = login_next(c);
	resp_redirect(c->resp, 303, next != NULL ? next : "/");
}

/* POST /logout: ends the session; 303 /login. */
void
page_logout_post(struct ctx *c)
{
	session_end(c);
	resp_redirect(c->resp, 303, "/login");
}
