/*
 * Identity disputes: someone else bound this identity first, so the
 * declaration answers identity_in_use and the person could never get a
 * code.  The account refused files a dispute with the document (checked
 * exactly as when binding) and a reason; an admin who has checked the
 * papers moves the person to it (person_move_self: the account that
 * held it loses it, and is told why by a notice) or rejects the
 * dispute.  Reads of the list and decisions are audited.  The account's
 * notices are dismissed here too: a moved identity is the one kind.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "audit.h"
#include "notice.h"
#include "person.h"
#include "ratelimit.h"
#include "valid.h"

#define MINE_MAX	100	/* a user's disputes listed, newest first */

enum status {
	ST_OPEN,
	ST_MOVED,
	ST_REJECTED,
	ST__MAX
};

static const char *const status_names[ST__MAX] = {
	"open", "moved", "rejected"
};

/* Adds the masked name of column col as "name_masked". */
static void
add_name(cJSON *o, struct db_stmt *s, int col)
{
	char name[NAME_MASKED_BYTES];

	name_mask(db_col_text(s, col), name, sizeof(name));
	cJSON_AddStringToObject(o, "name_masked", name);
}

/* With labels: the page's label of o's status, and whether it is open. */
static void
add_labels(struct ctx *c, cJSON *o, int labels)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "status");
	char key[32];

	if (!labels)
		return;
	snprintf(key, sizeof(key), "dispute_status_%s", v->valuestring);
	cJSON_AddStringToObject(o, "status_label", page_text(c, key));
	cJSON_AddBoolToObject(o, "is_open", strcmp(v->valuestring,
	    "open") == 0);
}

/* ---- the user's side ------------------------------------------------ */

/* A dispute as submitted, after validation. */
struct dispute_in {
	struct identity	 id;
	const char	*reason;
};

/* Reads the document and the reason (JSON or form); 0 or 400/500 with e. */
static int
dispute_input(struct ctx *c, struct dispute_in *in, struct in_err *e)
{
	const char *name, *type, *number, *nat;
	enum field f;
	int st;

	memset(in, 0, sizeof(*in));
	if ((st = in_field(e, req_str(c->req, "name", NULL, &name), "name",
	    "invalid_name", NULL)) ||
	    (st = in_field(e, req_str(c->req, "id_type", NULL, &type),
	    "id_type", "invalid_id_type", NULL)) ||
	    (st = in_field(e, req_str(c->req, "id_number", NULL, &number),
	    "id_number", "invalid_id_number", NULL)))
		return st;
	/* Only passports need it: person_identity says when it is missing. */
	if ((f = req_str(c->req, "nationality", NULL, &nat)) == FIELD_TYPE)
		return in_err(e, 400, "wrong_type", "nationality", NULL);
	if ((st = person_identity(c, name, type, number, f == FIELD_OK ?
	    nat : NULL, &in->id, e)) != 0)
		return st;
	if ((st = in_str(c, "reason", note_valid, "invalid_reason",
	    &in->reason, e)) != 0)
		explicit_bzero(in->id.number, sizeof(in->id.number));
	return st;
}

/*
 * Files a dispute by the signed-in account over the person in->id
 * names.  0 with *id, or 409 identity_bound (the account has its own
 * person), not_disputed (no such person, nobody's own: declare to bind
 * it, or another name on record: one answer, so that it tells nothing of
 * an ID number alone), dispute_open, 429 identity_tries (Retry-After),
 * or 500, with e.  Each filing that looks a person up is an identity try
 * (ratelimit.h), counted even when refused.
 */
static int
dispute_file(struct ctx *c, struct dispute_in *in, int64_t *id,
    struct in_err *e)
{
	struct db *db = c->app->db;
	struct person p;
	struct db_stmt *s;
	long wait;
	int rc, st;

	if (db_begin(db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	if ((rc = person_self(c, &p)) != 0) {
		st = rc == 1 ? in_err(e, 409, "identity_bound", NULL, NULL) :
		    in_err(e, 500, "internal", NULL, NULL);
		goto out;
	}
	if ((wait = ratelimit_identity_check(c)) != 0) {
		if (wait < 0)
			goto err;
		resp_header(c->resp, "Retry-After", "%ld", wait);
		st = in_err(e, 429, "identity_tries", NULL, NULL);
		goto out;
	}
	/* person_find may move a passport person to its new key: a write. */
	if ((rc = person_find(c, &in->id, &p)) == 1)
		rc = strcmp(p.name, in->id.name) != 0 ? 0 :
		    person_holder(c, p.id, NULL);
	if (rc == -1)
		goto err;
	if (rc == 0) {
		/* The try counts: committed with the refusal. */
		if (ratelimit_identity_add(c, "not_disputed") == -1 ||
		    db_commit(db) == -1)
			goto err;
		return in_err(e, 409, "not_disputed", "id_number", NULL);
	}
	s = db_stmt(db, SQL_DISPUTE_OPEN_OF);
	db_bind_int(s, 1, c->account_id);
	db_bind_int(s, 2, p.id);
	rc = db_step(s);
	db_reset(s);
	if (rc == DB_ERR)
		goto err;
	if (rc == DB_ROW) {
		st = in_err(e, 409, "dispute_open", NULL, NULL);
		goto out;
	}
	if (ratelimit_identity_add(c, "dispute filed") == -1)
		goto err;
	s = db_stmt(db, SQL_DISPUTE_INSERT);
	db_bind_int(s, 1, c->account_id);
	db_bind_int(s, 2, p.id);
	db_bind_text(s, 3, in->reason);
	db_bind_int(s, 4, c->now);
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

/* Validates and files a dispute; 0 with *id, or a status with e. */
static int
dispute_create(struct ctx *c, int64_t *id, struct in_err *e)
{
	struct dispute_in in;
	int st;

	if ((st = dispute_input(c, &in, e)) != 0)
		return st;
	st = dispute_file(c, &in, id, e);
	explicit_bzero(in.id.number, sizeof(in.id.number));
	return st;
}

/* Returns the signed-in account's disputes, newest first; NULL on an error. */
static cJSON *
disputes_mine(struct ctx *c, int labels)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_DISPUTES_MINE);
	cJSON *arr = cJSON_CreateArray(), *o;
	int rc;

	db_bind_int(s, 1, c->account_id);
	db_bind_int(s, 2, MINE_MAX);
	while ((rc = db_step(s)) == DB_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)db_col_int(s, 0));
		cJSON_AddStringToObject(o, "status", db_col_text(s, 1));
		json_col_time(o, "created_at", s, 2);
		add_name(o, s, 5);
		cJSON_AddStringToObject(o, "id_masked", db_col_text(s, 6));
		json_col_text(o, "note", s, 3);
		json_col_time(o, "decided_at", s, 4);
		add_labels(c, o, labels);
		cJSON_AddItemToArray(arr, o);
	}
	return rows_done(s, rc, arr);
}

/*
 * POST /api/v1/disputes {"name","id_type","id_number","nationality"
 * (passports),"reason"}: 201 {"id"}; 400 missing_field, wrong_type, the
 * document's invalid_* (as a declaration), invalid_reason; 401; 409
 * identity_bound, not_disputed, dispute_open; 429 identity_tries.
 */
void
api_dispute_create(struct ctx *c)
{
	struct in_err e;
	int64_t id;
	cJSON *o;

	if (dispute_create(c, &id, &e) != 0) {
		api_in_error(c, &e);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)id);
	api_json(c, 201, o);
	cJSON_Delete(o);
}

/*
 * GET /api/v1/disputes: 200 {"disputes":[{"id","status","created_at",
 * "name_masked","id_masked","note","decided_at"}]}, newest first; 401.
 */
void
api_disputes(struct ctx *c)
{
	api_object(c, NULL, "disputes", disputes_mine(c, 0));
}

/* Renders /dispute: the form (unless bound) and my disputes; e in place. */
static void
dispute_page(struct ctx *c, int status, const struct in_err *e)
{
	const struct kvlist *f = &c->req->form;
	struct person p;
	const char *v;
	cJSON *d, *mine;
	int rc;

	if ((mine = disputes_mine(c, 1)) == NULL ||
	    (rc = person_self(c, &p)) == -1) {
		cJSON_Delete(mine);
		page_error(c, 500, "internal");
		return;
	}
	d = cJSON_CreateObject();
	cJSON_AddBoolToObject(d, "bound", rc == 1);
	cJSON_AddBoolToObject(d, "has_disputes", cJSON_GetArraySize(mine) > 0);
	cJSON_AddItemToObject(d, "disputes", mine);
	cJSON_AddItemReferenceToObject(d, "countries",
	    c->app->country_options);
	if (e != NULL) {
		/* What was typed, but not the document's number. */
		if ((v = kv_get(f, "name")) != NULL && v_text(v, 1, 128))
			cJSON_AddStringToObject(d, "name", v);
		if ((v = kv_get(f, "id_type")) != NULL &&
		    strcmp(v, "passport") == 0)
			cJSON_AddBoolToObject(d, "passport", 1);
		if ((v = kv_get(f, "reason")) != NULL &&
		    utf8_valid(v, strlen(v)) && strlen(v) <= 4 * NOTE_CHARS)
			cJSON_AddStringToObject(d, "reason", v);
		page_in_error(c, d, e);
	}
	page_render(c, status, "dispute.html", "dispute_title", d);
}

/* GET /dispute: the form to dispute an identity in use, and my disputes. 200. */
void
page_dispute(struct ctx *c)
{
	dispute_page(c, 200, NULL);
}

/*
 * POST /dispute (name, id_type, id_number, nationality, reason): 303
 * /dispute; 400/409/429 the form with the error.
 */
void
page_dispute_post(struct ctx *c)
{
	struct in_err e;
	int64_t id;
	int st;

	if ((st = dispute_create(c, &id, &e)) != 0) {
		if (st == 500)
			page_error(c, 500, "internal");
		else
			dispute_page(c, st, &e);
		return;
	}
	resp_redirect(c->resp, 303, "/dispute");
}

/*
 * POST /api/v1/notices/seen (no body): the account's notices are
 * dismissed. 200 {"seen":N}; 401.
 */
void
api_notices_seen(struct ctx *c)
{
	char body[32];
	int64_t n;

	if ((n = notices_seen(c)) == -1) {
		api_err(c, 500, "internal");
		return;
	}
	snprintf(body, sizeof(body), "{\"seen\":%lld}", (long long)n);
	resp_json(c->resp, 200, body);
}

/* POST /notices/seen (_csrf): 303 /, the notices dismissed. */
void
page_notices_seen_post(struct ctx *c)
{
	if (notices_seen(c) == -1) {
		page_error(c, 500, "internal");
		return;
	}
	resp_redirect(c->resp, 303, "/");
}

/* ---- the authority's side ------------------------------------------- */

/*
 * Reads a page of the disputes of status st as the authority sees them:
 * the masked person, both accounts' masked phones, whether the
 * disputing account has bound a person of its own since, the reason,
 * the decision; and appends the read to the audit chain (disputes.read)
 * in the same transaction.  Adds "disputes" and "next" to out; 0 or -1.
 */
static int
disputes_list(struct ctx *c, enum status st, const struct paging *pg,
    int labels, cJSON *out)
{
	struct db *db = c->app->db;
	struct db_stmt *s;
	cJSON *arr, *o, *det, *ids;
	int64_t last = 0;
	int rc, n = 0;

	if (db_begin(db) == -1)
		return -1;
	arr = cJSON_AddArrayToObject(out, "disputes");
	det = cJSON_CreateObject();
	cJSON_AddStringToObject(det, "status", status_names[st]);
	ids = cJSON_AddArrayToObject(det, "disputes");
	s = db_stmt(db, SQL_DISPUTES_LIST);
	db_bind_text(s, 1, status_names[st]);
	db_bind_int(s, 2, pg->after);
	db_bind_int(s, 3, pg->limit);
	while ((rc = db_step(s)) == DB_ROW) {
		o = cJSON_CreateObject();
		last = db_col_int(s, 0);
		cJSON_AddNumberToObject(o, "id", (double)last);
		cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)last));
		cJSON_AddStringToObject(o, "status", db_col_text(s, 1));
		json_col_time(o, "created_at", s, 3);
		add_name(o, s, 6);
		cJSON_AddStringToObject(o, "id_masked", db_col_text(s, 7));
		cJSON_AddStringToObject(o, "id_type", db_col_text(s, 8));
		cJSON_AddStringToObject(o, "reason", db_col_text(s, 2));
		cJSON_AddStringToObject(o, "claimant_phone",
		    db_col_text(s, 9));
		if (*db_col_text(s, 10) != '\0')
			cJSON_AddStringToObject(o, "holder_phone",
			    db_col_text(s, 10));
		else
			cJSON_AddNullToObject(o, "holder_phone");
		cJSON_AddBoolToObject(o, "claimant_bound", db_col_int(s, 11));
		if (st != ST_OPEN) {
			json_col_text(o, "note", s, 4);
			json_col_time(o, "decided_at", s, 5);
		}
		add_labels(c, o, labels);
		cJSON_AddItemToArray(arr, o);
		n++;
	}
	db_reset(s);
	if (rc == DB_ERR) {
		cJSON_Delete(det);
		goto err;
	}
	paging_next(out, pg, n, last);
	rc = audit_ctx(c, "disputes.read", "", det);
	cJSON_Delete(det);
	if (rc == -1 || db_commit(db) == -1)
		goto err;
	return 0;
err:
	db_rollback(db);
	return -1;
}

/*
 * GET /api/v1/admin/disputes?status=open|moved|rejected&after=ID&limit=N
 * (open, 0 and 50 by default; oldest first): 200 {"disputes":[{"id",
 * "status","created_at","name_masked","id_masked","id_type","reason",
 * "claimant_phone","holder_phone","claimant_bound", decided: "note",
 * "decided_at"}],"next":ID|null}, audited (disputes.read); 400
 * invalid_status, bad_query; 401; 403.
 */
void
api_admin_disputes(struct ctx *c)
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
	if (disputes_list(c, st, &pg, 0, o) == -1)
		api_err(c, 500, "internal");
	else
		api_json(c, 200, o);
	cJSON_Delete(o);
}

/*
 * Decides open dispute id, in one transaction: a move gives the person
 * to the disputing account (person_move_self), tells the account that
 * held it (a notice) and drops its open appeals about the person; then
 * the dispute is closed and the audit entry added (disputes.decide,
 * the person's identity hash).  0, or 404 not_found, 409
 * already_decided or identity_bound (the disputing account has bound a
 * person of its own meanwhile), or 500, with e.
 */
static int
dispute_decide(struct ctx *c, int64_t id, int move, const char *note,
    struct in_err *e)
{
	struct db *db = c->app->db;
	struct db_stmt *s;
	char status[16], id_hash[65];
	int64_t claimant = 0, person = 0, from = 0;
	cJSON *det;
	int rc, st;

	if (db_begin(db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	s = db_stmt(db, SQL_DISPUTE_GET);
	db_bind_int(s, 1, id);
	if ((rc = db_step(s)) == DB_ROW) {
		snprintf(status, sizeof(status), "%s", db_col_text(s, 0));
		claimant = db_col_int(s, 1);
		person = db_col_int(s, 2);
		snprintf(id_hash, sizeof(id_hash), "%s", db_col_text(s, 3));
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
	if (move) {
		if ((st = person_move_self(c, person, claimant, &from, e)) != 0)
			goto out;
		if (from != 0) {
			if (notice_add(c->app, from, "identity_moved",
			    c->now) == -1)
				goto err;
			s = db_stmt(db, SQL_DISPUTE_DROP_APPEALS);
			db_bind_int(s, 1, person);
			db_bind_int(s, 2, from);
			if (db_run(s) == DB_ERR)
				goto err;
		}
	}
	s = db_stmt(db, SQL_DISPUTE_DECIDE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, status_names[move ? ST_MOVED : ST_REJECTED]);
	db_bind_text(s, 3, note);
	db_bind_int(s, 4, c->account_id);
	db_bind_int(s, 5, c->now);
	if (db_run(s) == DB_ERR || db_changes(db) != 1)
		goto err;
	det = cJSON_CreateObject();
	cJSON_AddNumberToObject(det, "dispute", (double)id);
	cJSON_AddStringToObject(det, "decision", move ? "move" : "reject");
	if (move) {
		cJSON_AddNumberToObject(det, "from_account", (double)from);
		cJSON_AddNumberToObject(det, "to_account", (double)claimant);
	}
	rc = audit_ctx(c, "disputes.decide", id_hash, det);
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

/*
 * Reads the route's {id} and the body's "decision" (move or reject) and
 * "note" (1-500 characters), and decides: 0 with *move, or a status
 * with e.
 */
static int
decide(struct ctx *c, int64_t *id, int *move, struct in_err *e)
{
	const char *dec, *note;
	long long v;
	int st;

	if (!v_int(c->req->params[0], 1, INT64_MAX, &v))
		return in_err(e, 404, "not_found", NULL, NULL);
	*id = v;
	if ((st = in_str(c, "decision", NULL, "invalid_decision", &dec, e)) ||
	    (st = in_str(c, "note", note_valid, "invalid_note", &note, e)))
		return st;
	if (strcmp(dec, "move") != 0 && strcmp(dec, "reject") != 0)
		return in_err(e, 400, "invalid_decision", "decision", NULL);
	*move = strcmp(dec, "move") == 0;
	return dispute_decide(c, *id, *move, note, e);
}

/*
 * POST /api/v1/admin/disputes/{id}/decision {"decision":"move|reject",
 * "note"}: 200 {"id","status"}; 400 missing_field, wrong_type,
 * invalid_decision, invalid_note; 401; 403; 404; 409 already_decided,
 * identity_bound (nothing changed).
 */
void
api_admin_dispute_decide(struct ctx *c)
{
	struct in_err e;
	int64_t id;
	int move;
	cJSON *o;

	if (decide(c, &id, &move, &e) != 0) {
		api_in_error(c, &e);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddStringToObject(o, "status", status_names[move ? ST_MOVED :
	    ST_REJECTED]);
	api_json(c, 200, o);
	cJSON_Delete(o);
}

/* Renders /admin/disputes (audited); the error of a decision on err_id when e is set. */
static void
admin_page(struct ctx *c, int status, const struct in_err *e, int64_t err_id)
{
	struct paging pg;
	struct in_err qe;
	int st;
	cJSON *d;

	if (in_status_page(c, status_names, ST__MAX, &st, &pg, &qe)) {
		page_error(c, 400, qe.code);
		return;
	}
	d = cJSON_CreateObject();
	if (disputes_list(c, st, &pg, 1, d) == -1) {
		cJSON_Delete(d);
		page_error(c, 500, "internal");
		return;
	}
	cJSON_AddStringToObject(d, "status", status_names[st]);
	cJSON_AddBoolToObject(d, "has_disputes", cJSON_GetArraySize(
	    cJSON_GetObjectItemCaseSensitive(d, "disputes")) > 0);
	if (e != NULL) {
		cJSON_AddNumberToObject(d, "error_dispute", (double)err_id);
		page_in_error(c, d, e);
	}
	page_render(c, status, "admin_disputes.html", "admin_disputes_title",
	    d);
}

/*
 * GET /admin/disputes?status=&after=: the disputes and decision forms;
 * 400; 401 (to /login); 403.
 */
void
page_admin_disputes(struct ctx *c)
{
	admin_page(c, 200, NULL, 0);
}

/*
 * POST /admin/disputes/{id}/decision (decision, note, _csrf): 303
 * /admin/disputes; 400/404/409 the page with the error.
 */
void
page_admin_dispute_decide(struct ctx *c)
{
	struct in_err e;
	int64_t id = 0;
	int move, st;

	if ((st = decide(c, &id, &move, &e)) != 0) {
		if (st == 500)
			page_error(c, 500, "internal");
		else
			admin_page(c, st, &e, id);
		return;
	}
	resp_redirect(c->resp, 303, "/admin/disputes");
}
