/*
 * Persons and their documents.  The keyed hash (HMAC-SHA256 with the
 * identity key) of "resident_id:<number>" or "passport:<nationality>:
 * <number>" names a person; case lists are matched by it.  The raw
 * number lives only as long as the request that presents it.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "person.h"

/* One look-up in a code table (regions, countries): 1, 0, -1. */
static int
code_known(struct ctx *c, enum stmt id, const char *code)
{
	struct db_stmt *s = db_stmt(c->app->db, id);
	int rc;

	db_bind_text(s, 1, code);
	rc = db_step(s);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int
region_known(struct ctx *c, const char *code)
{
	return code_known(c, SQL_REGION_EXISTS, code);
}

int
region_name(struct ctx *c, const char *code, char *out, size_t outlen)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_REGION_NAME);
	int rc;

	out[0] = '\0';
	db_bind_text(s, 1, code);
	if ((rc = db_step(s)) == DB_ROW)
		snprintf(out, outlen, "%s", db_col_text(s, 0));
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* For the pure identity checks: a look-up that remembers a database error. */
struct lookup {
	struct ctx	*c;
	int		 failed;
};

static int
lookup_region(void *arg, const char *code)
{
	struct lookup *l = arg;
	char city[7];
	int rc;

	/*
	 * The region prefix of a resident ID is the household registration
	 * region at the time of issue; codes of counties since merged or
	 * renamed are no longer in the current table, so the prefecture
	 * (XXXX00) is accepted in their place.
	 */
	if ((rc = region_known(l->c, code)) == 0) {
		memcpy(city, code, 4);
		memcpy(city + 4, "00", 3);
		rc = region_known(l->c, city);
	}
	if (rc == -1)
		l->failed = 1;
	return rc == 1;
}

static int
lookup_country(void *arg, const char *alpha3)
{
	struct lookup *l = arg;
	int rc = code_known(l->c, SQL_COUNTRY_EXISTS, alpha3);

	if (rc == -1)
		l->failed = 1;
	return rc == 1;
}

/* The keyed hash of a document: "type:number", passports with the nationality. */
static void
identity_hash(struct app *a, const struct identity *id, int with_nationality,
    char out[65])
{
	struct buf v;

	buf_init(&v);
	if (with_nationality)
		buf_printf(&v, "%s:%s:%s", id_type_name(id->type),
		    id->nationality, id->number);
	else
		buf_printf(&v, "%s:%s", id_type_name(id->type), id->number);
	hmac_hex(a->id_key, "id", v.ptr, out);
	explicit_bzero(v.ptr, v.len);
	buf_free(&v);
}

int
person_identity(struct ctx *c, const char *name, const char *type,
    const char *number, const char *nationality, struct identity *id,
    struct in_err *e)
{
	struct lookup l = { c, 0 };
	enum id_error ie;
	char today[11];
	int st = 0;

	memset(id, 0, sizeof(*id));
	clock_day(c->now, today);
	if (name == NULL)
		return in_err(e, 400, "missing_field", "name", NULL);
	if (type == NULL)
		return in_err(e, 400, "missing_field", "id_type", NULL);
	if (number == NULL)
		return in_err(e, 400, "missing_field", "id_number", NULL);
	if (!name_valid(name))
		return in_err(e, 400, "invalid_name", "name", NULL);
	if ((id->type = id_type_parse(type)) == ID__MAX)
		return in_err(e, 400, "invalid_id_type", "id_type", NULL);
	if (id_normalise(number, id->number, sizeof(id->number)) == -1)
		return in_err(e, 400, "invalid_id_number", "id_number", NULL);
	if (id->type == ID_RESIDENT) {
		ie = id_check_resident(id->number, today, lookup_region, &l);
	} else {
		if (nationality == NULL) {
			st = in_err(e, 400, "missing_field", "nationality",
			    NULL);
			goto out;
		}
		if (id_normalise(nationality, id->nationality,
		    sizeof(id->nationality)) == -1) {
			st = in_err(e, 400, "invalid_nationality",
			    "nationality", NULL);
			goto out;
		}
		ie = id_check_passport(id->number, id->nationality,
		    lookup_country, &l);
	}
	if (l.failed)
		st = in_err(e, 500, "internal", NULL, NULL);
	else if (ie != ID_OK)
		st = in_err(e, 400, id_error_name(ie), ie == ID_BAD_NATIONALITY ?
		    "nationality" : "id_number", NULL);
	else {
		id->name = name;
		identity_hash(c->app, id, id->type == ID_PASSPORT, id->hash);
		/* The legacy key and the mask are made from the number when needed. */
	}
out:
	if (st != 0)
		explicit_bzero(id->number, sizeof(id->number));
	return st;
}

/* Reads a person from a SQL_SELF_PERSON, _BY_HASH or _LEGACY row. */
static void
person_row(struct db_stmt *s, struct person *p)
{
	p->id = db_col_int(s, 0);
	snprintf(p->id_hash, sizeof(p->id_hash), "%s", db_col_text(s, 1));
	snprintf(p->id_type, sizeof(p->id_type), "%s", db_col_text(s, 2));
	snprintf(p->id_masked, sizeof(p->id_masked), "%s", db_col_text(s, 3));
	snprintf(p->name, sizeof(p->name), "%s", db_col_text(s, 4));
	p->legacy = db_col_int(s, 5) != 0;
	snprintf(p->nationality, sizeof(p->nationality), "%s",
	    db_col_text(s, 6));
}

/* Runs a person query bound to one text (and a second, or NULL): 1, 0, -1. */
static int
person_query(struct ctx *c, enum stmt id, const char *a, const char *b,
    struct person *p)
{
	struct db_stmt *s = db_stmt(c->app->db, id);
	int rc;

	db_bind_text(s, 1, a);
	if (b != NULL)
		db_bind_text(s, 2, b);
	if ((rc = db_step(s)) == DB_ROW)
		person_row(s, p);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int
person_self(struct ctx *c, struct person *p)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_SELF_PERSON);
	int rc;

	db_bind_int(s, 1, c->account_id);
	if ((rc = db_step(s)) == DB_ROW)
		person_row(s, p);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Moves a person keyed before migration 0010 to the document's new key. */
static int
rekey(struct ctx *c, const struct identity *id, struct person *p)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_PERSON_REKEY);

	db_bind_int(s, 1, p->id);
	db_bind_text(s, 2, id->hash);
	if (db_run(s) == DB_ERR)
		return -1;
	s = db_stmt(c->app->db, SQL_CASES_REKEY);
	db_bind_text(s, 1, id->legacy);
	db_bind_text(s, 2, id->hash);
	if (db_run(s) == DB_ERR)
		return -1;
	memcpy(p->id_hash, id->hash, sizeof(p->id_hash));
	p->legacy = 0;
	LOG("a passport person moved to the key with nationality");
	return 0;
}

/* The passport's key before migration 0010, made once when needed. */
static const char *
legacy_key(struct ctx *c, struct identity *id)
{
	if (id->legacy[0] == '\0')
		identity_hash(c->app, id, 0, id->legacy);
	return id->legacy;
}

void
person_legacy_key(struct ctx *c, struct identity *id)
{
	(void)legacy_key(c, id);
}

/* Returns 1 if p is the legacy-keyed person of passport id. */
static int
legacy_match(struct ctx *c, struct identity *id, const struct person *p)
{
	return id->type == ID_PASSPORT && p->legacy &&
	    strcmp(p->nationality, id->nationality) == 0 &&
	    ct_streq(p->id_hash, legacy_key(c, id));
}

int
person_find(struct ctx *c, struct identity *id, struct person *p)
{
	int rc;

	if ((rc = person_query(c, SQL_PERSON_BY_HASH, id->hash, NULL, p)) != 0
	    || id->type != ID_PASSPORT)
		return rc;
	if ((rc = person_query(c, SQL_PERSON_LEGACY, legacy_key(c, id),
	    id->nationality, p)) != 1)
		return rc;
	return rekey(c, id, p) == -1 ? -1 : 1;
}

int
person_bind_self(struct ctx *c, struct identity *id, struct person *p,
    struct in_err *e)
{
	struct app *a = c->app;
	struct db_stmt *s;
	char masked[24];
	int rc;

	if ((rc = person_self(c, p)) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	if (rc == 1) {
		if (ct_streq(id->hash, p->id_hash))
			return 0;
		if (legacy_match(c, id, p))
			return rekey(c, id, p) == -1 ?
			    in_err(e, 500, "internal", NULL, NULL) : 0;
		return in_err(e, 409, "identity_mismatch", "id_number", NULL);
	}
	if ((rc = person_find(c, id, p)) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	if (rc == 1) {
		/*
		 * Someone else's own identity: never silently shared.  Said
		 * so only to whoever also gives its name as on record (the
		 * person, who may then dispute it); to anyone else it is a
		 * mismatch, so that an ID number alone tells nothing.
		 */
		if ((rc = person_holder(c, p->id, NULL)) == -1)
			return in_err(e, 500, "internal", NULL, NULL);
		if (rc == 1)
			return in_err(e, 409, strcmp(p->name, id->name) == 0 ?
			    "identity_in_use" : "identity_mismatch",
			    "id_number", NULL);
	} else {
		id_mask(id->type, id->number, masked, sizeof(masked));
		memset(p, 0, sizeof(*p));
		s = db_stmt(a->db, SQL_PERSON_INSERT);
		db_bind_text(s, 1, id->hash);
		db_bind_text(s, 2, id_type_name(id->type));
		db_bind_text(s, 3, masked);
		db_bind_text(s, 4, id->name);
		db_bind_text(s, 5, id->type == ID_PASSPORT ? id->nationality :
		    NULL);
		db_bind_int(s, 6, c->now);
		if ((rc = db_step(s)) == DB_ROW)
			p->id = db_col_int(s, 0);
		db_reset(s);
		if (rc != DB_ROW)
			return in_err(e, 500, "internal", NULL, NULL);
		memcpy(p->id_hash, id->hash, sizeof(p->id_hash));
		snprintf(p->id_type, sizeof(p->id_type), "%s",
		    id_type_name(id->type));
		snprintf(p->id_masked, sizeof(p->id_masked), "%s", masked);
		snprintf(p->name, sizeof(p->name), "%s", id->name);
	}
	s = db_stmt(a->db, SQL_LINK_SELF);
	db_bind_int(s, 1, c->account_id);
	db_bind_int(s, 2, p->id);
	db_bind_int(s, 3, c->now);
	if (db_run(s) == DB_ERR)
		return in_err(e, 500, "internal", NULL, NULL);
	return 0;
}

int
person_holder(struct ctx *c, int64_t person_id, int64_t *account)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_PERSON_HOLDER);
	int rc;

	db_bind_int(s, 1, person_id);
	if ((rc = db_step(s)) == DB_ROW && account != NULL)
		*account = db_col_int(s, 0);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int
person_move_self(struct ctx *c, int64_t person_id, int64_t to, int64_t *from,
    struct in_err *e)
{
	/* The link, and what the account that held it recorded under it. */
	static const struct {
		enum stmt	id;
		int		by_holder;	/* ?2 is the holder */
	} forget[] = {
		{ SQL_UNLINK_SELF, 1 },
		{ SQL_PERSON_FORGET_DECLS, 0 },
		{ SQL_PERSON_FORGET_CODES, 0 },
		{ SQL_PERSON_FORGET_CHECKINS, 1 },
		{ SQL_PERSON_FORGET_MARKS, 0 },
	};
	struct db *db = c->app->db;
	struct db_stmt *s;
	size_t i;
	int rc;

	s = db_stmt(db, SQL_SELF_BOUND);
	db_bind_int(s, 1, to);
	rc = db_step(s);
	db_reset(s);
	if (rc == DB_ERR)
		return in_err(e, 500, "internal", NULL, NULL);
	if (rc == DB_ROW)
		return in_err(e, 409, "identity_bound", NULL, NULL);
	*from = 0;
	if ((rc = person_holder(c, person_id, from)) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	for (i = 0; i < NELEM(forget); i++) {
		s = db_stmt(db, forget[i].id);
		db_bind_int(s, 1, person_id);
		if (forget[i].by_holder)
			db_bind_int(s, 2, *from);
		if (db_run(s) == DB_ERR)
			return in_err(e, 500, "internal", NULL, NULL);
	}
	s = db_stmt(db, SQL_LINK_SELF);
	db_bind_int(s, 1, to);
	db_bind_int(s, 2, person_id);
	db_bind_int(s, 3, c->now);
	if (db_run(s) == DB_ERR)
		return in_err(e, 500, "internal", NULL, NULL);
	return 0;
}

int
person_declared(struct ctx *c, int64_t person_id, const char *day)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_DECL_ON_DAY);
	int rc;

	db_bind_int(s, 1, person_id);
	db_bind_text(s, 2, day);
	rc = db_step(s);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}
