/* Sessions: read, create, end; the session cookie. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "../fcgi/token.h"
#include "phone.h"
#include "session.h"
#include "valid.h"

#define SID_BYTES	16
/*
 * Over https the cookie is __Host-: Secure, Path=/, no Domain, so that
 * neither a sibling subdomain nor a plain-http host can plant one.
 */
#define COOKIE(a)	((a)->conf.cookie_secure ? "__Host-hc_session" : \
			    "hc_session")

/* Returns the session token the request carries, or NULL. */
static const char *
request_token(const struct ctx *c)
{
	const char *a = c->req->authorization;

	if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0) {
		a += 7;
		while (*a == ' ')
			a++;
		return a;
	}
	return kv_get(&c->req->cookies, COOKIE(c->app));
}

int
session_read(struct ctx *c)
{
	const char *tok;
	const cJSON *sid;
	struct db_stmt *s;
	cJSON *claims;
	size_t n;

	c->authed = 0;
	if ((tok = request_token(c)) == NULL || *tok == '\0')
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
	if (db_step(s) == DB_ROW) {
		c->account_id = db_col_int(s, 0);
		snprintf(c->phone_masked, sizeof(c->phone_masked), "%s",
		    db_col_text(s, 1));
		snprintf(c->phone_mac, sizeof(c->phone_mac), "%s",
		    db_col_text(s, 2));
		c->roles = roles_parse(db_col_text(s, 3));
		c->authed = 1;
	}
	db_reset(s);
	return c->authed;
}

int64_t
session_account(struct ctx *c, const char *phone)
{
	struct db_stmt *s;
	struct phone_rec r;
	int64_t id = -1;

	if (phone_rec(c->app, phone, &r) == -1)
		return -1;
	s = db_stmt(c->app->db, SQL_ACCOUNT_UPSERT);
	db_bind_text(s, 1, r.mac);
	db_bind_text(s, 2, r.masked);
	db_bind_text(s, 3, r.enc);
	db_bind_int(s, 4, c->now);
	if (db_step(s) == DB_ROW)
		id = db_col_int(s, 0);
	db_reset(s);
	explicit_bzero(&r, sizeof(r));
	return id;
}

int
session_create(struct ctx *c, int64_t account, char **token,
    time_t *expires)
{
	struct app *a = c->app;
	struct db_stmt *s;
	char sid[32];
	cJSON *claims;

	*token = NULL;
	rand_token(sid, sizeof(sid), SID_BYTES);
	*expires = clock_next_cutoff(c->now);
	s = db_stmt(a->db, SQL_SESSION_INSERT);
	db_bind_text(s, 1, sid);
	db_bind_int(s, 2, account);
	db_bind_int(s, 3, c->now);
	db_bind_int(s, 4, *expires);
	if (db_run(s) == DB_ERR || db_commit(a->db) == -1) {
		db_rollback(a->db);
		return 500;
	}
	claims = cJSON_CreateObject();
	cJSON_AddStringToObject(claims, "sid", sid);
	cJSON_AddNumberToObject(claims, "iat", (double)c->now);
	cJSON_AddNumberToObject(claims, "exp", (double)*expires);
	*token = tok_sign(JWT_ALG_HS256, a->session_key,
	    sizeof(a->session_key), NULL, claims);
	cJSON_Delete(claims);
	if (*token == NULL) {
		LOG("cannot sign session token");
		return 500;
	}
	return 0;
}

void
session_cookie(struct ctx *c, const char *token, time_t expires)
{
	resp_cookie(c->resp, COOKIE(c->app), token, (long)(expires - c->now), 1,
	    c->app->conf.cookie_secure);
}

void
session_answer(struct ctx *c, char *token, time_t expires)
{
	char iso[26];
	cJSON *o;

	session_cookie(c, token, expires);
	clock_iso(expires, iso);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token", token);
	cJSON_AddStringToObject(o, "expires_at", iso);
	api_json(c, 200, o);
	cJSON_Delete(o);
	free(token);
}

void
session_forget(struct ctx *c)
{
	resp_cookie(c->resp, COOKIE(c->app), "", 0, 1,
	    c->app->conf.cookie_secure);
	c->authed = 0;
}

void
session_end(struct ctx *c)
{
	struct db_stmt *s;

	if (c->authed) {
		s = db_stmt(c->app->db, SQL_SESSION_DELETE);
		db_bind_text(s, 1, c->sid);
		if (db_run(s) == DB_ERR)
			LOG("cannot delete session");
	}
	session_forget(c);
}
