/*
 * The one door to the database: open, prepare, bind, step, transaction.
 * Written against SQLite's SQL so that a replicated SQLite engine can sit
 * behind the same calls later without touching the handlers.
 */
#ifndef HC_DB_H
#define HC_DB_H

#include <stdint.h>

#include "util.h"

struct db;
struct db_stmt;

enum {
	DB_ERR = -1,
	DB_DONE = 0,
	DB_ROW = 1
};

/* Opens (creating) the file with WAL, foreign keys, busy timeout and secure_delete; NULL with err. */
struct db *db_open(const char *path, struct buf *err);
void db_close(struct db *db);

/* Prepares the statement table once; sql[i] is statement id i.  0 or -1 with err. */
int db_prepare_all(struct db *db, const char *const *sql, size_t n,
    struct buf *err);
/* Returns prepared statement id, reset and with bindings cleared. */
struct db_stmt *db_stmt(struct db *db, int id);

/* Prepares a one-off statement (CLI, migrations); NULL with err. Free with db_finalize. */
struct db_stmt *db_prepare(struct db *db, const char *sql, struct buf *err);
void db_finalize(struct db_stmt *s);

/* Bindings; indexes start at 1.  A NULL string binds SQL NULL. */
void db_bind_text(struct db_stmt *s, int idx, const char *v);
void db_bind_int(struct db_stmt *s, int idx, int64_t v);
void db_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n);

/* Steps; returns DB_ROW, DB_DONE, or DB_ERR (logged with the SQL's caller). */
int db_step(struct db_stmt *s);
/* Steps to completion, expecting no rows; DB_DONE or DB_ERR; resets. */
int db_run(struct db_stmt *s);
void db_reset(struct db_stmt *s);

/* Column accessors for the current row; text is never NULL ("" for NULL). */
const char *db_col_text(struct db_stmt *s, int col);
int64_t db_col_int(struct db_stmt *s, int col);
int db_col_is_null(struct db_stmt *s, int col);
/* A blob column: NULL with *len 0 for NULL or an empty blob. */
const void *db_col_blob(struct db_stmt *s, int col, size_t *len);

/*
 * A read transaction around what a request reads, so that its reads see
 * one snapshot and take the WAL read lock once.  A write ends it first:
 * db_begin does, and so does a write statement stepped on its own.
 */
void db_read_begin(struct db *db);
void db_read_end(struct db *db);
/*
 * Write transactions: BEGIN IMMEDIATE (takes the write lock up front),
 * COMMIT (rolls back if it fails), ROLLBACK.  0 or -1.
 */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Runs SQL text (several statements); 0 or -1 with err. */
int db_exec(struct db *db, const char *sql, struct buf *err);

/*
 * Checkpoints the WAL into the database file and truncates it, so that
 * deleted rows (overwritten by secure_delete) leave no copy in the WAL.
 * Returns 0, or -1 if readers kept it from completing (it is retried by
 * the next call).
 */
int db_checkpoint(struct db *db);

/*
 * Writes a consistent copy of the whole database to path while others
 * go on writing (SQLite's online backup, one snapshot): a temporary
 * file of mode 0600 beside it, synced, then moved into place, so path
 * is either absent or complete.  An existing path is replaced only with
 * replace set.  Returns 0, -2 if path exists, or -1 with err.
 */
int db_backup(struct db *db, const char *path, int replace, struct buf *err);

/* Declares the database's counters (metrics.h), before metrics_open. */
void db_declare_metrics(void);

/*
 * Moves checkpoints out of commits (a server, between requests): SQLite
 * otherwise copies the WAL into the database file, and syncs it, in the
 * commit of whichever request finds the WAL past 1000 pages.  The caller
 * then runs db_checkpoint_due() when it has time.
 */
void db_defer_checkpoints(struct db *db);
/*
 * A passive checkpoint (it waits for no one) if our last commit found the
 * WAL past 8000 pages (32 MiB).  Returns 1 if it ran, 0 if none was due.
 */
int db_checkpoint_due(struct db *db);

/* Rows changed by the last statement; rowid of the last insert. */
int64_t db_changes(struct db *db);
int64_t db_last_id(struct db *db);
/* Why the database last failed, for the request sequence's answer. */
enum db_failure {
	DB_FAIL_NONE,
	DB_FAIL_BUSY,		/* locked past every retry */
	DB_FAIL_READONLY,	/* the file or its directory is read-only */
	DB_FAIL_FULL,		/* the disk (or a size limit) is full */
	DB_FAIL_IO,		/* a read or write of the file failed */
	DB_FAIL_OTHER
};
/* The failure seen since db_failure_clear() (per process), or NONE. */
enum db_failure db_failure(void);
/* Forgets it: at the start of each request. */
void db_failure_clear(void);

/* Returns 1 if the last error was a constraint violation (UNIQUE, CHECK, FK). */
int db_constraint_failed(struct db *db);

/*
 * SQL functions of the program's own, for the SQL this connection runs
 * from then on (a migration that must compute what SQL cannot): name
 * takes nargs (at most DB_FN_ARGS) text arguments; fn writes the result
 * into out and returns 0, or -1 with the error's message in out (the
 * statement fails with it).  A NULL argument gives NULL without calling
 * fn.  Not usable from triggers or views.  0, or -1 with err.
 */
#define DB_FN_ARGS	4
typedef int (*db_fn)(void *arg, const char *const *argv, struct buf *out);
int db_function(struct db *db, const char *name, int nargs, db_fn fn,
    void *arg, struct buf *err);

#endif
