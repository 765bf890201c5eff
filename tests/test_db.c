/*
 * Tests for the transactions of db.c on a real SQLite file with two
 * connections (two workers): a request's read transaction sees one
 * snapshot; a write, in its own transaction or stepped alone, ends it
 * first and lands; db_read_end commits it, and rolls back a write
 * transaction left open.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fcgi/db.h"
#include "t.h"

/* The single integer a query returns, or -1. */
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

/* Runs one statement on its own; 0 or -1. */
static int
run(struct db *db, const char *sql)
{
	struct buf err;
	struct db_stmt *s;
	int rc = -1;

	buf_init(&err);
	if ((s = db_prepare(db, sql, &err)) != NULL)
		rc = db_run(s) == DB_DONE ? 0 : -1;
	db_finalize(s);
	buf_free(&err);
	return rc;
}

int
main(void)
{
	char dir[] = "/tmp/hc-test-db.XXXXXX", path[64];
	struct db *a, *b;
	struct buf err;

	buf_init(&err);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	a = db_open(path, &err);
	b = db_open(path, &err);
	T_CHECK(a != NULL && b != NULL, "open: %s", buf_cstr(&err));
	if (a == NULL || b == NULL)
		goto out;
	T_CHECK(db_exec(a, "CREATE TABLE t (v INTEGER)", &err) == 0, "create");

	/* One snapshot: b's commit is not seen until the read ends. */
	db_read_begin(a);
	T_CHECK(one(a, "SELECT count(*) FROM t") == 0, "empty at first");
	T_CHECK(run(b, "INSERT INTO t VALUES (1)") == 0, "b writes meanwhile");
	T_CHECK(one(a, "SELECT count(*) FROM t") == 0,
	    "a's read transaction keeps its snapshot");
	db_read_end(a);
	T_CHECK(one(a, "SELECT count(*) FROM t") == 1, "seen after the read");

	/* A write stepped alone ends the read first, and lands. */
	db_read_begin(a);
	T_CHECK(one(a, "SELECT count(*) FROM t") == 1, "read");
	T_CHECK(run(b, "INSERT INTO t VALUES (2)") == 0, "b writes again");
	T_CHECK(run(a, "INSERT INTO t VALUES (3)") == 0,
	    "a write after a stale read is not refused");
	db_read_end(a);
	T_CHECK(one(b, "SELECT count(*) FROM t") == 3, "all three landed");

	/* db_begin inside a read: the read ends, the write commits. */
	db_read_begin(a);
	T_CHECK(one(a, "SELECT count(*) FROM t") == 3, "read");
	T_CHECK(run(b, "INSERT INTO t VALUES (4)") == 0, "b writes");
	T_CHECK(db_begin(a) == 0, "db_begin inside a read transaction");
	T_CHECK(one(a, "SELECT count(*) FROM t") == 4,
	    "the write transaction sees the newest data");
	T_CHECK(run(a, "INSERT INTO t VALUES (5)") == 0, "write");
	T_CHECK(db_commit(a) == 0, "commit");
	db_read_end(a);
	T_CHECK(one(b, "SELECT count(*) FROM t") == 5, "committed");

	/* A write transaction left open is rolled back, not kept. */
	db_read_begin(a);
	T_CHECK(db_begin(a) == 0 && run(a, "INSERT INTO t VALUES (6)") == 0,
	    "write left open");
	db_read_end(a);
	T_CHECK(one(b, "SELECT count(*) FROM t") == 5, "rolled back");
	T_CHECK(run(b, "INSERT INTO t VALUES (7)") == 0,
	    "and the write lock is free");

	/* A statement left mid-way does not keep the read open. */
	{
		struct db_stmt *st = db_prepare(a, "SELECT v FROM t", &err);
		db_read_begin(a);
		T_CHECK(st != NULL && db_step(st) == DB_ROW, "first row");
		db_read_end(a);
		T_CHECK(run(b, "INSERT INTO t VALUES (8)") == 0, "b writes");
		db_reset(st);
		db_finalize(st);
		T_CHECK(one(a, "SELECT count(*) FROM t") == 7,
		    "a sees it: the read ended");
	}

	/* Nothing open: both ends are harmless. */
	db_read_end(a);
	db_read_begin(a);
	db_read_end(a);
	T_CHECK(one(a, "SELECT count(*) FROM t") == 7, "all in order");

	/*
	 * The map kept across the other's commits (mapvfs.c): b reads what a
	 * writes while the file grows (checkpoints copy the pages into it),
	 * and after a VACUUM that shrinks it, with no stale or missing page
	 * (and no SIGBUS past the shorter end).
	 */
	T_CHECK(db_exec(a, "CREATE TABLE big (k INTEGER PRIMARY KEY, v BLOB)",
	    &err) == 0, "big table");
	for (int i = 0; i < 8; i++) {
		long long want = (long long)(i + 1) * 2000;

		T_CHECK(run(a, "INSERT INTO big (v) SELECT randomblob(300) "
		    "FROM (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT "
		    "x + 1 FROM n WHERE x < 2000) SELECT x FROM n)") == 0,
		    "a writes 2000 rows (%d)", i);
		T_CHECK(one(b, "SELECT count(*) FROM big") == want,
		    "b sees all %lld", want);
		T_CHECK(one(b, "PRAGMA wal_checkpoint(PASSIVE)") == 0,
		    "b copies the pages into the file (%d)", i);
		T_CHECK(one(a, "SELECT sum(length(v)) FROM big") == want * 300,
		    "a reads every page of the grown file (%d)", i);
	}
	T_CHECK(one(b, "SELECT count(*) FROM big WHERE k % 7 = 3") > 0,
	    "b has the file mapped at its full size");
	T_CHECK(run(a, "DELETE FROM big WHERE k > 1000") == 0 &&
	    db_exec(a, "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; "
	    "PRAGMA wal_checkpoint(TRUNCATE)", &err) == 0,
	    "a deletes most rows and shrinks the file: %s", buf_cstr(&err));
	T_CHECK(one(b, "SELECT count(*) FROM big") == 1000,
	    "b reads the shorter file");
	T_CHECK(one(b, "SELECT sum(length(v)) FROM big") == 1000 * 300,
	    "every row of it");
	T_CHECK(run(a, "INSERT INTO big (v) VALUES (randomblob(300))") == 0 &&
	    one(b, "SELECT count(*) FROM big") == 1001,
	    "and what a writes next");
	{
		struct buf e2;
		struct db_stmt *st;

		buf_init(&e2);
		st = db_prepare(b, "PRAGMA integrity_check", &e2);
		T_CHECK(st != NULL && db_step(st) == DB_ROW &&
		    strcmp(db_col_text(st, 0), "ok") == 0, "integrity ok");
		db_finalize(st);
		buf_free(&e2);
	}
out:
	db_close(a);
	db_close(b);
	buf_free(&err);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-shm", dir);
	unlink(path);
	rmdir(dir);
	T_DONE("db");
}
