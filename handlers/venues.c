/*
 * Venues and their check-in codes (场所码): any signed-in account
 * registers a venue and prints its poster, whose QR code holds
 * <public_base_url>/c/<token>; a person scans it, confirms, and the visit
 * is recorded with the colour of their code, which the result page shows
 * big for the door staff.  The itinerary lists the last 14 days' visits.
 *
 * The token is an opaque random value stored with the venue, not a JWT:
 * a poster hangs for months, so it cannot expire, and it is revoked by
 * rotation.  Venue ids are integers; someone else's venue answers 404,
 * like one that does not exist, so ids reveal nothing.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/qr.h"
#include "../fcgi/validate.h"
#include "app.h"
#include "ident.h"
#include "rules.h"

#define TOKEN_BYTES	16	/* 22 characters of base64url */
#define TOKEN_LEN	22
#define NAME_CHARS	60
#define ADDRESS_CHARS	120
#define VENUES_MAX	100	/* per account: a registry, not a free store */
#define ITINERARY_DAYS	14	/* the retention of check-ins */
#define ITINERARY_MAX	1000	/* rows on one page: a bound, not a view */

struct venue {
	int64_t	 id;
	char	 name[NAME_CHARS * 4 + 1];
	char	 address[ADDRESS_CHARS * 4 + 1];
	char	 region[8];
	char	 region_name[128];
	char	 token[TOKEN_LEN + 1];
	time_t	 token_at;
	time_t	 created_at;
};

/* A recorded visit, as the result page and the API show it. */
struct visit {
	struct venue	 v;		/* id, name, address, region_name */
	time_t		 at;
	int		 has_color;	/* 0: no declaration today */
	enum color	 color;
	char		 name_masked[160];	/* "" before an identity is bound */
};

/* Returns the number of characters (code points) in valid UTF-8 s. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* One line of text, 1..max characters, not only spaces (ASCII or 全角). */
static int
line_valid(const char *s, size_t max)
{
	const char *p;

	if (!v_text(s, 1, max * 4) || utf8_chars(s) > max)
		return 0;
	for (p = s; *p == ' ' || strncmp(p, "\xe3\x80\x80", 3) == 0;
	    p += *p == ' ' ? 1 : 3)
		;
	return *p != '\0';
}

int
venue_name_valid(const char *s)
{
	return line_valid(s, NAME_CHARS);
}

int
venue_address_valid(const char *s)
{
	return line_valid(s, ADDRESS_CHARS);
}

int
venue_token_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != TOKEN_LEN)
		return 0;
	for (i = 0; i < TOKEN_LEN; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static int
region_code_valid(const char *s)
{
	return v_digits(s, 6, 6);
}

static int
region_known(struct ctx *c, const char *code)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_REGION_EXISTS);
	int rc;

	db_bind_text(s, 1, code);
	rc = db_step(s);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* A fresh venue token. */
static void
new_token(char out[TOKEN_LEN + 1])
{
	unsigned char raw[TOKEN_BYTES];
	struct buf b;

	rand_bytes(raw, sizeof(raw));
	buf_init(&b);
	b64url_encode(&b, raw, sizeof(raw));
	snprintf(out, TOKEN_LEN + 1, "%s", b.ptr);
	buf_free(&b);
}

/* Writes the check-in URL of a token, what the poster's QR code holds. */
static void
checkin_url(struct ctx *c, const char *token, struct buf *out)
{
	buf_printf(out, "%s/c/%s", c->app->cfg[CFG_PUBLIC_BASE_URL], token);
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
	checkin_url(c, v->token, &url);
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

/* An input error: the stable code, the field, the catalogue message. */
struct in_err {
	const char	*code;
	const char	*field;
	const char	*msg;
};

static int
in_err(struct in_err *e, const char *code, const char *field,
    const char *msg)
{
	e->code = code;
	e->field = field;
	e->msg = msg;
	return 400;
}

/* Maps req_str's answer for field to an input error; 0 when FIELD_OK. */
static int
field_err(int why, const char *field, const char *invalid_code,
    const char *invalid_msg, struct in_err *e)
{
	switch (why) {
	case FIELD_OK:
		return 0;
	case FIELD_MISSING:
		return in_err(e, "missing_field", field, "missing_field");
	case FIELD_TYPE:
		return in_err(e, "wrong_type", field, "wrong_type");
	default:
		return in_err(e, invalid_code, field, invalid_msg);
	}
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

	if ((st = field_err(req_str(c->req, "name", venue_name_valid, name),
	    "name", "invalid_name", "invalid_venue_name", e)) ||
	    (st = field_err(req_str(c->req, "address", venue_address_valid,
	    address), "address", "invalid_address", "invalid_address", e)) ||
	    (st = field_err(req_str(c->req, "region", region_code_valid,
	    region), "region", "unknown_region", "unknown_region", e)))
		return st;
	if ((known = region_known(c, *region)) == -1)
		return 500;
	if (!known)
		return in_err(e, "unknown_region", "region", "unknown_region");
	return 0;
}

/*
 * Stores a new venue owned by the account, with a fresh token.  Returns
 * 0 with *id, 409 too_many_venues (e set), or 500.
 */
static int
venue_store(struct ctx *c, const char *name, const char *address,
    const char *region, int64_t *id, struct in_err *e)
{
	struct db *db = c->app->db;
	struct db_stmt *s;
	char token[TOKEN_LEN + 1];
	int64_t n;
	int rc;

	if (db_begin(db) == -1)
		return 500;
	s = db_stmt(db, SQL_VENUE_COUNT_OWNED);
	db_bind_int(s, 1, c->account_id);
	rc = db_step(s);
	n = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc != DB_ROW)
		goto err;
	if (n >= VENUES_MAX) {
		db_rollback(db);
		in_err(e, "too_many_venues", NULL, "too_many_venues");
		return 409;
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
	return 500;
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
	char token[TOKEN_LEN + 1];
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

/* Answers an input error on the API. */
static void
api_in_error(struct ctx *c, int status, const struct in_err *e)
{
	if (status == 500) {
		api_error(c, 500, "internal", page_msg(c, "internal"));
		return;
	}
	api_input_error(c, status, e->code, e->field, e->msg);
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
	struct in_err e = { 0 };
	struct venue v;
	int64_t id;
	cJSON *o;
	int st;

	if ((st = venue_input(c, &name, &address, &region, &e)) != 0 ||
	    (st = venue_store(c, name, address, region, &id, &e)) != 0) {
		api_in_error(c, st, &e);
		return;
	}
	if (venue_get(c, id, &v) != 1) {
		api_error(c, 500, "internal", page_msg(c, "internal"));
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
	db_reset(s);
	if (rc == DB_ERR) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

/* GET /api/v1/venues: 200 {"venues":[...]} (mine, newest first); 401. */
void
api_venues(struct ctx *c)
{
	cJSON *o, *arr;

	if ((arr = venues_list(c, 0)) == NULL) {
		api_error(c, 500, "internal", page_msg(c, "internal"));
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "venues", arr);
	api_json(c, 200, o);
	cJSON_Delete(o);
}

static void
api_no_venue(struct ctx *c, int rc)
{
	if (rc == -1)
		api_error(c, 500, "internal", page_msg(c, "internal"));
	else
		api_error(c, 404, "not_found", "no such venue");
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
	checkin_url(c, v.token, &url);
	buf_reset(&c->resp->body);
	rc = png ? qr_png(url.ptr, 8, &c->resp->body) :
	    qr_svg(url.ptr, &c->resp->body);
	buf_free(&url);
	if (rc == -1) {
		api_error(c, 500, "internal", page_msg(c, "internal"));
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

/* Reads the venue a token names; 1, 0 unknown (or malformed), -1. */
static int
venue_by_token(struct ctx *c, const char *token, struct venue *v)
{
	struct db_stmt *s;
	int rc;

	if (!venue_token_valid(token))
		return 0;
	s = db_stmt(c->app->db, SQL_VENUE_BY_TOKEN);
	db_bind_text(s, 1, token);
	if ((rc = db_step(s)) == DB_ROW) {
		memset(v, 0, sizeof(*v));
		v->id = db_col_int(s, 0);
		snprintf(v->name, sizeof(v->name), "%s", db_col_text(s, 1));
		snprintf(v->address, sizeof(v->address), "%s",
		    db_col_text(s, 2));
		snprintf(v->region_name, sizeof(v->region_name), "%s",
		    db_col_text(s, 3));
	}
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/*
 * Records a visit of the signed-in account to the venue of token, with
 * the colour of its own person's code when they declared today.
 * Returns 0, 404 (unknown_venue) or 500.
 */
static int
checkin_record(struct ctx *c, const char *token, struct visit *k)
{
	struct db_stmt *s;
	struct rules_result res;
	char today[11], hash[65], name[128];
	int64_t person = 0;
	int rc, declared = 0;

	memset(k, 0, sizeof(*k));
	if ((rc = venue_by_token(c, token, &k->v)) != 1)
		return rc == 0 ? 404 : 500;
	clock_day(c->now, today);
	s = db_stmt(c->app->db, SQL_CHECKIN_PERSON);
	db_bind_int(s, 1, c->account_id);
	db_bind_text(s, 2, today);
	if ((rc = db_step(s)) == DB_ROW) {
		person = db_col_int(s, 0);
		snprintf(hash, sizeof(hash), "%s", db_col_text(s, 1));
		snprintf(name, sizeof(name), "%s", db_col_text(s, 2));
		declared = db_col_int(s, 3) != 0;
	}
	db_reset(s);
	if (rc == DB_ERR)
		return 500;
	if (person != 0)
		name_mask(name, k->name_masked, sizeof(k->name_masked));
	if (declared) {
		if (health_colour(c, person, hash, &res) == -1)
			return 500;
		k->has_color = 1;
		k->color = res.color;
	}
	k->at = c->now;
	s = db_stmt(c->app->db, SQL_CHECKIN_INSERT);
	db_bind_int(s, 1, c->account_id);
	if (person != 0)
		db_bind_int(s, 2, person);
	else
		db_bind_text(s, 2, NULL);
	db_bind_int(s, 3, k->v.id);
	db_bind_text(s, 4, k->has_color ? color_name(k->color) : NULL);
	db_bind_int(s, 5, k->at);
	return db_run(s) == DB_ERR ? 500 : 0;
}

/*
 * POST /api/v1/checkins {"venue_token"}: 201 {"venue":{"name","address",
 * "region_name"},"checked_in_at","color","no_declaration_today"}, color
 * null without today's declaration (the visit is recorded all the same);
 * 400 missing_field, wrong_type; 401; 404 unknown_venue (unknown or
 * rotated).
 */
void
api_checkin(struct ctx *c)
{
	const char *token;
	struct visit k;
	struct in_err e = { 0 };
	char iso[26];
	cJSON *o, *v;
	int st;

	if ((st = field_err(req_str(c->req, "venue_token", NULL, &token),
	    "venue_token", "unknown_venue", "unknown_venue", &e)) != 0) {
		api_in_error(c, st, &e);
		return;
	}
	if ((st = checkin_record(c, token, &k)) != 0) {
		if (st == 404)
			api_error(c, 404, "unknown_venue", page_msg(c,
			    "unknown_venue"));
		else
			api_error(c, 500, "internal", page_msg(c, "internal"));
		return;
	}
	o = cJSON_CreateObject();
	v = cJSON_AddObjectToObject(o, "venue");
	cJSON_AddStringToObject(v, "name", k.v.name);
	cJSON_AddStringToObject(v, "address", k.v.address);
	cJSON_AddStringToObject(v, "region_name", k.v.region_name);
	clock_iso(k.at, iso);
	cJSON_AddStringToObject(o, "checked_in_at", iso);
	if (k.has_color)
		cJSON_AddStringToObject(o, "color", color_name(k.color));
	else
		cJSON_AddNullToObject(o, "color");
	cJSON_AddBoolToObject(o, "no_declaration_today", !k.has_color);
	api_json(c, 201, o);
	cJSON_Delete(o);
}

/* The label of a stored colour ("" or NULL: no code). */
static const char *
color_label(struct ctx *c, const char *color)
{
	char key[24];

	if (color == NULL || *color == '\0')
		return page_text(c, "color_none");
	snprintf(key, sizeof(key), "color_%s", color);
	return page_text(c, key);
}

/* Writes "2026-11-29 10:00:00" (local time) for display. */
static void
display_time(time_t t, char out[20])
{
	char iso[26];

	clock_iso(t, iso);
	snprintf(out, 20, "%.10s %.8s", iso, iso + 11);
}

/*
 * Reads the account's visits of the last ITINERARY_DAYS days, newest
 * first, as a JSON array (page: with labels for display); NULL on error.
 */
static cJSON *
itinerary(struct ctx *c, int for_page)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_ITINERARY);
	cJSON *arr = cJSON_CreateArray(), *o, *v;
	const char *color;
	char iso[26], shown[20];
	int rc;

	db_bind_int(s, 1, c->account_id);
	db_bind_int(s, 2, c->now - (time_t)ITINERARY_DAYS * 86400);
	db_bind_int(s, 3, ITINERARY_MAX);
	while ((rc = db_step(s)) == DB_ROW) {
		o = cJSON_CreateObject();
		clock_iso((time_t)db_col_int(s, 0), iso);
		color = db_col_is_null(s, 1) ? NULL : db_col_text(s, 1);
		if (for_page) {
			display_time((time_t)db_col_int(s, 0), shown);
			cJSON_AddStringToObject(o, "venue_name",
			    db_col_text(s, 2));
			cJSON_AddStringToObject(o, "venue_address",
			    db_col_text(s, 3));
			cJSON_AddStringToObject(o, "region_name",
			    db_col_text(s, 4));
			cJSON_AddStringToObject(o, "iso", iso);
			cJSON_AddStringToObject(o, "time", shown);
			cJSON_AddStringToObject(o, "color", color ? color :
			    "none");
			cJSON_AddStringToObject(o, "color_label",
			    color_label(c, color));
		} else {
			v = cJSON_AddObjectToObject(o, "venue");
			cJSON_AddStringToObject(v, "name", db_col_text(s, 2));
			cJSON_AddStringToObject(v, "address", db_col_text(s, 3));
			cJSON_AddStringToObject(v, "region_name",
			    db_col_text(s, 4));
			cJSON_AddStringToObject(o, "checked_in_at", iso);
			if (color != NULL)
				cJSON_AddStringToObject(o, "color", color);
			else
				cJSON_AddNullToObject(o, "color");
		}
		cJSON_AddItemToArray(arr, o);
	}
	db_reset(s);
	if (rc == DB_ERR) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

/*
 * GET /api/v1/itinerary: 200 {"days":14,"checkins":[{"venue":{"name",
 * "address","region_name"},"checked_in_at","color"}]}, newest first; 401.
 */
void
api_itinerary(struct ctx *c)
{
	cJSON *o, *arr;

	if ((arr = itinerary(c, 0)) == NULL) {
		api_error(c, 500, "internal", page_msg(c, "internal"));
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "days", ITINERARY_DAYS);
	cJSON_AddItemToObject(o, "checkins", arr);
	api_json(c, 200, o);
	cJSON_Delete(o);
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
	const char *region = c->app->cfg[CFG_REGION], *v;
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
		if ((v = kv_get(f, "region")) != NULL && region_code_valid(v))
			region = v;
		cJSON_AddStringToObject(d, "error", page_msg(c, e->msg));
		if (e->field != NULL) {
			char key[32];
			snprintf(key, sizeof(key), "error_%s", e->field);
			cJSON_AddBoolToObject(d, key, 1);
		}
		c->resp->err_code = e->code;
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
	struct in_err e = { 0 };
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
	checkin_url(c, v.token, &url);
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

/* Appends s percent-encoded for a query value (unreserved and '/' kept). */
static void
query_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char ch;

	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~' || ch == '/')
			buf_putc(b, (char)ch);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[ch >> 4]);
			buf_putc(b, hex[ch & 15]);
		}
	}
}

/*
 * GET /c/{token}: the venue and a button to confirm the check-in; 302
 * /login?next=/c/{token} when signed out; 404 unknown_venue.
 */
void
page_checkin(struct ctx *c)
{
	const char *token = c->req->params[0];
	struct venue v;
	struct buf loc;
	cJSON *d;
	int rc;

	if (!c->authed) {
		buf_init(&loc);
		buf_puts(&loc, "/login?next=");
		query_escape(&loc, c->req->path);
		resp_redirect(c->resp, 302, loc.ptr);
		buf_free(&loc);
		return;
	}
	if ((rc = venue_by_token(c, token, &v)) != 1) {
		page_error(c, rc == 0 ? 404 : 500, rc == 0 ? "unknown_venue" :
		    "internal");
		return;
	}
	d = cJSON_CreateObject();
	cJSON_AddBoolToObject(d, "confirm", 1);
	cJSON_AddStringToObject(d, "token", token);	/* checked: base64url */
	cJSON_AddStringToObject(d, "venue_name", v.name);
	cJSON_AddStringToObject(d, "venue_address", v.address);
	cJSON_AddStringToObject(d, "region_name", v.region_name);
	page_render(c, 200, "checkin.html", "checkin_title", d);
}

/*
 * POST /c/{token}: records the visit and shows the result for the door
 * staff: the colour big, the venue, the time (200); without today's
 * declaration, "no code today" (the visit is recorded); 404
 * unknown_venue.
 */
void
page_checkin_post(struct ctx *c)
{
	struct visit k;
	const char *color;
	char shown[20];
	cJSON *d;
	int st;

	if ((st = checkin_record(c, c->req->params[0], &k)) != 0) {
		page_error(c, st, st == 404 ? "unknown_venue" : "internal");
		return;
	}
	color = k.has_color ? color_name(k.color) : NULL;
	display_time(k.at, shown);
	d = cJSON_CreateObject();
	cJSON_AddBoolToObject(d, "done", 1);
	cJSON_AddStringToObject(d, "color", color ? color : "none");
	cJSON_AddStringToObject(d, "color_label", color_label(c, color));
	if (!k.has_color)
		cJSON_AddBoolToObject(d, "no_code", 1);
	if (k.name_masked[0] != '\0')
		cJSON_AddStringToObject(d, "name_masked", k.name_masked);
	cJSON_AddStringToObject(d, "venue_name", k.v.name);
	cJSON_AddStringToObject(d, "venue_address", k.v.address);
	cJSON_AddStringToObject(d, "region_name", k.v.region_name);
	cJSON_AddStringToObject(d, "time", shown);
	page_render(c, 200, "checkin.html", "checkin_done", d);
}

/* GET /itinerary: my check-ins of the last 14 days, newest first. */
void
page_itinerary(struct ctx *c)
{
	cJSON *d, *arr;

	if ((arr = itinerary(c, 1)) == NULL) {
		page_error(c, 500, "internal");
		return;
	}
	d = cJSON_CreateObject();
	cJSON_AddBoolToObject(d, "has_checkins", cJSON_GetArraySize(arr) > 0);
	cJSON_AddItemToObject(d, "checkins", arr);
	page_render(c, 200, "itinerary.html", "itinerary_title", d);
}
