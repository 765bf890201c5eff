/*
 * Checkers (核验员) from the console: admins list, grant and revoke the
 * checker role by phone number; no other role can be given here (admins
 * are made with the CLI only).  Each change is audited (roles.c) and
 * holds from the next request on, since roles are read per request.
 * The list gives admins the phone in full (it is what they type to
 * grant and what a revocation names), opened from the account's sealed
 * number (phone.h), and masked.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "audit.h"
#include "phone.h"
#include "roles.h"
#include "valid.h"

#define CHECKERS_MAX	10000	/* rows of the list: a bound, not a view */

/*
 * The checkers, newest grant first (page: with the time for display),
 * their phones a read of personal data (audited, checkers.read); NULL
 * on error.  A phone that does not open (another phone_key_file) is
 * null, and logged.
 */
static cJSON *
checkers(struct ctx *c, int page)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_CHECKERS);
	cJSON *arr = cJSON_CreateArray(), *o, *d;
	char phone[12], iso[26], shown[20];
	int rc, closed = 0;

	db_bind_int(s, 1, CHECKERS_MAX);
	while ((rc = db_step(s)) == DB_ROW) {
		o = cJSON_CreateObject();
		if (phone_open(c->app, db_col_text(s, 0), db_col_text(s, 1),
		    phone) == 0)
			cJSON_AddStringToObject(o, "phone", phone);
		else {
			cJSON_AddNullToObject(o, "phone");
			closed++;
		}
		cJSON_AddStringToObject(o, "phone_masked", db_col_text(s, 2));
		clock_iso((time_t)db_col_int(s, 3), iso);
		cJSON_AddStringToObject(o, "granted_at", iso);
		if (page) {
			snprintf(shown, sizeof(shown), "%.10s %.5s", iso, iso + 11);
			cJSON_AddStringToObject(o, "granted_shown", shown);
		}
		cJSON_AddItemToArray(arr, o);
	}
	explicit_bzero(phone, sizeof(phone));
	if (closed > 0)
		LOG("checkers: %d phone(s) do not open with phone_key_file",
		    closed);
	if ((arr = rows_done(s, rc, arr)) == NULL)
		return NULL;
	d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "count", cJSON_GetArraySize(arr));
	rc = audit_read(c, "checkers.read", "", d);
	cJSON_Delete(d);
	if (rc == -1) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

/*
 * Grants (or revokes) checker to phone as the signed-in admin, in one
 * transaction with its audit entry: 1 changed, 0 nothing to change, -1.
 */
static int
change(struct ctx *c, const char *phone, int grant)
{
	char subject[65];
	cJSON *d;
	int rc;

	if (db_begin(c->app->db) == -1)
		return -1;
	rc = grant ? role_grant(c->app, c->now, phone, ROLE_CHECKER) :
	    role_revoke(c->app, phone, ROLE_CHECKER);
	if (rc == 1) {
		audit_subject(c->app, "phone", phone, subject);
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "role", role_name(ROLE_CHECKER));
		if (audit_ctx(c, grant ? "role.grant" : "role.revoke", subject,
		    d) == -1)
			rc = -1;
		cJSON_Delete(d);
	}
	if (rc == -1 || db_commit(c->app->db) == -1) {
		db_rollback(c->app->db);
		return -1;
	}
	return rc;
}

/* GET /api/v1/admin/checkers (admin): 200 {"checkers":[{"phone","phone_masked","granted_at"}]}; 401; 403. */
void
api_checkers(struct ctx *c)
{
	api_object(c, NULL, "checkers", checkers(c, 0));
}

/*
 * PUT /api/v1/admin/checkers/{phone} (admin, no body): makes the phone's
 * account a checker (creating the account if it never signed in): 201
 * {"phone","phone_masked","granted_at"}, or 200 when it was one already;
 * 400 invalid_phone; 401; 403.
 */
void
api_checker_put(struct ctx *c)
{
	const char *phone = c->req->params[0];
	struct db_stmt *s;
	char masked[12], mac[65], iso[26];
	cJSON *o;
	int rc;

	if (!valid_phone(phone)) {
		api_err(c, 400, "invalid_phone");
		return;
	}
	if ((rc = change(c, phone, 1)) == -1) {
		api_err(c, 500, "internal");
		return;
	}
	phone_mac(c->app, phone, mac);
	s = db_stmt(c->app->db, SQL_CHECKER_GRANTED);
	db_bind_text(s, 1, mac);
	if (db_step(s) != DB_ROW) {
		db_reset(s);
		api_err(c, 500, "internal");
		return;
	}
	clock_iso((time_t)db_col_int(s, 0), iso);
	db_reset(s);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "phone", phone);
	mask_phone(phone, masked);
	cJSON_AddStringToObject(o, "phone_masked", masked);
	cJSON_AddStringToObject(o, "granted_at", iso);
	api_json(c, rc == 1 ? 201 : 200, o);
	cJSON_Delete(o);
}

/*
 * DELETE /api/v1/admin/checkers/{phone} (admin): 200 {"revoked":true};
 * 400 invalid_phone; 401; 403; 404 not_checker.
 */
void
api_checker_delete(struct ctx *c)
{
	const char *phone = c->req->params[0];
	int rc;

	if (!valid_phone(phone)) {
		api_err(c, 400, "invalid_phone");
		return;
	}
	if ((rc = change(c, phone, 0)) != 1) {
		api_err(c, rc == 0 ? 404 : 500, rc == 0 ? "not_checker" :
		    "internal");
		return;
	}
	resp_json(c->resp, 200, "{\"revoked\":true}");
}

/* Renders the checkers page with d (consumed): the list and the form. */
static void
checkers_page(struct ctx *c, int status, cJSON *d)
{
	cJSON *arr = checkers(c, 1);
	const char *done = kv_get(&c->req->query, "done");

	if (arr == NULL) {
		cJSON_Delete(d);
		page_error(c, 500, "internal");
		return;
	}
	if (done != NULL && (strcmp(done, "granted") == 0 ||
	    strcmp(done, "held") == 0 || strcmp(done, "revoked") == 0)) {
		char key[32];

		snprintf(key, sizeof(key), "checkers_done_%s", done);
		cJSON_AddStringToObject(d, "notice", page_text(c, key));
	}
	cJSON_AddBoolToObject(d, "has_checkers", cJSON_GetArraySize(arr) > 0);
	cJSON_AddItemToObject(d, "checkers", arr);
	page_render(c, status, "admin_checkers.html", "admin_nav_checkers", d);
}

/* GET /admin/checkers[?done=granted|held|revoked] (admin): 200; 302 /login; 403. */
void
page_checkers(struct ctx *c)
{
	checkers_page(c, 200, cJSON_CreateObject());
}

/*
 * POST /admin/checkers (admin; form phone): grants checker, 303
 * /admin/checkers?done=granted (or held); 400 with the error at the
 * field; 403 without CSRF.
 */
void
page_checkers_post(struct ctx *c)
{
	const char *phone = kv_get(&c->req->form, "phone");
	struct in_err e;
	cJSON *d;
	int rc;

	if (phone == NULL || !valid_phone(phone)) {
		d = cJSON_CreateObject();
		in_err(&e, 400, "invalid_phone", "phone", NULL);
		page_in_error(c, d, &e);
		cJSON_AddStringToObject(d, "phone", phone ? phone : "");
		checkers_page(c, 400, d);
		return;
	}
	if ((rc = change(c, phone, 1)) == -1) {
		page_error(c, 500, "internal");
		return;
	}
	resp_redirect(c->resp, 303, rc == 1 ? "/admin/checkers?done=granted" :
	    "/admin/checkers?done=held");
}

/*
 * POST /admin/checkers/{phone}/revoke (admin): 303
 * /admin/checkers?done=revoked; 404 not_checker (or not a phone); 403
 * without CSRF.
 */
void
page_checker_revoke_post(struct ctx *c)
{
	const char *phone = c->req->params[0];
	int rc;

	if (!valid_phone(phone)) {
		page_error(c, 404, "not_checker");
		return;
	}
	if ((rc = change(c, phone, 0)) != 1) {
		page_error(c, rc == 0 ? 404 : 500, rc == 0 ? "not_checker" :
		    "internal");
		return;
	}
	resp_redirect(c->resp, 303, "/admin/checkers?done=revoked");
}
