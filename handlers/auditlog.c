/*
 * The audit log in the console: the chain's check (the API, the page)
 * and the newest entries.  The entries themselves are written by
 * audit.c for every feature; this file only reads them.  Reading the
 * log is not itself audited: it holds no personal data (subjects are
 * keyed hashes, details name no one).
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/config.h"
#include "audit.h"

#define PAGE_MAX	200

/* Adds the chain's check to o; 0, or -1 on a database error. */
static int
add_check(struct ctx *c, cJSON *o)
{
	struct audit_check ck;

	if (audit_verify(c->app, c->now, &ck) == -1)
		return -1;
	cJSON_AddBoolToObject(o, "ok", ck.ok);
	cJSON_AddNumberToObject(o, "entries", (double)ck.entries);
	if (!ck.ok)
		cJSON_AddNumberToObject(o, "first_broken",
		    (double)ck.first_broken);
	return 0;
}

/* The newest entries before id before (0: the newest), at most n. */
static cJSON *
entries(struct ctx *c, int64_t before, int64_t n)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_AUDIT_PAGE);
	cJSON *arr = cJSON_CreateArray(), *e, *d;
	char iso[26];
	int rc;

	db_bind_int(s, 1, before > 0 ? before : INT64_MAX);
	db_bind_int(s, 2, n);
	while ((rc = db_step(s)) == DB_ROW) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "id", (double)db_col_int(s, 0));
		clock_iso((time_t)db_col_int(s, 1), iso);
		cJSON_AddStringToObject(e, "at", iso);
		cJSON_AddStringToObject(e, "actor", db_col_text(s, 2));
		cJSON_AddStringToObject(e, "action", db_col_text(s, 3));
		if ((d = cJSON_Parse(db_col_text(s, 4))) == NULL)
			d = cJSON_CreateObject();
		cJSON_AddItemToObject(e, "details", d);
		cJSON_AddItemToArray(arr, e);
	}
	return rows_done(s, rc, arr);
}

/* Reads ?name= as an integer in 1..max, def when absent; -1 when bad. */
static int64_t
query_num(struct ctx *c, const char *name, int64_t def, int64_t max)
{
	const char *v = kv_get(&c->req->query, name);
	long long n;

	if (v == NULL)
		return def;
	if (config_int(v, 1, max, &n) == -1)
		return -1;
	return n;
}

/* GET /api/v1/admin/audit/verify: 200 {"ok","entries","first_broken"?}; 500. */
void
api_audit_verify(struct ctx *c)
{
	cJSON *o = cJSON_CreateObject();

	if (add_check(c, o) == -1) {
		cJSON_Delete(o);
		api_err(c, 500, "internal");
		return;
	}
	api_json(c, 200, o);
	cJSON_Delete(o);
}

/*
 * GET /api/v1/admin/audit?before=ID&limit=N: 200 {"entries":[...],
 * "next":ID|null} newest first; 400 bad_query; 500.
 */
void
api_audit_list(struct ctx *c)
{
	int64_t before = query_num(c, "before", 0, INT64_MAX);
	int64_t n = query_num(c, "limit", 50, PAGE_MAX);
	cJSON *arr, *o, *last;

	if (before == -1 || n == -1) {
		api_err(c, 400, "bad_query");
		return;
	}
	if ((arr = entries(c, before, n)) == NULL) {
		api_err(c, 500, "internal");
		return;
	}
	o = cJSON_CreateObject();
	last = cJSON_GetArrayItem(arr, cJSON_GetArraySize(arr) - 1);
	if (cJSON_GetArraySize(arr) == n && last != NULL)
		cJSON_AddNumberToObject(o, "next", cJSON_GetNumberValue(
		    cJSON_GetObjectItem(last, "id")));
	else
		cJSON_AddNullToObject(o, "next");
	api_object(c, o, "entries", arr);
}

/* GET /admin/audit: the chain's check and the newest entries; 500. */
void
page_admin_audit(struct ctx *c)
{
	cJSON *d = cJSON_CreateObject(), *arr, *e;

	if (add_check(c, d) == -1 || (arr = entries(c, 0, 100)) == NULL) {
		cJSON_Delete(d);
		page_error(c, 500, "internal");
		return;
	}
	cJSON_ArrayForEach(e, arr) {
		char *s = cJSON_PrintUnformatted(cJSON_GetObjectItem(e,
		    "details"));
		cJSON_AddStringToObject(e, "details_text", s ? s : "");
		cJSON_free(s);
	}
	cJSON_AddBoolToObject(d, "has_entries", cJSON_GetArraySize(arr) > 0);
	cJSON_AddItemToObject(d, "log", arr);
	page_render(c, 200, "admin_audit.html", "admin_audit_title", d);
}
