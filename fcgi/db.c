/*
 * SQLite behind the db.h interface.  Statements are prepared once at
 * start and reused; write transactions take the lock at BEGIN so two
 * workers never deadlock on an upgrade; SQLITE_BUSY past the timeout is
 * retried a few times, then reported.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "mapvfs.h"
#include "log.h"
#include "metrics.h"

#define BUSY_TIMEOUT_MS	5000
#define BUSY_RETRIES	3
/*
 * WAL pages before a deferred checkpoint (SQLite's own: 1000): an eighth
 * of the syncs, and pages written again and again copied once (the
 * purge of a province took 76 s with 8000, 110 s with 2000).
 */
#define CHECKPOINT_PAGES	8000

enum tx { TX_READ, TX_WRITE, TX_COMMIT, TX_ROLLBACK, TX__MAX };

static const char *const tx_sql[TX__MAX] = {
	"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"
};

struct db {
	sqlite3		 *h;
	sqlite3_stmt	**stmts;
	size_t		  nstmts;
	sqlite3_stmt	 *tx[TX__MAX];	/* prepared once too */
	int		  last_rc;
	int		  wal_pages;	/* the WAL's length at our last commit */
	struct timespec	  busy_since;	/* the first wait for the lock held */
};

struct db_stmt;		/* is an sqlite3_stmt */

static int busy_metric = -1;	/* db_declare_metrics */

#define S(s)	((sqlite3_stmt *)(s))

/* The last failure of this process's connection (one request at a time). */
static enum db_failure failure;

/* Keeps the kind of the first failure since the last clear. */
static void
note_failure(int rc)
{
	if (failure != DB_FAIL_NONE)
		return;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		failure = DB_FAIL_BUSY;
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		failure = DB_FAIL_READONLY;
		break;
	case SQLITE_FULL:
		failure = DB_FAIL_FULL;
		break;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		failure = DB_FAIL_IO;
		break;
	default:
		failure = DB_FAIL_OTHER;
	}
}

enum db_failure
db_failure(void)
{
	return failure;
}

void
db_failure_clear(void)
{
	failure = DB_FAIL_NONE;
}

/*
 * Waiting for a lock another connection holds.  SQLite's own handler
 * sleeps 1, 2, 5, 10 ms... while the other worker's write takes well
 * under one: each wait cost a worker a millisecond or more of idling.
 * This one yields the core twice, then sleeps 20 us, doubling up to
 * 2 ms, until BUSY_TIMEOUT_MS have passed.  Nonzero: try again.
 */
static int
busy_wait(void *arg, int n)
{
	struct db *db = arg;
	struct timespec now, d;
	long us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (n == 0)
		db->busy_since = now;
	else if ((now.tv_sec - db->busy_since.tv_sec) * 1000 +
	    (now.tv_nsec - db->busy_since.tv_nsec) / 1000000 >= BUSY_TIMEOUT_MS)
		return 0;
	if (n < 2) {
		sched_yield();
		return 1;
	}
	us = n - 2 < 7 ? 20L << (n - 2) : 2000;	/* 20 .. 1280, then 2000 */
	d.tv_sec = 0;
	d.tv_nsec = us * 1000;
	nanosleep(&d, NULL);
	return 1;
}

static const char pragmas[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"	/* WAL: a killed worker loses nothing committed */
    "PRAGMA foreign_keys=ON;"
    "PRAGMA secure_delete=ON;"		/* deleted personal data is overwritten */
    "PRAGMA journal_size_limit=67108864;"
    /*
     * The whole file, up to SQLite's largest map (2 GiB): pages read
     * without a pread and a copy each, the map kept across the other
     * workers' commits (mapvfs.c).
     */
    "PRAGMA mmap_size=2147418112;";

struct db *
db_open(const char *path, struct buf *err)
{
	struct db *db = ck_calloc(1, sizeof(*db));
	char *msg = NULL;

	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, mapvfs_name()) !=
	    SQLITE_OK) {
		buf_printf(err, "db: %s: %s", path, db->h ?
		    sqlite3_errmsg(db->h) : "cannot open");
		goto err;
	}
	sqlite3_busy_handler(db->h, busy_wait, db);
	sqlite3_extended_result_codes(db->h, 1);
	if (sqlite3_exec(db->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		buf_printf(err, "db: %s: %s", path, msg ? msg : "pragma");
		sqlite3_free(msg);
		goto err;
	}
	for (int i = 0; i < TX__MAX; i++)
		if (sqlite3_prepare_v3(db->h, tx_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->tx[i], NULL) != SQLITE_OK) {
			buf_printf(err, "db: %s", sqlite3_errmsg(db->h));
			goto err;
		}
	return db;
err:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nstmts; i++)
		sqlite3_finalize(db->stmts[i]);
	free(db->stmts);
	for (i = 0; i < TX__MAX; i++)
		sqlite3_finalize(db->tx[i]);
	sqlite3_close(db->h);
	free(db);
}

int
db_prepare_all(struct db *db, const char *const *sql, size_t n,
    struct buf *err)
{
	size_t i;

	db->stmts = ck_calloc(n, sizeof(*db->stmts));
	db->nstmts = n;
	for (i = 0; i < n; i++) {
		if (sqlite3_prepare_v3(db->h, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmts[i], NULL) !=
		    SQLITE_OK) {
			buf_printf(err, "db: statement %zu: %s: %s", i,
			    sqlite3_errmsg(db->h), sql[i]);
			return -1;
		}
	}
	return 0;
}

struct db_stmt *
db_stmt(struct db *db, int id)
{
	sqlite3_stmt *s;

	if (id < 0 || (size_t)id >= db->nstmts)
		abort();
	s = db->stmts[id];
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return (struct db_stmt *)s;
}

struct db_stmt *
db_prepare(struct db *db, const char *sql, struct buf *err)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db->h, sql, -1, &s, NULL) != SQLITE_OK) {
		buf_printf(err, "db: %s", sqlite3_errmsg(db->h));
		return NULL;
	}
	return (struct db_stmt *)s;
}

void
db_finalize(struct db_stmt *s)
{
	sqlite3_finalize(S(s));
}

void
db_bind_text(struct db_stmt *s, int idx, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(S(s), idx);
	else
		sqlite3_bind_text(S(s), idx, v, -1, SQLITE_TRANSIENT);
}

void
db_bind_int(struct db_stmt *s, int idx, int64_t v)
{
	sqlite3_bind_int64(S(s), idx, v);
}

void
db_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n)
{
	sqlite3_bind_blob64(S(s), idx, p, n, SQLITE_TRANSIENT);
}

/* Ends a read transaction (db_read_begin) before s writes: see db.h. */
static void
before_write(sqlite3_stmt *s)
{
	sqlite3 *h = sqlite3_db_handle(s);

	if (!sqlite3_get_autocommit(h) && sqlite3_txn_state(h, NULL) !=
	    SQLITE_TXN_WRITE && !sqlite3_stmt_readonly(s))
		(void)sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
}

int
db_step(struct db_stmt *s)
{
	int rc, tries = 0;

	before_write(S(s));
	for (;;) {
		rc = sqlite3_step(S(s));
		if (rc == SQLITE_ROW)
			return DB_ROW;
		if (rc == SQLITE_DONE)
			return DB_DONE;
		if ((rc & 0xff) == SQLITE_BUSY && ++tries < BUSY_RETRIES) {
			metrics_add(busy_metric, 0, 0, 1);
			sqlite3_reset(S(s));
			continue;
		}
		break;
	}
	note_failure(rc);
	LOG("%s (%d): %.80s", sqlite3_errmsg(sqlite3_db_handle(S(s))), rc,
	    sqlite3_sql(S(s)));
	return DB_ERR;
}

int
db_run(struct db_stmt *s)
{
	int rc;

	while ((rc = db_step(s)) == DB_ROW)
		;
	sqlite3_reset(S(s));
	return rc;
}

void
db_reset(struct db_stmt *s)
{
	sqlite3_reset(S(s));
}

const char *
db_col_text(struct db_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(S(s), col);

	return t ? (const char *)t : "";
}

const void *
db_col_blob(struct db_stmt *s, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(S(s), col);

	*len = p ? (size_t)sqlite3_column_bytes(S(s), col) : 0;
	return p;
}

int64_t
db_col_int(struct db_stmt *s, int col)
{
	return sqlite3_column_int64(S(s), col);
}

int
db_col_is_null(struct db_stmt *s, int col)
{
	return sqlite3_column_type(S(s), col) == SQLITE_NULL;
}

/* Runs a transaction statement, retrying on SQLITE_BUSY.  0 or -1. */
static int
tx_run(struct db *db, enum tx which)
{
	sqlite3_stmt *s = db->tx[which];
	int rc, tries = 0;

	for (;;) {
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || ++tries >= BUSY_RETRIES)
			break;
		metrics_add(busy_metric, 0, 0, 1);
	}
	note_failure(rc);
	LOG("%s: %s", tx_sql[which], sqlite3_errmsg(db->h));
	return -1;
}

void
db_read_begin(struct db *db)
{
	if (sqlite3_get_autocommit(db->h))
		(void)tx_run(db, TX_READ);
}

void
db_read_end(struct db *db)
{
	if (sqlite3_get_autocommit(db->h))
		return;
	if (sqlite3_txn_state(db->h, NULL) == SQLITE_TXN_WRITE) {
		LOG("a write transaction was left open: rolled back");
		(void)tx_run(db, TX_ROLLBACK);
	} else if (tx_run(db, TX_COMMIT) == -1)
		(void)tx_run(db, TX_ROLLBACK);
}

/* Ends a read transaction, if one is open; a write one stays. */
static void
end_read(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h) &&
	    sqlite3_txn_state(db->h, NULL) != SQLITE_TXN_WRITE &&
	    tx_run(db, TX_COMMIT) == -1)
		(void)tx_run(db, TX_ROLLBACK);
}

int
db_begin(struct db *db)
{
	end_read(db);
	return tx_run(db, TX_WRITE);
}

int
db_commit(struct db *db)
{
	if (tx_run(db, TX_COMMIT) == -1) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

void
db_rollback(struct db *db)
{
	if (sqlite3_get_autocommit(db->h) == 0)
		(void)tx_run(db, TX_ROLLBACK);
}

int
db_exec(struct db *db, const char *sql, struct buf *err)
{
	char *msg = NULL;

	end_read(db);
	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		buf_printf(err, "%s", msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
db_checkpoint(struct db *db)
{
	int log = 0, done = 0;

	end_read(db);
	/*
	 * The copy first, waiting for no one; then the truncation, which
	 * holds the write lock while it waits for readers and copies the
	 * rest: after the purge of a province that was a third of a second
	 * of every writer's requests.
	 */
	(void)sqlite3_wal_checkpoint_v2(db->h, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    &log, &done) != SQLITE_OK)
		return -1;
	return 0;
}

/* After each of our commits: notes the WAL's length, checkpoints nothing. */
static int
wal_noted(void *arg, sqlite3 *h, const char *name, int pages)
{
	struct db *db = arg;

	(void)h;
	(void)name;
	db->wal_pages = pages;
	return SQLITE_OK;
}

void
db_defer_checkpoints(struct db *db)
{
	/* Replaces SQLite's automatic checkpoint, which is this hook too. */
	sqlite3_wal_hook(db->h, wal_noted, db);
}

int
db_checkpoint_due(struct db *db)
{
	int rc;

	if (db->wal_pages < CHECKPOINT_PAGES)
		return 0;
	db->wal_pages = 0;
	end_read(db);
	/* Passive: waits for no reader or writer; the next commit says if more is left. */
	rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	/*
	 * Another worker checkpointing (or writing) at the same moment is
	 * no failure: the pages wait for the next one, which the next
	 * commit past the mark asks for.
	 */
	if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY &&
	    (rc & 0xff) != SQLITE_LOCKED)
		LOG("deferred WAL checkpoint: %s", sqlite3_errmsg(db->h));
	return 1;
}

int64_t
db_changes(struct db *db)
{
	return sqlite3_changes64(db->h);
}

int64_t
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int
db_constraint_failed(struct db *db)
{
	return (sqlite3_errcode(db->h) & 0xff) == SQLITE_CONSTRAINT;
}

void
db_declare_metrics(void)
{
	busy_metric = metrics_declare("db_busy_retries_total",
	    "Statements retried after the database stayed locked past the "
	    "busy timeout.", METRIC_COUNTER, NULL, 0, NULL, 0);
}

/* Removes a temporary copy and what SQLite may have left beside it. */
static void
unlink_copy(const char *tmp)
{
	static const char *const side[] = { "", "-journal", "-wal", "-shm" };
	struct buf p;
	size_t i;

	buf_init(&p);
	for (i = 0; i < NELEM(side); i++) {
		buf_reset(&p);
		buf_printf(&p, "%s%s", tmp, side[i]);
		(void)unlink(p.ptr);
	}
	buf_free(&p);
}

/* fsyncs a file or, with dir set, the directory it is in; 0 or -1. */
static int
sync_path(const char *path, int dir)
{
	char *copy = ck_strdup(path);
	int fd, rc;

	fd = open(dir ? dirname(copy) : path, O_RDONLY | O_CLOEXEC |
	    (dir ? O_DIRECTORY : 0));
	free(copy);
	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
db_backup(struct db *db, const char *path, int replace, struct buf *err)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	struct buf tmp;
	char *msg = NULL;
	int fd, rc, tries = 0, ret = -1;

	if (!replace && access(path, F_OK) == 0) {
		buf_printf(err, "%s: the file exists", path);
		return -2;
	}
	buf_init(&tmp);
	buf_printf(&tmp, "%s.XXXXXX", path);
	/* mkstemp makes it mode 0600: a copy of personal data. */
	if ((fd = mkstemp(tmp.ptr)) == -1) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		buf_free(&tmp);
		return -1;
	}
	close(fd);
	end_read(db);
	if (sqlite3_open_v2(tmp.ptr, &dst, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK || (b = sqlite3_backup_init(dst, "main", db->h,
	    "main")) == NULL) {
		buf_printf(err, "%s: %s", path, dst ? sqlite3_errmsg(dst) :
		    "cannot open");
		goto out;
	}
	/*
	 * All pages in one step: one read transaction, so one snapshot,
	 * while the workers go on writing (WAL readers do not block them).
	 */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) {
		if (++tries == 200)
			break;
		metrics_add(busy_metric, 0, 0, 1);
		sqlite3_sleep(25);
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		buf_printf(err, "%s: %s", path, sqlite3_errstr(rc));
		goto out;
	}
	/*
	 * The copy's header says WAL, as the original's does: opened again,
	 * it is turned into one self-contained file.
	 */
	sqlite3_close(dst);
	dst = NULL;
	if (sqlite3_open_v2(tmp.ptr, &dst, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK || sqlite3_exec(dst, "PRAGMA journal_mode=DELETE",
	    NULL, NULL, &msg) != SQLITE_OK) {
		buf_printf(err, "%s: %s", path, msg ? msg : dst ?
		    sqlite3_errmsg(dst) : "cannot open");
		sqlite3_free(msg);
		goto out;
	}
	sqlite3_close(dst);
	dst = NULL;
	if (sync_path(tmp.ptr, 0) == -1) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* link() does not replace: a file made meanwhile is not lost. */
	if ((replace ? rename(tmp.ptr, path) : link(tmp.ptr, path)) == -1) {
		ret = errno == EEXIST ? -2 : -1;
		buf_printf(err, "%s: %s", path, errno == EEXIST ?
		    "the file exists" : strerror(errno));
		goto out;
	}
	(void)sync_path(path, 1);
	ret = 0;
out:
	sqlite3_close(dst);
	unlink_copy(tmp.ptr);	/* after link(), only the temporary name */
	buf_free(&tmp);
	return ret;
}

/* A function of db_function, as fn_call is handed it. */
struct db_fn_def {
	db_fn	 fn;
	void	*arg;
	int	 nargs;
};

static void
fn_call(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct db_fn_def *d = sqlite3_user_data(cx);
	const char *args[DB_FN_ARGS];
	struct buf out;
	int i;

	for (i = 0; i < argc && i < d->nargs; i++)
		if ((args[i] = (const char *)sqlite3_value_text(argv[i])) ==
		    NULL) {
			sqlite3_result_null(cx);
			return;
		}
	buf_init(&out);
	if (d->fn(d->arg, args, &out) == 0)
		sqlite3_result_text(cx, buf_cstr(&out), (int)out.len,
		    SQLITE_TRANSIENT);
	else
		sqlite3_result_error(cx, buf_cstr(&out), -1);
	/* What it computed may be personal (a migration's). */
	if (out.ptr != NULL)
		explicit_bzero(out.ptr, out.cap);
	buf_free(&out);
}

int
db_function(struct db *db, const char *name, int nargs, db_fn fn,
    void *arg, struct buf *err)
{
	struct db_fn_def *d;

	if (nargs < 0 || nargs > DB_FN_ARGS) {
		buf_printf(err, "db: function %s: at most %d arguments", name,
		    DB_FN_ARGS);
		return -1;
	}
	d = ck_calloc(1, sizeof(*d));
	d->fn = fn;
	d->arg = arg;
	d->nargs = nargs;
	/* On failure sqlite3 calls free(d) itself. */
	if (sqlite3_create_function_v2(db->h, name, nargs, SQLITE_UTF8 |
	    SQLITE_DIRECTONLY, d, fn_call, NULL, NULL, free) != SQLITE_OK) {
		buf_printf(err, "db: function %s: %s", name,
		    sqlite3_errmsg(db->h));
		return -1;
	}
	return 0;
}
