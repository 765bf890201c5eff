/* Applies and checks numbered migrations; see migrate.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "migrate.h"

static const char meta[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " checksum TEXT NOT NULL,"
    " applied_at INTEGER NOT NULL)";

/* Returns the version number from "0001_init.sql", or -1. */
static int
version_of(const char *name)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)name[i]))
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	if (name[4] != '_' || strlen(name) < 10 ||
	    strcmp(name + strlen(name) - 4, ".sql") != 0 || v == 0)
		return -1;
	return v;
}

static void
checksum(const struct embed_file *f, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	struct buf b;

	SHA256((const unsigned char *)f->data, f->len, md);
	buf_init(&b);
	hex_encode(&b, md, sizeof(md));
	memcpy(out, b.ptr, 65);
	buf_free(&b);
}

int
migrate_check(struct db *db, const struct embed_file *m, size_t n,
    struct buf *pending, struct buf *err)
{
	struct db_stmt *s = NULL;
	char sum[65];
	size_t i;
	int v, last = 0, npending = 0, rc;

	if (db_exec(db, meta, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((v = version_of(m[i].name)) <= last) {
			buf_printf(err, "migration %s: name must be NNNN_what.sql"
			    " with increasing numbers", m[i].name);
			return -1;
		}
		last = v;
	}
	if ((s = db_prepare(db, "SELECT version, name, checksum FROM "
	    "schema_migrations ORDER BY version", err)) == NULL)
		return -1;
	/* Every applied migration must be one we have, unchanged. */
	while ((rc = db_step(s)) == DB_ROW) {
		v = (int)db_col_int(s, 0);
		for (i = 0; i < n && version_of(m[i].name) != v; i++)
			;
		if (i == n) {
			buf_printf(err, "database has migration %04d (%s), "
			    "which this program does not know: it is newer "
			    "than the program", v, db_col_text(s, 1));
			goto fail;
		}
		checksum(&m[i], sum);
		if (strcmp(sum, db_col_text(s, 2)) != 0) {
			buf_printf(err, "migration %s was edited after it was "
			    "applied (checksum %.12s..., applied %.12s...); "
			    "add a new migration instead", m[i].name, sum,
			    db_col_text(s, 2));
			goto fail;
		}
	}
	if (rc == DB_ERR) {
		buf_puts(err, "cannot read schema_migrations");
		goto fail;
	}
	db_finalize(s);
	s = db_prepare(db, "SELECT 1 FROM schema_migrations WHERE version = ?",
	    err);
	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		db_reset(s);
		db_bind_int(s, 1, version_of(m[i].name));
		if ((rc = db_step(s)) == DB_ERR)
			goto fail;
		if (rc == DB_DONE) {
			if (pending != NULL)
				buf_printf(pending, "%s%s", npending ? ", " :
				    "", m[i].name);
			npending++;
		}
	}
	db_finalize(s);
	return npending;
fail:
	db_finalize(s);
	return -1;
}

/*
 * A migration whose first line is this runs with foreign keys off, set
 * outside its transaction (SQLite ignores the pragma inside one), so
 * that it can rebuild a table that others refer to by SQLite's twelve
 * steps: a DROP TABLE with them on would delete every row referring to
 * it.  It commits only if PRAGMA foreign_key_check then finds nothing.
 */
#define FK_OFF_LINE	"-- migrate: foreign_keys off"

/* Returns 1 if migration f asks for foreign keys off. */
static int
fk_off_asked(const struct embed_file *f)
{
	size_t n = sizeof(FK_OFF_LINE) - 1;

	return f->len > n && strncmp(f->data, FK_OFF_LINE, n) == 0 &&
	    (f->data[n] == '\n' || f->data[n] == '\r');
}

/* Turns foreign keys on or off and makes sure they are: 0, or -1 with err. */
static int
fk_set(struct db *db, int on, const char *name, struct buf *err)
{
	struct db_stmt *s;
	int now = -1;

	if (db_exec(db, on ? "PRAGMA foreign_keys=ON" :
	    "PRAGMA foreign_keys=OFF", err) == -1)
		return -1;
	if ((s = db_prepare(db, "PRAGMA foreign_keys", err)) == NULL)
		return -1;
	if (db_step(s) == DB_ROW)
		now = (int)db_col_int(s, 0);
	db_finalize(s);
	if (now != on) {
		buf_printf(err, "%s: cannot turn foreign keys %s", name,
		    on ? "back on" : "off");
		return -1;
	}
	return 0;
}

/* PRAGMA foreign_key_check inside the migration: 0, or -1 with err. */
static int
fk_check(struct db *db, const char *name, struct buf *err)
{
	struct db_stmt *s;
	int rc;

	if ((s = db_prepare(db, "PRAGMA foreign_key_check", err)) == NULL)
		return -1;
	if ((rc = db_step(s)) == DB_ROW) {
		buf_printf(err, "%s: foreign key check failed: a row of %s",
		    name, db_col_text(s, 0));
		if (!db_col_is_null(s, 1))
			buf_printf(err, " (rowid %lld)",
			    (long long)db_col_int(s, 1));
		buf_printf(err, " refers to a missing row of %s",
		    db_col_text(s, 2));
	} else if (rc == DB_ERR)
		buf_printf(err, "%s: cannot check foreign keys", name);
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

/*
 * Applies migration f in one transaction unless it is recorded (chk),
 * and records it (ins): 1 applied, 0 applied already, -1 with err.
 */
static int
apply(struct db *db, const struct embed_file *f, int fk_off,
    struct db_stmt *chk, struct db_stmt *ins, time_t now, struct buf *err)
{
	char sum[65];
	int rc;

	if (db_begin(db) == -1) {
		buf_puts(err, "cannot begin transaction");
		return -1;
	}
	/* Checked inside the lock: another migrator may have won. */
	db_reset(chk);
	db_bind_int(chk, 1, version_of(f->name));
	rc = db_step(chk);
	db_reset(chk);
	if (rc == DB_ROW) {
		db_rollback(db);
		return 0;
	}
	if (rc == DB_ERR || db_exec(db, f->data, err) == -1 ||
	    (fk_off && fk_check(db, f->name, err) == -1)) {
		buf_printf(err, "%s%s: not applied", err->len ? " in " : "",
		    f->name);
		db_rollback(db);
		return -1;
	}
	checksum(f, sum);
	db_reset(ins);
	db_bind_int(ins, 1, version_of(f->name));
	db_bind_text(ins, 2, f->name);
	db_bind_text(ins, 3, sum);
	db_bind_int(ins, 4, (int64_t)now);
	if (db_run(ins) == DB_ERR || db_commit(db) == -1) {
		db_rollback(db);
		buf_printf(err, "%s: cannot record", f->name);
		return -1;
	}
	return 1;
}

int
migrate_up(struct db *db, const struct embed_file *m, size_t n, time_t now,
    struct buf *log, struct buf *err)
{
	struct db_stmt *chk = NULL, *ins = NULL;
	struct buf scratch;
	size_t i;
	int applied = 0, rc, off;

	if (migrate_check(db, m, n, NULL, err) == -1)
		return -1;
	chk = db_prepare(db, "SELECT 1 FROM schema_migrations WHERE "
	    "version = ?", err);
	ins = db_prepare(db, "INSERT INTO schema_migrations (version, name, "
	    "checksum, applied_at) VALUES (?, ?, ?, ?)", err);
	if (chk == NULL || ins == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		off = fk_off_asked(&m[i]);
		if (off && fk_set(db, 0, m[i].name, err) == -1)
			goto fail;
		rc = apply(db, &m[i], off, chk, ins, now, err);
		if (off) {
			/* Back on whatever happened; err keeps the first error. */
			buf_init(&scratch);
			if (fk_set(db, 1, m[i].name, rc == -1 ? &scratch :
			    err) == -1)
				rc = -1;
			buf_free(&scratch);
		}
		if (rc == -1)
			goto fail;
		if (rc == 1) {
			buf_printf(log, "applied %s\n", m[i].name);
			applied++;
		}
	}
	db_finalize(chk);
	db_finalize(ins);
	return applied;
fail:
	db_finalize(chk);
	db_finalize(ins);
	return -1;
}

int
migrate_version(struct db *db)
{
	struct buf err;
	struct db_stmt *s;
	int v = -1;

	buf_init(&err);
	s = db_prepare(db, "SELECT coalesce(max(version), 0) FROM "
	    "schema_migrations", &err);
	if (s != NULL && db_step(s) == DB_ROW)
		v = (int)db_col_int(s, 0);
	db_finalize(s);
	buf_free(&err);
	return v;
}
