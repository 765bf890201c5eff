/*
 * libFuzzer harness for case-list imports (handlers/cases.c), whole: the
 * input is the CSV an administrator uploads (POST /api/v1/admin/cases,
 * healthcodectl import-cases), imported by cases_import into a real
 * SQLite file, migrated and prepared as a worker's, at a fixed time.
 * Besides the sanitizers it checks that an import ends in one of its
 * answers and never in "internal", that a refused file changes nothing
 * (the case entries and the audit log as they were), that every problem
 * listed names a line of the file and a reason, and that an accepted
 * one stored what it counted.  The database is a temporary directory's,
 * removed at exit; the entries stored are deleted again now and then, so
 * that it does not grow without end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fcgi/migrate.h"
#include "../handlers/boot.h"
#include "../handlers/cases.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct app app;
static char dir[64];

#define NOW	1795917600	/* 2026-11-29 10:00 in Shanghai */

/* The integer the query answers, or aborts. */
static long long
one(const char *sql)
{
	struct buf err;
	struct db_stmt *s;
	long long v;

	buf_init(&err);
	if ((s = db_prepare(app.db, sql, &err)) == NULL || db_step(s) != DB_ROW)
		abort();
	v = db_col_int(s, 0);
	db_finalize(s);
	buf_free(&err);
	return v;
}

/* Closes the database and removes its directory, at exit. */
static void
cleanup(void)
{
	char cmd[96];

	boot_close(&app);
	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz_cases: %s not removed\n", dir);
	}
}

/* The database, keys and configuration, once. */
static void
setup(void)
{
	struct buf err, log;
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/hc-fuzz-cases.XXXXXX",
	    tmp != NULL && *tmp != '\0' && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_cases: mkdtemp");
		exit(1);
	}
	atexit(cleanup);
	setenv("HC_DATA_DIR", dir, 1);
	unsetenv("HC_CONFIG");
	unsetenv("HC_NOW");
	buf_init(&err);
	buf_init(&log);
	memset(app.session_key, 0x11, sizeof(app.session_key));
	memset(app.id_key, 0x22, sizeof(app.id_key));
	memset(app.phone_key, 0x33, sizeof(app.phone_key));
	if (boot_config(&app, &err) == -1 || boot_db(&app, &err) == -1 ||
	    boot_functions(&app, &err) == -1 ||
	    migrate_up(app.db, migrations, migrations_count, 0, &log,
	    &err) < 0 || boot_prepare(&app, &err) == -1) {
		fprintf(stderr, "fuzz_cases: %s\n", buf_cstr(&err));
		exit(1);
	}
	buf_free(&err);
	buf_free(&log);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long stored;
	struct cases_result r;
	struct ctx c;
	struct buf err;
	long long entries, audits, n;
	size_t i, lines = 1;
	int st, k;

	if (size > 65536)
		return 0;
	if (app.db == NULL)
		setup();
	for (i = 0; i < size; i++)
		if (data[i] == '\n' || data[i] == '\r')
			lines++;
	entries = one("SELECT count(*) FROM case_entries");
	audits = one("SELECT count(*) FROM audit_log");

	memset(&c, 0, sizeof(c));
	c.app = &app;
	c.now = NOW;
	st = cases_import(&c, (const char *)data, size, "cli", NULL, NULL, &r);
	if (st != 0) {
		if ((st != 413 && st != 422) || r.code == NULL ||
		    r.nproblems > CASES_PROBLEMS_MAX ||
		    (r.nproblems > 0 && r.problems == NULL) ||
		    (strcmp(r.code, "invalid_rows") == 0 && (r.invalid < 1 ||
		    r.nproblems < 1)) || (size_t)r.invalid > r.nproblems +
		    (r.truncated ? (size_t)r.invalid : 0) ||
		    (r.truncated && r.nproblems != CASES_PROBLEMS_MAX) ||
		    one("SELECT count(*) FROM case_entries") != entries ||
		    one("SELECT count(*) FROM audit_log") != audits)
			abort();
		for (i = 0; i < r.nproblems; i++)
			if (r.problems[i].reason == NULL ||
			    r.problems[i].line < 1 ||
			    r.problems[i].line > lines)
				abort();
	} else {
		for (n = 0, k = 0; k < CASE__MAX; k++)
			n += r.counts[k];
		if (r.code != NULL || r.imported < 1 || n != r.imported ||
		    r.nproblems != 0 || r.invalid != 0 ||
		    one("SELECT count(*) FROM case_entries") < r.imported ||
		    one("SELECT count(*) FROM audit_log") != audits + 1)
			abort();
		/* Now and then, a fresh start (the audit log stays). */
		if (++stored % 64 == 0) {
			buf_init(&err);
			if (db_exec(app.db, "DELETE FROM case_entries", &err) ==
			    -1)
				abort();
			buf_free(&err);
		}
	}
	cases_result_free(&r);
	return 0;
}
