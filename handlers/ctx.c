/*
 * The answers every feature gives: JSON and its errors, pages through
 * the templates, input errors, the catalogue (Chinese and English),
 * CSRF tokens, the language, and the URLs our QR codes hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "ctx.h"
#include "valid.h"

#define CSRF_BYTES	16	/* 22 characters of base64url */
#define CSRF_LEN	22
/* The signed-out form token's cookie (page_csrf). */
#define CSRF_COOKIE(a)	((a)->conf.cookie_secure ? "__Host-hc_csrf" : "hc_csrf")

int
in_err(struct in_err *e, int status, const char *code, const char *field,
    const char *msg)
{
	e->status = status;
	e->code = code;
	e->field = field;
	e->msg = msg;
	return status;
}

int
in_field(struct in_err *e, enum field why, const char *field,
    const char *invalid_code, const char *msg)
{
	switch (why) {
	case FIELD_OK:
		return 0;
	case FIELD_MISSING:
		return in_err(e, 400, "missing_field", field, NULL);
	case FIELD_TYPE:
		return in_err(e, 400, "wrong_type", field, NULL);
	default:
		return in_err(e, 400, invalid_code, field, msg);
	}
}

int
in_str(struct ctx *c, const char *name, int (*valid)(const char *),
    const char *invalid_code, const char **out, struct in_err *e)
{
	return in_field(e, req_str(c->req, name, valid, out), name,
	    invalid_code, NULL);
}

int
in_paging(struct ctx *c, struct paging *p, struct in_err *e)
{
	const char *after = kv_get(&c->req->query, "after");
	const char *limit = kv_get(&c->req->query, "limit");
	long long v;

	p->after = 0;
	p->limit = PAGING_DEFAULT;
	if (after != NULL) {
		if (!v_int(after, 0, INT64_MAX, &v))
			return in_err(e, 400, "bad_query", "after", NULL);
		p->after = v;
	}
	if (limit != NULL) {
		if (!v_int(limit, 1, PAGING_MAX, &v))
			return in_err(e, 400, "bad_query", "limit", NULL);
		p->limit = (int)v;
	}
	return 0;
}

int
in_status_page(struct ctx *c, const char *const *names, int n, int *st,
    struct paging *p, struct in_err *e)
{
	const char *v = kv_get(&c->req->query, "status");

	for (*st = 0; v != NULL && *st < n && strcmp(v, names[*st]) != 0;
	    (*st)++)
		;
	if (*st == n)
		return in_err(e, 400, "invalid_status", "status", NULL);
	return in_paging(c, p, e);
}

void
paging_next(cJSON *o, const struct paging *p, int rows, int64_t last)
{
	if (rows == p->limit)
		cJSON_AddNumberToObject(o, "next", (double)last);
	else
		cJSON_AddNullToObject(o, "next");
}

void
api_json(struct ctx *c, int status, const cJSON *body)
{
	char *s = cJSON_PrintUnformatted(body);

	resp_json(c->resp, status, s ? s : "{}");
	cJSON_free(s);
}

void
api_object(struct ctx *c, cJSON *extra, const char *key, cJSON *item)
{
	cJSON *o = extra != NULL ? extra : cJSON_CreateObject();

	if (item == NULL) {
		cJSON_Delete(o);
		api_err(c, 500, "internal");
		return;
	}
	cJSON_AddItemToObject(o, key, item);
	api_json(c, 200, o);
	cJSON_Delete(o);
}

void
json_col_text(cJSON *o, const char *key, struct db_stmt *s, int col)
{
	if (db_col_is_null(s, col))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, db_col_text(s, col));
}

void
json_col_time(cJSON *o, const char *key, struct db_stmt *s, int col)
{
	char iso[26];

	if (db_col_is_null(s, col)) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	clock_iso((time_t)db_col_int(s, col), iso);
	cJSON_AddStringToObject(o, key, iso);
}

cJSON *
rows_done(struct db_stmt *s, int rc, cJSON *arr)
{
	db_reset(s);
	if (rc == DB_ERR) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

void
api_err(struct ctx *c, int status, const char *code)
{
	resp_error(c->resp, status, code, page_msg(c, code));
}

void
api_in_error(struct ctx *c, const struct in_err *e)
{
	struct buf m;

	if (e->status == 500 || e->code == NULL) {
		api_err(c, 500, "internal");
		return;
	}
	/* The field is named in the message: the client's developer reads it. */
	buf_init(&m);
	if (strcmp(e->code, "missing_field") == 0)
		buf_printf(&m, "%s is required", e->field);
	else if (strcmp(e->code, "wrong_type") == 0)
		buf_printf(&m, "%s has the wrong type", e->field);
	else
		buf_puts(&m, page_msg(c, e->msg != NULL ? e->msg : e->code));
	resp_error(c->resp, e->status, e->code, m.ptr);
	buf_free(&m);
}

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
page_colour_label(struct ctx *c, const char *colour)
{
	static const char *const keys[][2] = {
		{ "green", "color_green" },
		{ "yellow", "color_yellow" },
		{ "red", "color_red" },
	};
	size_t i;

	for (i = 0; colour != NULL && i < NELEM(keys); i++)
		if (strcmp(colour, keys[i][0]) == 0)
			return page_text(c, keys[i][1]);
	return page_text(c, "color_none");
}

cJSON *
ctx_roles(struct ctx *c, int labels)
{
	cJSON *arr = cJSON_CreateArray();
	char key[24];
	unsigned r;

	for (r = 1; r <= ROLE__LAST; r <<= 1) {
		if (!(c->roles & r))
			continue;
		snprintf(key, sizeof(key), "role_%s", role_name(r));
		/* cJSON copies the string: a key missing from the catalogue is safe. */
		cJSON_AddItemToArray(arr, cJSON_CreateString(labels ?
		    page_text(c, key) : role_name(r)));
	}
	return arr;
}

enum lang
ctx_lang(const struct request *r)
{
	const char *l = kv_get(&r->cookies, "hc_lang");

	if (l != NULL)
		return strcmp(l, "en") == 0 ? LANG_EN : LANG_ZH;
	l = r->accept_language;
	if (l != NULL && strncasecmp(l, "en", 2) == 0)
		return LANG_EN;
	return LANG_ZH;
}

/*
 * The anti-forgery token of the request's forms.  Signed in: derived
 * from the session (a keyed hash of its id), so it is new at every
 * sign-in and a cookie planted by another host is worth nothing.
 * Signed out (the sign-in form): a random token in a cookie, sent back
 * with the form; over https the cookie is __Host-, which a sibling domain
 * or a plain-http host cannot set.
 */
const char *
page_csrf(struct ctx *c)
{
	static char fresh[65];
	const char *tok;

	if (c->authed) {
		ctx_mac(c->app, "csrf", c->sid, fresh);
		fresh[CSRF_LEN] = '\0';
		return fresh;
	}
	tok = kv_get(&c->req->cookies, CSRF_COOKIE(c->app));
	if (tok != NULL && strlen(tok) == CSRF_LEN)
		return tok;
	rand_token(fresh, sizeof(fresh), CSRF_BYTES);
	resp_cookie(c->resp, CSRF_COOKIE(c->app), fresh, -1, 1,
	    c->app->conf.cookie_secure);
	return fresh;
}

int
page_csrf_ok(struct ctx *c)
{
	const char *form = kv_get(&c->req->form, "_csrf");
	const char *want;

	if (form == NULL || strlen(form) != CSRF_LEN)
		return 0;
	if (!c->authed && ((want = kv_get(&c->req->cookies,
	    CSRF_COOKIE(c->app))) == NULL || strlen(want) != CSRF_LEN))
		return 0;
	want = page_csrf(c);
	return ct_streq(want, form);
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
		LOG("template %s: %s", name, buf_cstr(&err));
		resp_error(c->resp, 500, "internal", page_msg(c, "internal"));
	} else {
		c->resp->status = status;
		c->resp->ctype = "text/html; charset=utf-8";
	}
	buf_free(&err);
	cJSON_Delete(data);
}

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
page_in_error(struct ctx *c, cJSON *d, const struct in_err *e)
{
	char key[48];

	cJSON_AddStringToObject(d, "error", page_msg(c, e->msg != NULL ?
	    e->msg : e->code));
	if (e->field != NULL) {
		snprintf(key, sizeof(key), "error_%s", e->field);
		cJSON_AddBoolToObject(d, key, 1);
	}
	if (e->code != NULL) {
		snprintf(key, sizeof(key), "err_%s", e->code);
		cJSON_AddBoolToObject(d, key, 1);
	}
	c->resp->err_code = e->code;
}

void
page_to_login(struct ctx *c, int with_next)
{
	struct buf loc;

	buf_init(&loc);
	buf_puts(&loc, "/login");
	if (with_next) {
		buf_puts(&loc, "?next=");
		buf_url_escape(&loc, c->req->path);
	}
	resp_redirect(c->resp, 302, loc.ptr);
	buf_free(&loc);
}

void
url_code(struct ctx *c, const char *token, struct buf *out)
{
	buf_printf(out, "%s/v/%s", c->app->conf.public_base_url, token);
}

const char *
url_code_token(struct app *a, const char *url)
{
	const char *base = a->conf.public_base_url;
	size_t blen = strlen(base);

	if (strncmp(url, base, blen) != 0 || strncmp(url + blen, "/v/", 3) ||
	    url[blen + 3] == '\0')
		return NULL;
	return url + blen + 3;
}

void
url_checkin(struct ctx *c, const char *token, struct buf *out)
{
	buf_printf(out, "%s/c/%s", c->app->conf.public_base_url, token);
}

void
ctx_mac(struct app *a, const char *domain, const char *value, char out[65])
{
	hmac_hex(a->session_key, domain, value, out);
}
