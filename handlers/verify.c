/*
 * Checkpoint verification (验码): a checker scans a code, or looks up a
 * person without a phone; codes of trusted regions verify offline with
 * their published keys.  Every check is recorded for tracing
 * (checklog.c).  Anyone who is not a checker sees no personal data.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "../fcgi/clock.h"
#include "../fcgi/token.h"
#include "audit.h"
#include "checklog.h"
#include "colour.h"
#include "person.h"
#include "ratelimit.h"
#include "valid.h"

/* The outcome of one check. */
struct check {
	int		 valid;
	const char	*reason;	/* when not valid: a stable code */
	enum color	 color;
	char		 issuer[7];	/* "" when unknown */
	char		 cid[CHECK_CID_MAX + 1];
	int64_t		 person_id;	/* ours only; 0 otherwise */
	char		 name_masked[NAME_MASKED_BYTES];
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

	if (strcmp(region, a->conf.region) == 0)
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
	int rc;

	if (!cJSON_IsString(cid))
		return GONE;
	s = db_stmt(c->app->db, SQL_CODE_PERSON);
	db_bind_text(s, 1, cid->valuestring);
	db_bind_int(s, 2, c->now);
	db_bind_text(s, 3, c->app->conf.rules_id);
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
	rc = FOUND;
	kept = url_code_token(c->app, db_col_text(s, 6));
	if (kept != NULL && strlen(kept) == strlen(tok) &&
	    CRYPTO_memcmp(tok, kept, strlen(tok)) == 0)
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
	if (!cJSON_IsString(iss) || !valid_region_code(iss->valuestring)) {
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
	    strlen(cid->valuestring) > CHECK_CID_MAX || !cJSON_IsString(col) ||
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
	if (colour_of(c, k->person_id, k->id_hash, &res) == -1)
		return check_fail(k, "internal");
	k->color = res.color;
	return 0;
}

/*
 * Records the check for tracing: 0, or -1 when it cannot be kept (the
 * database not writable for a while: answered 500, which the request
 * sequence makes the 503 that says why).
 */
static int
record(struct ctx *c, const char *method, const struct check *k,
    const char *place)
{
	struct check_record r;

	memset(&r, 0, sizeof(r));
	r.checker = c->account_id;
	r.method = method;
	r.issuer = k->issuer;
	r.cid = k->cid;
	r.person_id = k->person_id;
	r.place = place;
	r.valid = k->valid;
	r.reason = k->reason;
	r.color = k->valid ? color_name(k->color) : NULL;
	r.at = c->now;
	return checklog_add(c->app, &r);
}

/* The JSON answer of a check. */
static void
check_json(struct ctx *c, const struct check *k)
{
	cJSON *o = cJSON_CreateObject();
	char at[26], key[48];

	clock_iso(c->now, at);
	cJSON_AddBoolToObject(o, "valid", k->valid);
	if (k->valid) {
		cJSON_AddStringToObject(o, "color", color_name(k->color));
		if (k->name_masked[0])
			cJSON_AddStringToObject(o, "name_masked", k->name_masked);
		if (k->id_masked[0])
			cJSON_AddStringToObject(o, "id_masked", k->id_masked);
		cJSON_AddStringToObject(o, "issuer", k->issuer);
	} else {
		cJSON_AddStringToObject(o, "reason", k->reason);
		snprintf(key, sizeof(key), "verify_%s", k->reason);
		cJSON_AddStringToObject(o, "reason_text", page_text(c, key));
	}
	cJSON_AddStringToObject(o, "checked_at", at);
	api_json(c, 200, o);
	cJSON_Delete(o);
}

static int
place_valid(const char *s)
{
	return v_text(s, 0, CHECK_PLACE_MAX);
}

/* Reads the optional place label: 0 (*place NULL when absent) or 400 with e. */
static int
place_of(struct ctx *c, const char **place, struct in_err *e)
{
	enum field why = req_str(c->req, "place", place_valid, place);

	if (why == FIELD_MISSING) {
		*place = NULL;
		return 0;
	}
	return in_field(e, why, "place", "invalid_place", NULL);
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
	struct in_err e;
	struct check k;

	if (in_str(c, "token", NULL, "invalid_token", &tok, &e) ||
	    place_of(c, &place, &e)) {
		api_in_error(c, &e);
		return;
	}
	if (check_token(c, tok, &k) == -1 && strcmp(k.reason, "internal") == 0) {
		api_err(c, 500, "internal");
		return;
	}
	if (record(c, "scan", &k, place) == -1) {
		api_err(c, 500, "internal");
		return;
	}
	check_json(c, &k);
}

/*
 * The audit entry of a lookup by identity number, in its transaction:
 * the subject is the identity's keyed hash (the person's id_hash when
 * there is one), never the number; found says whether a person with
 * that number and name was there.  0 or -1.
 */
static int
lookup_audit(struct ctx *c, const struct identity *id, int found)
{
	cJSON *d = cJSON_CreateObject();
	int rc;

	cJSON_AddBoolToObject(d, "found", found);
	rc = audit_ctx(c, "verify.lookup", id->hash, d);
	cJSON_Delete(d);
	return rc;
}

/*
 * POST /api/v1/verify/lookup {"id_type","id_number","name","nationality",
 * "place"} (checker): for people without a phone.  200 as /verify, or
 * {"valid":false,"reason":"no_declaration_today"}; 400; 401; 403; 429.
 * Each lookup that is not refused is an audit entry (verify.lookup).
 */
void
api_verify_lookup(struct ctx *c)
{
	const char *name, *type, *number, *nat, *place;
	char who[32], today[11], addr[INET6_ADDRSTRLEN + 4];
	struct identity id;
	struct person p;
	struct in_err e;
	struct check k;
	struct rules_result res;
	long wait;
	int rc, why, found;

	if (in_str(c, "name", NULL, "invalid_name", &name, &e) ||
	    in_str(c, "id_type", NULL, "invalid_id_type", &type, &e) ||
	    in_str(c, "id_number", NULL, "invalid_id_number", &number, &e)) {
		api_in_error(c, &e);
		return;
	}
	if ((why = req_str(c->req, "nationality", NULL, &nat)) == FIELD_TYPE) {
		in_field(&e, why, "nationality", NULL, NULL);
		api_in_error(c, &e);
		return;
	}
	if (place_of(c, &place, &e) ||
	    person_identity(c, name, type, number, why == FIELD_OK ? nat :
	    NULL, &id, &e)) {
		api_in_error(c, &e);
		return;
	}
	/*
	 * Lookups reveal health status by ID number: limited per checker
	 * and per address (IPv6 by its /64).
	 * The person is read in the same transaction, since finding one may
	 * move a passport person to its new key (two writes, one commit).
	 */
	snprintf(who, sizeof(who), "%lld", (long long)c->account_id);
	ratelimit_addr(c->req->remote_addr, addr, sizeof(addr));
	if (db_begin(c->app->db) == -1)
		goto dberr_clear;
	/* And per address: many checker accounts on one network too. */
	if ((wait = ratelimit_hit(c, "lookup", who,
	    c->app->conf.lookup_hourly, 3600)) == 0)
		wait = ratelimit_hit(c, "lookup-ip", addr,
		    c->app->conf.lookup_ip_hourly, 3600);
	rc = wait == 0 ? person_find(c, &id, &p) : 0;
	explicit_bzero(id.number, sizeof(id.number));
	/* The name must match too; either miss reads as no declaration. */
	found = rc == 1 && strcmp(p.name, name) == 0;
	if (wait == 0 && rc != -1 && lookup_audit(c, &id, found) == -1)
		rc = -1;
	if (wait != 0 || rc == -1 || db_commit(c->app->db) == -1) {
		db_rollback(c->app->db);
		if (wait <= 0)
			goto dberr;
		resp_header(c->resp, "Retry-After", "%ld", wait);
		api_err(c, 429, "rate_limited");
		return;
	}

	memset(&k, 0, sizeof(k));
	memcpy(k.issuer, c->app->conf.region, 7);
	clock_day(c->now, today);
	if (found) {
		/* Recorded for tracing even without a declaration today. */
		k.person_id = p.id;
		if ((rc = person_declared(c, p.id, today)) == -1)
			goto dberr;
		if (rc == 1) {
			if (colour_of(c, p.id, p.id_hash, &res) == -1)
				goto dberr;
			k.valid = 1;
			k.color = res.color;
			snprintf(k.id_masked, sizeof(k.id_masked), "%s",
			    p.id_masked);
			name_mask(p.name, k.name_masked, sizeof(k.name_masked));
		}
	}
	if (!k.valid)
		k.reason = "no_declaration_today";
	if (record(c, "lookup", &k, place) == -1)
		goto dberr;
	check_json(c, &k);
	return;
dberr_clear:
	explicit_bzero(id.number, sizeof(id.number));
dberr:
	api_err(c, 500, "internal");
}

/*
 * The check of /v/{token} for a signed-in checker, recorded, and its
 * page.
 */
static void
verify_page(struct ctx *c)
{
	cJSON *d = cJSON_CreateObject();
	struct check k;
	char at[26], key[48], region[128];

	if (check_token(c, c->req->params[0], &k) == -1 &&
	    strcmp(k.reason, "internal") == 0) {
		cJSON_Delete(d);
		page_error(c, 500, "internal");
		return;
	}
	if (record(c, "scan", &k, NULL) == -1) {
		cJSON_Delete(d);
		page_error(c, 500, "internal");
		return;
	}
	clock_iso(c->now, at);
	cJSON_AddStringToObject(d, "checked_at", at);
	if (k.valid) {
		cJSON_AddBoolToObject(d, "valid", 1);
		cJSON_AddStringToObject(d, "color", color_name(k.color));
		cJSON_AddStringToObject(d, "color_label", page_colour_label(c,
		    color_name(k.color)));
		cJSON_AddStringToObject(d, "name_masked", k.name_masked);
		cJSON_AddStringToObject(d, "id_masked", k.id_masked);
		cJSON_AddStringToObject(d, "issuer", k.issuer);
		if (region_name(c, k.issuer, region, sizeof(region)) == 1)
			cJSON_AddStringToObject(d, "issuer_name", region);
		if (strcmp(k.issuer, c->app->conf.region) != 0)
			cJSON_AddBoolToObject(d, "foreign", 1);
	} else {
		snprintf(key, sizeof(key), "verify_%s", k.reason);
		cJSON_AddStringToObject(d, "reason", page_text(c, key));
	}
	page_render(c, 200, "verify.html", "verify_title", d);
}

/*
 * GET /v/{token}: what any camera opens.  A signed-in checker sees the
 * result big, and it is recorded, when the browser says the navigation
 * was direct (a camera, the address bar) or from our own pages
 * (Sec-Fetch-Site none or same-origin); from anywhere else (a link on
 * another site, which could plant a false contact-tracing record) or a
 * browser that does not say, a button that confirms it (POST).  Anyone
 * else sees only that the code must be shown to staff.  200.
 */
void
page_verify(struct ctx *c)
{
	const char *site = c->req->sec_fetch_site;
	cJSON *d;

	if (!c->authed || !(c->roles & ROLE_CHECKER)) {
		d = cJSON_CreateObject();
		cJSON_AddBoolToObject(d, "public", 1);
		page_render(c, 200, "verify.html", "verify_title", d);
		return;
	}
	if (site == NULL || (strcmp(site, "none") != 0 &&
	    strcmp(site, "same-origin") != 0)) {
		d = cJSON_CreateObject();
		cJSON_AddBoolToObject(d, "confirm", 1);
		page_render(c, 200, "verify.html", "verify_title", d);
		return;
	}
	verify_page(c);
}

/* POST /v/{token} (_csrf): the confirmed check, recorded.  200. */
void
page_verify_post(struct ctx *c)
{
	verify_page(c);
}
