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

int
migrate_up(struct db *db, const struct embed_file *m, size_t n, time_t now,
    struct buf *log, struct buf *err)
{
	struct db_stmt *chk = NULL, *ins = NULL;
	char sum[65];
	size_t i;
	int applied = 0, rc;

	if (migrate_check(db, m, n, NULL, err) == -1)
		return -1;
	chk = db_prepare(db, "SELECT 1 FROM schema_migrations WHERE "
	    "version = ?", err);
	ins = db_prepare(db, "INSERT INTO schema_migrations (version, name, "
	    "checksum, applied_at) VALUES (?, ?, ?, ?)", err);
	if (chk == NULL || ins == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if (db_begin(db) == -1) {
			buf_puts(err, "cannot begin transaction");
			goto fail;
		}
		/* Checked inside the lock: another migrator may have won. */
		db_reset(chk);
		db_bind_int(chk, 1, version_of(m[i].name));
		rc = db_step(chk);
		db_reset(chk);
		if (rc == DB_ROW) {
			db_rollback(db);
			continue;
		}
		if (rc == DB_ERR || db_exec(db, m[i].data, err) == -1) {
			buf_printf(err, "%s%s: not applied", err->len ? " in " :
			    "", m[i].name);
			db_rollback(db);
			goto fail;
		}
		checksum(&m[i], sum);
		db_reset(ins);
		db_bind_int(ins, 1, version_of(m[i].name));
		db_bind_text(ins, 2, m[i].name);
		db_bind_text(ins, 3, sum);
		db_bind_int(ins, 4, (int64_t)now);
		if (db_run(ins) == DB_ERR || db_commit(db) == -1) {
			db_rollback(db);
			buf_printf(err, "%s: cannot record", m[i].name);
			goto fail;
		}
		buf_printf(log, "applied %s\n", m[i].name);
		applied++;
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
