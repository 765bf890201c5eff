/*
 * Server-rendered pages: the layout, language, CSRF tokens, and the
 * sign-in and home pages.  Forms work without JavaScript; errors are
 * shown next to the field they concern.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/log.h"
#include "../fcgi/validate.h"
#include "app.h"
#include "valid.h"

#define CSRF_BYTES	16

/* Returns the string key of the catalogue object o, or key itself. */
static const char *
catalogue(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(m) ? m->valuestring : key;
}

const char *
page_msg(struct ctx *c, const char *code)
{
	return catalogue(cJSON_GetObjectItemCaseSensitive(
	    c->app->i18n[c->lang], "err"), code);
}

const char *
page_text(struct ctx *c, const char *key)
{
	return catalogue(c->app->i18n[c->lang], key);
}

const char *
page_csrf(struct ctx *c)
{
	const char *tok = kv_get(&c->req->cookies, "hc_csrf");
	unsigned char raw[CSRF_BYTES];
	static char fresh[32];
	struct buf b;

	if (tok != NULL && strlen(tok) == 22)
		return tok;
	rand_bytes(raw, sizeof(raw));
	buf_init(&b);
	b64url_encode(&b, raw, sizeof(raw));
	memcpy(fresh, b.ptr, b.len + 1);
	buf_free(&b);
	resp_cookie(c->resp, "hc_csrf", fresh, -1, 1, c->app->cookie_secure);
	return fresh;
}

int
page_csrf_ok(struct ctx *c)
{
	const char *cookie = kv_get(&c->req->cookies, "hc_csrf");
	const char *form = kv_get(&c->req->form, "_csrf");

	return cookie != NULL && form != NULL && strlen(cookie) == 22 &&
	    ct_streq(cookie, form);
}

void
page_render(struct ctx *c, int status, const char *name,
    const char *title_key, cJSON *data)
{
	struct buf err;
	char masked[12];

	cJSON_AddStringToObject(data, "title", page_text(c, title_key));
	cJSON_AddItemReferenceToObject(data, "t", c->app->i18n[c->lang]);
	cJSON_AddStringToObject(data, "lang", c->lang == LANG_EN ? "en" :
	    "zh-CN");
	cJSON_AddStringToObject(data, "csrf", page_csrf(c));
	if (c->authed) {
		mask_phone(c->phone, masked);
		cJSON_AddStringToObject(data, "phone_masked", masked);
		cJSON_AddBoolToObject(data, "signed_in", 1);
	}
	buf_init(&err);
	buf_reset(&c->resp->body);
	if (tmpl_render(c->app->tmpl, name, data, &c->resp->body, &err) == -1) {
		LOG("template %s: %s", name, err.ptr ? err.ptr : "");
		resp_error(c->resp, 500, "internal", "page failed to render");
	} else {
		c->resp->status = status;
		c->resp->ctype = "text/html; charset=utf-8";
	}
	buf_free(&err);
	cJSON_Delete(data);
}

/* Renders the error page for status with the message of code. */
void
page_error(struct ctx *c, int status, const char *code)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddNumberToObject(d, "status", status);
	cJSON_AddStringToObject(d, "message", page_msg(c, code));
	c->resp->err_code = code;
	page_render(c, status, "error.html", "error_title", d);
}

void
page_not_found(struct ctx *c)
{
	page_error(c, 404, "not_found");
}

/* GET /: the home page when signed in, else 302 /login. */
void
page_home(struct ctx *c)
{
	cJSON *d, *roles;
	unsigned r;

	if (!c->authed) {
		resp_redirect(c->resp, 302, "/login");
		return;
	}
	d = cJSON_CreateObject();
	if (c->roles)
		cJSON_AddBoolToObject(d, "has_roles", 1);
	roles = cJSON_AddArrayToObject(d, "roles");
	for (r = 1; r <= ROLE_ADMIN; r <<= 1)
		if (c->roles & r)
			cJSON_AddItemToArray(roles, cJSON_CreateString(
			    page_text(c, r == ROLE_ADMIN ? "role_admin" :
			    "role_checker")));
	page_render(c, 200, "home.html", "home_title", d);
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
    const char *phone_err, const char *code_err, const char *extra)
{
	cJSON *d = cJSON_CreateObject();
	const char *next = login_next(c);

	if (next != NULL)
		cJSON_AddStringToObject(d, "next", next);
	if (phone != NULL && valid_phone(phone))
		cJSON_AddStringToObject(d, "phone", phone);
	if (sent)
		cJSON_AddBoolToObject(d, "sent", 1);
	if (phone_err != NULL) {
		cJSON_AddStringToObject(d, "phone_error", page_msg(c,
		    phone_err));
		c->resp->err_code = phone_err;
	}
	if (code_err != NULL) {
		cJSON_AddStringToObject(d, "code_error", page_msg(c, code_err));
		c->resp->err_code = code_err;
	}
	if (extra != NULL)
		cJSON_AddStringToObject(d, "retry", extra);
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
	login_form(c, 200, NULL, 0, NULL, NULL, NULL);
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
	const char *phone, *code, *err, *next;
	char *token, wait[16];
	time_t expires;
	long retry;
	int st;

	if (req_str(c->req, "phone", valid_phone, &phone) != FIELD_OK) {
		login_form(c, 400, NULL, 0, "invalid_phone", NULL, NULL);
		return;
	}
	if (action != NULL && strcmp(action, "send") == 0) {
		st = auth_send_otp(c, phone, &err, &retry);
		if (st == 202) {
			login_form(c, 200, phone, 1, NULL, NULL, NULL);
			return;
		}
		snprintf(wait, sizeof(wait), "%ld", retry);
		login_form(c, st, phone, 0, err, NULL, st == 429 ? wait :
		    NULL);
		return;
	}
	if (req_str(c->req, "code", valid_otp, &code) != FIELD_OK) {
		login_form(c, 400, phone, 1, NULL, "invalid_code", NULL);
		return;
	}
	if ((st = auth_login(c, phone, code, &err, &token, &expires)) != 200) {
		login_form(c, st, phone, 1, NULL, err, NULL);
		return;
	}
	resp_cookie(c->resp, "hc_session", token, (long)(expires - c->now), 1,
	    c->app->cookie_secure);
	free(token);
	next = login_next(c);
	resp_redirect(c->resp, 303, next != NULL ? next : "/");
}

/* POST /logout: ends the session; 303 /login. */
void
page_logout_post(struct ctx *c)
{
	auth_logout(c);
	resp_cookie(c->resp, "hc_session", "", 0, 1, c->app->cookie_secure);
	resp_redirect(c->resp, 303, "/login");
}
