/*
 * Appeals (申诉): a person whose code is red or yellow asks the health
 * authority to look at it again, with a reason.  An admin upholds the
 * colour, or overrides it with a colour from today through an end day
 * (persons.override_*, read by the rules: the code then gives the
 * reason appeal_override; causes dated after the decision count again).
 * The user's side (/api/v1/appeals, /appeal) and the authority's
 * (/api/v1/admin/appeals, /admin/appeals); every admin read and every
 * decision appends to the audit chain in the transaction that makes it.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "audit.h"
#include "colour.h"
#include "person.h"
#include "valid.h"

#define MINE_MAX	100	/* a user's appeals listed, newest first */

enum status {
	ST_OPEN,
	ST_UPHELD,
	ST_OVERRIDDEN,
	ST__MAX
};

static const char *const status_names[ST__MAX] = {
	"open", "upheld", "overridden"
};

/* Adds the labels a page shows for a status and colours, from o's own keys. */
static void
add_labels(struct ctx *c, cJSON *o)
{
	const cJSON *v;
	char key[32];

	v = cJSON_GetObjectItemCaseSensitive(o, "status");
	snprintf(key, sizeof(key), "appeal_status_%s", v->valuestring);
	cJSON_AddStringToObject(o, "status_label", page_text(c, key));
	cJSON_AddBoolToObject(o, "is_open", strcmp(v->valuestring,
	    "open") == 0);
	v = cJSON_GetObjectItemCaseSensitive(o, "color");
	if (cJSON_IsString(v))
		cJSON_AddStringToObject(o, "color_label",
		    page_colour_label(c, v->valuestring));
	v = cJSON_GetObjectItemCaseSensitive(o, "decided_color");
	if (cJSON_IsString(v))
		cJSON_AddStringToObject(o, "decided_color_label",
		    page_colour_label(c, v->valuestring));
}

/* ---- the user's side ------------------------------------------------ */

/*
 * Files an appeal of the signed-in account's own person, whose colour
 * now is red or yellow, with reason.  0 with *id, or 409
 * no_declaration_today (no identity bound, as the code says),
 * not_appealable (green), appeal_open (one is open), or 500, with e.
 */
static int
appeal_file(struct ctx *c, const char *reason, int64_t *id,
    struct in_err *e)
{
	struct db *db = c->app->db;
	struct rules_result res;
	struct person p;
	struct db_stmt *s;
	int rc, st;

	if (db_begin(db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	if ((rc = person_self(c, &p)) != 1) {
		st = rc == 0 ? in_err(e, 409, "no_declaration_today", NULL,
		    NULL) : in_err(e, 500, "internal", NULL, NULL);
		goto out;
	}
	if (colour_of(c, p.id, p.id_hash, &res) == -1)
		goto err;
	if (res.color == COLOR_GREEN) {
		st = in_err(e, 409, "not_appealable", NULL, NULL);
		goto out;
	}
	s = db_stmt(db, SQL_APPEAL_OPEN_OF);
	db_bind_int(s, 1, p.id);
	rc = db_step(s);
	db_reset(s);
	if (rc == DB_ERR)
		goto err;
	if (rc == DB_ROW) {
		st = in_err(e, 409, "appeal_open", NULL, NULL);
		goto out;
	}
	s = db_stmt(db, SQL_APPEAL_INSERT);
	db_bind_int(s, 1, c->account_id);
	db_bind_int(s, 2, p.id);
	db_bind_text(s, 3, reason);
	db_bind_text(s, 4, color_name(res.color));
	db_bind_int(s, 5, res.reasons);
	db_bind_int(s, 6, c->now);
	if ((rc = db_step(s)) == DB_ROW)
		*id = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW)
		goto err;
	if (db_commit(db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	return 0;
err:
	st = in_err(e, 500, "internal", NULL, NULL);
out:
	db_rollback(db);
	return st;
}

/*
 * Returns the signed-in account's appeals, newest first, as the API
 * shows them (with labels, for the page too); NULL on a database error.
 */
static cJSON *
appeals_mine(struct ctx *c, int labels)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_APPEALS_MINE);
	cJSON *arr = cJSON_CreateArray(), *o;
	int rc;

	db_bind_int(s, 1, c->account_id);
	db_bind_int(s, 2, MINE_MAX);
	while ((rc = db_step(s)) == DB_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)db_col_int(s, 0));
		cJSON_AddStringToObject(o, "status", db_col_text(s, 1));
		cJSON_AddStringToObject(o, "color", db_col_text(s, 2));
		cJSON_AddStringToObject(o, "reason", db_col_text(s, 3));
		json_col_time(o, "created_at", s, 4);
		json_col_text(o, "note", s, 5);
		json_col_text(o, "decided_color", s, 6);
		json_col_text(o, "until", s, 7);
		if (labels)
			add_labels(c, o);
		cJSON_AddItemToArray(arr, o);
	}
	return rows_done(s, rc, arr);
}

/*
 * POST /api/v1/appeals {"reason"} (1-500 characters, line breaks the
 * only control characters): 201 {"id"}; 400 missing_field, wrong_type,
 * invalid_reason; 401; 409 no_declaration_today (no identity bound),
 * not_appealable (the code is green), appeal_open.
 */
void
api_appeal_create(struct ctx *c)
{
	const char *reason;
	struct in_err e;
	int64_t id;
	cJSON *o;

	if (in_str(c, "reason", note_valid, "invalid_reason", &reason, &e) ||
	    appeal_file(c, reason, &id, &e)) {
		api_in_error(c, &e);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)id);
	api_json(c, 201, o);
	cJSON_Delete(o);
}

/*
 * GET /api/v1/appeals: 200 {"appeals":[{"id","status","color","reason",
 * "created_at","note","decided_color","until"}]}, newest first (note,
 * decided_color and until null until decided); 401.
 */
void
api_appeals(struct ctx *c)
{
	api_object(c, NULL, "appeals", appeals_mine(c, 0));
}

/*
 * Renders /appeal: the code's colour now, the form while it can be
 * appealed, the account's appeals; with the error (and what was typed)
 * when e is set.
 */
static void
appeal_page(struct ctx *c, int status, const struct in_err *e)
{
	struct rules_result res;
	struct person p;
	const cJSON *it;
	const char *v;
	cJSON *d, *mine;
	int rc, open = 0;

	if ((mine = appeals_mine(c, 1)) == NULL ||
	    (rc = person_self(c, &p)) == -1 ||
	    (rc == 1 && colour_of(c, p.id, p.id_hash, &res) == -1)) {
		cJSON_Delete(mine);
		page_error(c, 500, "internal");
		return;
	}
	cJSON_ArrayForEach(it, mine)
		open |= cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it,
		    "is_open"));
	d = cJSON_CreateObject();
	if (rc == 1) {
		cJSON_AddBoolToObject(d, "bound", 1);
		cJSON_AddStringToObject(d, "color", color_name(res.color));
		cJSON_AddStringToObject(d, "color_label", page_colour_label(c,
		    color_name(res.color)));
		if (res.reasons)
			colour_reasons(c, d, "reasons", res.reasons, 1);
		cJSON_AddBoolToObject(d, "green", res.color == COLOR_GREEN);
		cJSON_AddBoolToObject(d, "appealable",
		    res.color != COLOR_GREEN && !open);
	}
	cJSON_AddBoolToObject(d, "has_open", open);
	cJSON_AddBoolToObject(d, "has_appeals", cJSON_GetArraySize(mine) > 0);
	cJSON_AddItemToObject(d, "appeals", mine);
	if (e != NULL) {
		if ((v = kv_get(&c->req->form, "reason")) != NULL &&
		    utf8_valid(v, strlen(v)) && strlen(v) <= 4 * NOTE_CHARS)
			cJSON_AddStringToObject(d, "reason", v);
		page_in_error(c, d, e);
	}
	page_render(c, status, "appeal.html", "appeal_title", d);
}

/* GET /appeal: my code's colour, the appeal form, my appeals. 200. */
void
page_appeal(struct ctx *c)
{
	appeal_page(c, 200, NULL);
}

/* POST /appeal (reason): 303 /appeal; 400/409 the page with the error. */
void
page_appeal_post(struct ctx *c)
{
	const char *reason;
	struct in_err e;
	int64_t id;
	int st;

	if ((st = in_str(c, "reason", note_valid, "invalid_reason", &reason,
	    &e)) != 0 || (st = appeal_file(c, reason, &id, &e)) != 0) {
		if (st == 500)
			page_error(c, 500, "internal");
		else
			appeal_page(c, st, &e);
		return;
	}
	resp_redirect(c->resp, 303, "/appeal");
}

/* ---- the authority's side ------------------------------------------- */

/* Adds {"color","reasons"} as key to o (with labels: the texts). */
static void
add_colour(struct ctx *c, cJSON *o, const char *key, enum color col,
    unsigned reasons, int labels)
{
	cJSON *k = cJSON_AddObjectToObject(o, key);

	cJSON_AddStringToObject(k, "color", color_name(col));
	if (labels)
		cJSON_AddStringToObject(k, "color_label", page_colour_label(c,
		    color_name(col)));
	colour_reasons(c, k, "reasons", reasons, labels);
}

/*
 * Reads a page of the appeals of status st as the authority sees them:
 * the masked person, the colour and reasons when filed and now, the
 * reason, the decision; and appends the read to the audit chain
 * (appeals.read), all in one transaction.  Adds "appeals" and "next" to
 * out; 0 or -1.
 */
static int
appeals_list(struct ctx *c, enum status st, const struct paging *pg,
    int labels, cJSON *out)
{
	struct db *db = c->app->db;
	struct {
		int64_t	person;
		char	id_hash[65];
		cJSON	*o;
	} rows[PAGING_MAX];
	struct rules_result res;
	struct db_stmt *s;
	char name[NAME_MASKED_BYTES];
	enum color col;
	cJSON *arr, *o, *ids, *det;
	int64_t last = 0;
	int rc, n = 0, i;

	if (db_begin(db) == -1)
		return -1;
	arr = cJSON_AddArrayToObject(out, "appeals");
	s = db_stmt(db, SQL_APPEALS_LIST);
	db_bind_text(s, 1, status_names[st]);
	db_bind_int(s, 2, pg->after);
	db_bind_int(s, 3, pg->limit);
	while ((rc = db_step(s)) == DB_ROW && n < pg->limit) {
		o = cJSON_CreateObject();
		last = db_col_int(s, 0);
		cJSON_AddNumberToObject(o, "id", (double)last);
		cJSON_AddStringToObject(o, "status", db_col_text(s, 1));
		json_col_time(o, "created_at", s, 5);
		name_mask(db_col_text(s, 12), name, sizeof(name));
		cJSON_AddStringToObject(o, "name_masked", name);
		cJSON_AddStringToObject(o, "id_masked", db_col_text(s, 13));
		cJSON_AddStringToObject(o, "reason", db_col_text(s, 4));
		if (color_parse(db_col_text(s, 2), &col) == -1)
			col = COLOR_RED;	/* the schema allows yellow, red */
		add_colour(c, o, "filed", col, (unsigned)db_col_int(s, 3),
		    labels);
		if (st != ST_OPEN) {
			json_col_text(o, "note", s, 6);
			json_col_text(o, "decided_color", s, 7);
			json_col_text(o, "until", s, 8);
			json_col_time(o, "decided_at", s, 9);
		}
		if (labels)
			add_labels(c, o);
		rows[n].person = db_col_int(s, 10);
		snprintf(rows[n].id_hash, sizeof(rows[n].id_hash), "%s",
		    db_col_text(s, 11));
		rows[n].o = o;
		cJSON_AddItemToArray(arr, o);
		n++;
	}
	db_reset(s);
	if (rc == DB_ERR)
		goto err;
	/* The colour now, after the statement is done: colour_of writes. */
	for (i = 0; i < n; i++) {
		if (colour_of(c, rows[i].person, rows[i].id_hash, &res) == -1)
			goto err;
		add_colour(c, rows[i].o, "now", res.color, res.reasons, labels);
	}
	paging_next(out, pg, n, last);
	det = cJSON_CreateObject();
	cJSON_AddStringToObject(det, "status", status_names[st]);
	ids = cJSON_AddArrayToObject(det, "appeals");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(ids, cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(rows[i].o, "id"), 0));
	rc = audit_ctx(c, "appeals.read", "", det);
	cJSON_Delete(det);
	if (rc == -1 || db_commit(db) == -1)
		goto err;
	return 0;
err:
	db_rollback(db);
	return -1;
}

/*
 * GET /api/v1/admin/appeals?status=open|upheld|overridden&after=ID&limit=N
 * (open, 0 and 50 by default; oldest first): 200 {"appeals":[{"id",
 * "status","created_at","name_masked","id_masked","reason","filed":
 * {"color","reasons"},"now":{"color","reasons"}, decided: "note",
 * "decided_color","until","decided_at"}],"next":ID|null}, audited
 * (appeals.read); 400 invalid_status, bad_query; 401; 403.
 */
void
api_admin_appeals(struct ctx *c)
{
	struct paging pg;
	struct in_err e;
	int st;
	cJSON *o;

	if (in_status_page(c, status_names, ST__MAX, &st, &pg, &e)) {
		api_in_error(c, &e);
		return;
	}
	o = cJSON_CreateObject();
	if (appeals_list(c, st, &pg, 0, o) == -1)
		api_err(c, 500, "internal");
	else
		api_json(c, 200, o);
	cJSON_Delete(o);
}

/* A decision as submitted, after validation. */
struct decision {
	int		 override;
	const char	*note;
	enum color	 color;		/* override only */
	char		 until[11];	/* override only: the last day */
};

/*
 * Reads a decision (JSON or form): "decision" uphold or override, "note"
 * (1-500 characters), and for override "color" and "until", a day from
 * today through today + appeal_override_days; color and until are
 * ignored for uphold.  0 or 400 with e.
 */
static int
decision_in(struct ctx *c, struct decision *d, struct in_err *e)
{
	const char *dec, *col, *until;
	char today[11], last[11];
	int st;

	memset(d, 0, sizeof(*d));
	if ((st = in_str(c, "decision", NULL, "invalid_decision", &dec, e)) ||
	    (st = in_str(c, "note", note_valid, "invalid_note", &d->note, e)))
		return st;
	if (strcmp(dec, "uphold") == 0)
		return 0;
	if (strcmp(dec, "override") != 0)
		return in_err(e, 400, "invalid_decision", "decision", NULL);
	d->override = 1;
	if ((st = in_str(c, "color", NULL, "invalid_color", &col, e)) ||
	    (st = in_str(c, "until", NULL, "invalid_until", &until, e)))
		return st;
	if (color_parse(col, &d->color) == -1)
		return in_err(e, 400, "invalid_color", "color", NULL);
	clock_day(c->now, today);
	day_add(today, (int)c->app->conf.appeal_override_days, last);
	if (strlen(until) != 10 || day_valid(until) != 0 ||
	    strcmp(until, today) < 0 || strcmp(until, last) > 0)
		return in_err(e, 400, "invalid_until", "until", NULL);
	memcpy(d->until, until, sizeof(d->until));
	return 0;
}

/*
 * Decides open appeal id by d, in one transaction: for an override the
 * person's colour from today through d->until (the cached colour goes
 * at once), the appeal closed, the audit entry (appeals.decide, the
 * person's identity hash).  0, or 404 not_found, 409 already_decided,
 * or 500 with e.
 */
static int
appeal_decide(struct ctx *c, int64_t id, const struct decision *d,
    struct in_err *e)
{
	struct db *db = c->app->db;
	struct db_stmt *s;
	char status[16], id_hash[65], today[11];
	int64_t person = 0;
	cJSON *det;
	int rc, st;

	if (db_begin(db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	s = db_stmt(db, SQL_APPEAL_GET);
	db_bind_int(s, 1, id);
	if ((rc = db_step(s)) == DB_ROW) {
		snprintf(status, sizeof(status), "%s", db_col_text(s, 0));
		person = db_col_int(s, 1);
		snprintf(id_hash, sizeof(id_hash), "%s", db_col_text(s, 2));
	}
	db_reset(s);
	if (rc == DB_ERR)
		goto err;
	if (rc == DB_DONE) {
		st = in_err(e, 404, "not_found", NULL, NULL);
		goto out;
	}
	if (strcmp(status, "open") != 0) {
		st = in_err(e, 409, "already_decided", NULL, NULL);
		goto out;
	}
	clock_day(c->now, today);
	if (d->override) {
		s = db_stmt(db, SQL_PERSON_OVERRIDE);
		db_bind_int(s, 1, person);
		db_bind_text(s, 2, color_name(d->color));
		db_bind_text(s, 3, today);
		db_bind_text(s, 4, d->until);
		db_bind_int(s, 5, c->now);
		if (db_run(s) == DB_ERR)
			goto err;
	}
	s = db_stmt(db, SQL_APPEAL_DECIDE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, status_names[d->override ? ST_OVERRIDDEN :
	    ST_UPHELD]);
	db_bind_text(s, 3, d->note);
	db_bind_text(s, 4, d->override ? color_name(d->color) : NULL);
	db_bind_text(s, 5, d->override ? d->until : NULL);
	db_bind_int(s, 6, c->account_id);
	db_bind_int(s, 7, c->now);
	if (db_run(s) == DB_ERR || db_changes(db) != 1)
		goto err;
	det = cJSON_CreateObject();
	cJSON_AddNumberToObject(det, "appeal", (double)id);
	cJSON_AddStringToObject(det, "decision", d->override ? "override" :
	    "uphold");
	if (d->override) {
		cJSON_AddStringToObject(det, "color", color_name(d->color));
		cJSON_AddStringToObject(det, "from", today);
		cJSON_AddStringToObject(det, "until", d->until);
	}
	rc = audit_ctx(c, "appeals.decide", id_hash, det);
	cJSON_Delete(det);
	if (rc == -1)
		goto err;
	if (db_commit(db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	return 0;
err:
	st = in_err(e, 500, "internal", NULL, NULL);
out:
	db_rollback(db);
	return st;
}

/* Reads the route's {id}, validates the body and decides: 0 or a status with e. */
static int
decide(struct ctx *c, int64_t *id, struct decision *d, struct in_err *e)
{
	long long v;
	int st;

	if (!v_int(c->req->params[0], 1, INT64_MAX, &v))
		return in_err(e, 404, "not_found", NULL, NULL);
	*id = v;
	if ((st = decision_in(c, d, e)) != 0)
		return st;
	return appeal_decide(c, *id, d, e);
}

/*
 * POST /api/v1/admin/appeals/{id}/decision {"decision":"uphold|override",
 * "note","color"?,"until"?}: 200 {"id","status","decided_color","until"};
 * 400 missing_field, wrong_type, invalid_decision, invalid_note,
 * invalid_color, invalid_until; 401; 403; 404; 409 already_decided.
 */
void
api_admin_appeal_decide(struct ctx *c)
{
	struct decision d;
	struct in_err e;
	int64_t id;
	cJSON *o;

	if (decide(c, &id, &d, &e) != 0) {
		api_in_error(c, &e);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddStringToObject(o, "status", status_names[d.override ?
	    ST_OVERRIDDEN : ST_UPHELD]);
	if (d.override) {
		cJSON_AddStringToObject(o, "decided_color",
		    color_name(d.color));
		cJSON_AddStringToObject(o, "until", d.until);
	} else {
		cJSON_AddNullToObject(o, "decided_color");
		cJSON_AddNullToObject(o, "until");
	}
	api_json(c, 200, o);
	cJSON_Delete(o);
}

/*
 * Renders /admin/appeals: the page of appeals of the query's status
 * (audited), open ones with their decision forms; with the error of a
 * decision on appeal err_id when e is set.
 */
static void
admin_page(struct ctx *c, int status, const struct in_err *e, int64_t err_id)
{
	struct paging pg;
	struct in_err qe;
	int st;
	char today[11], last[11];
	cJSON *d;

	if (in_status_page(c, status_names, ST__MAX, &st, &pg, &qe)) {
		page_error(c, 400, qe.code);
		return;
	}
	d = cJSON_CreateObject();
	if (appeals_list(c, st, &pg, 1, d) == -1) {
		cJSON_Delete(d);
		page_error(c, 500, "internal");
		return;
	}
	clock_day(c->now, today);
	day_add(today, (int)c->app->conf.appeal_override_days, last);
	cJSON_AddStringToObject(d, "status", status_names[st]);
	cJSON_AddBoolToObject(d, "listing_open", st == ST_OPEN);
	cJSON_AddBoolToObject(d, "has_appeals", cJSON_GetArraySize(
	    cJSON_GetObjectItemCaseSensitive(d, "appeals")) > 0);
	cJSON_AddStringToObject(d, "today", today);
	cJSON_AddStringToObject(d, "until_max", last);
	if (e != NULL) {
		cJSON_AddNumberToObject(d, "error_appeal", (double)err_id);
		page_in_error(c, d, e);
	}
	page_render(c, status, "admin_appeals.html", "admin_appeals_title", d);
}

/*
 * GET /admin/appeals?status=&after=: the appeals and decision forms;
 * 400; 401 (to /login); 403.
 */
void
page_admin_appeals(struct ctx *c)
{
	admin_page(c, 200, NULL, 0);
}

/*
 * POST /admin/appeals/{id}/decision (decision, note, color, until,
 * _csrf): 303 /admin/appeals; 400/404/409 the page with the error.
 */
void
page_admin_appeal_decide(struct ctx *c)
{
	struct decision d;
	struct in_err e;
	int64_t id = 0;
	int st;

	if ((st = decide(c, &id, &d, &e)) != 0) {
		if (st == 500)
			page_error(c, 500, "internal");
		else
			admin_page(c, st, &e, id);
		return;
	}
	resp_redirect(c->resp, 303, "/admin/appeals");
}
