/*
 * Daily declarations and the health code: binding an identity on the
 * first declaration, one declaration per person per day, the colour from
 * the rules, and the signed, short-lived code token shown as a QR code.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "../fcgi/qr.h"
#include "../fcgi/token.h"
#include "../fcgi/validate.h"
#include "app.h"
#include "ident.h"
#include "rules.h"

#define TRAVEL_MAX	50
#define DECLS_MAX	64	/* days of history read for the rules */
#define CASES_MAX	32
#define AREAS_MAX	(3 * TRAVEL_MAX * 2)

/* A declaration as submitted, after validation. */
struct decl_in {
	const char	*name;		/* identity: NULL when not given */
	enum id_type	 id_type;
	char		 id_number[24];
	char		 nationality[4];
	int		 has_identity;
	int		 temp_tenths;
	unsigned	 symptoms;
	int		 contact;
	struct travel	 travel[TRAVEL_MAX];
	size_t		 ntravel;
};

/* The signed-in account's own person. */
struct person {
	int64_t	id;
	char	id_hash[65];
	char	id_masked[24];
	char	name[128];
	char	id_type[16];
};

/* An input error: status, stable code, the field it concerns. */
struct in_err {
	const char	*code;
	const char	*field;
};

static int
set_err(struct in_err *e, const char *code, const char *field)
{
	e->code = code;
	e->field = field;
	return -1;
}

static int
region_known(void *arg, const char *code)
{
	struct ctx *c = arg;
	struct db_stmt *s = db_stmt(c->app->db, SQL_REGION_EXISTS);
	int rc;

	db_bind_text(s, 1, code);
	rc = db_step(s) == DB_ROW;
	db_reset(s);
	return rc;
}

/*
 * The region prefix of a resident ID is the household registration
 * region at the time of issue; codes of counties since merged or renamed
 * are no longer in the current table, so the prefecture (XXXX00) is
 * accepted in their place.
 */
static int
id_region_known(void *arg, const char *code)
{
	char city[7];

	if (region_known(arg, code))
		return 1;
	memcpy(city, code, 4);
	memcpy(city + 4, "00", 3);
	return region_known(arg, city);
}

static int
country_known(void *arg, const char *alpha3)
{
	struct ctx *c = arg;
	struct db_stmt *s = db_stmt(c->app->db, SQL_COUNTRY_EXISTS);
	int rc;

	db_bind_text(s, 1, alpha3);
	rc = db_step(s) == DB_ROW;
	db_reset(s);
	return rc;
}

/* Parses a temperature "36.5" (or a JSON number) into tenths. */
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

/* Checks one travel entry: known region, date within the last 14 days. */
static int
travel_check(struct ctx *c, const char *region, const char *date,
    const char *today, struct travel *t, struct in_err *e)
{
	if (!v_digits(region, 6, 6) || !region_known(c, region))
		return set_err(e, "unknown_region", "travel");
	if (date == NULL || strlen(date) != 10 || day_valid(date) != 0)
		return set_err(e, "invalid_travel_date", "travel");
	if (day_diff(date, today) < 0 ||
	    day_diff(date, today) >= c->app->rules.window_days)
		return set_err(e, "invalid_travel_date", "travel");
	memcpy(t->region, region, 7);
	memcpy(t->date, date, 11);
	return 0;
}

static void person_hash(struct ctx *c, enum id_type t, const char *number,
    char out[65]);

/* Reads the identity fields, if any; all or none of them. */
static int
identity_in(struct ctx *c, struct decl_in *in, const char *name,
    const char *type, const char *number, const char *nationality,
    const char *today, struct in_err *e)
{
	enum id_error ie;

	if (name == NULL && type == NULL && number == NULL)
		return 0;
	if (name == NULL)
		return set_err(e, "missing_field", "name");
	if (type == NULL)
		return set_err(e, "missing_field", "id_type");
	if (number == NULL)
		return set_err(e, "missing_field", "id_number");
	if (!name_valid(name))
		return set_err(e, "invalid_name", "name");
	if ((in->id_type = id_type_parse(type)) == ID__MAX)
		return set_err(e, "invalid_id_type", "id_type");
	if (id_normalise(number, in->id_number, sizeof(in->id_number)) == -1)
		return set_err(e, "invalid_id_number", "id_number");
	if (in->id_type == ID_RESIDENT) {
		ie = id_check_resident(in->id_number, today, id_region_known, c);
	} else {
		if (nationality == NULL)
			return set_err(e, "missing_field", "nationality");
		if (id_normalise(nationality, in->nationality,
		    sizeof(in->nationality)) == -1)
			return set_err(e, "invalid_nationality", "nationality");
		ie = id_check_passport(in->id_number, in->nationality,
		    country_known, c);
	}
	if (ie != ID_OK)
		return set_err(e, id_error_name(ie), ie == ID_BAD_NATIONALITY ?
		    "nationality" : "id_number");
	in->name = name;
	in->has_identity = 1;
	return 0;
}

int
health_identity_hash(struct ctx *c, const char *name, const char *type,
    const char *number, const char *nationality, char hash[65],
    const char **err)
{
	struct decl_in in;
	struct in_err e = { 0 };
	char today[11];

	memset(&in, 0, sizeof(in));
	clock_day(c->now, today);
	if (identity_in(c, &in, name, type, number, nationality, today, &e))
		goto bad;
	if (!in.has_identity) {
		set_err(&e, "missing_field", "id_number");
		goto bad;
	}
	person_hash(c, in.id_type, in.id_number, hash);
	explicit_bzero(in.id_number, sizeof(in.id_number));
	return 0;
bad:
	explicit_bzero(in.id_number, sizeof(in.id_number));
	*err = e.code;
	return -1;
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

	if (json_opt_str(o, "name", &name))
		return set_err(e, "wrong_type", "name");
	if (json_opt_str(o, "id_type", &type))
		return set_err(e, "wrong_type", "id_type");
	if (json_opt_str(o, "id_number", &number))
		return set_err(e, "wrong_type", "id_number");
	if (json_opt_str(o, "nationality", &nat))
		return set_err(e, "wrong_type", "nationality");
	if (identity_in(c, in, name, type, number, nat, today, e))
		return -1;

	j = cJSON_GetObjectItemCaseSensitive(o, "temperature");
	if (j == NULL)
		return set_err(e, "missing_field", "temperature");
	if (!cJSON_IsNumber(j))
		return set_err(e, "wrong_type", "temperature");
	if (temp_parse(j->valuedouble, &in->temp_tenths))
		return set_err(e, "invalid_temperature", "temperature");

	j = cJSON_GetObjectItemCaseSensitive(o, "symptoms");
	if (j == NULL)
		return set_err(e, "missing_field", "symptoms");
	if (!cJSON_IsArray(j))
		return set_err(e, "wrong_type", "symptoms");
	cJSON_ArrayForEach(it, j) {
		if (!cJSON_IsString(it))
			return set_err(e, "wrong_type", "symptoms");
		if ((bit = symptom_parse(it->valuestring)) == 0)
			return set_err(e, "invalid_symptom", "symptoms");
		in->symptoms |= bit;
	}

	j = cJSON_GetObjectItemCaseSensitive(o, "travel");
	if (j == NULL)
		return set_err(e, "missing_field", "travel");
	if (!cJSON_IsArray(j))
		return set_err(e, "wrong_type", "travel");
	if (cJSON_GetArraySize(j) > TRAVEL_MAX)
		return set_err(e, "too_many_travel", "travel");
	cJSON_ArrayForEach(it, j) {
		r = cJSON_GetObjectItemCaseSensitive(it, "region");
		d = cJSON_GetObjectItemCaseSensitive(it, "date");
		if (!cJSON_IsObject(it) || !cJSON_IsString(r) ||
		    !cJSON_IsString(d))
			return set_err(e, "wrong_type", "travel");
		if (travel_check(c, r->valuestring, d->valuestring, today,
		    &in->travel[in->ntravel], e))
			return -1;
		in->ntravel++;
	}

	j = cJSON_GetObjectItemCaseSensitive(o, "contact");
	if (j == NULL)
		return set_err(e, "missing_field", "contact");
	if (!cJSON_IsBool(j))
		return set_err(e, "wrong_type", "contact");
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

#define BLANK(s) ((s) != NULL && *(s) == '\0' ? NULL : (s))
	if (identity_in(c, in, BLANK(name), BLANK(type), BLANK(number),
	    BLANK(nat), today, e))
		return -1;
	if (temp_parse_str(BLANK(kv_get(f, "temperature")), &in->temp_tenths))
		return set_err(e, kv_get(f, "temperature") ? "invalid_temperature"
		    : "missing_field", "temperature");
	for (i = 0; i < f->n; i++) {
		const char *k = f->v[i].key, *v = f->v[i].val;
		if (strcmp(k, "symptoms") == 0) {
			if ((bit = symptom_parse(v)) == 0)
				return set_err(e, "invalid_symptom", "symptoms");
			in->symptoms |= bit;
		} else if (strcmp(k, "travel_region") == 0) {
			if (nr > TRAVEL_MAX)
				return set_err(e, "too_many_travel", "travel");
			regions[nr++] = v;
		} else if (strcmp(k, "travel_date") == 0) {
			if (nd > TRAVEL_MAX)
				return set_err(e, "too_many_travel", "travel");
			dates[nd++] = v;
		}
	}
	if (nr != nd)
		return set_err(e, "invalid_travel_date", "travel");
	for (i = 0; i < nr; i++) {
		if (*regions[i] == '\0' && *dates[i] == '\0')
			continue;	/* an unused row of the form */
		if (in->ntravel == TRAVEL_MAX)
			return set_err(e, "too_many_travel", "travel");
		if (travel_check(c, regions[i], dates[i], today,
		    &in->travel[in->ntravel], e))
			return -1;
		in->ntravel++;
	}
	in->contact = kv_get(f, "contact") != NULL &&
	    strcmp(kv_get(f, "contact"), "1") == 0;
#undef BLANK
	return 0;
}

/* Reads the account's own person; 1 found, 0 none, -1 error. */
static int
self_person(struct ctx *c, struct person *p)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_SELF_PERSON);
	int rc;

	db_bind_int(s, 1, c->account_id);
	if ((rc = db_step(s)) == DB_ROW) {
		p->id = db_col_int(s, 0);
		snprintf(p->id_hash, sizeof(p->id_hash), "%s", db_col_text(s, 1));
		snprintf(p->id_type, sizeof(p->id_type), "%s", db_col_text(s, 2));
		snprintf(p->id_masked, sizeof(p->id_masked), "%s",
		    db_col_text(s, 3));
		snprintf(p->name, sizeof(p->name), "%s", db_col_text(s, 4));
	}
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* The keyed hash that names a person: type and number. */
static void
person_hash(struct ctx *c, enum id_type t, const char *number, char out[65])
{
	struct buf v;

	buf_init(&v);
	buf_printf(&v, "%s:%s", id_type_name(t), number);
	app_mac(c->app->id_key, "id", v.ptr, out);
	explicit_bzero(v.ptr, v.len);
	buf_free(&v);
}

/*
 * Stores a declaration for today, binding the identity on the first one.
 * Returns 0 with the person in *p, or an HTTP status with e set.
 */
static int
declare_store(struct ctx *c, struct decl_in *in, const char *today,
    struct person *p, struct in_err *e)
{
	struct app *a = c->app;
	struct db_stmt *s;
	char hash[65], masked[24];
	int64_t decl_id;
	size_t i;
	int have;

	if (db_begin(a->db) == -1)
		goto dberr;
	if ((have = self_person(c, p)) == -1)
		goto rollback;
	if (in->has_identity)
		person_hash(c, in->id_type, in->id_number, hash);
	if (have && in->has_identity && !ct_streq(hash, p->id_hash)) {
		db_rollback(a->db);
		set_err(e, "identity_mismatch", "id_number");
		return 409;
	}
	if (!have) {
		if (!in->has_identity) {
			db_rollback(a->db);
			set_err(e, "missing_field", "id_number");
			return 400;
		}
		s = db_stmt(a->db, SQL_PERSON_BY_HASH);
		db_bind_text(s, 1, hash);
		if (db_step(s) == DB_ROW) {
			p->id = db_col_int(s, 0);
			db_reset(s);
			/* Someone else's own identity: never silently shared. */
			s = db_stmt(a->db, SQL_PERSON_SELF_TAKEN);
			db_bind_int(s, 1, p->id);
			have = db_step(s);
			db_reset(s);
			if (have == DB_ROW) {
				db_rollback(a->db);
				set_err(e, "identity_in_use", "id_number");
				return 409;
			}
		} else {
			db_reset(s);
			id_mask(in->id_type, in->id_number, masked,
			    sizeof(masked));
			s = db_stmt(a->db, SQL_PERSON_INSERT);
			db_bind_text(s, 1, hash);
			db_bind_text(s, 2, id_type_name(in->id_type));
			db_bind_text(s, 3, masked);
			db_bind_text(s, 4, in->name);
			db_bind_text(s, 5, in->id_type == ID_PASSPORT ?
			    in->nationality : NULL);
			db_bind_int(s, 6, c->now);
			if (db_step(s) != DB_ROW) {
				db_reset(s);
				goto rollback;
			}
			p->id = db_col_int(s, 0);
			db_reset(s);
		}
		s = db_stmt(a->db, SQL_LINK_SELF);
		db_bind_int(s, 1, c->account_id);
		db_bind_int(s, 2, p->id);
		db_bind_int(s, 3, c->now);
		if (db_run(s) == DB_ERR)
			goto rollback;
		memcpy(p->id_hash, hash, sizeof(hash));
	}
	s = db_stmt(a->db, SQL_DECL_UPSERT);
	db_bind_int(s, 1, p->id);
	db_bind_text(s, 2, today);
	db_bind_int(s, 3, in->temp_tenths);
	db_bind_int(s, 4, in->symptoms);
	db_bind_int(s, 5, in->contact);
	db_bind_int(s, 6, c->now);
	if (db_step(s) != DB_ROW) {
		db_reset(s);
		goto rollback;
	}
	decl_id = db_col_int(s, 0);
	db_reset(s);
	s = db_stmt(a->db, SQL_TRAVEL_CLEAR);
	db_bind_int(s, 1, decl_id);
	if (db_run(s) == DB_ERR)
		goto rollback;
	for (i = 0; i < in->ntravel; i++) {
		s = db_stmt(a->db, SQL_TRAVEL_INSERT);
		db_bind_int(s, 1, decl_id);
		db_bind_text(s, 2, in->travel[i].region);
		db_bind_text(s, 3, in->travel[i].date);
		if (db_run(s) == DB_ERR)
			goto rollback;
	}
	if (db_commit(a->db) == -1)
		goto dberr;
	return 0;
rollback:
	db_rollback(a->db);
dberr:
	set_err(e, "internal", NULL);
	return 500;
}

/* Runs the rules over the person's stored data. */
static int
colour_compute(struct ctx *c, int64_t person_id, const char *id_hash,
    struct rules_result *out)
{
	struct app *a = c->app;
	static struct decl decls[DECLS_MAX];
	static int64_t decl_ids[DECLS_MAX];
	static struct travel travel[DECLS_MAX][TRAVEL_MAX];
	static struct case_entry cases[CASES_MAX];
	static struct risk_area areas[AREAS_MAX];
	struct rules_input in;
	struct db_stmt *s;
	char since[11], city[7], prov[7];
	size_t i, j;
	int rc;

	memset(&in, 0, sizeof(in));
	clock_day(c->now, in.today);
	day_add(in.today, -(DECLS_MAX - 1), since);

	s = db_stmt(a->db, SQL_DECLS_SINCE);
	db_bind_int(s, 1, person_id);
	db_bind_text(s, 2, since);
	db_bind_text(s, 3, in.today);
	while ((rc = db_step(s)) == DB_ROW && in.ndecls < DECLS_MAX) {
		struct decl *d = &decls[in.ndecls];
		memset(d, 0, sizeof(*d));
		decl_ids[in.ndecls] = db_col_int(s, 0);
		snprintf(d->day, sizeof(d->day), "%s", db_col_text(s, 1));
		d->temp_tenths = (int)db_col_int(s, 2);
		d->symptoms = (unsigned)db_col_int(s, 3);
		d->contact = (int)db_col_int(s, 4);
		d->travel = travel[in.ndecls];
		in.ndecls++;
	}
	db_reset(s);
	if (rc == DB_ERR)
		return -1;
	in.decls = decls;

	s = db_stmt(a->db, SQL_TRAVEL_SINCE);
	db_bind_int(s, 1, person_id);
	db_bind_text(s, 2, since);
	db_bind_text(s, 3, in.today);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t id = db_col_int(s, 0);
		for (i = 0; i < in.ndecls && decl_ids[i] != id; i++)
			;
		if (i == in.ndecls || decls[i].ntravel >= TRAVEL_MAX)
			continue;
		struct travel *t = &travel[i][decls[i].ntravel++];
		snprintf(t->region, sizeof(t->region), "%s", db_col_text(s, 1));
		snprintf(t->date, sizeof(t->date), "%s", db_col_text(s, 2));
		/* Designations of the region, its city and its province. */
		memcpy(city, t->region, 4);
		memcpy(city + 4, "00", 3);
		memcpy(prov, t->region, 2);
		memcpy(prov + 2, "0000", 5);
		struct db_stmt *r = db_stmt(a->db, SQL_RISK_FOR);
		db_bind_text(r, 1, t->region);
		db_bind_text(r, 2, city);
		db_bind_text(r, 3, prov);
		while (db_step(r) == DB_ROW && in.nareas < AREAS_MAX) {
			const char *reg = db_col_text(r, 0);
			for (j = 0; j < in.nareas &&
			    strcmp(areas[j].region, reg) != 0; j++)
				;
			if (j < in.nareas)
				continue;
			snprintf(areas[j].region, sizeof(areas[j].region), "%s",
			    reg);
			areas[j].level = strcmp(db_col_text(r, 1), "high") == 0 ?
			    RISK_HIGH : RISK_MEDIUM;
			in.nareas++;
		}
		db_reset(r);
	}
	db_reset(s);
	if (rc == DB_ERR)
		return -1;
	in.areas = areas;

	s = db_stmt(a->db, SQL_CASES_OF);
	db_bind_text(s, 1, id_hash);
	while ((rc = db_step(s)) == DB_ROW && in.ncases < CASES_MAX) {
		enum case_kind k = case_kind_parse(db_col_text(s, 0));
		if (k == CASE__MAX)
			continue;
		cases[in.ncases].kind = k;
		snprintf(cases[in.ncases].listed, sizeof(cases[0].listed), "%s",
		    db_col_text(s, 1));
		in.ncases++;
	}
	db_reset(s);
	if (rc == DB_ERR)
		return -1;
	in.cases = cases;

	rules_eval(&a->rules, &in, out);
	return 0;
}

/*
 * The colour, from the cache in persons when nothing it depends on has
 * changed (migrations/0007_colour_cache.sql), else computed and stored
 * with the generation read before computing.
 */
int
health_colour(struct ctx *c, int64_t person_id, const char *id_hash,
    struct rules_result *out)
{
	struct app *a = c->app;
	struct db_stmt *s = db_stmt(a->db, SQL_COLOUR_CACHED);
	int64_t gen;
	int rc, fresh = 0;

	db_bind_int(s, 1, person_id);
	db_bind_int(s, 2, c->now);
	db_bind_text(s, 3, a->rules_id);
	if ((rc = db_step(s)) != DB_ROW) {
		db_reset(s);
		return -1;
	}
	gen = db_col_int(s, 0);
	if (db_col_int(s, 1) && color_parse(db_col_text(s, 2),
	    &out->color) == 0) {
		out->reasons = (unsigned)db_col_int(s, 3);
		snprintf(out->green_on, sizeof(out->green_on), "%s",
		    db_col_text(s, 4));
		fresh = 1;
	}
	db_reset(s);
	if (fresh)
		return 0;
	if (colour_compute(c, person_id, id_hash, out) == -1)
		return -1;
	s = db_stmt(a->db, SQL_COLOUR_STORE);
	db_bind_int(s, 1, person_id);
	db_bind_text(s, 2, color_name(out->color));
	db_bind_int(s, 3, out->reasons);
	db_bind_text(s, 4, out->green_on);
	db_bind_text(s, 5, a->rules_id);
	db_bind_int(s, 6, clock_next_cutoff(c->now));
	db_bind_int(s, 7, gen);
	if (db_run(s) == DB_ERR)
		LOG("cannot cache a colour");	/* the answer stands */
	return 0;
}

/* Adds "reasons":[...] to o. */
static void
add_reasons(cJSON *o, unsigned reasons)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "reasons");
	unsigned bit;

	for (bit = 1; bit < (1u << REASON__COUNT); bit <<= 1)
		if (reasons & bit)
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(reason_name(bit)));
}

/* Answers an input error on the API. */
static void
api_in_error(struct ctx *c, int status, const struct in_err *e)
{
	api_input_error(c, status, e->code, e->field, NULL);
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
	struct decl_in in;
	struct in_err e = { 0 };
	struct person p;
	struct rules_result res;
	char today[11];
	int st;
	cJSON *o;

	memset(&in, 0, sizeof(in));
	memset(&p, 0, sizeof(p));
	clock_day(c->now, today);
	if (decl_from_json(c, today, &in, &e) == -1) {
		api_in_error(c, 400, &e);
		return;
	}
	if ((st = declare_store(c, &in, today, &p, &e)) != 0) {
		api_in_error(c, st, &e);
		return;
	}
	if (health_colour(c, p.id, p.id_hash, &res) == -1) {
		api_error(c, 500, "internal", page_msg(c, "internal"));
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "color", color_name(res.color));
	add_reasons(o, res.reasons);
	if (res.green_on[0])
		cJSON_AddStringToObject(o, "green_on", res.green_on);
	cJSON_AddStringToObject(o, "day", today);
	api_json(c, 201, o);
	cJSON_Delete(o);
}

/* Everything the code endpoints and page show. */
struct code {
	struct person		p;
	struct rules_result	res;
	const char		*token;	/* in url */
	time_t			 iat, exp;
	struct buf		 url;	/* <public_base_url>/v/<token> */
	struct buf		 qr;	/* its QR modules (qr_modules) */
};

static void
code_free(struct code *k)
{
	buf_free(&k->url);
	buf_free(&k->qr);
}

/*
 * Today's opaque code id for a person, created on first use: 96 random
 * bits, 16 characters, enough never to be guessed within a day and short
 * because it is in every QR code.  k->url and k->qr get the code kept
 * under it, if any (migrations/0009).  0 or -1.
 */
static int
daily_code(struct ctx *c, int64_t person_id, const char *today,
    char out[32], struct code *k)
{
	struct db_stmt *s;
	unsigned char raw[12];
	const void *qr;
	struct buf b;
	size_t len;
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		s = db_stmt(c->app->db, SQL_DAILY_CODE_GET);
		db_bind_int(s, 1, person_id);
		db_bind_text(s, 2, today);
		if ((rc = db_step(s)) == DB_ROW) {
			snprintf(out, 32, "%s", db_col_text(s, 0));
			buf_puts(&k->url, db_col_text(s, 1));
			if ((qr = db_col_blob(s, 2, &len)) != NULL)
				buf_append(&k->qr, qr, len);
		}
		db_reset(s);
		if (rc == DB_ROW)
			return 0;
		if (rc == DB_ERR)
			return -1;
		rand_bytes(raw, sizeof(raw));
		buf_init(&b);
		b64url_encode(&b, raw, sizeof(raw));
		s = db_stmt(c->app->db, SQL_DAILY_CODE_INSERT);
		db_bind_text(s, 1, b.ptr);
		db_bind_int(s, 2, person_id);
		db_bind_text(s, 3, today);
		db_bind_int(s, 4, c->now);
		rc = db_run(s);
		buf_free(&b);
		if (rc == DB_ERR)
			return -1;
		/* Read back: another worker may have created it first. */
	}
	return -1;
}

/*
 * Whether the code kept under a code id (k->url, k->qr) can be handed out
 * again: for our current public_base_url, its QR drawn, signed by us with
 * the current key, for the colour the person has now, issued no later
 * than now, ending by the next cutoff, and with at least half of code_ttl
 * (and a minute) left, so that the page, which renews 30 seconds before
 * expiry, shows it a while.
 * Sets k->token, k->iat and k->exp from it.  1 or 0.
 */
static int
code_reusable(struct ctx *c, const struct key *key, struct code *k)
{
	const char *base = c->app->cfg[CFG_PUBLIC_BASE_URL];
	const cJSON *iss, *col, *iat, *exp;
	struct tok_parts p;
	size_t blen = strlen(base);
	time_t left;
	int ok;

	if (k->url.len <= blen + 3 || memcmp(k->url.ptr, base, blen) != 0 ||
	    memcmp(k->url.ptr + blen, "/v/", 3) != 0 ||
	    !qr_modules_ok((unsigned char *)k->qr.ptr, k->qr.len))
		return 0;
	k->token = k->url.ptr + blen + 3;
	if (tok_open(k->token, &p) != TOK_OK)
		return 0;
	iss = cJSON_GetObjectItemCaseSensitive(p.claims, "iss");
	col = cJSON_GetObjectItemCaseSensitive(p.claims, "col");
	iat = cJSON_GetObjectItemCaseSensitive(p.claims, "iat");
	exp = cJSON_GetObjectItemCaseSensitive(p.claims, "exp");
	ok = strcmp(p.kid, key->kid) == 0 && cJSON_IsString(iss) &&
	    strcmp(iss->valuestring, c->app->cfg[CFG_REGION]) == 0 &&
	    cJSON_IsString(col) &&
	    strcmp(col->valuestring, color_name(k->res.color)) == 0 &&
	    cJSON_IsNumber(iat) && cJSON_IsNumber(exp) &&
	    iat->valuedouble >= 0 && iat->valuedouble <= (double)c->now &&
	    exp->valuedouble > iat->valuedouble &&
	    exp->valuedouble <= (double)clock_next_cutoff(c->now);
	if (ok) {
		k->iat = (time_t)iat->valuedouble;
		k->exp = (time_t)exp->valuedouble;
		left = k->exp - c->now;
		ok = k->exp - k->iat <= c->app->code_ttl &&
		    2 * left >= c->app->code_ttl && left >= 60;
	}
	tok_close(&p);
	return ok;
}

/*
 * The code for the signed-in account: the one kept under today's code id
 * while code_reusable says so, else a fresh token and its QR, then kept.
 * Returns 0, or an HTTP status with the error code in *err (409
 * no_declaration_today).
 */
static int
code_issue(struct ctx *c, struct code *k, const char **err)
{
	struct app *a = c->app;
	const struct key *key = keyring_signer(&a->keys);
	char today[11], cid[32], *tok;
	struct db_stmt *s;
	cJSON *claims;
	size_t at;
	int rc;

	memset(k, 0, sizeof(*k));
	buf_init(&k->url);
	buf_init(&k->qr);
	clock_day(c->now, today);
	if ((rc = self_person(c, &k->p)) != 1) {
		*err = rc == 0 ? "no_declaration_today" : "internal";
		return rc == 0 ? 409 : 500;
	}
	s = db_stmt(a->db, SQL_DECL_ON_DAY);
	db_bind_int(s, 1, k->p.id);
	db_bind_text(s, 2, today);
	rc = db_step(s);
	db_reset(s);
	if (rc != DB_ROW) {
		*err = rc == DB_DONE ? "no_declaration_today" : "internal";
		return rc == DB_DONE ? 409 : 500;
	}
	if (health_colour(c, k->p.id, k->p.id_hash, &k->res) == -1 ||
	    daily_code(c, k->p.id, today, cid, k) == -1 || key == NULL) {
		*err = "internal";
		return 500;
	}
	if (code_reusable(c, key, k))
		return 0;
	buf_reset(&k->url);
	buf_reset(&k->qr);
	k->iat = c->now;
	k->exp = c->now + a->code_ttl;
	if (k->exp > clock_next_cutoff(c->now))
		k->exp = clock_next_cutoff(c->now);
	claims = cJSON_CreateObject();
	cJSON_AddStringToObject(claims, "iss", a->cfg[CFG_REGION]);
	cJSON_AddStringToObject(claims, "cid", cid);
	cJSON_AddStringToObject(claims, "col", color_name(k->res.color));
	cJSON_AddNumberToObject(claims, "iat", (double)k->iat);
	cJSON_AddNumberToObject(claims, "exp", (double)k->exp);
	tok = tok_sign_es256(key->pkey, key->kid, claims);
	cJSON_Delete(claims);
	if (tok == NULL) {
		LOG("cannot sign code token");
		*err = "internal";
		return 500;
	}
	buf_printf(&k->url, "%s/v/", a->cfg[CFG_PUBLIC_BASE_URL]);
	at = k->url.len;
	buf_puts(&k->url, tok);
	free(tok);
	k->token = k->url.ptr + at;
	if (qr_modules(k->url.ptr, &k->qr) == -1) {
		*err = "internal";
		return 500;
	}
	/* Not kept: it is still valid, only checked in full when scanned. */
	s = db_stmt(a->db, SQL_DAILY_CODE_KEEP);
	db_bind_text(s, 1, cid);
	db_bind_text(s, 2, k->url.ptr);
	db_bind_blob(s, 3, k->qr.ptr, k->qr.len);
	if (db_run(s) == DB_ERR)
		LOG("cannot keep a code");
	return 0;
}

static void
code_headers(struct ctx *c, const struct code *k)
{
	char iat[26], exp[26];

	clock_iso(k->iat, iat);
	clock_iso(k->exp, exp);
	resp_header(c->resp, "X-Code-Color", "%s", color_name(k->res.color));
	resp_header(c->resp, "X-Code-Issued-At", "%s", iat);
	resp_header(c->resp, "X-Code-Expires-At", "%s", exp);
	/* What the page times its renewal by: a kept code is not new. */
	resp_header(c->resp, "X-Code-Expires-In", "%lld",
	    (long long)(k->exp - c->now));
}

/*
 * GET /api/v1/code: 200 {"color","reasons","green_on","name_masked",
 * "id_masked","token","url","issued_at","expires_at","expires_in"}; 401; 409
 * no_declaration_today.
 */
void
api_code(struct ctx *c)
{
	struct code k;
	const char *err;
	char iat[26], exp[26], name[160];
	int st;
	cJSON *o;

	if ((st = code_issue(c, &k, &err)) != 0) {
		api_error(c, st, err, page_msg(c, err));
		code_free(&k);
		return;
	}
	clock_iso(k.iat, iat);
	clock_iso(k.exp, exp);
	name_mask(k.p.name, name, sizeof(name));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "color", color_name(k.res.color));
	add_reasons(o, k.res.reasons);
	if (k.res.green_on[0])
		cJSON_AddStringToObject(o, "green_on", k.res.green_on);
	cJSON_AddStringToObject(o, "name_masked", name);
	cJSON_AddStringToObject(o, "id_masked", k.p.id_masked);
	cJSON_AddStringToObject(o, "token", k.token);
	cJSON_AddStringToObject(o, "url", k.url.ptr);
	cJSON_AddStringToObject(o, "issued_at", iat);
	cJSON_AddStringToObject(o, "expires_at", exp);
	cJSON_AddNumberToObject(o, "expires_in", (double)(k.exp - c->now));
	api_json(c, 200, o);
	cJSON_Delete(o);
	code_free(&k);
}

/* The QR image endpoints: the same token, as SVG or PNG. */
static void
code_image(struct ctx *c, int png)
{
	struct code k;
	const char *err;
	int st;

	if ((st = code_issue(c, &k, &err)) != 0) {
		api_error(c, st, err, page_msg(c, err));
		code_free(&k);
		return;
	}
	buf_reset(&c->resp->body);
	if ((png ? qr_png_modules((unsigned char *)k.qr.ptr, k.qr.len, 8,
	    &c->resp->body) : qr_svg_modules((unsigned char *)k.qr.ptr,
	    k.qr.len, &c->resp->body)) == -1) {
		api_error(c, 500, "internal", page_msg(c, "internal"));
		code_free(&k);
		return;
	}
	c->resp->status = 200;
	c->resp->ctype = png ? "image/png" : "image/svg+xml";
	code_headers(c, &k);
	code_free(&k);
}

/* GET /api/v1/code.svg: 200 image/svg+xml with X-Code-* headers; 401; 409. */
void
api_code_svg(struct ctx *c)
{
	code_image(c, 0);
}

/* GET /api/v1/code.png: 200 image/png with X-Code-* headers; 401; 409. */
void
api_code_png(struct ctx *c)
{
	code_image(c, 1);
}

/* GET /.well-known/jwks.json: 200, our public keys; cacheable. */
void
api_jwks(struct ctx *c)
{
	resp_json(c->resp, 200, c->app->jwks);
	c->resp->cache = "public, max-age=300";
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
	char name[160];
	int have;

	if ((have = self_person(c, &p)) == 1) {
		name_mask(p.name, name, sizeof(name));
		cJSON_AddBoolToObject(d, "bound", 1);
		cJSON_AddStringToObject(d, "name_masked", name);
		cJSON_AddStringToObject(d, "id_masked", p.id_masked);
	}
	sym = cJSON_AddArrayToObject(d, "symptoms");
	for (bit = 1; bit & SYM__ALL; bit <<= 1) {
		cJSON *s = cJSON_CreateObject();
		char key[48];
		snprintf(key, sizeof(key), "sym_%s", symptom_name(bit));
		cJSON_AddStringToObject(s, "value", symptom_name(bit));
		cJSON_AddStringToObject(s, "label", page_text(c, key));
		if (form_has(f, "symptoms", symptom_name(bit)))
			cJSON_AddBoolToObject(s, "checked", 1);
		cJSON_AddItemToArray(sym, s);
	}
	if (f != NULL) {
		const char *v;
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
	if (e != NULL) {
		cJSON_AddStringToObject(d, "error", page_msg(c, e->code));
		if (e->field != NULL) {
			char key[32];
			snprintf(key, sizeof(key), "error_%s", e->field);
			cJSON_AddBoolToObject(d, key, 1);
		}
		c->resp->err_code = e->code;
	}
	page_render(c, status, "declare.html", "declare", d);
}

/* GET /declare: the form (identity fields until bound). */
void
page_declare(struct ctx *c)
{
	declare_form(c, 200, NULL, NULL);
}

/* POST /declare: 303 /code, or the form with the error (400/409). */
void
page_declare_post(struct ctx *c)
{
	struct decl_in in;
	struct in_err e = { 0 };
	struct person p;
	char today[11];
	int st;

	memset(&in, 0, sizeof(in));
	clock_day(c->now, today);
	if (decl_from_form(c, today, &in, &e) == -1) {
		declare_form(c, 400, &e, &c->req->form);
		return;
	}
	if ((st = declare_store(c, &in, today, &p, &e)) != 0) {
		declare_form(c, st, &e, &c->req->form);
		return;
	}
	resp_redirect(c->resp, 303, "/code");
}

/* GET /code: the live code page; 302 /declare without today's declaration. */
void
page_code(struct ctx *c)
{
	struct code k;
	const char *err;
	struct buf svg;
	char iat[26], exp[26], name[160], day[11];
	cJSON *d;
	int st;

	if ((st = code_issue(c, &k, &err)) != 0) {
		code_free(&k);
		if (st == 409)
			resp_redirect(c->resp, 302, "/declare");
		else
			page_error(c, st, err);
		return;
	}
	buf_init(&svg);
	if (qr_svg_modules((unsigned char *)k.qr.ptr, k.qr.len, &svg) == -1) {
		code_free(&k);
		buf_free(&svg);
		page_error(c, 500, "internal");
		return;
	}
	clock_iso(k.iat, iat);
	clock_iso(k.exp, exp);
	clock_day(c->now, day);
	name_mask(k.p.name, name, sizeof(name));
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "color", color_name(k.res.color));
	cJSON_AddStringToObject(d, "color_label", page_text(c,
	    k.res.color == COLOR_RED ? "color_red" : k.res.color ==
	    COLOR_YELLOW ? "color_yellow" : "color_green"));
	cJSON_AddStringToObject(d, "svg", svg.ptr);
	cJSON_AddStringToObject(d, "name_masked", name);
	cJSON_AddStringToObject(d, "id_masked", k.p.id_masked);
	cJSON_AddStringToObject(d, "issued_at", iat);
	cJSON_AddStringToObject(d, "expires_at", exp);
	cJSON_AddNumberToObject(d, "ttl", (double)(k.exp - c->now));
	cJSON_AddStringToObject(d, "day", day);
	if (k.res.green_on[0])
		cJSON_AddStringToObject(d, "green_on", k.res.green_on);
	if (k.res.reasons) {
		cJSON *arr = cJSON_AddArrayToObject(d, "reasons");
		unsigned bit;
		for (bit = 1; bit < (1u << REASON__COUNT); bit <<= 1) {
			char key[48];
			if (!(k.res.reasons & bit))
				continue;
			snprintf(key, sizeof(key), "reason_%s", reason_name(bit));
			cJSON_AddItemToArray(arr, cJSON_CreateString(
			    page_text(c, key)));
		}
	}
	page_render(c, 200, "code.html", "my_code", d);
	buf_free(&svg);
	code_free(&k);
}
