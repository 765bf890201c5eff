/*
 * The daily declaration (健康申报): temperature, symptoms, the places
 * visited in the last 14 days and contact with a case; the identity is
 * bound on the first one.  One declaration a person a day: declaring
 * again the same day adds to it and never takes risk away (the worst of
 * the day's answers stands); a mistaken declaration is corrected by an
 * appeal to the health authority.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "colour.h"
#include "person.h"
#include "valid.h"


/* A declaration as submitted, after validation. */
struct decl_in {
	int		 has_identity;
	struct identity	 id;
	int		 temp_tenths;
	unsigned	 symptoms;
	int		 contact;
	struct travel	 travel[TRAVEL_MAX];
	size_t		 ntravel;
};

/* Parses a temperature (a JSON number, or the form's "36.5") into tenths. */
static int
temp_parse(double v, int *tenths)
{
	if (!isfinite(v) || v < 34.0 - 1e-9 || v > 43.0 + 1e-9)
		return -1;
	*tenths = (int)lround(v * 10.0);
	return 0;
}

static int
temp_parse_str(const char *s, int *tenths)
{
	char *end;
	double v;

	if (s == NULL || strlen(s) > 6 || !(s[0] >= '0' && s[0] <= '9'))
		return -1;
	v = strtod(s, &end);
	if (*end != '\0')
		return -1;
	return temp_parse(v, tenths);
}

/* Checks one travel entry: known region, date within the rules' window. */
static int
travel_check(struct ctx *c, const char *region, const char *date,
    const char *today, struct travel *t, struct in_err *e)
{
	int known = valid_region_code(region) ? region_known(c, region) : 0;

	if (known == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	if (!known)
		return in_err(e, 400, "unknown_region", "travel", NULL);
	if (date == NULL || strlen(date) != 10 || day_valid(date) != 0 ||
	    day_diff(date, today) < 0 ||
	    day_diff(date, today) >= c->app->conf.rules.window_days)
		return in_err(e, 400, "invalid_travel_date", "travel", NULL);
	memcpy(t->region, region, 7);
	memcpy(t->date, date, 11);
	return 0;
}

/* Reads the identity fields, if any: all or none of them. */
static int
identity_in(struct ctx *c, struct decl_in *in, const char *name,
    const char *type, const char *number, const char *nationality,
    struct in_err *e)
{
	int st;

	if (name == NULL && type == NULL && number == NULL)
		return 0;
	if ((st = person_identity(c, name, type, number, nationality, &in->id,
	    e)) != 0)
		return st;
	in->has_identity = 1;
	return 0;
}

/* Optional JSON string: NULL when absent; -1 when present but not a string. */
static int
json_opt_str(const cJSON *o, const char *key, const char **out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (j == NULL || cJSON_IsNull(j))
		return 0;
	if (!cJSON_IsString(j))
		return -1;
	*out = j->valuestring;
	return 0;
}

static int
decl_from_json(struct ctx *c, const char *today, struct decl_in *in,
    struct in_err *e)
{
	const cJSON *o = c->req->json, *j, *it, *r, *d;
	const char *name, *type, *number, *nat;
	unsigned bit;
	int st;

	if (json_opt_str(o, "name", &name))
		return in_err(e, 400, "wrong_type", "name", NULL);
	if (json_opt_str(o, "id_type", &type))
		return in_err(e, 400, "wrong_type", "id_type", NULL);
	if (json_opt_str(o, "id_number", &number))
		return in_err(e, 400, "wrong_type", "id_number", NULL);
	if (json_opt_str(o, "nationality", &nat))
		return in_err(e, 400, "wrong_type", "nationality", NULL);
	if ((st = identity_in(c, in, name, type, number, nat, e)) != 0)
		return st;

	j = cJSON_GetObjectItemCaseSensitive(o, "temperature");
	if (j == NULL)
		return in_err(e, 400, "missing_field", "temperature", NULL);
	if (!cJSON_IsNumber(j))
		return in_err(e, 400, "wrong_type", "temperature", NULL);
	if (temp_parse(j->valuedouble, &in->temp_tenths))
		return in_err(e, 400, "invalid_temperature", "temperature",
		    NULL);

	j = cJSON_GetObjectItemCaseSensitive(o, "symptoms");
	if (j == NULL)
		return in_err(e, 400, "missing_field", "symptoms", NULL);
	if (!cJSON_IsArray(j))
		return in_err(e, 400, "wrong_type", "symptoms", NULL);
	cJSON_ArrayForEach(it, j) {
		if (!cJSON_IsString(it))
			return in_err(e, 400, "wrong_type", "symptoms", NULL);
		if ((bit = symptom_parse(it->valuestring)) == 0)
			return in_err(e, 400, "invalid_symptom", "symptoms",
			    NULL);
		in->symptoms |= bit;
	}

	j = cJSON_GetObjectItemCaseSensitive(o, "travel");
	if (j == NULL)
		return in_err(e, 400, "missing_field", "travel", NULL);
	if (!cJSON_IsArray(j))
		return in_err(e, 400, "wrong_type", "travel", NULL);
	if (cJSON_GetArraySize(j) > TRAVEL_MAX)
		return in_err(e, 400, "too_many_travel", "travel", NULL);
	cJSON_ArrayForEach(it, j) {
		r = cJSON_GetObjectItemCaseSensitive(it, "region");
		d = cJSON_GetObjectItemCaseSensitive(it, "date");
		if (!cJSON_IsObject(it) || !cJSON_IsString(r) ||
		    !cJSON_IsString(d))
			return in_err(e, 400, "wrong_type", "travel", NULL);
		if ((st = travel_check(c, r->valuestring, d->valuestring,
		    today, &in->travel[in->ntravel], e)) != 0)
			return st;
		in->ntravel++;
	}

	j = cJSON_GetObjectItemCaseSensitive(o, "contact");
	if (j == NULL)
		return in_err(e, 400, "missing_field", "contact", NULL);
	if (!cJSON_IsBool(j))
		return in_err(e, 400, "wrong_type", "contact", NULL);
	in->contact = cJSON_IsTrue(j);
	return 0;
}

/* The same fields from the /declare form (checkboxes, repeated rows). */
static int
decl_from_form(struct ctx *c, const char *today, struct decl_in *in,
    struct in_err *e)
{
	const struct kvlist *f = &c->req->form;
	const char *name = kv_get(f, "name"), *type = kv_get(f, "id_type");
	const char *number = kv_get(f, "id_number");
	const char *nat = kv_get(f, "nationality");
	const char *regions[TRAVEL_MAX + 1], *dates[TRAVEL_MAX + 1];
	size_t i, nr = 0, nd = 0;
	unsigned bit;
	int st;

#define BLANK(s) ((s) != NULL && *(s) == '\0' ? NULL : (s))
	if ((st = identity_in(c, in, BLANK(name), BLANK(type), BLANK(number),
	    BLANK(nat), e)) != 0)
		return st;
	if (temp_parse_str(BLANK(kv_get(f, "temperature")), &in->temp_tenths))
		return in_err(e, 400, kv_get(f, "temperature") ?
		    "invalid_temperature" : "missing_field", "temperature",
		    NULL);
	for (i = 0; i < f->n; i++) {
		const char *k = f->v[i].key, *v = f->v[i].val;
		if (strcmp(k, "symptoms") == 0) {
			if ((bit = symptom_parse(v)) == 0)
				return in_err(e, 400, "invalid_symptom",
				    "symptoms", NULL);
			in->symptoms |= bit;
		} else if (strcmp(k, "travel_region") == 0) {
			if (nr > TRAVEL_MAX)
				return in_err(e, 400, "too_many_travel",
				    "travel", NULL);
			regions[nr++] = v;
		} else if (strcmp(k, "travel_date") == 0) {
			if (nd > TRAVEL_MAX)
				return in_err(e, 400, "too_many_travel",
				    "travel", NULL);
			dates[nd++] = v;
		}
	}
	if (nr != nd)
		return in_err(e, 400, "invalid_travel_date", "travel", NULL);
	for (i = 0; i < nr; i++) {
		if (*regions[i] == '\0' && *dates[i] == '\0')
			continue;	/* an unused row of the form */
		if (in->ntravel == TRAVEL_MAX)
			return in_err(e, 400, "too_many_travel", "travel",
			    NULL);
		if ((st = travel_check(c, regions[i], dates[i], today,
		    &in->travel[in->ntravel], e)) != 0)
			return st;
		in->ntravel++;
	}
	in->contact = kv_get(f, "contact") != NULL &&
	    strcmp(kv_get(f, "contact"), "1") == 0;
#undef BLANK
	return 0;
}

/*
 * Stores the declaration for today, binding the identity on the first
 * one; a second one the same day adds to the first (SQL_DECL_UPSERT);
 * and the colour it makes, in *res.  All or nothing.  Returns 0 with the
 * person in *p, or an HTTP status with e set.
 */
static int
declare_store(struct ctx *c, struct decl_in *in, const char *today,
    struct person *p, struct rules_result *res, struct in_err *e)
{
	struct app *a = c->app;
	struct db_stmt *s;
	int64_t decl_id = 0, ntravel;
	size_t i;
	int rc, st;

	if (db_begin(a->db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	if (in->has_identity)
		st = person_bind_self(c, &in->id, p, e);
	else if ((rc = person_self(c, p)) != 1)
		st = rc == 0 ? in_err(e, 400, "missing_field", "id_number",
		    NULL) : in_err(e, 500, "internal", NULL, NULL);
	else
		st = 0;
	if (st != 0)
		goto rollback;
	s = db_stmt(a->db, SQL_DECL_UPSERT);
	db_bind_int(s, 1, p->id);
	db_bind_text(s, 2, today);
	db_bind_int(s, 3, in->temp_tenths);
	db_bind_int(s, 4, in->symptoms);
	db_bind_int(s, 5, in->contact);
	db_bind_int(s, 6, c->now);
	if ((rc = db_step(s)) == DB_ROW)
		decl_id = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW)
		goto dberr;
	for (i = 0; i < in->ntravel; i++) {
		s = db_stmt(a->db, SQL_TRAVEL_ADD);
		db_bind_int(s, 1, decl_id);
		db_bind_text(s, 2, in->travel[i].region);
		db_bind_text(s, 3, in->travel[i].date);
		if (db_run(s) == DB_ERR)
			goto dberr;
	}
	/* The day's places, with those declared before: the rules read 50. */
	ntravel = 0;
	if (in->ntravel > 0) {
		s = db_stmt(a->db, SQL_TRAVEL_COUNT);
		db_bind_int(s, 1, decl_id);
		ntravel = db_step(s) == DB_ROW ? db_col_int(s, 0) : -1;
		db_reset(s);
	}
	if (ntravel < 0)
		goto dberr;
	if (ntravel > TRAVEL_MAX) {
		st = in_err(e, 400, "too_many_travel", "travel", NULL);
		goto rollback;
	}
	/*
	 * The colour in the same transaction: one commit, and the rules
	 * read what was just written without another snapshot.
	 */
	if (colour_of(c, p->id, p->id_hash, res) == -1)
		goto dberr;
	if (db_commit(a->db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	return 0;
dberr:
	st = in_err(e, 500, "internal", NULL, NULL);
rollback:
	db_rollback(a->db);
	return st;
}

/*
 * Validates and stores a declaration (JSON or form), then computes the
 * colour: every declaration is a moment the colour may change, and the
 * clearance of a cause is recorded when it happens (colour.h).  0, or a
 * status with e.
 */
static int
declare(struct ctx *c, int form, struct person *p, struct rules_result *res,
    struct in_err *e)
{
	struct decl_in in;
	char today[11];
	int st;

	memset(&in, 0, sizeof(in));
	memset(p, 0, sizeof(*p));
	clock_day(c->now, today);
	st = form ? decl_from_form(c, today, &in, e) :
	    decl_from_json(c, today, &in, e);
	if (st == 0)
		st = declare_store(c, &in, today, p, res, e);
	explicit_bzero(in.id.number, sizeof(in.id.number));
	return st;
}

/*
 * POST /api/v1/declarations: {"name","id_type","id_number","nationality"
 * (first time), "temperature","symptoms","travel","contact"}
 * 201 {"color","reasons","green_on","day"}; 400 invalid input; 401; 409
 * identity_mismatch or identity_in_use.
 */
void
api_declare(struct ctx *c)
{
	struct in_err e;
	struct person p;
	struct rules_result res;
	char today[11];
	cJSON *o;

	if (declare(c, 0, &p, &res, &e) != 0) {
		api_in_error(c, &e);
		return;
	}
	clock_day(c->now, today);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "color", color_name(res.color));
	colour_reasons(c, o, "reasons", res.reasons, 0);
	if (res.green_on[0])
		cJSON_AddStringToObject(o, "green_on", res.green_on);
	cJSON_AddStringToObject(o, "day", today);
	api_json(c, 201, o);
	cJSON_Delete(o);
}

/*
 * GET /api/v1/declarations/form: what a client needs to draw the
 * declaration form as the web page does: the bound identity (masked) or
 * null, the identity types, symptoms and countries with their labels, and
 * the messages of the checks a client makes before sending.  200; 401.
 */
void
api_declare_form(struct ctx *c)
{
	static const char *const msgs[] = { "invalid_name", "invalid_id_type",
	    "invalid_id_number", "invalid_nationality", "invalid_temperature" };
	cJSON *o = cJSON_CreateObject(), *a, *it, *m;
	struct person p;
	unsigned bit;
	size_t i;
	char name[NAME_MASKED_BYTES], key[48];
	int st;

	if ((st = person_self(c, &p)) == -1) {
		cJSON_Delete(o);
		api_err(c, 500, "internal");
		return;
	}
	if (st == 1) {
		name_mask(p.name, name, sizeof(name));
		it = cJSON_AddObjectToObject(o, "identity");
		cJSON_AddStringToObject(it, "name_masked", name);
		cJSON_AddStringToObject(it, "id_masked", p.id_masked);
	} else
		cJSON_AddNullToObject(o, "identity");
	a = cJSON_AddArrayToObject(o, "id_types");
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "value", "resident_id");
	cJSON_AddStringToObject(it, "label", page_text(c, "id_resident"));
	cJSON_AddItemToArray(a, it);
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "value", "passport");
	cJSON_AddStringToObject(it, "label", page_text(c, "id_passport"));
	cJSON_AddItemToArray(a, it);
	a = cJSON_AddArrayToObject(o, "symptoms");
	for (bit = 1; bit & SYM__ALL; bit <<= 1) {
		it = cJSON_CreateObject();
		snprintf(key, sizeof(key), "sym_%s", symptom_name(bit));
		cJSON_AddStringToObject(it, "value", symptom_name(bit));
		cJSON_AddStringToObject(it, "label", page_text(c, key));
		cJSON_AddItemToArray(a, it);
	}
	cJSON_AddItemReferenceToObject(o, "countries",
	    c->app->country_options);
	m = cJSON_AddObjectToObject(o, "messages");
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		cJSON_AddStringToObject(m, msgs[i], page_msg(c, msgs[i]));
	api_json(c, 200, o);
	cJSON_Delete(o);
}

/* Returns 1 if the submitted form has key=value. */
static int
form_has(const struct kvlist *f, const char *key, const char *value)
{
	size_t i;

	for (i = 0; f != NULL && i < f->n; i++)
		if (strcmp(f->v[i].key, key) == 0 &&
		    strcmp(f->v[i].val, value) == 0)
			return 1;
	return 0;
}

/*
 * Renders the declaration form with an error in place; what was
 * submitted (f, may be NULL) is kept, except the ID number, which is
 * not sent back.
 */
static void
declare_form(struct ctx *c, int status, const struct in_err *e,
    const struct kvlist *f)
{
	cJSON *d = cJSON_CreateObject(), *sym;
	struct person p;
	unsigned bit;
	char name[NAME_MASKED_BYTES], key[48];
	const char *v;

	if (person_self(c, &p) == 1) {
		name_mask(p.name, name, sizeof(name));
		cJSON_AddBoolToObject(d, "bound", 1);
		cJSON_AddStringToObject(d, "name_masked", name);
		cJSON_AddStringToObject(d, "id_masked", p.id_masked);
	}
	sym = cJSON_AddArrayToObject(d, "symptoms");
	for (bit = 1; bit & SYM__ALL; bit <<= 1) {
		cJSON *s = cJSON_CreateObject();
		snprintf(key, sizeof(key), "sym_%s", symptom_name(bit));
		cJSON_AddStringToObject(s, "value", symptom_name(bit));
		cJSON_AddStringToObject(s, "label", page_text(c, key));
		if (form_has(f, "symptoms", symptom_name(bit)))
			cJSON_AddBoolToObject(s, "checked", 1);
		cJSON_AddItemToArray(sym, s);
	}
	if (f != NULL) {
		if ((v = kv_get(f, "temperature")) != NULL && v_text(v, 1, 6))
			cJSON_AddStringToObject(d, "temperature", v);
		if ((v = kv_get(f, "name")) != NULL && v_text(v, 1, 128))
			cJSON_AddStringToObject(d, "name", v);
		if (form_has(f, "id_type", "passport"))
			cJSON_AddBoolToObject(d, "passport", 1);
		if (form_has(f, "contact", "1"))
			cJSON_AddBoolToObject(d, "contact", 1);
	}
	cJSON_AddItemReferenceToObject(d, "regions", c->app->region_options);
	cJSON_AddItemReferenceToObject(d, "countries",
	    c->app->country_options);
	cJSON_AddItemToObject(d, "rows", cJSON_CreateIntArray((int[]){ 1, 2,
	    3 }, 3));
	if (e != NULL)
		page_in_error(c, d, e);
	page_render(c, status, "declare.html", "declare", d);
}

/* GET /declare: the form (identity fields until bound). */
void
page_declare(struct ctx *c)
{
	declare_form(c, 200, NULL, NULL);
}

/* POST /declare: 303 /code, or the form with the error (400/409/500). */
void
page_declare_post(struct ctx *c)
{
	struct in_err e;
	struct person p;
	struct rules_result res;
	int st;

	if ((st = declare(c, 1, &p, &res, &e)) != 0) {
		declare_form(c, st, &e, &c->req->form);
		return;
	}
	resp_redirect(c->resp, 303, "/code");
}
