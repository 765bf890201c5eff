/*
 * Case lists (病例名单): the health authority imports its lists of
 * confirmed, suspected and asymptomatic cases and of close and secondary
 * contacts, reads the entries back and withdraws one.  An entry names a
 * person by the keyed hash of their document, never the number, with
 * the masked name for the authority's eyes.  The colour rules read the
 * entries by that hash, so a listed person who has never registered is
 * red the day they first declare, and the triggers of migration 0007
 * make a registered person's cached colour stale at once.
 *
 * The import (cases.h) is one function for the API and healthcodectl:
 * every row is checked first, under the request's read snapshot, and one
 * bad row refuses the whole file with every bad row listed; a good file
 * is written in one transaction with its audit entry, prepared
 * statements only and one commit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../fcgi/clock.h"
#include "../fcgi/csv.h"
#include "audit.h"
#include "cases.h"
#include "person.h"

#define PAGE_DEFAULT	50	/* entries of a list page */
#define PAGE_MAX	500
#define PROGRESS_EVERY	1000	/* rows between two progress calls */

/* The columns of a case list, in the documented order. */
enum col {
	COL_ID_TYPE,
	COL_ID_NUMBER,
	COL_NAME,
	COL_CATEGORY,
	COL_LISTED_ON,
	COL_NATIONALITY,	/* optional: passports need it */
	COL__MAX
};

static const char *const col_names[COL__MAX] = {
	"id_type", "id_number", "name", "category", "listed_on", "nationality"
};

/* What an over-long field of each column is. */
static const char *const col_invalid[COL__MAX] = {
	"invalid_id_type", "invalid_id_number", "invalid_name",
	"unknown_category", "invalid_date", "invalid_nationality"
};

/* A checked row, kept until the whole file has been checked. */
struct row {
	char		 hash[65];
	char		 day[11];
	unsigned char	 kind;		/* enum case_kind */
	unsigned char	 repeated;	/* the file lists it again, later */
	int32_t		 legacy;	/* its pre-0010 passport key, or -1 */
	uint32_t	 name;		/* offset of the masked name in names */
};

/* A passport's pre-0010 key, made only while such persons exist. */
struct legacy {
	char	key[65];
	char	nationality[4];
};

struct import {
	struct ctx		*c;
	struct cases_result	*out;
	int			 pos[COL__MAX];	/* field of each column, -1 */
	size_t			 ncols;
	char			 today[11];
	char			 oldest[11];	/* the purge keeps from this day */
	int			 legacy_any;	/* -1 not asked yet */
	size_t			 last_bad;	/* the last line with a problem */
	struct row		*rows;
	size_t			 nrows, caprows;
	struct legacy		*legacy;
	size_t			 nlegacy, caplegacy;
	struct buf		 names;
};

/* Lists one problem; a line's first makes it a bad line. */
static void
problem(struct import *im, size_t line, size_t column, const char *reason,
    const char *field)
{
	struct cases_result *o = im->out;

	if (line != im->last_bad) {
		o->invalid++;
		im->last_bad = line;
	}
	if (o->nproblems == CASES_PROBLEMS_MAX) {
		o->truncated = 1;
		return;
	}
	if (o->problems == NULL)
		o->problems = ck_calloc(CASES_PROBLEMS_MAX,
		    sizeof(*o->problems));
	o->problems[o->nproblems].line = line;
	o->problems[o->nproblems].column = column;
	o->problems[o->nproblems].reason = reason;
	o->problems[o->nproblems].field = field;
	o->nproblems++;
}

/* Copies s without surrounding spaces and tabs into out: 0, or -1 if too long. */
static int
trim(const char *s, char *out, size_t outsz)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	for (n = strlen(s); n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t');
	    n--)
		;
	if (n >= outsz)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Reads the header: which field holds which column.  0, or -1 (listed). */
static int
header(struct import *im, const struct csv_record *rec)
{
	char name[32];
	size_t i;
	int k;

	for (k = 0; k < COL__MAX; k++)
		im->pos[k] = -1;
	if (rec->err != CSV_OK) {
		problem(im, rec->line, 0, csv_err_name(rec->err), NULL);
		return -1;
	}
	im->ncols = rec->nfields;
	for (i = 0; i < rec->nfields; i++) {
		for (k = 0; k < COL__MAX; k++)
			if (trim(rec->field[i], name, sizeof(name)) == 0 &&
			    strcmp(name, col_names[k]) == 0)
				break;
		if (k == COL__MAX)
			problem(im, rec->line, i + 1, "unknown_column", NULL);
		else if (im->pos[k] != -1)
			problem(im, rec->line, i + 1, "duplicate_column",
			    col_names[k]);
		else
			im->pos[k] = (int)i;
	}
	for (k = 0; k < COL_NATIONALITY; k++)
		if (im->pos[k] == -1)
			problem(im, rec->line, 0, "missing_column",
			    col_names[k]);
	return im->out->invalid ? -1 : 0;
}

/*
 * Writes column k of rec, trimmed, to out ("" when the file has no such
 * column).  Returns out, or NULL for a field too long (listed).
 */
static char *
get(struct import *im, const struct csv_record *rec, enum col k, char *out,
    size_t outsz)
{
	out[0] = '\0';
	if (im->pos[k] == -1 || trim(rec->field[im->pos[k]], out, outsz) == 0)
		return out;
	problem(im, rec->line, 0, col_invalid[k], col_names[k]);
	return NULL;
}

/* Returns 1 if a passport person keyed before 0010 exists, 0, or -1. */
static int
legacy_any(struct import *im)
{
	struct db_stmt *s;
	int rc;

	if (im->legacy_any != -1)
		return im->legacy_any;
	s = db_stmt(im->c->app->db, SQL_CASES_LEGACY_ANY);
	if ((rc = db_step(s)) == DB_ROW)
		im->legacy_any = db_col_int(s, 0) != 0;
	db_reset(s);
	return rc == DB_ROW ? im->legacy_any : -1;
}

/* Keeps a checked row (id still holds the number).  0, or -1. */
static int
keep(struct import *im, struct identity *id, enum case_kind kind,
    const char *day, const char *name)
{
	char masked[NAME_MASKED_BYTES];
	struct row *w;
	int any = 0;

	if (id->type == ID_PASSPORT && (any = legacy_any(im)) == -1)
		return -1;
	if (im->nrows == im->caprows) {
		im->caprows = im->caprows ? im->caprows * 2 : 1024;
		im->rows = ck_realloc(im->rows, im->caprows *
		    sizeof(*im->rows));
	}
	w = &im->rows[im->nrows++];
	memcpy(w->hash, id->hash, sizeof(w->hash));
	memcpy(w->day, day, sizeof(w->day));
	w->kind = (unsigned char)kind;
	w->repeated = 0;
	w->legacy = -1;
	if (any) {
		if (im->nlegacy == im->caplegacy) {
			im->caplegacy = im->caplegacy ? im->caplegacy * 2 : 64;
			im->legacy = ck_realloc(im->legacy, im->caplegacy *
			    sizeof(*im->legacy));
		}
		person_legacy_key(im->c, id);
		memcpy(im->legacy[im->nlegacy].key, id->legacy, 65);
		memcpy(im->legacy[im->nlegacy].nationality, id->nationality, 4);
		w->legacy = (int32_t)im->nlegacy++;
	}
	name_mask(name, masked, sizeof(masked));
	w->name = (uint32_t)im->names.len;
	buf_append(&im->names, masked, strlen(masked) + 1);
	return 0;
}

/*
 * Checks one data record: every problem of it is listed (the identity's
 * first, the category's, the date's).  0 (kept, or listed), or -1 on a
 * database error.
 */
static int
row(struct import *im, const struct csv_record *rec)
{
	char type[16], number[32], name[NAME_BYTES], nat[8], cat[24],
	    day[16];
	size_t line = rec->line;
	enum case_kind kind = CASE__MAX;
	struct identity id;
	struct in_err e;
	int ok = 0, st, rc = 0;

	if (rec->nfields != im->ncols) {
		problem(im, line, 0, "wrong_column_count", NULL);
		return 0;
	}
	memset(&id, 0, sizeof(id));
	if (get(im, rec, COL_ID_TYPE, type, sizeof(type)) &&
	    get(im, rec, COL_ID_NUMBER, number, sizeof(number)) &&
	    get(im, rec, COL_NAME, name, sizeof(name)) &&
	    get(im, rec, COL_NATIONALITY, nat, sizeof(nat))) {
		/* A resident's nationality, when filled in, is China's. */
		if (strcmp(type, "resident_id") == 0 && nat[0] != '\0' &&
		    strcasecmp(nat, "CHN") != 0)
			problem(im, line, 0, "invalid_nationality",
			    col_names[COL_NATIONALITY]);
		else if ((st = person_identity(im->c, name[0] ? name : NULL,
		    type[0] ? type : NULL, number[0] ? number : NULL,
		    nat[0] ? nat : NULL, &id, &e)) == 500)
			rc = -1;
		else if (st != 0)
			problem(im, line, 0, e.code, e.field);
		else
			ok = 1;
	}
	explicit_bzero(number, sizeof(number));
	if (get(im, rec, COL_CATEGORY, cat, sizeof(cat)) != NULL) {
		if (cat[0] == '\0')
			problem(im, line, 0, "missing_field", "category");
		else if ((kind = case_kind_parse(cat)) == CASE__MAX)
			problem(im, line, 0, "unknown_category", "category");
	}
	if (get(im, rec, COL_LISTED_ON, day, sizeof(day)) != NULL) {
		if (day[0] == '\0')
			problem(im, line, 0, "missing_field", "listed_on");
		else if (day_valid(day) != 0)
			problem(im, line, 0, "invalid_date", "listed_on");
		else if (strcmp(day, im->today) > 0)
			problem(im, line, 0, "future_date", "listed_on");
		else if (strcmp(day, im->oldest) < 0)
			problem(im, line, 0, "too_old", "listed_on");
	}
	if (rc == 0 && ok && im->last_bad != line)
		rc = keep(im, &id, kind, day, name);
	explicit_bzero(id.number, sizeof(id.number));
	return rc;
}

/* Returns 1 for a record that is a blank line (skipped, as editors leave them). */
static int
blank(const struct csv_record *rec)
{
	char f[2];

	return rec->err == CSV_OK && rec->nfields == 1 &&
	    trim(rec->field[0], f, sizeof(f)) == 0 && f[0] == '\0';
}

/* The audit entry's details: the rows and the counts by category. */
static cJSON *
counts_json(const struct cases_result *r)
{
	cJSON *o = cJSON_CreateObject();
	int k;

	for (k = 0; k < CASE__MAX; k++)
		cJSON_AddNumberToObject(o, case_kind_name((enum case_kind)k),
		    (double)r->counts[k]);
	return o;
}

/*
 * Orders row pointers by identity and category, then the latest listing
 * day first, then the last in the file first.
 */
static int
row_cmp(const void *x, const void *y)
{
	const struct row *a = *(const struct row *const *)x;
	const struct row *b = *(const struct row *const *)y;
	int d;

	if ((d = strcmp(a->hash, b->hash)) != 0)
		return d;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((d = strcmp(a->day, b->day)) != 0)
		return -d;
	return a < b ? 1 : a > b ? -1 : 0;
}

/*
 * A person listed twice in one file for one category is one entry, with
 * the latest day: marks the others repeated.
 */
static void
mark_repeats(struct import *im)
{
	struct row **by = ck_calloc(im->nrows, sizeof(*by));
	size_t i;

	for (i = 0; i < im->nrows; i++)
		by[i] = &im->rows[i];
	qsort(by, im->nrows, sizeof(*by), row_cmp);
	for (i = 1; i < im->nrows; i++)
		if (by[i]->kind == by[i - 1]->kind &&
		    strcmp(by[i]->hash, by[i - 1]->hash) == 0)
			by[i]->repeated = 1;
	free(by);
}

/*
 * Writes the checked rows in one transaction with the audit entry:
 * passport persons keyed before 0010 are moved to their new key first
 * (person_find, as a look-up moves them), so that the entries reach
 * them.  0, or 500.
 */
static int
store(struct import *im, const char *actor, cases_progress *progress,
    void *arg)
{
	struct ctx *c = im->c;
	struct cases_result *out = im->out;
	struct db *db = c->app->db;
	struct identity id;
	struct person p;
	struct db_stmt *s;
	struct row *w;
	cJSON *d;
	size_t i;
	int rc;

	if (db_begin(db) == -1)
		return 500;
	for (i = 0; i < im->nrows; i++) {
		if ((w = &im->rows[i])->legacy < 0)
			continue;
		memset(&id, 0, sizeof(id));
		id.type = ID_PASSPORT;
		memcpy(id.hash, w->hash, sizeof(id.hash));
		memcpy(id.legacy, im->legacy[w->legacy].key, sizeof(id.legacy));
		memcpy(id.nationality, im->legacy[w->legacy].nationality,
		    sizeof(id.nationality));
		if (person_find(c, &id, &p) == -1)
			goto err;
	}
	mark_repeats(im);
	for (i = 0; i < im->nrows; i++) {
		if ((w = &im->rows[i])->repeated) {
			out->duplicates++;
			continue;
		}
		s = db_stmt(db, SQL_CASE_UPSERT);
		db_bind_text(s, 1, w->hash);
		db_bind_text(s, 2, case_kind_name((enum case_kind)w->kind));
		db_bind_text(s, 3, w->day);
		db_bind_int(s, 4, c->now);
		db_bind_text(s, 5, im->names.ptr + w->name);
		if (actor == NULL)
			db_bind_int(s, 6, c->account_id);
		if (db_run(s) == DB_ERR)
			goto err;
		out->counts[w->kind]++;
		out->imported++;
		if (progress != NULL && (i + 1) % PROGRESS_EVERY == 0)
			progress(arg, "imported", i + 1, im->nrows);
	}
	d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "rows", (double)im->nrows);
	cJSON_AddNumberToObject(d, "duplicates", (double)out->duplicates);
	cJSON_AddItemToObject(d, "counts", counts_json(out));
	rc = actor != NULL ? audit_add(c->app, c->now, actor, "cases.import",
	    "", d) : audit_ctx(c, "cases.import", "", d);
	cJSON_Delete(d);
	if (rc == -1 || db_commit(db) == -1)
		goto err;
	if (progress != NULL)
		progress(arg, "imported", im->nrows, im->nrows);
	return 0;
err:
	db_rollback(db);
	memset(out->counts, 0, sizeof(out->counts));
	out->imported = out->duplicates = 0;
	return 500;
}

/* Returns the lines of data, about: the progress's total before the end. */
static size_t
lines_in(const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	size_t n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Sets the refusal: its status and code. */
static int
refuse(struct cases_result *out, int status, const char *code)
{
	out->code = code;
	return status;
}

int
cases_import(struct ctx *c, const char *data, size_t len, const char *actor,
    cases_progress *progress, void *arg, struct cases_result *out)
{
	struct import im;
	struct csv r;
	struct csv_record rec;
	size_t ndata = 0, total;
	int st = 0;

	memset(out, 0, sizeof(*out));
	memset(&im, 0, sizeof(im));
	im.c = c;
	im.out = out;
	im.legacy_any = -1;
	buf_init(&im.names);
	clock_day(c->now, im.today);
	day_add(im.today, -(int)(c->app->conf.keep.cases_days - 1), im.oldest);
	total = lines_in(data, len);
	total = total > 0 ? total - 1 : 0;
	/* The checks read one snapshot (the CLI's too); the write ends it. */
	db_read_begin(c->app->db);
	csv_init(&r, data, len);
	if (!csv_next(&r, &rec)) {
		st = refuse(out, 422, "no_rows");
		goto out;
	}
	if (header(&im, &rec) == -1) {
		st = refuse(out, 422, "invalid_rows");
		goto out;
	}
	while (csv_next(&r, &rec)) {
		if (blank(&rec))
			continue;
		if (++ndata > (size_t)c->app->conf.import_rows_max) {
			out->rows_max = c->app->conf.import_rows_max;
			st = refuse(out, 413, "too_many_rows");
			goto out;
		}
		if (rec.err != CSV_OK)
			problem(&im, rec.line, 0, csv_err_name(rec.err), NULL);
		else if (row(&im, &rec) == -1) {
			st = refuse(out, 500, "internal");
			goto out;
		}
		if (progress != NULL && ndata % PROGRESS_EVERY == 0)
			progress(arg, "checked", ndata, total);
	}
	if (out->invalid > 0)
		st = refuse(out, 422, "invalid_rows");
	else if (im.nrows == 0)
		st = refuse(out, 422, "no_rows");
	else {
		if (progress != NULL)
			progress(arg, "checked", ndata, ndata);
		if ((st = store(&im, actor, progress, arg)) != 0)
			refuse(out, st, "internal");
	}
out:
	if (st != 0)
		db_read_end(c->app->db);
	csv_free(&r);
	free(im.rows);
	free(im.legacy);
	if (im.names.ptr != NULL)
		explicit_bzero(im.names.ptr, im.names.len);
	buf_free(&im.names);
	return st;
}

void
cases_result_free(struct cases_result *r)
{
	free(r->problems);
	memset(r, 0, sizeof(*r));
}

/* ---- the API ---------------------------------------------------------- */

/* Answers an import: 200 the counts, or the refusal with its rows. */
static void
import_answer(struct ctx *c, int st, const struct cases_result *r)
{
	cJSON *o, *e, *rows, *it;
	const struct cases_problem *p;
	size_t i;

	if (st == 500) {
		api_err(c, 500, "internal");
		return;
	}
	o = cJSON_CreateObject();
	if (st == 0) {
		cJSON_AddNumberToObject(o, "imported", (double)r->imported);
		cJSON_AddNumberToObject(o, "duplicates", (double)r->duplicates);
		cJSON_AddItemToObject(o, "counts", counts_json(r));
	} else {
		e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "code", r->code);
		cJSON_AddStringToObject(e, "message", page_msg(c, r->code));
		c->resp->err_code = r->code;
	}
	if (st == 413)
		cJSON_AddNumberToObject(o, "rows_max", (double)r->rows_max);
	if (st == 422 && strcmp(r->code, "invalid_rows") == 0) {
		cJSON_AddNumberToObject(o, "invalid", (double)r->invalid);
		cJSON_AddBoolToObject(o, "truncated", r->truncated);
		rows = cJSON_AddArrayToObject(o, "rows");
		for (i = 0; i < r->nproblems; i++) {
			p = &r->problems[i];
			it = cJSON_CreateObject();
			cJSON_AddNumberToObject(it, "line", (double)p->line);
			if (p->column > 0)
				cJSON_AddNumberToObject(it, "column",
				    (double)p->column);
			cJSON_AddStringToObject(it, "reason", p->reason);
			if (p->field != NULL)
				cJSON_AddStringToObject(it, "field", p->field);
			cJSON_AddStringToObject(it, "message",
			    page_msg(c, p->reason));
			cJSON_AddItemToArray(rows, it);
		}
	}
	api_json(c, st == 0 ? 200 : st, o);
	cJSON_Delete(o);
}

/*
 * POST /api/v1/admin/cases (text/csv): imports a case list, all rows or
 * none.  200 {"imported","counts"}; 401; 403; 413 body_too_large,
 * too_many_rows (with rows_max); 415; 422 invalid_rows (with "rows":
 * [{"line","reason","field"?,"column"?,"message"}], "invalid", and
 * "truncated"), no_rows.
 */
void
api_cases_import(struct ctx *c)
{
	struct cases_result r;
	int st;

	st = cases_import(c, c->req->raw != NULL ? c->req->raw : "",
	    c->req->raw_len, NULL, NULL, NULL, &r);
	import_answer(c, st, &r);
	cases_result_free(&r);
}

/*
 * Reads a page of entries, newest first (by the time listed, then id),
 * before entry id before (0: from the newest), into a JSON array; *next
 * is the id to continue before, 0 at the end.  NULL on error.
 */
static cJSON *
cases_page(struct ctx *c, int64_t before, int64_t limit, int64_t *next,
    int for_page)
{
	struct db_stmt *s;
	cJSON *arr = cJSON_CreateArray(), *o;
	const char *kind;
	char iso[26], key[32];
	int64_t n = 0, id = 0;
	int rc;

	*next = 0;
	s = db_stmt(c->app->db, before > 0 ? SQL_CASES_BEFORE :
	    SQL_CASES_FIRST);
	db_bind_int(s, 1, limit + 1);
	if (before > 0)
		db_bind_int(s, 2, before);
	while ((rc = db_step(s)) == DB_ROW) {
		if (++n > limit) {
			*next = id;
			break;
		}
		id = db_col_int(s, 0);
		kind = db_col_text(s, 2);
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)id);
		cJSON_AddStringToObject(o, "name_masked", db_col_text(s, 1));
		cJSON_AddStringToObject(o, "category", kind);
		if (for_page) {
			snprintf(key, sizeof(key), "case_%s", kind);
			cJSON_AddStringToObject(o, "category_label",
			    page_text(c, key));
		}
		cJSON_AddStringToObject(o, "listed_on", db_col_text(s, 3));
		cJSON_AddStringToObject(o, "source", db_col_text(s, 4));
		clock_iso((time_t)db_col_int(s, 5), iso);
		cJSON_AddStringToObject(o, "listed_at", iso);
		cJSON_AddItemToArray(arr, o);
	}
	return rows_done(s, rc == DB_ROW ? DB_DONE : rc, arr);
}

/* Appends the audit entry of a read of the list.  0, or -1. */
static int
audit_list(struct ctx *c, int64_t before, int count)
{
	cJSON *d = cJSON_CreateObject();
	int rc;

	cJSON_AddNumberToObject(d, "count", count);
	if (before > 0)
		cJSON_AddNumberToObject(d, "before", (double)before);
	else
		cJSON_AddNullToObject(d, "before");
	rc = audit_read(c, "cases.list", "", d);
	cJSON_Delete(d);
	return rc;
}

/*
 * Reads the query's paging: before (an entry id) and limit.  0, or 400
 * invalid_cursor / invalid_limit with e.
 */
static int
paging(struct ctx *c, int64_t *before, int64_t *limit, struct in_err *e)
{
	const char *b = kv_get(&c->req->query, "before");
	const char *l = kv_get(&c->req->query, "limit");
	long long v;

	*before = 0;
	*limit = PAGE_DEFAULT;
	if (b != NULL) {
		if (!v_int(b, 1, INT64_MAX, &v))
			return in_err(e, 400, "invalid_cursor", "before", NULL);
		*before = v;
	}
	if (l != NULL) {
		if (!v_int(l, 1, PAGE_MAX, &v))
			return in_err(e, 400, "invalid_limit", "limit", NULL);
		*limit = v;
	}
	return 0;
}

/*
 * GET /api/v1/admin/cases?before=ID&limit=N: the entries, newest first,
 * audited as a read of personal data.  200 {"cases":[{"id",
 * "name_masked","category","listed_on","source","listed_at"}],
 * "next":ID|null}; 400 invalid_cursor, invalid_limit; 401; 403.
 */
void
api_cases(struct ctx *c)
{
	int64_t before, limit, next;
	struct in_err e;
	cJSON *list, *extra;

	if (paging(c, &before, &limit, &e) != 0) {
		api_in_error(c, &e);
		return;
	}
	if ((list = cases_page(c, before, limit, &next, 0)) == NULL ||
	    audit_list(c, before, cJSON_GetArraySize(list)) == -1) {
		cJSON_Delete(list);
		api_err(c, 500, "internal");
		return;
	}
	extra = cJSON_CreateObject();
	if (next > 0)
		cJSON_AddNumberToObject(extra, "next", (double)next);
	else
		cJSON_AddNullToObject(extra, "next");
	api_object(c, extra, "cases", list);
}

/*
 * Withdraws the entry named by the route's {id}, audited with the
 * entry's identity hash as the subject; the colour follows at once (the
 * trigger).  1, 0 no such entry, -1.
 */
static int
case_withdraw(struct ctx *c, int64_t *idp)
{
	struct db *db = c->app->db;
	struct db_stmt *s;
	char hash[65], kind[24];
	long long id;
	cJSON *d;
	int rc;

	if (!v_int(c->req->params[0], 1, INT64_MAX, &id))
		return 0;
	*idp = id;
	if (db_begin(db) == -1)
		return -1;
	s = db_stmt(db, SQL_CASE_WITHDRAW);
	db_bind_int(s, 1, id);
	if ((rc = db_step(s)) == DB_ROW) {
		snprintf(hash, sizeof(hash), "%s", db_col_text(s, 0));
		snprintf(kind, sizeof(kind), "%s", db_col_text(s, 1));
	}
	db_reset(s);
	if (rc != DB_ROW) {
		db_rollback(db);
		return rc == DB_DONE ? 0 : -1;
	}
	d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "id", (double)id);
	cJSON_AddStringToObject(d, "category", kind);
	rc = audit_ctx(c, "cases.withdraw", hash, d);
	cJSON_Delete(d);
	if (rc == -1 || db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	return 1;
}

/* DELETE /api/v1/admin/cases/{id}: 200 {"withdrawn":ID}; 401; 403; 404. */
void
api_case_withdraw(struct ctx *c)
{
	int64_t id = 0;
	cJSON *o;
	int rc;

	if ((rc = case_withdraw(c, &id)) != 1) {
		api_err(c, rc == -1 ? 500 : 404, rc == -1 ? "internal" :
		    "not_found");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "withdrawn", (double)id);
	api_json(c, 200, o);
	cJSON_Delete(o);
}

/* ---- pages ------------------------------------------------------------ */

/*
 * GET /admin/cases?before=ID: the import form (static/admin-cases.js
 * posts the chosen file to the API) and the entries, each with a
 * withdraw button; audited like the API's list.  200; 302 to /login;
 * 403; 400 for bad paging.
 */
void
page_admin_cases(struct ctx *c)
{
	int64_t before, limit, next;
	const char *w = kv_get(&c->req->query, "withdrawn");
	struct in_err e;
	long long v;
	cJSON *d, *list;

	if (paging(c, &before, &limit, &e) != 0) {
		page_error(c, 400, e.code);
		return;
	}
	if ((list = cases_page(c, before, limit, &next, 1)) == NULL ||
	    audit_list(c, before, cJSON_GetArraySize(list)) == -1) {
		cJSON_Delete(list);
		page_error(c, 500, "internal");
		return;
	}
	d = cJSON_CreateObject();
	cJSON_AddBoolToObject(d, "has_cases", cJSON_GetArraySize(list) > 0);
	cJSON_AddItemToObject(d, "cases", list);
	if (next > 0)
		cJSON_AddNumberToObject(d, "next", (double)next);
	if (before > 0)
		cJSON_AddBoolToObject(d, "paged", 1);
	if (w != NULL && v_int(w, 1, INT64_MAX, &v))
		cJSON_AddNumberToObject(d, "withdrawn", (double)v);
	cJSON_AddNumberToObject(d, "rows_max",
	    (double)c->app->conf.import_rows_max);
	page_render(c, 200, "admin_cases.html", "admin_cases_title", d);
}

/* POST /admin/cases/{id}/withdraw: 303 to /admin/cases; 403; 404. */
void
page_admin_case_withdraw(struct ctx *c)
{
	int64_t id = 0;
	char loc[64];
	int rc;

	if ((rc = case_withdraw(c, &id)) != 1) {
		page_error(c, rc == -1 ? 500 : 404, rc == -1 ? "internal" :
		    "not_found");
		return;
	}
	snprintf(loc, sizeof(loc), "/admin/cases?withdrawn=%" PRId64, id);
	resp_redirect(c->resp, 303, loc);
}
