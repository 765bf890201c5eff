/*
 * Venues and their check-in codes (场所码), the owner's side: any
 * signed-in account registers a venue and prints its poster, whose QR
 * code holds <public_base_url>/c/<token> (checkin.c is the visitor's
 * side).  The token is an opaque random value stored with the venue, not
 * a JWT: a poster hangs for months, so it cannot expire, and it is
 * revoked by rotation.  Venue ids are integers; someone else's venue
 * answers 404, like one that does not exist, so ids reveal nothing.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/qr.h"
#include "person.h"
#include "valid.h"

#define VENUES_MAX	100	/* per account: a registry, not a free store */

struct venue {
	int64_t	 id;
	char	 name[VENUE_NAME_CHARS * 4 + 1];
	char	 address[VENUE_ADDRESS_CHARS * 4 + 1];
	char	 region[8];
	char	 region_name[128];
	char	 token[VENUE_TOKEN_LEN + 1];
	time_t	 token_at;
	time_t	 created_at;
};

/* A fresh venue token. */
static void
new_token(char out[VENUE_TOKEN_LEN + 1])
{
	rand_token(out, VENUE_TOKEN_LEN + 1, VENUE_TOKEN_BYTES);
}

/* Reads a venue from a SQL_VENUE(S)_OWNED row. */
static void
venue_row(struct db_stmt *s, struct venue *v)
{
	v->id = db_col_int(s, 0);
	snprintf(v->name, sizeof(v->name), "%s", db_col_text(s, 1));
	snprintf(v->address, sizeof(v->address), "%s", db_col_text(s, 2));
	snprintf(v->region, sizeof(v->region), "%s", db_col_text(s, 3));
	snprintf(v->region_name, sizeof(v->region_name), "%s",
	    db_col_text(s, 4));
	snprintf(v->token, sizeof(v->token), "%s", db_col_text(s, 5));
	v->token_at = (time_t)db_col_int(s, 6);
	v->created_at = (time_t)db_col_int(s, 7);
}

/* Reads venue id if the account owns it; 1, 0 (none, or not ours), -1. */
static int
venue_get(struct ctx *c, int64_t id, struct venue *v)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_VENUE_OWNED);
	int rc;

	db_bind_int(s, 1, id);
	db_bind_int(s, 2, c->account_id);
	if ((rc = db_step(s)) == DB_ROW)
		venue_row(s, v);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/*
 * Reads the venue named by the route's {id} if the account owns it.
 * Returns 1, 0 (no such id, not an id, or not ours: all alike), or -1.
 */
static int
venue_owned(struct ctx *c, struct venue *v)
{
	long long id;

	if (!v_int(c->req->params[0], 1, INT64_MAX, &id))
		return 0;
	return venue_get(c, id, v);
}

/* The venue as the API shows it to its owner. */
static cJSON *
venue_json(struct ctx *c, const struct venue *v)
{
	cJSON *o = cJSON_CreateObject();
	char iso[26];
	struct buf url;

	buf_init(&url);
	url_checkin(c, v->token, &url);
	cJSON_AddNumberToObject(o, "id", (double)v->id);
	cJSON_AddStringToObject(o, "name", v->name);
	cJSON_AddStringToObject(o, "address", v->address);
	cJSON_AddStringToObject(o, "region", v->region);
	cJSON_AddStringToObject(o, "region_name", v->region_name);
	cJSON_AddStringToObject(o, "url", url.ptr);
	clock_iso(v->token_at, iso);
	cJSON_AddStringToObject(o, "code_issued_at", iso);
	clock_iso(v->created_at, iso);
	cJSON_AddStringToObject(o, "created_at", iso);
	buf_free(&url);
	return o;
}

/*
 * Reads and checks name, address and region of a new venue (JSON or
 * form).  Returns 0, 400 with e set, or 500.
 */
static int
venue_input(struct ctx *c, const char **name, const char **address,
    const char **region, struct in_err *e)
{
	int st, known;

	if ((st = in_field(e, req_str(c->req, "name", venue_name_valid, name),
	    "name", "invalid_name", "invalid_venue_name")) ||
	    (st = in_str(c, "address", venue_address_valid, "invalid_address",
	    address, e)) ||
	    (st = in_str(c, "region", valid_region_code, "unknown_region",
	    region, e)))
		return st;
	if ((known = region_known(c, *region)) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	if (!known)
		return in_err(e, 400, "unknown_region", "region", NULL);
	return 0;
}

/*
 * Stores a new venue owned by the account, with a fresh token.  Returns
 * 0 with *id, or 409 too_many_venues or 500 with e.
 */
static int
venue_store(struct ctx *c, const char *name, const char *address,
    const char *region, int64_t *id, struct in_err *e)
{
	struct db *db = c->app->db;
	struct db_stmt *s;
	char token[VENUE_TOKEN_LEN + 1];
	int64_t n;
	int rc;

	if (db_begin(db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	s = db_stmt(db, SQL_VENUE_COUNT_OWNED);
	db_bind_int(s, 1, c->account_id);
	rc = db_step(s);
	n = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc != DB_ROW)
		goto err;
	if (n >= VENUES_MAX) {
		db_rollback(db);
		return in_err(e, 409, "too_many_venues", NULL, NULL);
	}
	/* 128 random bits: a collision is not worth a retry path. */
	new_token(token);
	s = db_stmt(db, SQL_VENUE_INSERT);
	db_bind_int(s, 1, c->account_id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, address);
	db_bind_text(s, 4, region);
	db_bind_text(s, 5, token);
	db_bind_int(s, 6, c->now);
	rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW || db_commit(db) == -1)
		goto err;
	return 0;
err:
	db_rollback(db);
	return in_err(e, 500, "internal", NULL, NULL);
}

/*
 * Gives the venue named by {id} a new token, if the account owns it; the
 * old one then names nothing.  Returns 1 with v read back, 0 not ours or
 * no such venue, -1 on a database error.
 */
static int
venue_rotate(struct ctx *c, struct venue *v)
{
	struct db_stmt *s;
	char token[VENUE_TOKEN_LEN + 1];
	int rc;

	if ((rc = venue_owned(c, v)) != 1)
		return rc;
	new_token(token);
	s = db_stmt(c->app->db, SQL_VENUE_ROTATE);
	db_bind_text(s, 1, token);
	db_bind_int(s, 2, c->now);
	db_bind_int(s, 3, v->id);
	db_bind_int(s, 4, c->account_id);
	if (db_run(s) == DB_ERR)
		return -1;
	if (db_changes(c->app->db) == 0)
		return 0;	/* went away since it was read */
	memcpy(v->token, token, sizeof(token));
	v->token_at = c->now;
	return 1;
}

/*
 * POST /api/v1/venues {"name","address","region"}: the account becomes
 * the owner.  201 the venue; 400 missing_field, wrong_type, invalid_name,
 * invalid_address, unknown_region; 401; 409 too_many_venues.
 */
void
api_venue_create(struct ctx *c)
{
	const char *name, *address, *region;
	struct in_err e;
	struct venue v;
	int64_t id;
	cJSON *o;

	if (venue_input(c, &name, &address, &region, &e) ||
	    venue_store(c, name, address, region, &id, &e)) {
		api_in_error(c, &e);
		return;
	}
	if (venue_get(c, id, &v) != 1) {
		api_err(c, 500, "internal");
		return;
	}
	o = venue_json(c, &v);
	resp_header(c->resp, "Location", "/api/v1/venues/%lld", (long long)id);
	api_json(c, 201, o);
	cJSON_Delete(o);
}

/* Reads the account's venues, newest first, into a JSON array; NULL on error. */
static cJSON *
venues_list(struct ctx *c, int for_page)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_VENUES_OWNED);
	struct venue v;
	cJSON *arr = cJSON_CreateArray(), *o;
	int rc;

	db_bind_int(s, 1, c->account_id);
	while ((rc = db_step(s)) == DB_ROW) {
		venue_row(s, &v);
		if (for_page) {
			o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "id", (double)v.id);
			cJSON_AddStringToObject(o, "name", v.name);
			cJSON_AddStringToObject(o, "address", v.address);
			cJSON_AddStringToObject(o, "region_name", v.region_name);
		} else
			o = venue_json(c, &v);
		cJSON_AddItemToArray(arr, o);
	}
	return rows_done(s, rc, arr);
}

/* GET /api/v1/venues: 200 {"venues":[...]} (mine, newest first); 401. */
void
api_venues(struct ctx *c)
{
	api_object(c, NULL, "venues", venues_list(c, 0));
}

static void
api_no_venue(struct ctx *c, int rc)
{
	if (rc == -1)
		api_err(c, 500, "internal");
	else
		api_err(c, 404, "not_found");
}

/* GET /api/v1/venues/{id}: 200 the venue; 401; 404 (not mine or none). */
void
api_venue(struct ctx *c)
{
	struct venue v;
	cJSON *o;
	int rc;

	if ((rc = venue_owned(c, &v)) != 1) {
		api_no_venue(c, rc);
		return;
	}
	o = venue_json(c, &v);
	api_json(c, 200, o);
	cJSON_Delete(o);
}

/*
 * POST /api/v1/venues/{id}/rotate: a new code; the old one stops working.
 * 200 the venue with its new url; 401; 404.
 */
void
api_venue_rotate(struct ctx *c)
{
	struct venue v;
	cJSON *o;
	int rc;

	if ((rc = venue_rotate(c, &v)) != 1) {
		api_no_venue(c, rc);
		return;
	}
	o = venue_json(c, &v);
	api_json(c, 200, o);
	cJSON_Delete(o);
}

static void
venue_image(struct ctx *c, int png)
{
	struct venue v;
	struct buf url;
	int rc;

	if ((rc = venue_owned(c, &v)) != 1) {
		api_no_venue(c, rc);
		return;
	}
	buf_init(&url);
	url_checkin(c, v.token, &url);
	buf_reset(&c->resp->body);
	rc = png ? qr_png(url.ptr, 8, &c->resp->body) :
	    qr_svg(url.ptr, &c->resp->body);
	buf_free(&url);
	if (rc == -1) {
		api_err(c, 500, "internal");
		return;
	}
	c->resp->status = 200;
	c->resp->ctype = png ? "image/png" : "image/svg+xml";
}

/* GET /api/v1/venues/{id}/qr.svg: 200 image/svg+xml of the check-in URL; 401; 404. */
void
api_venue_svg(struct ctx *c)
{
	venue_image(c, 0);
}

/* GET /api/v1/venues/{id}/qr.png: 200 image/png of the check-in URL; 401; 404. */
void
api_venue_png(struct ctx *c)
{
	venue_image(c, 1);
}

/* ---- pages ---------------------------------------------------------- */

/*
 * Renders /venues: the account's venues and the registration form, with
 * what was submitted and the error in place when e is set.
 */
static void
venues_page(struct ctx *c, int status, const struct in_err *e)
{
	const struct kvlist *f = &c->req->form;
	const char *region = c->app->conf.region, *v;
	cJSON *d, *list, *regions, *it, *code;

	if ((list = venues_list(c, 1)) == NULL) {
		page_error(c, 500, "internal");
		return;
	}
	d = cJSON_CreateObject();
	cJSON_AddBoolToObject(d, "has_venues", cJSON_GetArraySize(list) > 0);
	cJSON_AddItemToObject(d, "venues", list);
	if (e != NULL) {
		if ((v = kv_get(f, "name")) != NULL && v_text(v, 1, 256))
			cJSON_AddStringToObject(d, "name", v);
		if ((v = kv_get(f, "address")) != NULL && v_text(v, 1, 512))
			cJSON_AddStringToObject(d, "address", v);
		if ((v = kv_get(f, "region")) != NULL && valid_region_code(v))
			region = v;
		page_in_error(c, d, e);
	}
	/* A copy, to mark the selected region. */
	regions = cJSON_Duplicate(c->app->region_options, 1);
	cJSON_ArrayForEach(it, regions) {
		code = cJSON_GetObjectItemCaseSensitive(it, "code");
		if (cJSON_IsString(code) && strcmp(code->valuestring,
		    region) == 0)
			cJSON_AddBoolToObject(it, "selected", 1);
	}
	cJSON_AddItemToObject(d, "regions", regions);
	page_render(c, status, "venues.html", "venues_title", d);
}

/* GET /venues: my venues and the form to register one. */
void
page_venues(struct ctx *c)
{
	venues_page(c, 200, NULL);
}

/* POST /venues (name, address, region): 303 to the new poster; 400/409 the form with the error. */
void
page_venues_post(struct ctx *c)
{
	const char *name, *address, *region;
	struct in_err e;
	char loc[48];
	int64_t id;
	int st;

	if ((st = venue_input(c, &name, &address, &region, &e)) != 0 ||
	    (st = venue_store(c, name, address, region, &id, &e)) != 0) {
		if (st == 500)
			page_error(c, 500, "internal");
		else
			venues_page(c, st, &e);
		return;
	}
	snprintf(loc, sizeof(loc), "/venues/%lld/poster", (long long)id);
	resp_redirect(c->resp, 303, loc);
}

/* GET /venues/{id}/poster: the printable poster; 404 when not mine. */
void
page_poster(struct ctx *c)
{
	struct venue v;
	struct buf url, svg;
	char day[11];
	cJSON *d;
	int rc;

	if ((rc = venue_owned(c, &v)) != 1) {
		page_error(c, rc == -1 ? 500 : 404, rc == -1 ? "internal" :
		    "not_found");
		return;
	}
	buf_init(&url);
	buf_init(&svg);
	url_checkin(c, v.token, &url);
	if (qr_svg(url.ptr, &svg) == -1) {
		buf_free(&url);
		buf_free(&svg);
		page_error(c, 500, "internal");
		return;
	}
	clock_day(v.token_at, day);
	d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "id", (double)v.id);
	cJSON_AddStringToObject(d, "name", v.name);
	cJSON_AddStringToObject(d, "address", v.address);
	cJSON_AddStringToObject(d, "region_name", v.region_name);
	cJSON_AddStringToObject(d, "url", url.ptr);
	cJSON_AddStringToObject(d, "svg", svg.ptr);	/* our own markup */
	cJSON_AddStringToObject(d, "code_day", day);
	page_render(c, 200, "poster.html", "poster_title", d);
	buf_free(&url);
	buf_free(&svg);
}

/* POST /venues/{id}/rotate: 303 to the poster with the new code; 404 when not mine. */
void
page_venue_rotate_post(struct ctx *c)
{
	struct venue v;
	char loc[48];
	int rc;

	if ((rc = venue_rotate(c, &v)) != 1) {
		page_error(c, rc == -1 ? 500 : 404, rc == -1 ? "internal" :
		    "not_found");
		return;
	}
	snprintf(loc, sizeof(loc), "/venues/%lld/poster", (long long)v.id);
	resp_redirect(c->resp, 303, loc);
}

