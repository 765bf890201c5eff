/*
 * Account deletion: a person may delete their account at any time, and
 * it is gone at once, not at the next purge.  What goes, in one
 * transaction (docs/retention.md):
 *
 * - the persons only this account holds (one also held by another
 *   account stays), and with them, by ON DELETE CASCADE, their
 *   declarations (and travel), daily codes, check-ins and the check
 *   records about them;
 * - the account, and with it its sessions, roles, links to persons and
 *   check-ins; the check records it made as a checker stay for tracing
 *   without it (checker_id SET NULL), and so do its venues and their
 *   visits (owner_id SET NULL);
 * - what the schema cannot reach: the phone's one-time codes and the
 *   keyed hashes of its rate-limit hits.
 *
 * Then the WAL is checkpointed and truncated: with secure_delete on, the
 * bytes are gone from the files, not only from the tables.
 *
 * GET /api/v1/me is here too: what the account is, and what it is told
 * (notice.h).
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/log.h"
#include "checklog.h"
#include "notice.h"
#include "ratelimit.h"
#include "session.h"
#include "valid.h"

/*
 * Deletes the signed-in account and everything only it holds, in one
 * transaction, then checkpoints the WAL.  0, or -1 (nothing deleted).
 */
static int
account_delete(struct ctx *c)
{
	struct app *a = c->app;
	struct db_stmt *s;
	char who[32], phone_key[65], fail_key[65], lookup_key[65];

	/*
	 * This worker's queued check records may name the account or its
	 * persons: written now, so they are deleted with the rest (and do
	 * not fail their foreign keys later).
	 */
	checklog_flush(a);
	ratelimit_key(a, "otp-phone", c->phone, phone_key);
	ratelimit_key(a, "otp-fail", c->phone, fail_key);
	snprintf(who, sizeof(who), "%lld", (long long)c->account_id);
	ratelimit_key(a, "lookup", who, lookup_key);

	if (db_begin(a->db) == -1)
		goto err;
	/* Persons first: "only this account" is read through its links. */
	s = db_stmt(a->db, SQL_ACCOUNT_DELETE_PERSONS);
	db_bind_int(s, 1, c->account_id);
	if (db_run(s) == DB_ERR)
		goto rollback;
	s = db_stmt(a->db, SQL_ACCOUNT_DELETE);
	db_bind_int(s, 1, c->account_id);
	if (db_run(s) == DB_ERR)
		goto rollback;
	s = db_stmt(a->db, SQL_OTP_DELETE_PHONE);
	db_bind_text(s, 1, c->phone);
	if (db_run(s) == DB_ERR)
		goto rollback;
	s = db_stmt(a->db, SQL_ACCOUNT_DELETE_RATE);
	db_bind_text(s, 1, phone_key);
	db_bind_text(s, 2, lookup_key);
	db_bind_text(s, 3, fail_key);
	if (db_run(s) == DB_ERR || db_commit(a->db) == -1)
		goto rollback;

	/* Retried by the next checkpoint (the purge's) if readers held it. */
	if (db_checkpoint(a->db) == -1)
		LOG("WAL checkpoint after an account deletion did not "
		    "complete");
	LOG("account deleted");
	session_forget(c);
	explicit_bzero(c->phone, sizeof(c->phone));
	return 0;
rollback:
	db_rollback(a->db);
err:
	LOG("cannot delete an account");
	return -1;
}

/*
 * GET /api/v1/me: 200 {"phone_masked","roles","notices":[{"kind","at"}]}
 * (notices not yet dismissed); 401 without a session.
 */
void
api_me(struct ctx *c)
{
	char masked[12];
	cJSON *o;

	mask_phone(c->phone, masked);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "phone_masked", masked);
	cJSON_AddItemToObject(o, "roles", ctx_roles(c, 0));
	api_object(c, o, "notices", notices_json(c, 0));
}

/*
 * DELETE /api/v1/me (no body): 200 {"deleted":true} and the session
 * cookie cleared; 401 without a session; 500 when nothing was deleted.
 */
void
api_me_delete(struct ctx *c)
{
	if (account_delete(c) == -1) {
		api_err(c, 500, "internal");
		return;
	}
	resp_json(c->resp, 200, "{\"deleted\":true}");
}

/* Renders the confirmation page, with the error next to the box if any. */
static void
delete_page(struct ctx *c, int status, const char *err)
{
	cJSON *d = cJSON_CreateObject();

	if (err != NULL) {
		cJSON_AddStringToObject(d, "error", page_msg(c, err));
		c->resp->err_code = err;
	}
	page_render(c, status, "account_delete.html", "account_delete_title",
	    d);
}

/* GET /account/delete: what deletion removes, and the form. 200. */
void
page_account_delete(struct ctx *c)
{
	delete_page(c, 200, NULL);
}

/*
 * POST /account/delete (confirm=1, _csrf): 303 /login with the session
 * cookie cleared; 400 the page with the error when the box is not
 * ticked (nothing deleted); 500 the error page.
 */
void
page_account_delete_post(struct ctx *c)
{
	const char *confirm = kv_get(&c->req->form, "confirm");

	if (confirm == NULL || strcmp(confirm, "1") != 0) {
		delete_page(c, 400, "confirm_required");
		return;
	}
	if (account_delete(c) == -1) {
		page_error(c, 500, "internal");
		return;
	}
	resp_redirect(c->resp, 303, "/login");
}
