/*
 * The case-list import (handlers/cases.c) against a real SQLite file,
 * migrated and prepared as a worker is: the rows' checks (valid and
 * invalid side by side, each with its line, reason and field), all or
 * nothing, blank lines, the header in any order, the limits (rows,
 * listed problems), the refresh of an entry, passports keyed before
 * migration 0010 moved to their new key, progress, the audit entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/migrate.h"
#include "../handlers/boot.h"
#include "../handlers/cases.h"
#include "../handlers/ident.h"
#include "t.h"

static struct app app;
static char dir[] = "/tmp/hc-cases.XXXXXX";

/* 2026-11-29 10:00 Shanghai: the tests' "today". */
#define NOW	1795917600
#define TODAY	"2026-11-29"
#define HDR	"id_type,id_number,name,category,listed_on,nationality\n"
#define ID1	"11010519491231002X"	/* valid */
#define ID2	"330106198001010013"	/* valid */
#define ID1_BAD	"110105194912310021"	/* check digit */

/* The integer a query returns, or -1. */
static long long
one(const char *sql)
{
	struct buf err;
	struct db_stmt *s;
	long long v = -1;

	buf_init(&err);
	if ((s = db_prepare(app.db, sql, &err)) != NULL && db_step(s) == DB_ROW)
		v = db_col_int(s, 0);
	db_finalize(s);
	buf_free(&err);
	return v;
}

/* The text a query returns (static), or "(none)". */
static const char *
text(const char *sql)
{
	static char out[512];
	struct buf err;
	struct db_stmt *s;

	buf_init(&err);
	snprintf(out, sizeof(out), "(none)");
	if ((s = db_prepare(app.db, sql, &err)) != NULL && db_step(s) == DB_ROW)
		snprintf(out, sizeof(out), "%s", db_col_text(s, 0));
	db_finalize(s);
	buf_free(&err);
	return out;
}

static void
setup(void)
{
	struct buf err, log;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	setenv("HC_DATA_DIR", dir, 1);
	setenv("TZ", "UTC", 1);
	unsetenv("HC_CONFIG");
	unsetenv("HC_NOW");
	buf_init(&err);
	buf_init(&log);
	/* The keys first: the migrations' functions compute with them. */
	memset(app.session_key, 0x11, sizeof(app.session_key));
	memset(app.id_key, 0x22, sizeof(app.id_key));
	memset(app.phone_key, 0x33, sizeof(app.phone_key));
	if (boot_config(&app, &err) == -1 || boot_db(&app, &err) == -1 ||
	    boot_functions(&app, &err) == -1 ||
	    migrate_up(app.db, migrations, migrations_count, 0, &log,
	    &err) < 0 || boot_prepare(&app, &err) == -1) {
		printf("setup: %s\n", buf_cstr(&err));
		exit(1);
	}
	buf_free(&err);
	buf_free(&log);
}

/* Imports csv as the CLI at NOW: the status, with r filled. */
static int
import(const char *csv, struct cases_result *r)
{
	struct ctx c;

	memset(&c, 0, sizeof(c));
	c.app = &app;
	c.now = NOW;
	return cases_import(&c, csv, strlen(csv), "cli", NULL, NULL, r);
}

/* What an import may change, as one number. */
static long long
state(void)
{
	return one("SELECT count(*) * 1000000 + coalesce(sum(listed_at % 1000), "
	    "0) + (SELECT count(*) FROM audit_log) FROM case_entries");
}

/* One bad row after a good one: refused whole, on line 3, as reason/field. */
static const struct {
	const char	*row;
	const char	*reason;
	const char	*field;		/* NULL: none */
} bad[] = {
	{ "resident_id," ID1_BAD ",王小华,confirmed," TODAY ",",
	  "invalid_check_digit", "id_number" },
	{ "resident_id,11010519491231002,王小华,confirmed," TODAY ",",
	  "invalid_id_number", "id_number" },
	{ "resident_id,110105204912310026,王小华,confirmed," TODAY ",",
	  "invalid_birth_date", "id_number" },
	{ "resident_id,990105194912310023,王小华,confirmed," TODAY ",",
	  "unknown_region", "id_number" },
	{ "resident_id,,王小华,confirmed," TODAY ",",
	  "missing_field", "id_number" },
	{ "resident_id," ID1 ",,confirmed," TODAY ",",
	  "missing_field", "name" },
	{ ",11010519491231002X,王小华,confirmed," TODAY ",",
	  "missing_field", "id_type" },
	{ "resident," ID1 ",王小华,confirmed," TODAY ",",
	  "invalid_id_type", "id_type" },
	{ "resident_id," ID1 ",王小华2,confirmed," TODAY ",",
	  "invalid_name", "name" },
	{ "resident_id," ID1 ",<b>x</b>,confirmed," TODAY ",",
	  "invalid_name", "name" },
	{ "resident_id," ID1 ",王小华,Confirmed," TODAY ",",
	  "unknown_category", "category" },
	{ "resident_id," ID1 ",王小华,," TODAY ",",
	  "missing_field", "category" },
	{ "resident_id," ID1 ",王小华,confirmed,2026-11-30,",
	  "future_date", "listed_on" },
	{ "resident_id," ID1 ",王小华,confirmed,2026-11-29T10:00,",
	  "invalid_date", "listed_on" },
	{ "resident_id," ID1 ",王小华,confirmed,2026/11/29,",
	  "invalid_date", "listed_on" },
	{ "resident_id," ID1 ",王小华,confirmed,2025-02-29,",
	  "invalid_date", "listed_on" },
	{ "resident_id," ID1 ",王小华,confirmed,2026-11-01,",
	  "too_old", "listed_on" },
	{ "resident_id," ID1 ",王小华,confirmed,,",
	  "missing_field", "listed_on" },
	{ "resident_id," ID1 ",王小华,confirmed," TODAY ",USA",
	  "invalid_nationality", "nationality" },
	{ "passport,E12345678,John Smith,confirmed," TODAY ",ZZZ",
	  "invalid_nationality", "nationality" },
	{ "passport,E12345678,John Smith,confirmed," TODAY ",US",
	  "invalid_nationality", "nationality" },
	{ "passport,E12345678,John Smith,confirmed," TODAY ",",
	  "missing_field", "nationality" },
	{ "passport,E1,John Smith,confirmed," TODAY ",USA",
	  "invalid_id_number", "id_number" },
	{ "resident_id," ID1 ",王小华,confirmed",
	  "wrong_column_count", NULL },
	{ "resident_id," ID1 ",王小华,confirmed," TODAY ",,",
	  "wrong_column_count", NULL },
	{ "resident_id," ID1 ",\"王小华,confirmed," TODAY ",",
	  "unterminated_quote", NULL },
	{ "resident_id," ID1 ",王\"小华,confirmed," TODAY ",",
	  "bad_quote", NULL },
	{ "resident_id," ID1 ",\xe7\x8e,confirmed," TODAY ",",
	  "invalid_utf8", NULL },
	{ "resident_id," ID1 ",\xc0\xaf,confirmed," TODAY ",",
	  "invalid_utf8", NULL },
};

static void
test_bad_rows(void)
{
	struct cases_result r;
	char csv[512];
	long long before = state();
	size_t i;
	int st;

	for (i = 0; i < NELEM(bad); i++) {
		snprintf(csv, sizeof(csv), HDR "resident_id," ID2
		    ",李四,confirmed," TODAY ",\n%s\n", bad[i].row);
		st = import(csv, &r);
		T_CHECK(st == 422 && r.code != NULL &&
		    strcmp(r.code, "invalid_rows") == 0 && r.invalid == 1 &&
		    r.nproblems == 1, "bad %zu: %d %s", i, st,
		    r.code ? r.code : "");
		if (r.nproblems == 1) {
			T_CHECK(r.problems[0].line == 3, "bad %zu: line %zu", i,
			    r.problems[0].line);
			T_STREQ(r.problems[0].reason, bad[i].reason,
			    "bad %zu: reason", i);
			T_STREQ(r.problems[0].field, bad[i].field,
			    "bad %zu: field", i);
		}
		cases_result_free(&r);
	}
	T_CHECK(state() == before, "nothing imported by any bad file");
}

static void
test_good_rows(void)
{
	struct cases_result r;
	int st;

	/* Spaces around fields, a quoted name, CRLF, blank lines, a BOM,
	 * CHN for a resident, lower-case nationality and passport letters. */
	st = import("\xef\xbb\xbf" HDR
	    "resident_id, " ID1 " ,\"王小华\",confirmed,2026-11-28,\r\n"
	    "\r\n"
	    "resident_id,33010619800101003x,李四,suspected," TODAY ",CHN\n"
	    "passport,e12345678,John Smith,close_contact," TODAY ",usa\n"
	    "   \n"
	    "resident_id," ID1 ",王小华,secondary_contact," TODAY ",\n", &r);
	T_CHECK(st == 0 && r.imported == 4, "good rows: %d %lld", st,
	    r.imported);
	T_CHECK(r.counts[CASE_CONFIRMED] == 1 && r.counts[CASE_SUSPECTED] == 1 &&
	    r.counts[CASE_ASYMPTOMATIC] == 0 &&
	    r.counts[CASE_CLOSE_CONTACT] == 1 &&
	    r.counts[CASE_SECONDARY_CONTACT] == 1, "counts");
	cases_result_free(&r);
	T_CHECK(one("SELECT count(*) FROM case_entries") == 4, "four entries");
	T_STREQ(text("SELECT group_concat(name_masked || ':' || kind || ':' || "
	    "listed_day || ':' || source || ':' || coalesce(listed_by, '-'), ' ') "
	    "FROM (SELECT * FROM case_entries ORDER BY id)"),
	    "王*华:confirmed:2026-11-28:import:- 李*:suspected:" TODAY
	    ":import:- J*h:close_contact:" TODAY ":import:- 王*华:"
	    "secondary_contact:" TODAY ":import:-", "the entries");
	T_CHECK(one("SELECT count(DISTINCT id_hash) FROM case_entries") == 3,
	    "one person, two categories");
	T_CHECK(one("SELECT count(*) FROM case_entries WHERE length(id_hash) "
	    "= 64 AND listed_at = 1795917600") == 4, "hashes and the time");
	T_STREQ(text("SELECT actor || ' ' || action || ' ' || subject || "
	    "details FROM audit_log ORDER BY id DESC LIMIT 1"),
	    "cli cases.import {\"rows\":4,\"duplicates\":0,\"counts\":{\"confirmed\":1,"
	    "\"suspected\":1,\"asymptomatic\":0,\"close_contact\":1,"
	    "\"secondary_contact\":1}}", "one audit entry");

	/* Columns in any order, nationality absent; a re-import refreshes. */
	st = import("category,listed_on,id_number,name,id_type\n"
	    "confirmed,2026-11-27," ID1 ",王小华,resident_id\n", &r);
	T_CHECK(st == 0 && r.imported == 1, "columns in any order: %d", st);
	cases_result_free(&r);
	T_CHECK(one("SELECT count(*) FROM case_entries") == 4,
	    "refreshed, not added");
	T_STREQ(text("SELECT listed_day FROM case_entries WHERE kind = "
	    "'confirmed'"), "2026-11-27", "listed anew");
}

static void
test_refusals(void)
{
	struct cases_result r;
	struct buf csv;
	long long before = state(), max = app.conf.import_rows_max;
	int i, st;

	T_CHECK(import("", &r) == 422 && strcmp(r.code, "no_rows") == 0,
	    "an empty file");
	cases_result_free(&r);
	T_CHECK(import(HDR "\n\n", &r) == 422 && strcmp(r.code, "no_rows") ==
	    0, "a header and blank lines");
	cases_result_free(&r);
	st = import("id_type,id_number,name,category,listed_on,nationality,"
	    "phone\n", &r);
	T_CHECK(st == 422 && r.nproblems == 1 && r.problems[0].line == 1 &&
	    r.problems[0].column == 7 && strcmp(r.problems[0].reason,
	    "unknown_column") == 0, "an unknown column: %d", st);
	cases_result_free(&r);
	st = import("\xff\n", &r);
	T_CHECK(st == 422 && r.nproblems == 1 && strcmp(r.problems[0].reason,
	    "invalid_utf8") == 0, "a header that is not UTF-8");
	cases_result_free(&r);

	/* More rows than import_rows_max (blank lines do not count). */
	app.conf.import_rows_max = 3;
	st = import(HDR "resident_id," ID2 ",李四,confirmed," TODAY ",\n\n\n"
	    "resident_id," ID2 ",李四,suspected," TODAY ",\n"
	    "resident_id," ID2 ",李四,close_contact," TODAY ",\n", &r);
	T_CHECK(st == 0, "at the limit: %d", st);
	cases_result_free(&r);
	before = state();
	st = import(HDR "resident_id," ID2 ",李四,confirmed," TODAY ",\n"
	    "resident_id," ID2 ",李四,suspected," TODAY ",\n"
	    "resident_id," ID2 ",李四,close_contact," TODAY ",\n"
	    "resident_id," ID2 ",李四,asymptomatic," TODAY ",\n", &r);
	T_CHECK(st == 413 && strcmp(r.code, "too_many_rows") == 0 &&
	    r.rows_max == 3, "past the limit: %d", st);
	cases_result_free(&r);
	app.conf.import_rows_max = max;
	T_CHECK(state() == before, "nothing imported past the limit");

	/* Problems are listed up to CASES_PROBLEMS_MAX, all are counted. */
	buf_init(&csv);
	buf_puts(&csv, HDR);
	for (i = 0; i < 1500; i++)
		buf_puts(&csv, "resident_id," ID1_BAD ",王小华,confirmed,"
		    "2099-01-01,\n");
	st = import(csv.ptr, &r);
	T_CHECK(st == 422 && r.invalid == 1500 &&
	    r.nproblems == CASES_PROBLEMS_MAX && r.truncated,
	    "many bad rows: %d %lld %zu", st, r.invalid, r.nproblems);
	T_CHECK(r.nproblems == CASES_PROBLEMS_MAX &&
	    r.problems[999].line == 501 && strcmp(r.problems[999].reason,
	    "future_date") == 0, "two problems a row, in order");
	cases_result_free(&r);
	buf_free(&csv);
	T_CHECK(state() == before, "nothing imported of many bad rows");
}

/* The key of a passport before migration 0010: type and number only. */
static void
legacy_key(const char *number, char out[65])
{
	char v[64];

	snprintf(v, sizeof(v), "passport:%s", number);
	hmac_hex(app.id_key, "id", v, out);
}

static void
test_legacy_passports(void)
{
	struct cases_result r;
	char old[65], fresh[65], sql[512];
	struct buf err;
	int st;

	/* A passport person registered before 0010, with an entry of then. */
	legacy_key("G7654321", old);
	hmac_hex(app.id_key, "id", "passport:GBR:G7654321", fresh);
	snprintf(sql, sizeof(sql), "INSERT INTO persons (id_hash, id_type, "
	    "id_masked, name, nationality, created_at, ref, id_legacy) VALUES "
	    "('%s', 'passport', 'G7****21', 'Jane Smith', 'GBR', 0, 'r1', 1);"
	    "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at) "
	    "VALUES ('%s', 'suspected', '" TODAY "', 0)", old, old);
	buf_init(&err);
	T_CHECK(db_exec(app.db, sql, &err) == 0, "a legacy person: %s",
	    buf_cstr(&err));
	buf_free(&err);

	/* The same number of another country is not that person. */
	st = import(HDR "passport,G7654321,Jane Smith,close_contact," TODAY
	    ",FRA\n", &r);
	T_CHECK(st == 0, "another country's passport: %d", st);
	cases_result_free(&r);
	snprintf(sql, sizeof(sql), "SELECT id_legacy FROM persons WHERE "
	    "id_hash = '%s'", old);
	T_CHECK(one(sql) == 1, "left alone");

	st = import(HDR "passport,G7654321,Jane Smith,close_contact," TODAY
	    ",GBR\n", &r);
	T_CHECK(st == 0, "the legacy person's passport: %d", st);
	cases_result_free(&r);
	snprintf(sql, sizeof(sql), "SELECT id_legacy FROM persons WHERE "
	    "id_hash = '%s'", fresh);
	T_CHECK(one(sql) == 0, "moved to the key with nationality");
	snprintf(sql, sizeof(sql), "SELECT group_concat(kind, ' ') FROM "
	    "(SELECT kind FROM case_entries WHERE id_hash = '%s' ORDER BY "
	    "kind)", fresh);
	T_STREQ(text(sql), "close_contact suspected",
	    "the new entry and the old one under the new key");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM case_entries WHERE "
	    "id_hash = '%s'", old);
	T_CHECK(one(sql) == 0, "nothing left under the old key");
}

static size_t calls, last_done, last_total;

static void
progress(void *arg, const char *phase, size_t done, size_t total)
{
	(void)arg;
	if (strcmp(phase, "imported") == 0) {
		calls++;
		last_done = done;
		last_total = total;
	}
}

static void
test_progress(void)
{
	struct cases_result r;
	struct buf csv;
	struct ctx c;
	char id[32];
	int i, st;

	buf_init(&csv);
	buf_puts(&csv, HDR);
	/* 2,500 people born on the days from 1950-01-01. */
	for (i = 0; i < 2500; i++) {
		int y = 1950 + i / 336, m = i / 28 % 12 + 1, d = i % 28 + 1;
		snprintf(id, sizeof(id), "110105%04d%02d%02d%03d", y, m, d,
		    i % 1000);
		id[17] = id_check_char(id);
		id[18] = '\0';
		buf_printf(&csv, "resident_id,%s,王小华,close_contact,"
		    TODAY ",\n", id);
	}
	memset(&c, 0, sizeof(c));
	c.app = &app;
	c.now = NOW;
	st = cases_import(&c, csv.ptr, csv.len, "cli", progress, NULL, &r);
	T_CHECK(st == 0 && r.imported == 2500, "2,500 rows: %d", st);
	T_CHECK(calls == 3 && last_done == 2500 && last_total == 2500,
	    "progress: %zu calls, %zu/%zu", calls, last_done, last_total);
	cases_result_free(&r);
	buf_free(&csv);
}

int
main(void)
{
	char cmd[300];

	setup();
	test_bad_rows();
	test_good_rows();
	test_refusals();
	test_legacy_passports();
	test_progress();
	boot_close(&app);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	T_DONE("test_cases");
}
