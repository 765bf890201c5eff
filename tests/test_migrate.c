/*
 * Tests for migrate.c and db_function on real SQLite files: migrations
 * apply once, in order, recorded; one that begins "-- migrate:
 * foreign_keys off" rebuilds a table that others refer to (SQLite's
 * twelve steps) and every row referring to it survives, where the same
 * rebuild with foreign keys on loses them; one that leaves a dangling
 * reference is refused by foreign_key_check and changes nothing; foreign
 * keys are on again after each.  The program's SQL functions: their
 * result, NULL for NULL, their error failing the statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fcgi/migrate.h"
#include "t.h"

static char dir[] = "/tmp/hc-test-migrate.XXXXXX";

/* The integer a query returns, or -1. */
static long long
one(struct db *db, const char *sql)
{
	struct buf err;
	struct db_stmt *s;
	long long v = -1;

	buf_init(&err);
	if ((s = db_prepare(db, sql, &err)) != NULL && db_step(s) == DB_ROW)
		v = db_col_int(s, 0);
	db_finalize(s);
	buf_free(&err);
	return v;
}

/* The text a query returns (static), "(none)" without a row, "(error)". */
static const char *
text(struct db *db, const char *sql)
{
	static char out[256];
	struct buf err;
	struct db_stmt *s;
	int rc;

	buf_init(&err);
	snprintf(out, sizeof(out), "(error)");
	if ((s = db_prepare(db, sql, &err)) != NULL) {
		if ((rc = db_step(s)) == DB_ROW)
			snprintf(out, sizeof(out), "%s", db_col_is_null(s, 0) ?
			    "(null)" : db_col_text(s, 0));
		else if (rc == DB_DONE)
			snprintf(out, sizeof(out), "(none)");
	}
	db_finalize(s);
	buf_free(&err);
	return out;
}

#define FILE(n, sql)	{ n, sql, sizeof(sql) - 1 }

/* A parent, children that cascade and that set NULL, and rows. */
#define BASE \
	"CREATE TABLE parents (id INTEGER PRIMARY KEY, " \
	"name TEXT NOT NULL UNIQUE);" \
	"CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER NOT " \
	"NULL REFERENCES parents (id) ON DELETE CASCADE);" \
	"CREATE TABLE notes (id INTEGER PRIMARY KEY, parent_id INTEGER " \
	"REFERENCES parents (id) ON DELETE SET NULL);" \
	"CREATE TABLE pairs (parent_id INTEGER NOT NULL REFERENCES " \
	"parents (id) ON DELETE CASCADE, k TEXT NOT NULL, PRIMARY KEY " \
	"(parent_id, k)) WITHOUT ROWID;" \
	"INSERT INTO parents VALUES (1, 'ann'), (2, 'bob'), (3, 'cy');" \
	"INSERT INTO kids VALUES (1, 1), (2, 1), (3, 2), (4, 3);" \
	"INSERT INTO notes VALUES (1, 1), (2, 3);" \
	"INSERT INTO pairs VALUES (1, 'a'), (2, 'b');"

/* The UNIQUE column goes; a computed one comes (t_upper: ours). */
#define REBUILD \
	"CREATE TABLE parents_new (id INTEGER PRIMARY KEY, " \
	"tag TEXT NOT NULL UNIQUE);" \
	"INSERT INTO parents_new SELECT id, t_upper(name) FROM parents;" \
	"DROP TABLE parents;" \
	"ALTER TABLE parents_new RENAME TO parents;"

#define FK_OFF	"-- migrate: foreign_keys off\n"

static const struct embed_file with_off[] = {
	FILE("0001_base.sql", BASE),
	FILE("0002_rebuild.sql", FK_OFF "-- the twelve steps\n" REBUILD),
	FILE("0003_more.sql", "INSERT INTO kids VALUES (5, 2);"),
};
static const struct embed_file with_on[] = {
	FILE("0001_base.sql", BASE),
	FILE("0002_rebuild.sql", "-- foreign keys left on\n" REBUILD),
};
static const struct embed_file dangling[] = {
	FILE("0001_base.sql", BASE),
	FILE("0002_rebuild.sql", FK_OFF REBUILD "DELETE FROM parents "
	    "WHERE id = 3;"),
};
static const struct embed_file not_the_line[] = {
	FILE("0001_base.sql", BASE),
	FILE("0002_rebuild.sql", "-- migrate: foreign_keys offx\n" REBUILD),
};

/* t_upper(s): s in capitals; "bad" is an error. */
static int
t_upper(void *arg, const char *const *argv, struct buf *out)
{
	const char *s;

	(*(int *)arg)++;
	if (strcmp(argv[0], "bad") == 0) {
		buf_puts(out, "t_upper: bad input");
		return -1;
	}
	for (s = argv[0]; *s != '\0'; s++)
		buf_putc(out, *s >= 'a' && *s <= 'z' ? *s - 32 : *s);
	return 0;
}

/* t_join(a, b): "a+b". */
static int
t_join(void *arg, const char *const *argv, struct buf *out)
{
	(void)arg;
	buf_printf(out, "%s+%s", argv[0], argv[1]);
	return 0;
}

static int calls;

/* A new database file n with t_upper; NULL on failure. */
static struct db *
fresh(const char *n)
{
	char path[128];
	struct buf err;
	struct db *db;

	snprintf(path, sizeof(path), "%s/%s.db", dir, n);
	buf_init(&err);
	if ((db = db_open(path, &err)) == NULL ||
	    db_function(db, "t_upper", 1, t_upper, &calls, &err) == -1)
		printf("open %s: %s\n", n, buf_cstr(&err));
	buf_free(&err);
	return db;
}

/* The rows that refer to parents, as one line. */
static const char *
children(struct db *db)
{
	return text(db, "SELECT coalesce((SELECT group_concat(id || ':' || "
	    "parent_id) FROM kids), '') || ' ' || coalesce((SELECT "
	    "group_concat(id || ':' || coalesce(parent_id, 'null')) FROM "
	    "notes), '') || ' ' || coalesce((SELECT group_concat(parent_id "
	    "|| k) FROM pairs), '')");
}

static void
test_off(void)
{
	struct db *db = fresh("off");
	struct buf log, err;
	int n;

	buf_init(&log);
	buf_init(&err);
	n = migrate_up(db, with_off, NELEM(with_off), 100, &log, &err);
	T_CHECK(n == 3, "applied %d: %s", n, buf_cstr(&err));
	T_STREQ(buf_cstr(&log), "applied 0001_base.sql\napplied "
	    "0002_rebuild.sql\napplied 0003_more.sql\n", "the log");
	T_STREQ(text(db, "SELECT group_concat(id || tag) FROM parents"),
	    "1ANN,2BOB,3CY", "rebuilt, computed by our function");
	T_CHECK(calls == 3, "called once a row: %d", calls);
	T_STREQ(children(db), "1:1,2:1,3:2,4:3,5:2 1:1,2:3 1a,2b",
	    "every row referring to it survives, unchanged");
	T_CHECK(one(db, "PRAGMA foreign_keys") == 1, "foreign keys on again");
	T_STREQ(text(db, "PRAGMA foreign_key_check"), "(none)",
	    "and they hold");
	T_STREQ(text(db, "SELECT sql FROM sqlite_master WHERE name = 'kids'"),
	    "CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER "
	    "NOT NULL REFERENCES parents (id) ON DELETE CASCADE)",
	    "the children still refer to parents");
	T_CHECK(one(db, "SELECT count(*) FROM schema_migrations") == 3,
	    "recorded");
	/* The rebuilt table's foreign keys work: a cascade, a refusal. */
	T_CHECK(db_exec(db, "DELETE FROM parents WHERE id = 1", &err) == 0 &&
	    strcmp(children(db), "3:2,4:3,5:2 1:null,2:3 2b") == 0,
	    "a delete cascades: %s", children(db));
	T_CHECK(db_exec(db, "INSERT INTO kids VALUES (9, 99)", &err) == -1,
	    "a dangling child is refused");
	buf_reset(&log);
	T_CHECK(migrate_up(db, with_off, NELEM(with_off), 200, &log,
	    &err) == 0 && log.len == 0, "nothing applied again");
	T_CHECK(one(db, "PRAGMA foreign_keys") == 1, "still on");
	db_close(db);
	buf_free(&log);
	buf_free(&err);
}

/* Why the line: the same rebuild with foreign keys on loses the children. */
static void
test_on(void)
{
	struct db *db = fresh("on");
	struct buf log, err;

	buf_init(&log);
	buf_init(&err);
	T_CHECK(migrate_up(db, with_on, NELEM(with_on), 100, &log, &err) == 2,
	    "applied: %s", buf_cstr(&err));
	T_STREQ(children(db), " 1:null,2:null ",
	    "with foreign keys on the DROP deleted or cut every child");
	db_close(db);
	db = fresh("notline");
	T_CHECK(migrate_up(db, not_the_line, NELEM(not_the_line), 100, &log,
	    &err) == 2, "applied: %s", buf_cstr(&err));
	T_STREQ(children(db), " 1:null,2:null ",
	    "only the exact line turns them off");
	db_close(db);
	buf_free(&log);
	buf_free(&err);
}

/* A rebuild that leaves a dangling reference: refused, nothing changed. */
static void
test_dangling(void)
{
	struct db *db = fresh("dangling");
	struct buf log, err;

	buf_init(&log);
	buf_init(&err);
	T_CHECK(migrate_up(db, dangling, NELEM(dangling), 100, &log,
	    &err) == -1, "refused");
	T_CHECK(strstr(buf_cstr(&err), "0002_rebuild.sql: foreign key check "
	    "failed: a row of ") != NULL && strstr(buf_cstr(&err), "(rowid ")
	    != NULL && strstr(buf_cstr(&err), " refers to a missing row of "
	    "parents") != NULL, "saying which: %s", buf_cstr(&err));
	T_CHECK(strstr(buf_cstr(&err), "not applied") != NULL, "not applied");
	T_STREQ(buf_cstr(&log), "applied 0001_base.sql\n", "the first only");
	T_CHECK(one(db, "SELECT max(version) FROM schema_migrations") == 1,
	    "the second not recorded");
	T_STREQ(text(db, "SELECT group_concat(id || name) FROM parents"),
	    "1ann,2bob,3cy", "the table as it was");
	T_STREQ(children(db), "1:1,2:1,3:2,4:3 1:1,2:3 1a,2b",
	    "its children too");
	T_CHECK(one(db, "PRAGMA foreign_keys") == 1, "foreign keys on again");
	db_close(db);
	buf_free(&log);
	buf_free(&err);
}

static void
test_functions(void)
{
	struct db *db = fresh("fn");
	struct buf err;

	buf_init(&err);
	T_STREQ(text(db, "SELECT t_upper('abc')"), "ABC", "a result");
	T_STREQ(text(db, "SELECT t_upper(NULL)"), "(null)", "NULL for NULL");
	T_STREQ(text(db, "SELECT t_upper('bad')"), "(error)",
	    "an error fails the statement");
	T_CHECK(db_exec(db, "SELECT t_upper('bad')", &err) == -1 &&
	    strstr(buf_cstr(&err), "t_upper: bad input") != NULL,
	    "with its message: %s", buf_cstr(&err));
	T_CHECK(db_function(db, "t_join", 2, t_join, NULL, &err) == 0,
	    "two arguments");
	T_STREQ(text(db, "SELECT t_join('a', 2)"), "a+2", "both read as text");
	T_STREQ(text(db, "SELECT t_join('a')"), "(error)",
	    "called with the wrong count: no such function");
	buf_reset(&err);
	T_CHECK(db_function(db, "t_many", DB_FN_ARGS + 1, t_join, NULL,
	    &err) == -1 && strstr(buf_cstr(&err), "at most") != NULL,
	    "too many arguments refused: %s", buf_cstr(&err));
	/* Ours only: a view or trigger cannot call it (SQLITE_DIRECTONLY). */
	T_CHECK(db_exec(db, "CREATE TABLE v (s TEXT); INSERT INTO v VALUES "
	    "('x'); CREATE VIEW up AS SELECT t_upper(s) FROM v", &err) == 0,
	    "a view naming it");
	T_STREQ(text(db, "SELECT * FROM up"), "(error)",
	    "cannot call it");
	db_close(db);
	buf_free(&err);
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_off();
	test_on();
	test_dangling();
	test_functions();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	T_DONE("migrate");
}
