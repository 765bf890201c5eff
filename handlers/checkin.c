/*
 * Check-in at a venue, the visitor's side: a person scans a venue's
 * poster (<public_base_url>/c/<token>), confirms, and the visit is
 * recorded with the colour of their code, which the result page shows
 * big for the door staff.  The itinerary lists the visits of the days
 * check-ins are kept (retention_checkins_days).
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "colour.h"
#include "ident.h"
#include "valid.h"

#define ITINERARY_MAX	1000	/* rows on one page: a bound, not a view */

/* A venue as a visitor sees it. */
struct venue {
	int64_t	 id;
	char	 name[VENUE_NAME_CHARS * 4 + 1];
	char	 address[VENUE_ADDRESS_CHARS * 4 + 1];
	char	 region_name[128];
};

/* A recorded visit, as the result page and the API show it. */
struct visit {
	struct venue	 v;
	time_t		 at;
	int		 has_color;	/* 0: no declaration today */
	enum color	 color;
	char		 name_masked[NAME_MASKED_BYTES];	/* "" before an identity is bound */
};

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
 * Records a visit of the signed-in account to the venue k->v, with the
 * colour of its own person's code when they declared today; inside the
 * caller's transaction.  Returns 0 or 500.
 */
static int
checkin_write(struct ctx *c, struct visit *k)
{
	struct db_stmt *s;
	struct rules_result res;
	char today[11], hash[65], name[NAME_BYTES];
	int64_t person = 0;
	int rc, declared = 0;

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
		if (colour_of(c, person, hash, &res) == -1)
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
 * Records a visit of the signed-in account to the venue of token (see
 * checkin_write).  Returns 0, 404 (unknown_venue) or 500.
 */
static int
checkin_record(struct ctx *c, const char *token, struct visit *k)
{
	int rc;

	memset(k, 0, sizeof(*k));
	if ((rc = venue_by_token(c, token, &k->v)) != 1)
		return rc == 0 ? 404 : 500;
	/* One transaction: the colour's cache and the visit, one commit. */
	if (db_begin(c->app->db) == -1)
		return 500;
	if (checkin_write(c, k) != 0 || db_commit(c->app->db) == -1) {
		db_rollback(c->app->db);
		return 500;
	}
	return 0;
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
	struct in_err e;
	char iso[26];
	cJSON *o, *v;
	int st;

	if (in_str(c, "venue_token", NULL, "unknown_venue", &token, &e)) {
		api_in_error(c, &e);
		return;
	}
	if ((st = checkin_record(c, token, &k)) != 0) {
		api_err(c, st, st == 404 ? "unknown_venue" : "internal");
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

/* Writes "2026-11-29 10:00:00" (local time) for display. */
static void
display_time(time_t t, char out[20])
{
	char iso[26];

	clock_iso(t, iso);
	snprintf(out, 20, "%.10s %.8s", iso, iso + 11);
}

/*
 * Reads the account's visits of the days check-ins are kept, newest
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
	db_bind_int(s, 2, c->now -
	    (time_t)c->app->conf.keep.checkins_days * 86400);
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
			    page_colour_label(c, color));
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
	return rows_done(s, rc, arr);
}

/*
 * GET /api/v1/itinerary: 200 {"days":14 (retention_checkins_days),
 * "checkins":[{"venue":{"name","address","region_name"},"checked_in_at",
 * "color"}]}, newest first; 401.
 */
void
api_itinerary(struct ctx *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "days",
	    (double)c->app->conf.keep.checkins_days);
	api_object(c, o, "checkins", itinerary(c, 0));
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
	cJSON *d;
	int rc;

	if (!c->authed) {
		page_to_login(c, 1);
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
	cJSON_AddStringToObject(d, "color_label", page_colour_label(c, color));
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

/* GET /itinerary: my check-ins of the days they are kept, newest first. */
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
