/*
 * The health code (制码): a short-lived ES256 token naming today's opaque
 * code id and the colour at issue, in the URL a QR code holds.  A
 * person's newest code and its QR modules are kept under the code id
 * (migrations/0009) and handed out again while they are good, so that a
 * page reloaded is not a new signature and a new QR every time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "../fcgi/qr.h"
#include "../fcgi/token.h"
#include "colour.h"
#include "person.h"

#define CID_BYTES	12	/* 96 bits, 16 characters */

/* Everything the code endpoints and page show. */
struct code {
	struct person		p;
	struct rules_result	res;
	const char		*token;	/* in url */
	time_t			 iat, exp;
	struct buf		 url;	/* <public_base_url>/v/<token> */
	struct buf		 qr;	/* its QR modules (qr_modules) */
};

static void
code_free(struct code *k)
{
	buf_free(&k->url);
	buf_free(&k->qr);
}

/*
 * Today's opaque code id for a person, created on first use: 96 random
 * bits, 16 characters, enough never to be guessed within a day and short
 * because it is in every QR code.  k->url and k->qr get the code kept
 * under it, if any.  0 or -1.
 */
static int
daily_code(struct ctx *c, int64_t person_id, const char *today,
    char out[32], struct code *k)
{
	struct db_stmt *s;
	char cid[32];
	const void *qr;
	size_t len;
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		s = db_stmt(c->app->db, SQL_DAILY_CODE_GET);
		db_bind_int(s, 1, person_id);
		db_bind_text(s, 2, today);
		if ((rc = db_step(s)) == DB_ROW) {
			snprintf(out, 32, "%s", db_col_text(s, 0));
			buf_puts(&k->url, db_col_text(s, 1));
			if ((qr = db_col_blob(s, 2, &len)) != NULL)
				buf_append(&k->qr, qr, len);
		}
		db_reset(s);
		if (rc == DB_ROW)
			return 0;
		if (rc == DB_ERR)
			return -1;
		rand_token(cid, sizeof(cid), CID_BYTES);
		s = db_stmt(c->app->db, SQL_DAILY_CODE_INSERT);
		db_bind_text(s, 1, cid);
		db_bind_int(s, 2, person_id);
		db_bind_text(s, 3, today);
		db_bind_int(s, 4, c->now);
		if (db_run(s) == DB_ERR)
			return -1;
		/* Read back: another worker may have created it first. */
	}
	return -1;
}

/*
 * Whether the code kept under a code id (k->url, k->qr) can be handed out
 * again: for our current public_base_url, its QR drawn, signed by us with
 * the current key, for the colour the person has now, issued no later
 * than now, ending by the next cutoff, and with at least half of code_ttl
 * (and a minute) left, so that the page, which renews 30 seconds before
 * expiry, shows it a while.
 * Sets k->token, k->iat and k->exp from it.  1 or 0.
 */
static int
code_reusable(struct ctx *c, const struct key *key, struct code *k)
{
	const struct conf *cf = &c->app->conf;
	const cJSON *iss, *col, *iat, *exp;
	struct tok_parts p;
	time_t left;
	int ok;

	if (k->url.len == 0 ||
	    (k->token = url_code_token(c->app, k->url.ptr)) == NULL ||
	    !qr_modules_ok((unsigned char *)k->qr.ptr, k->qr.len))
		return 0;
	if (tok_open(k->token, &p) != TOK_OK)
		return 0;
	iss = cJSON_GetObjectItemCaseSensitive(p.claims, "iss");
	col = cJSON_GetObjectItemCaseSensitive(p.claims, "col");
	iat = cJSON_GetObjectItemCaseSensitive(p.claims, "iat");
	exp = cJSON_GetObjectItemCaseSensitive(p.claims, "exp");
	ok = strcmp(p.kid, key->kid) == 0 && cJSON_IsString(iss) &&
	    strcmp(iss->valuestring, cf->region) == 0 &&
	    cJSON_IsString(col) &&
	    strcmp(col->valuestring, color_name(k->res.color)) == 0 &&
	    cJSON_IsNumber(iat) && cJSON_IsNumber(exp) &&
	    iat->valuedouble >= 0 && iat->valuedouble <= (double)c->now &&
	    exp->valuedouble > iat->valuedouble &&
	    exp->valuedouble <= (double)clock_next_cutoff(c->now);
	if (ok) {
		k->iat = (time_t)iat->valuedouble;
		k->exp = (time_t)exp->valuedouble;
		left = k->exp - c->now;
		ok = k->exp - k->iat <= cf->code_ttl &&
		    2 * left >= cf->code_ttl && left >= 60;
	}
	tok_close(&p);
	return ok;
}

/*
 * The code for the signed-in account: the one kept under today's code id
 * while code_reusable says so, else a fresh token and its QR, then kept.
 * Returns 0, or an HTTP status with the error code in *err (409
 * no_declaration_today).
 */
static int
code_issue(struct ctx *c, struct code *k, const char **err)
{
	struct app *a = c->app;
	const struct key *key = keyring_signer(&a->keys);
	char today[11], cid[32], *tok;
	struct db_stmt *s;
	cJSON *claims;
	size_t at;
	int rc;

	memset(k, 0, sizeof(*k));
	buf_init(&k->url);
	buf_init(&k->qr);
	clock_day(c->now, today);
	if ((rc = person_self(c, &k->p)) == 1)
		rc = person_declared(c, k->p.id, today);
	if (rc != 1) {
		*err = rc == 0 ? "no_declaration_today" : "internal";
		return rc == 0 ? 409 : 500;
	}
	if (colour_of(c, k->p.id, k->p.id_hash, &k->res) == -1 ||
	    daily_code(c, k->p.id, today, cid, k) == -1 || key == NULL) {
		*err = "internal";
		return 500;
	}
	if (code_reusable(c, key, k))
		return 0;
	buf_reset(&k->url);
	buf_reset(&k->qr);
	k->iat = c->now;
	k->exp = c->now + a->conf.code_ttl;
	if (k->exp > clock_next_cutoff(c->now))
		k->exp = clock_next_cutoff(c->now);
	claims = cJSON_CreateObject();
	cJSON_AddStringToObject(claims, "iss", a->conf.region);
	cJSON_AddStringToObject(claims, "cid", cid);
	cJSON_AddStringToObject(claims, "col", color_name(k->res.color));
	cJSON_AddNumberToObject(claims, "iat", (double)k->iat);
	cJSON_AddNumberToObject(claims, "exp", (double)k->exp);
	tok = tok_sign_es256(key->pkey, key->kid, claims);
	cJSON_Delete(claims);
	if (tok == NULL) {
		LOG("cannot sign code token");
		*err = "internal";
		return 500;
	}
	url_code(c, "", &k->url);
	at = k->url.len;
	buf_puts(&k->url, tok);
	free(tok);
	k->token = k->url.ptr + at;
	if (qr_modules(k->url.ptr, &k->qr) == -1) {
		*err = "internal";
		return 500;
	}
	/* Not kept: it is still valid, only checked in full when scanned. */
	s = db_stmt(a->db, SQL_DAILY_CODE_KEEP);
	db_bind_text(s, 1, cid);
	db_bind_text(s, 2, k->url.ptr);
	db_bind_blob(s, 3, k->qr.ptr, k->qr.len);
	if (db_run(s) == DB_ERR)
		LOG("cannot keep a code");
	return 0;
}

static void
code_headers(struct ctx *c, const struct code *k)
{
	char iat[26], exp[26];

	clock_iso(k->iat, iat);
	clock_iso(k->exp, exp);
	resp_header(c->resp, "X-Code-Color", "%s", color_name(k->res.color));
	resp_header(c->resp, "X-Code-Issued-At", "%s", iat);
	resp_header(c->resp, "X-Code-Expires-At", "%s", exp);
	/* What the page times its renewal by: a kept code is not new. */
	resp_header(c->resp, "X-Code-Expires-In", "%lld",
	    (long long)(k->exp - c->now));
}

/*
 * GET /api/v1/code: 200 {"color","reasons","green_on","name_masked",
 * "id_masked","token","url","issued_at","expires_at","expires_in"}; 401; 409
 * no_declaration_today.
 */
void
api_code(struct ctx *c)
{
	struct code k;
	const char *err;
	char iat[26], exp[26], name[NAME_MASKED_BYTES];
	int st;
	cJSON *o;

	if ((st = code_issue(c, &k, &err)) != 0) {
		api_err(c, st, err);
		code_free(&k);
		return;
	}
	clock_iso(k.iat, iat);
	clock_iso(k.exp, exp);
	name_mask(k.p.name, name, sizeof(name));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "color", color_name(k.res.color));
	colour_reasons(c, o, "reasons", k.res.reasons, 0);
	colour_reasons(c, o, "reason_texts", k.res.reasons, 1);
	if (k.res.green_on[0])
		cJSON_AddStringToObject(o, "green_on", k.res.green_on);
	cJSON_AddStringToObject(o, "name_masked", name);
	cJSON_AddStringToObject(o, "id_masked", k.p.id_masked);
	cJSON_AddStringToObject(o, "token", k.token);
	cJSON_AddStringToObject(o, "url", k.url.ptr);
	cJSON_AddStringToObject(o, "issued_at", iat);
	cJSON_AddStringToObject(o, "expires_at", exp);
	cJSON_AddNumberToObject(o, "expires_in", (double)(k.exp - c->now));
	api_json(c, 200, o);
	cJSON_Delete(o);
	code_free(&k);
}

/* The QR image endpoints: the same token, as SVG or PNG. */
static void
code_image(struct ctx *c, int png)
{
	struct code k;
	const char *err;
	int st;

	if ((st = code_issue(c, &k, &err)) != 0) {
		api_err(c, st, err);
		code_free(&k);
		return;
	}
	buf_reset(&c->resp->body);
	if ((png ? qr_png_modules((unsigned char *)k.qr.ptr, k.qr.len, 8,
	    &c->resp->body) : qr_svg_modules((unsigned char *)k.qr.ptr,
	    k.qr.len, &c->resp->body)) == -1) {
		api_err(c, 500, "internal");
		code_free(&k);
		return;
	}
	c->resp->status = 200;
	c->resp->ctype = png ? "image/png" : "image/svg+xml";
	code_headers(c, &k);
	code_free(&k);
}

/* GET /api/v1/code.svg: 200 image/svg+xml with X-Code-* headers; 401; 409. */
void
api_code_svg(struct ctx *c)
{
	code_image(c, 0);
}

/* GET /api/v1/code.png: 200 image/png with X-Code-* headers; 401; 409. */
void
api_code_png(struct ctx *c)
{
	code_image(c, 1);
}

/* GET /.well-known/jwks.json: 200, our public keys; cacheable. */
void
api_jwks(struct ctx *c)
{
	resp_json(c->resp, 200, c->app->jwks);
	c->resp->cache = "public, max-age=300";
}

/* GET /code: the live code page; 302 /declare without today's declaration. */
void
page_code(struct ctx *c)
{
	struct code k;
	const char *err;
	struct buf svg;
	char iat[26], exp[26], name[NAME_MASKED_BYTES], day[11];
	cJSON *d;
	int st;

	if ((st = code_issue(c, &k, &err)) != 0) {
		code_free(&k);
		if (st == 409)
			resp_redirect(c->resp, 302, "/declare");
		else
			page_error(c, st, err);
		return;
	}
	buf_init(&svg);
	if (qr_svg_modules((unsigned char *)k.qr.ptr, k.qr.len, &svg) == -1) {
		code_free(&k);
		buf_free(&svg);
		page_error(c, 500, "internal");
		return;
	}
	clock_iso(k.iat, iat);
	clock_iso(k.exp, exp);
	clock_day(c->now, day);
	name_mask(k.p.name, name, sizeof(name));
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "color", color_name(k.res.color));
	cJSON_AddStringToObject(d, "color_label", page_colour_label(c,
	    color_name(k.res.color)));
	cJSON_AddStringToObject(d, "svg", svg.ptr);
	cJSON_AddStringToObject(d, "name_masked", name);
	cJSON_AddStringToObject(d, "id_masked", k.p.id_masked);
	cJSON_AddStringToObject(d, "issued_at", iat);
	cJSON_AddStringToObject(d, "expires_at", exp);
	cJSON_AddNumberToObject(d, "ttl", (double)(k.exp - c->now));
	cJSON_AddStringToObject(d, "day", day);
	if (k.res.green_on[0])
		cJSON_AddStringToObject(d, "green_on", k.res.green_on);
	if (k.res.reasons)
		colour_reasons(c, d, "reasons", k.res.reasons, 1);
	/* Red and yellow can be appealed (appeals.c). */
	cJSON_AddBoolToObject(d, "appealable", k.res.color != COLOR_GREEN);
	page_render(c, 200, "code.html", "my_code", d);
	buf_free(&svg);
	code_free(&k);
}
