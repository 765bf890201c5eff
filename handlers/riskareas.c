/*
 * Risk areas (风险地区): the health authority designates a region of the
 * GB/T 2260 table high or medium risk, until a day or until cleared.  A
 * designation covers the regions under it (a prefecture its districts):
 * the colour rules read the designations of a declared place and of the
 * regions above it.  A designation whose last day (until) is past is
 * expired: listed as such, so that it can be cleared, and read by no
 * rule.  Every change is audited; a change moves one generation
 * (migrations/0011), whatever the number of people.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "audit.h"
#include "person.h"
#include "valid.h"

/* The levels a designation may have. */
static int
level_valid(const char *s)
{
	return strcmp(s, "high") == 0 || strcmp(s, "medium") == 0;
}

/* Returns 1 for a GB/T 2260 placeholder level ("市辖区", "县"): no place of its own. */
static int
placeholder(const char *name)
{
	return strcmp(name, "市辖区") == 0 || strcmp(name, "县") == 0 ||
	    strstr(name, "直辖") != NULL;
}

/*
 * Writes the region's name with those above it, "浙江省 杭州市 西湖区",
 * from its own, its parent's and its grandparent's names ("" for none).
 */
static void
region_path(const char *own, const char *parent, const char *top,
    struct buf *out)
{
	const char *part[3] = { top, parent, own };
	size_t i;

	buf_reset(out);
	for (i = 0; i < NELEM(part); i++) {
		if (part[i][0] == '\0' || (i < 2 && placeholder(part[i])))
			continue;
		if (out->len > 0)
			buf_putc(out, ' ');
		buf_puts(out, part[i]);
	}
	buf_cstr(out);
}

/*
 * Reads the designations into a JSON array, by region code; with
 * for_page, the labels too.  NULL on error.
 */
static cJSON *
areas_list(struct ctx *c, int for_page)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_RISK_LIST);
	cJSON *arr = cJSON_CreateArray(), *o;
	char today[11], iso[26], key[24];
	struct buf path;
	int rc;

	clock_day(c->now, today);
	db_bind_text(s, 1, today);
	buf_init(&path);
	while ((rc = db_step(s)) == DB_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "region", db_col_text(s, 0));
		cJSON_AddStringToObject(o, "name", db_col_text(s, 1));
		region_path(db_col_text(s, 1), db_col_text(s, 2),
		    db_col_text(s, 3), &path);
		cJSON_AddStringToObject(o, "path", path.ptr);
		cJSON_AddStringToObject(o, "level", db_col_text(s, 4));
		if (db_col_is_null(s, 5))
			cJSON_AddNullToObject(o, "until");
		else
			cJSON_AddStringToObject(o, "until", db_col_text(s, 5));
		clock_iso((time_t)db_col_int(s, 6), iso);
		cJSON_AddStringToObject(o, "set_at", iso);
		cJSON_AddBoolToObject(o, "expired", db_col_int(s, 7) != 0);
		if (for_page) {
			snprintf(key, sizeof(key), "risk_%s",
			    db_col_text(s, 4));
			cJSON_AddStringToObject(o, "level_label",
			    page_text(c, key));
		}
		cJSON_AddItemToArray(arr, o);
	}
	buf_free(&path);
	return rows_done(s, rc, arr);
}

/*
 * Checks a designation: region (the route's, or the form's), level and
 * the optional until (JSON null or "" for none), not before today.
 * Returns 0 with *until NULL or the day, 400 with e, or 500.
 */
static int
area_input(struct ctx *c, const char *region, const char **level,
    const char **until, struct in_err *e)
{
	char today[11];
	enum field f;
	int st, known;

	if (region == NULL || !valid_region_code(region))
		return in_err(e, 400, "unknown_region", "region", NULL);
	if ((known = region_known(c, region)) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	if (!known)
		return in_err(e, 400, "unknown_region", "region", NULL);
	if ((st = in_str(c, "level", level_valid, "invalid_level", level, e)))
		return st;
	if ((f = req_str(c->req, "until", NULL, until)) == FIELD_MISSING ||
	    (f == FIELD_OK && (*until)[0] == '\0')) {
		*until = NULL;
		return 0;
	}
	if (f != FIELD_OK)
		return in_field(e, f, "until", "invalid_until", NULL);
	clock_day(c->now, today);
	if (day_valid(*until) != 0)
		return in_err(e, 400, "invalid_until", "until", NULL);
	if (strcmp(*until, today) < 0)
		return in_err(e, 400, "past_until", "until", NULL);
	return 0;
}

/* The audit entry of a change: subject the region's keyed hash. */
static int
audit_area(struct ctx *c, const char *action, const char *region,
    const char *level, const char *until)
{
	char subject[65];
	cJSON *d = cJSON_CreateObject();
	int rc;

	audit_subject(c->app, "region", region, subject);
	cJSON_AddStringToObject(d, "region", region);
	cJSON_AddStringToObject(d, "level", level);
	if (until != NULL && until[0] != '\0')
		cJSON_AddStringToObject(d, "until", until);
	else
		cJSON_AddNullToObject(d, "until");
	rc = audit_ctx(c, action, subject, d);
	cJSON_Delete(d);
	return rc;
}

/* Sets (or replaces) region's designation, audited.  0, or 500 with e. */
static int
area_set(struct ctx *c, const char *region, const char *level,
    const char *until, struct in_err *e)
{
	struct db *db = c->app->db;
	struct db_stmt *s;

	if (db_begin(db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	s = db_stmt(db, SQL_RISK_SET);
	db_bind_text(s, 1, region);
	db_bind_text(s, 2, level);
	db_bind_int(s, 3, c->now);
	db_bind_text(s, 4, until);
	db_bind_int(s, 5, c->account_id);
	if (db_run(s) == DB_ERR ||
	    audit_area(c, "risk.set", region, level, until) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		return in_err(e, 500, "internal", NULL, NULL);
	}
	return 0;
}

/* Clears region's designation, audited: 1, 0 none, -1. */
static int
area_clear(struct ctx *c, const char *region)
{
	struct db *db = c->app->db;
	struct db_stmt *s;
	char level[8] = "", until[11] = "";
	int rc;

	if (region == NULL || !valid_region_code(region))
		return 0;
	if (db_begin(db) == -1)
		return -1;
	s = db_stmt(db, SQL_RISK_CLEAR);
	db_bind_text(s, 1, region);
	if ((rc = db_step(s)) == DB_ROW) {
		snprintf(level, sizeof(level), "%s", db_col_text(s, 0));
		snprintf(until, sizeof(until), "%s", db_col_text(s, 1));
	}
	db_reset(s);
	if (rc != DB_ROW) {
		db_rollback(db);
		return rc == DB_DONE ? 0 : -1;
	}
	if (audit_area(c, "risk.clear", region, level, until) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	return 1;
}

/* Answers 200 with the designation of region as the list shows it. */
static void
area_answer(struct ctx *c, const char *region)
{
	cJSON *arr = areas_list(c, 0), *it;

	cJSON_ArrayForEach(it, arr) {
		if (strcmp(cJSON_GetObjectItemCaseSensitive(it,
		    "region")->valuestring, region) == 0) {
			api_json(c, 200, it);
			cJSON_Delete(arr);
			return;
		}
	}
	cJSON_Delete(arr);
	api_err(c, 500, "internal");
}

/*
 * GET /api/v1/admin/risk-areas: 200 {"areas":[{"region","name","path",
 * "level","until"|null,"set_at","expired"}]} by region code; 401; 403.
 */
void
api_risk_areas(struct ctx *c)
{
	api_object(c, NULL, "areas", areas_list(c, 0));
}

/*
 * PUT /api/v1/admin/risk-areas/{region} {"level":"high|medium",
 * "until":"YYYY-MM-DD"?}: sets or replaces the designation.  200 the
 * designation; 400 unknown_region, missing_field, wrong_type,
 * invalid_level, invalid_until, past_until; 401; 403.
 */
void
api_risk_set(struct ctx *c)
{
	const char *region = c->req->params[0], *level, *until;
	struct in_err e;

	if (area_input(c, region, &level, &until, &e) != 0 ||
	    area_set(c, region, level, until, &e) != 0) {
		api_in_error(c, &e);
		return;
	}
	area_answer(c, region);
}

/* DELETE /api/v1/admin/risk-areas/{region}: 200 {"cleared":region}; 401; 403; 404 none. */
void
api_risk_clear(struct ctx *c)
{
	const char *region = c->req->params[0];
	cJSON *o;
	int rc;

	if ((rc = area_clear(c, region)) != 1) {
		api_err(c, rc == -1 ? 500 : 404, rc == -1 ? "internal" :
		    "not_found");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "cleared", region);
	api_json(c, 200, o);
	cJSON_Delete(o);
}

/* ---- pages ------------------------------------------------------------ */

/* Every region for the form's select, labelled with its path; NULL on error. */
static cJSON *
region_options(struct ctx *c, const char *selected)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_RISK_REGIONS);
	cJSON *arr = cJSON_CreateArray(), *o;
	struct buf path;
	int rc;

	buf_init(&path);
	while ((rc = db_step(s)) == DB_ROW) {
		region_path(db_col_text(s, 1), db_col_text(s, 2),
		    db_col_text(s, 3), &path);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", db_col_text(s, 0));
		cJSON_AddStringToObject(o, "label", path.ptr);
		if (selected != NULL && strcmp(selected,
		    db_col_text(s, 0)) == 0)
			cJSON_AddBoolToObject(o, "selected", 1);
		cJSON_AddItemToArray(arr, o);
	}
	buf_free(&path);
	return rows_done(s, rc, arr);
}

/*
 * Renders /admin/risk-areas: the designations and the form, with what
 * was submitted and the error in place when e is set.
 */
static void
risk_page(struct ctx *c, int status, const struct in_err *e)
{
	const struct kvlist *f = &c->req->form;
	const char *region = NULL, *v;
	char today[11];
	cJSON *d, *list, *regions;

	if (e != NULL && (v = kv_get(f, "region")) != NULL &&
	    valid_region_code(v))
		region = v;
	if ((list = areas_list(c, 1)) == NULL ||
	    (regions = region_options(c, region)) == NULL) {
		cJSON_Delete(list);
		page_error(c, 500, "internal");
		return;
	}
	d = cJSON_CreateObject();
	cJSON_AddBoolToObject(d, "has_areas", cJSON_GetArraySize(list) > 0);
	cJSON_AddItemToObject(d, "areas", list);
	cJSON_AddItemToObject(d, "regions", regions);
	clock_day(c->now, today);
	cJSON_AddStringToObject(d, "today", today);
	if (e != NULL) {
		if ((v = kv_get(f, "level")) != NULL)
			cJSON_AddBoolToObject(d, strcmp(v, "medium") == 0 ?
			    "level_medium" : "level_high", 1);
		if ((v = kv_get(f, "until")) != NULL && day_valid(v) == 0)
			cJSON_AddStringToObject(d, "until", v);
		page_in_error(c, d, e);
	} else {
		if ((v = kv_get(&c->req->query, "set")) != NULL &&
		    valid_region_code(v))
			cJSON_AddStringToObject(d, "set", v);
		if ((v = kv_get(&c->req->query, "cleared")) != NULL &&
		    valid_region_code(v))
			cJSON_AddStringToObject(d, "cleared", v);
	}
	page_render(c, status, "admin_risk.html", "admin_risk_title", d);
}

/* GET /admin/risk-areas: the designations and the form.  200; 302 to /login; 403. */
void
page_admin_risk(struct ctx *c)
{
	risk_page(c, 200, NULL);
}

/*
 * POST /admin/risk-areas (region, level, until): 303 back to the list;
 * 400 the form with the error; 403.
 */
void
page_admin_risk_post(struct ctx *c)
{
	const char *region = kv_get(&c->req->form, "region"), *level, *until;
	struct in_err e;
	char loc[48];
	int st;

	if ((st = area_input(c, region, &level, &until, &e)) != 0 ||
	    (st = area_set(c, region, level, until, &e)) != 0) {
		if (st == 500)
			page_error(c, 500, "internal");
		else
			risk_page(c, st, &e);
		return;
	}
	snprintf(loc, sizeof(loc), "/admin/risk-areas?set=%s", region);
	resp_redirect(c->resp, 303, loc);
}

/* POST /admin/risk-areas/{region}/clear: 303 back to the list; 403; 404. */
void
page_admin_risk_clear(struct ctx *c)
{
	const char *region = c->req->params[0];
	char loc[48];
	int rc;

	if ((rc = area_clear(c, region)) != 1) {
		page_error(c, rc == -1 ? 500 : 404, rc == -1 ? "internal" :
		    "not_found");
		return;
	}
	snprintf(loc, sizeof(loc), "/admin/risk-areas?cleared=%s", region);
	resp_redirect(c->resp, 303, loc);
}
