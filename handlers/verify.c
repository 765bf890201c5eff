/*
 * Checkpoint verification (验码): a checker scans a code, or looks up a
 * person without a phone; codes of trusted regions verify offline with
 * their published keys.  Every check is recorded for tracing.  Anyone
 * who is not a checker sees no personal data.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "../fcgi/token.h"
#include "../fcgi/validate.h"
#include "app.h"
#include "ident.h"
#include "rules.h"

#define PLACE_MAX	60	/* bytes of the checkpoint's label */
#define CID_MAX		64

/* The outcome of one check. */
struct check {
	int		 valid;
	const char	*reason;	/* when not valid: a stable code */
	enum color	 color;
	char		 issuer[7];	/* "" when unknown */
	char		 cid[CID_MAX + 1];
	int64_t		 person_id;	/* ours only; 0 otherwise */
	char		 name_masked[160];
	char		 id_masked[24];
	/* Ours only, read before the signature is checked: */
	char		 id_hash[65];
	int		 color_cached;	/* the person's colour, known fresh */
	enum color	 color_now;	/* ... and that colour */
};

/* Not valid: nothing of a person stays (the record names none). */
static int
check_fail(struct check *k, const char *reason)
{
	k->valid = 0;
	k->reason = reason;
	k->person_id = 0;
	k->name_masked[0] = k->id_masked[0] = k->id_hash[0] = '\0';
	return -1;
}

/* The keyring of an issuer: ours, a trusted region's, or NULL. */
static const struct keyring *
issuer_keys(struct app *a, const char *region)
{
	size_t i;

	if (strcmp(region, a->cfg[CFG_REGION]) == 0)
		return &a->keys;
	for (i = 0; i < a->ntrusted; i++)
		if (strcmp(a->trusted[i].region, region) == 0)
			return &a->trusted[i].keys;
	return NULL;
}

enum { GONE, FOUND, KEPT };

/*
 * Reads the person behind the code id of one of our own tokens, not yet
 * checked, and, in the same read, a fresh cached colour (color_cached).
 * GONE (no such code id today, or no claim to look it up by), FOUND, KEPT
 * (and tok is exactly the token of the code kept under it), or -1.
 */
static int
code_person(struct ctx *c, const struct tok_parts *p, const char *tok,
    struct check *k)
{
	const cJSON *cid = cJSON_GetObjectItemCaseSensitive(p->claims, "cid");
	const char *kept;
	struct db_stmt *s;
	size_t len, klen;
	int rc;

	if (!cJSON_IsString(cid))
		return GONE;
	s = db_stmt(c->app->db, SQL_CODE_PERSON);
	db_bind_text(s, 1, cid->valuestring);
	db_bind_int(s, 2, c->now);
	db_bind_text(s, 3, c->app->rules_id);
	if ((rc = db_step(s)) != DB_ROW) {
		db_reset(s);
		return rc == DB_DONE ? GONE : -1;
	}
	k->person_id = db_col_int(s, 0);
	snprintf(k->id_hash, sizeof(k->id_hash), "%s", db_col_text(s, 1));
	snprintf(k->id_masked, sizeof(k->id_masked), "%s", db_col_text(s, 2));
	name_mask(db_col_text(s, 3), k->name_masked, sizeof(k->name_masked));
	k->color_cached = db_col_int(s, 4) &&
	    color_parse(db_col_text(s, 5), &k->color_now) == 0;
	/* The kept URL ends "/v/<token>"; tokens have no '/'. */
	rc = FOUND;
	kept = db_col_text(s, 6);
	klen = strlen(kept);
	if ((len = strlen(tok)) + 3 <= klen &&
	    memcmp(kept + klen - len - 3, "/v/", 3) == 0 &&
	    CRYPTO_memcmp(tok, kept + klen - len, len) == 0)
		rc = KEPT;
	db_reset(s);
	return rc;
}

/*
 * Checks a code token.  Order: form, algorithm (pinned to ES256), issuer
 * in the trust list, key known, signature, expiry; then, for our own
 * codes, the person's current colour, which wins over the colour at
 * issue.  0 valid, -1 with k->reason.
 */
static int
check_token(struct ctx *c, const char *tok, struct check *k)
{
	struct app *a = c->app;
	const struct keyring *ring;
	const struct key *key;
	const cJSON *iss, *cid, *col;
	struct tok_parts p;
	struct rules_result res;
	enum tok_status st;
	int rc = GONE;

	memset(k, 0, sizeof(*k));
	if (tok_open(tok, &p) != TOK_OK)
		return check_fail(k, "malformed");
	if (strcmp(p.alg, "ES256") != 0) {
		tok_close(&p);
		return check_fail(k, "wrong_algorithm");
	}
	/* Unverified, only to choose the key; trusted after the signature. */
	iss = cJSON_GetObjectItemCaseSensitive(p.claims, "iss");
	if (!cJSON_IsString(iss) || !v_digits(iss->valuestring, 6, 6)) {
		tok_close(&p);
		return check_fail(k, "malformed");
	}
	memcpy(k->issuer, iss->valuestring, 7);
	if ((ring = issuer_keys(a, k->issuer)) == NULL) {
		tok_close(&p);
		return check_fail(k, "unknown_issuer");
	}
	if (p.kid[0] == '\0' || (key = keyring_find(ring, p.kid)) == NULL) {
		tok_close(&p);
		return check_fail(k, "unknown_key");
	}

	/*
	 * Our own code: the person behind the code id, read before the
	 * signature check but used only after it; and the token kept when
	 * it was signed (migrations/0009): these very bytes need no P-256
	 * check again, any others get one.  A database error (-1) is told
	 * only of a token that passes every other check.
	 */
	if (ring == &a->keys)
		rc = code_person(c, &p, tok, k);
	if (ring == &a->keys && rc == KEPT)
		st = tok_check_known(&p, "ES256", c->now);
	else
		st = tok_check(tok, &p, "ES256", key->verifier, NULL, 0,
		    c->now);
	if (st != TOK_OK) {
		tok_close(&p);
		return check_fail(k, st == TOK_EXPIRED ? "expired" :
		    st == TOK_WRONG_ALG ? "wrong_algorithm" : st == TOK_BAD_SIG ?
		    "bad_signature" : "malformed");
	}
	cid = cJSON_GetObjectItemCaseSensitive(p.claims, "cid");
	col = cJSON_GetObjectItemCaseSensitive(p.claims, "col");
	if (!cJSON_IsString(cid) || *cid->valuestring == '\0' ||
	    strlen(cid->valuestring) > CID_MAX || !cJSON_IsString(col) ||
	    color_parse(col->valuestring, &k->color) == -1) {
		tok_close(&p);
		return check_fail(k, "malformed");
	}
	snprintf(k->cid, sizeof(k->cid), "%s", cid->valuestring);
	tok_close(&p);
	k->valid = 1;
	if (ring != &a->keys)
		return 0;	/* another region's code: its colour stands */

	if (rc == -1)
		return check_fail(k, "internal");
	/* Signed by us, but the person or the day's code is gone. */
	if (rc == GONE)
		return check_fail(k, "revoked");
	if (k->color_cached) {
		k->color = k->color_now;
		return 0;
	}
	if (health_colour(c, k->person_id, k->id_hash, &res) == -1)
		return check_fail(k, "internal");
	k->color = res.color;
	return 0;
}

/*
 * Check records are written in groups: one transaction per PENDING_MAX
 * checks or PENDING_MS milliseconds, whichever comes first, and when the
 * worker is idle or stops.  A transaction per check was a third of a
 * verification's time under load (the write lock and a WAL frame per
 * index); the price is that a worker killed outright loses at most the
 * last PENDING_MS of its check records, never a person's data.
 */
#define PENDING_MAX	256
#define PENDING_MS	50

struct pending {
	int64_t		 checker;
	const char	*method;	/* static strings */
	const char	*reason;
	const char	*color;
	char		 issuer[7];
	char		 cid[CID_MAX + 1];
	int64_t		 person_id;
	char		 place[PLACE_MAX + 1];
	int		 has_place;
	int		 valid;
	time_t		 at;
};

static struct pending	pending[PENDING_MAX];
static size_t		npending;
static struct timespec	pending_since;

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

void
verify_flush(struct app *a)
{
	struct db_stmt *s;
	struct pending *p;
	size_t i;

	if (npending == 0)
		return;
	if (db_begin(a->db) == -1)
		goto fail;
	for (i = 0; i < npending; i++) {
		p = &pending[i];
		s = db_stmt(a->db, SQL_VERIFY_INSERT);
		db_bind_int(s, 1, p->checker);
		db_bind_text(s, 2, p->method);
		db_bind_text(s, 3, p->issuer);
		db_bind_text(s, 4, p->cid[0] ? p->cid : NULL);
		if (p->person_id)
			db_bind_int(s, 5, p->person_id);
		db_bind_text(s, 6, p->has_place ? p->place : NULL);
		db_bind_int(s, 7, p->valid);
		db_bind_text(s, 8, p->reason);
		db_bind_text(s, 9, p->color);
		db_bind_int(s, 10, p->at);
		if (db_run(s) == DB_ERR) {
			db_rollback(a->db);
			goto fail;
		}
	}
	if (db_commit(a->db) == -1)
		goto fail;
	npending = 0;
	return;
fail:
	/* Kept for the next try; a full queue drops the oldest, logged. */
	LOG("cannot record %zu verification(s) yet", npending);
}

int
verify_idle(struct app *a, int now)
{
	long left;

	if (npending == 0)
		return -1;
	left = PENDING_MS - ms_since(&pending_since);
	if (now || left <= 0) {
		verify_flush(a);
		return npending ? PENDING_MS : -1;
	}
	return (int)left;
}

/* Records the check for tracing (see above); never fails the request. */
static void
record(struct ctx *c, const char *method, const struct check *k,
    const char *place)
{
	struct pending *p;

	if (npending == PENDING_MAX) {
		LOG("verification queue full: dropping the oldest record");
		memmove(pending, pending + 1, (PENDING_MAX - 1) *
		    sizeof(pending[0]));
		npending--;
	}
	if (npending == 0)
		clock_gettime(CLOCK_MONOTONIC, &pending_since);
	p = &pending[npending++];
	memset(p, 0, sizeof(*p));
	p->checker = c->account_id;
	p->method = method;
	memcpy(p->issuer, k->issuer, sizeof(p->issuer));
	memcpy(p->cid, k->cid, sizeof(p->cid));
	p->person_id = k->person_id;
	if (place != NULL) {
		snprintf(p->place, sizeof(p->place), "%s", place);
		p->has_place = 1;
	}
	p->valid = k->valid;
	p->reason = k->valid ? NULL : k->reason;
	p->color = k->valid ? color_name(k->color) : NULL;
	p->at = c->now;
	if (npending == PENDING_MAX || ms_since(&pending_since) >= PENDING_MS)
		verify_flush(c->app);
}

/* The JSON answer of a check. */
static void
check_json(struct ctx *c, const struct check *k)
{
	cJSON *o = cJSON_CreateObject();
	char at[26];

	clock_iso(c->now, at);
	cJSON_AddBoolToObject(o, "valid", k->valid);
	if (k->valid) {
		cJSON_AddStringToObject(o, "color", color_name(k->color));
		if (k->name_masked[0])
			cJSON_AddStringToObject(o, "name_masked", k->name_masked);
		if (k->id_masked[0])
			cJSON_AddStringToObject(o, "id_masked", k->id_masked);
		cJSON_AddStringToObject(o, "issuer", k->issuer);
	} else
		cJSON_AddStringToObject(o, "reason", k->reason);
	cJSON_AddStringToObject(o, "checked_at", at);
	api_json(c, 200, o);
	cJSON_Delete(o);
}

/* Reads the optional place label; 0, or -1 after answering 400. */
static int
place_of(struct ctx *c, const char **place)
{
	int why = req_str(c->req, "place", NULL, place);

	if (why == FIELD_MISSING) {
		*place = NULL;
		return 0;
	}
	if (why == FIELD_TYPE) {
		api_field_error(c, why, "place");
		return -1;
	}
	if (!v_text(*place, 0, PLACE_MAX)) {
		api_error(c, 400, "invalid_place", "place is at most 60 "
		    "characters of text");
		return -1;
	}
	return 0;
}

/*
 * POST /api/v1/verify {"token","place"} (checker)
 * 200 {"valid":true,"color","name_masked","id_masked","issuer","checked_at"}
 * or 200 {"valid":false,"reason","checked_at"}; 400 bad body; 401; 403.
 */
void
api_verify(struct ctx *c)
{
	const char *tok, *place;
	struct check k;
	int why;

	if ((why = req_str(c->req, "token", NULL, &tok)) != FIELD_OK) {
		api_field_error(c, why, "token");
		return;
	}
	if (place_of(c, &place) == -1)
		return;
	if (check_token(c, tok, &k) == -1 && strcmp(k.reason, "internal") == 0) {
		api_error(c, 500, "internal", page_msg(c, "internal"));
		return;
	}
	record(c, "scan", &k, place);
	check_json(c, &k);
}

/*
 * POST /api/v1/verify/lookup {"id_type","id_number","name","nationality",
 * "place"} (checker): for people without a phone.  200 as /verify, or
 * {"valid":false,"reason":"no_declaration_today"}; 400; 401; 403; 429.
 */
void
api_verify_lookup(struct ctx *c)
{
	const char *name, *type, *number, *nat = NULL, *place, *err;
	char hash[65], who[32], today[11];
	struct check k;
	struct db_stmt *s;
	struct rules_result res;
	long wait;
	int why, rc;

	if ((why = req_str(c->req, "name", NULL, &name)) != FIELD_OK) {
		api_field_error(c, why, "name");
		return;
	}
	if ((why = req_str(c->req, "id_type", NULL, &type)) != FIELD_OK) {
		api_field_error(c, why, "id_type");
		return;
	}
	if ((why = req_str(c->req, "id_number", NULL, &number)) != FIELD_OK) {
		api_field_error(c, why, "id_number");
		return;
	}
	if ((why = req_str(c->req, "nationality", NULL, &nat)) == FIELD_TYPE) {
		api_field_error(c, why, "nationality");
		return;
	}
	if (place_of(c, &place) == -1)
		return;
	if (health_identity_hash(c, name, type, number, why == FIELD_OK ? nat :
	    NULL, hash, &err) == -1) {
		api_error(c, 400, err, page_msg(c, err));
		return;
	}
	/* Lookups reveal health status by ID number: limited per checker. */
	snprintf(who, sizeof(who), "%lld", (long long)c->account_id);
	if (db_begin(c->app->db) == -1)
		goto dberr;
	wait = ratelimit_hit(c, "lookup", who, c->app->lookup_hourly, 3600);
	if (wait != 0 || db_commit(c->app->db) == -1) {
		db_rollback(c->app->db);
		if (wait <= 0)
			goto dberr;
		resp_header(c->resp, "Retry-After", "%ld", wait);
		api_error(c, 429, "rate_limited", page_msg(c, "rate_limited"));
		return;
	}

	memset(&k, 0, sizeof(k));
	memcpy(k.issuer, c->app->cfg[CFG_REGION], 7);
	clock_day(c->now, today);
	s = db_stmt(c->app->db, SQL_PERSON_LOOKUP);
	db_bind_text(s, 1, hash);
	rc = db_step(s);
	/* The name must match too; either miss reads as no declaration. */
	if (rc == DB_ROW && strcmp(db_col_text(s, 2), name) == 0) {
		k.person_id = db_col_int(s, 0);
		snprintf(k.id_masked, sizeof(k.id_masked), "%s",
		    db_col_text(s, 1));
		name_mask(db_col_text(s, 2), k.name_masked,
		    sizeof(k.name_masked));
	}
	db_reset(s);
	if (rc == DB_ERR)
		goto dberr;
	if (k.person_id != 0) {
		s = db_stmt(c->app->db, SQL_DECL_ON_DAY);
		db_bind_int(s, 1, k.person_id);
		db_bind_text(s, 2, today);
		rc = db_step(s);
		db_reset(s);
		if (rc == DB_ERR)
			goto dberr;
		if (rc == DB_ROW) {
			if (health_colour(c, k.person_id, hash, &res) == -1)
				goto dberr;
			k.valid = 1;
			k.color = res.color;
		}
	}
	if (!k.valid) {
		k.reason = "no_declaration_today";
		k.name_masked[0] = k.id_masked[0] = '\0';
	}
	record(c, "lookup", &k, place);
	check_json(c, &k);
	return;
dberr:
	api_error(c, 500, "internal", page_msg(c, "internal"));
}

/*
 * GET /v/{token}: what any camera opens.  A signed-in checker sees the
 * result big (and it is recorded); anyone else only that the code must be
 * shown to staff.  200.
 */
void
page_verify(struct ctx *c)
{
	cJSON *d = cJSON_CreateObject();
	struct check k;
	struct db_stmt *s;
	char at[26], key[48];

	if (!c->authed || !(c->roles & ROLE_CHECKER)) {
		cJSON_AddBoolToObject(d, "public", 1);
		page_render(c, 200, "verify.html", "verify_title", d);
		return;
	}
	if (check_token(c, c->req->params[0], &k) == -1 &&
	    strcmp(k.reason, "internal") == 0) {
		cJSON_Delete(d);
		page_error(c, 500, "internal");
		return;
	}
	record(c, "scan", &k, NULL);
	clock_iso(c->now, at);
	cJSON_AddStringToObject(d, "checked_at", at);
	if (k.valid) {
		cJSON_AddBoolToObject(d, "valid", 1);
		cJSON_AddStringToObject(d, "color", color_name(k.color));
		snprintf(key, sizeof(key), "color_%s", color_name(k.color));
		cJSON_AddStringToObject(d, "color_label", page_text(c, key));
		cJSON_AddStringToObject(d, "name_masked", k.name_masked);
		cJSON_AddStringToObject(d, "id_masked", k.id_masked);
		cJSON_AddStringToObject(d, "issuer", k.issuer);
		s = db_stmt(c->app->db, SQL_REGION_NAME);
		db_bind_text(s, 1, k.issuer);
		if (db_step(s) == DB_ROW)
			cJSON_AddStringToObject(d, "issuer_name",
			    db_col_text(s, 0));
		db_reset(s);
		if (strcmp(k.issuer, c->app->cfg[CFG_REGION]) != 0)
			cJSON_AddBoolToObject(d, "foreign", 1);
	} else {
		snprintf(key, sizeof(key), "verify_%s", k.reason);
		cJSON_AddStringToObject(d, "reason", page_text(c, key));
	}
	page_render(c, 200, "verify.html", "verify_title", d);
}
