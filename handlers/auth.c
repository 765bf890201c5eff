/*
 * Phone sign-in with one-time codes, and sessions.  A session is a row
 * in the database named by an HS256 token that ends at the next daily
 * cutoff; logout deletes the row, so the token dies with it.  Roles are
 * read with the session on every request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../fcgi/clock.h"
#include "../fcgi/token.h"
#include "../fcgi/log.h"
#include "../fcgi/validate.h"
#include "app.h"
#include "valid.h"

#define SID_BYTES	16

/* Returns the session token the request carries, or NULL. */
static const char *
request_token(const struct request *r)
{
	const char *a = r->authorization;

	if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0) {
		a += 7;
		while (*a == ' ')
			a++;
		return a;
	}
	return kv_get(&r->cookies, "hc_session");
}

int
auth_session(struct ctx *c)
{
	const char *tok, *roles, *p;
	const cJSON *sid;
	struct db_stmt *s;
	cJSON *claims;
	size_t n;
	int rc;

	c->authed = 0;
	if ((tok = request_token(c->req)) == NULL || *tok == '\0')
		return 0;
	if (tok_verify_hs256(tok, c->app->session_key,
	    sizeof(c->app->session_key), c->now, &claims) != TOK_OK) {
		cJSON_Delete(claims);
		return 0;
	}
	sid = cJSON_GetObjectItemCaseSensitive(claims, "sid");
	if (!cJSON_IsString(sid) || (n = strlen(sid->valuestring)) == 0 ||
	    n >= sizeof(c->sid)) {
		cJSON_Delete(claims);
		return 0;
	}
	memcpy(c->sid, sid->valuestring, n + 1);
	cJSON_Delete(claims);

	s = db_stmt(c->app->db, SQL_SESSION_GET);
	db_bind_text(s, 1, c->sid);
	db_bind_int(s, 2, c->now);
	if ((rc = db_step(s)) == DB_ROW) {
		c->account_id = db_col_int(s, 0);
		snprintf(c->phone, sizeof(c->phone), "%s", db_col_text(s, 1));
		roles = db_col_text(s, 2);
		c->roles = 0;
		for (p = roles; *p; p += strcspn(p, ","), p += *p == ',') {
			char name[16];
			size_t len = strcspn(p, ",");
			if (len < sizeof(name)) {
				memcpy(name, p, len);
				name[len] = '\0';
				c->roles |= role_parse(name);
			}
		}
		c->authed = 1;
	}
	db_reset(s);
	return c->authed;
}

/* Hands the code to the delivery: the configured command, or the outbox file. */
static int
deliver(struct app *a, const char *phone, const char *code)
{
	const char *cmd = a->cfg[CFG_SMS_COMMAND];
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
	if ((f = fopen(a->cfg[CFG_SMS_OUTBOX], "a")) == NULL)
		return -1;
	fprintf(f, "%s %s\n", phone, code);
	return fclose(f) == 0 ? 0 : -1;
}

int
auth_send_otp(struct ctx *c, const char *phone, const char **err,
    long *retry_after)
{
	struct app *a = c->app;
	struct db_stmt *s;
	char code[8], mac[65], pc[32];
	long wait;

	*retry_after = 0;
	if (db_begin(a->db) == -1)
		goto dberr;
	if ((wait = ratelimit_hit(c, "otp-phone", phone, 1, a->otp_resend)) ||
	    (wait = ratelimit_hit(c, "otp-ip", c->req->remote_addr,
	    a->otp_ip_hourly, 3600))) {
		db_rollback(a->db);
		if (wait < 0)
			goto dberr;
		*retry_after = wait;
		*err = "rate_limited";
		return 429;
	}
	snprintf(code, sizeof(code), "%06u", rand_uniform(1000000));
	snprintf(pc, sizeof(pc), "%s:%s", phone, code);
	app_mac(a->session_key, "otp", pc, mac);

	/*
	 * One-time codes are kept at most retention_otp_minutes: expired
	 * ones of any phone go here (indexed, inside this transaction), not
	 * only at the daily purge.
	 */
	s = db_stmt(a->db, SQL_OTP_EXPIRE);
	db_bind_int(s, 1, c->now - a->keep[0] * 60);
	if (db_run(s) == DB_ERR)
		goto rollback;
	/* A new code replaces any earlier one for the phone. */
	s = db_stmt(a->db, SQL_OTP_DELETE_PHONE);
	db_bind_text(s, 1, phone);
	if (db_run(s) == DB_ERR)
		goto rollback;
	s = db_stmt(a->db, SQL_OTP_INSERT);
	db_bind_text(s, 1, phone);
	db_bind_text(s, 2, mac);
	db_bind_int(s, 3, c->now);
	db_bind_int(s, 4, c->now + a->otp_ttl);
	if (db_run(s) == DB_ERR || db_commit(a->db) == -1)
		goto rollback;

	/* Delivered after commit, so a slow gateway holds no lock. */
	if (deliver(a, phone, code) == -1) {
		LOG("one-time code delivery failed");
		s = db_stmt(a->db, SQL_OTP_DELETE_PHONE);
		db_bind_text(s, 1, phone);
		(void)db_run(s);
		*err = "sms_unavailable";
		return 503;
	}
	explicit_bzero(code, sizeof(code));
	explicit_bzero(pc, sizeof(pc));
	return 202;
rollback:
	db_rollback(a->db);
dberr:
	*err = "internal";
	return 500;
}

int
auth_login(struct ctx *c, const char *phone, const char *code,
    const char **err, char **token, time_t *expires)
{
	struct app *a = c->app;
	struct db_stmt *s;
	char mac[65], pc[32], sid[SID_BYTES * 2];
	unsigned char raw[SID_BYTES];
	int64_t otp_id, account_id, attempts, exp_at;
	int match, rc;
	struct buf b;
	cJSON *claims;

	*token = NULL;
	if (db_begin(a->db) == -1)
		goto dberr;
	s = db_stmt(a->db, SQL_OTP_LATEST);
	db_bind_text(s, 1, phone);
	if ((rc = db_step(s)) != DB_ROW) {
		db_reset(s);
		db_rollback(a->db);
		if (rc == DB_ERR)
			goto dberr;
		*err = "code_expired";
		return 401;
	}
	otp_id = db_col_int(s, 0);
	snprintf(pc, sizeof(pc), "%s:%s", phone, code);
	app_mac(a->session_key, "otp", pc, mac);
	match = ct_streq(mac, db_col_text(s, 1));
	exp_at = db_col_int(s, 2);
	attempts = db_col_int(s, 3);
	db_reset(s);
	explicit_bzero(pc, sizeof(pc));

	if (exp_at <= c->now) {
		db_rollback(a->db);
		*err = "code_expired";
		return 401;
	}
	if (attempts >= a->otp_max_attempts) {
		db_rollback(a->db);
		*err = "too_many_attempts";
		return 401;
	}
	if (!match) {
		s = db_stmt(a->db, SQL_OTP_ATTEMPT);
		db_bind_int(s, 1, otp_id);
		if (db_run(s) == DB_ERR || db_commit(a->db) == -1)
			goto rollback;
		*err = attempts + 1 >= a->otp_max_attempts ?
		    "too_many_attempts" : "wrong_code";
		return 401;
	}

	/* Single use: the code goes before the session is made. */
	s = db_stmt(a->db, SQL_OTP_DELETE);
	db_bind_int(s, 1, otp_id);
	if (db_run(s) == DB_ERR)
		goto rollback;
	s = db_stmt(a->db, SQL_ACCOUNT_UPSERT);
	db_bind_text(s, 1, phone);
	db_bind_int(s, 2, c->now);
	if (db_step(s) != DB_ROW) {
		db_reset(s);
		goto rollback;
	}
	account_id = db_col_int(s, 0);
	db_reset(s);

	rand_bytes(raw, sizeof(raw));
	buf_init(&b);
	b64url_encode(&b, raw, sizeof(raw));
	snprintf(sid, sizeof(sid), "%s", b.ptr);
	buf_free(&b);
	*expires = clock_next_cutoff(c->now);
	s = db_stmt(a->db, SQL_SESSION_INSERT);
	db_bind_text(s, 1, sid);
	db_bind_int(s, 2, account_id);
	db_bind_int(s, 3, c->now);
	db_bind_int(s, 4, *expires);
	if (db_run(s) == DB_ERR || db_commit(a->db) == -1)
		goto rollback;

	claims = cJSON_CreateObject();
	cJSON_AddStringToObject(claims, "sid", sid);
	cJSON_AddNumberToObject(claims, "iat", (double)c->now);
	cJSON_AddNumberToObject(claims, "exp", (double)*expires);
	*token = tok_sign(JWT_ALG_HS256, a->session_key,
	    sizeof(a->session_key), NULL, claims);
	cJSON_Delete(claims);
	if (*token == NULL) {
		LOG("cannot sign session token");
		*err = "internal";
		return 500;
	}
	return 200;
rollback:
	db_rollback(a->db);
dberr:
	*err = "internal";
	return 500;
}

void
auth_logout(struct ctx *c)
{
	struct db_stmt *s;

	if (!c->authed)
		return;
	s = db_stmt(c->app->db, SQL_SESSION_DELETE);
	db_bind_text(s, 1, c->sid);
	if (db_run(s) == DB_ERR)
		LOG("cannot delete session");
	c->authed = 0;
}

/*
 * POST /api/v1/auth/otp {"phone"}
 * 202 sent; 400 bad phone; 429 rate limited (Retry-After); 503 delivery down.
 * The answer is the same whether or not the phone has an account.
 */
void
api_otp(struct ctx *c)
{
	const char *phone, *err;
	long retry;
	int st, why;
	cJSON *o;

	if ((why = req_str(c->req, "phone", valid_phone, &phone)) !=
	    FIELD_OK) {
		api_field_error(c, why, "phone");
		return;
	}
	st = auth_send_otp(c, phone, &err, &retry);
	if (st != 202) {
		if (st == 429)
			resp_header(c->resp, "Retry-After", "%ld", retry);
		api_error(c, st, err, page_msg(c, err));
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "sent", 1);
	cJSON_AddNumberToObject(o, "expires_in", (double)c->app->otp_ttl);
	cJSON_AddNumberToObject(o, "resend_after",
	    (double)c->app->otp_resend);
	api_json(c, 202, o);
	cJSON_Delete(o);
}

/* Sets the session cookie for token until expires. */
static void
set_session_cookie(struct ctx *c, const char *token, time_t expires)
{
	resp_cookie(c->resp, "hc_session", token, (long)(expires - c->now), 1,
	    c->app->cookie_secure);
}

/*
 * POST /api/v1/auth/login {"phone","code"}
 * 200 {"token","expires_at"} and the hc_session cookie; 400 bad fields;
 * 401 wrong_code, code_expired, too_many_attempts.
 */
void
api_login(struct ctx *c)
{
	const char *phone, *code, *err;
	char *token, iso[26];
	time_t expires;
	int st, why;
	cJSON *o;

	if ((why = req_str(c->req, "phone", valid_phone, &phone)) !=
	    FIELD_OK) {
		api_field_error(c, why, "phone");
		return;
	}
	if ((why = req_str(c->req, "code", valid_otp, &code)) != FIELD_OK) {
		api_field_error(c, why, "code");
		return;
	}
	if ((st = auth_login(c, phone, code, &err, &token, &expires)) != 200) {
		api_error(c, st, err, page_msg(c, err));
		return;
	}
	set_session_cookie(c, token, expires);
	clock_iso(expires, iso);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token", token);
	cJSON_AddStringToObject(o, "expires_at", iso);
	api_json(c, 200, o);
	cJSON_Delete(o);
	free(token);
}

/* Clears the session cookie in the browser. */
static void
clear_session_cookie(struct ctx *c)
{
	resp_cookie(c->resp, "hc_session", "", 0, 1, c->app->cookie_secure);
}

/* POST /api/v1/auth/logout: 200 {"logged_out":true}; 401 without a session. */
void
api_logout(struct ctx *c)
{
	auth_logout(c);
	clear_session_cookie(c);
	resp_json(c->resp, 200, "{\"logged_out\":true}");
}

/* GET /api/v1/me: 200 {"phone_masked","roles"}; 401 without a session. */
void
api_me(struct ctx *c)
{
	char masked[12];
	cJSON *o, *roles;
	unsigned r;

	mask_phone(c->phone, masked);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "phone_masked", masked);
	roles = cJSON_AddArrayToObject(o, "roles");
	for (r = 1; r <= ROLE_ADMIN; r <<= 1)
		if (c->roles & r)
			cJSON_AddItemToArray(roles,
			    cJSON_CreateString(role_name(r)));
	api_json(c, 200, o);
	cJSON_Delete(o);
}

/* GET /healthz: 200 {"ok":true,"schema":N}. */
void
api_healthz(struct ctx *c)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"ok\":true,\"schema\":%d}",
	    c->app->schema);
	resp_json(c->resp, 200, body);
}
