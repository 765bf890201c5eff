/*
 * Schema migrations: numbered SQL files ("0001_init.sql"), each applied
 * in one transaction, with version, name and SHA-256 recorded.  An
 * applied migration whose text has changed is refused.  One whose first
 * line is "-- migrate: foreign_keys off" runs with foreign keys off (to
 * rebuild a table others refer to) and commits only if
 * PRAGMA foreign_key_check finds nothing amiss.
 */
#ifndef HC_MIGRATE_H
#define HC_MIGRATE_H

#include <time.h>

#include "db.h"
#include "embed.h"

/*
 * Checks the database against the list (sorted by name).  Returns the
 * number of pending migrations (named in pending), or -1 with err for an
 * edited, unknown or malformed migration.
 */
int migrate_check(struct db *db, const struct embed_file *m, size_t n,
    struct buf *pending, struct buf *err);

/* Applies pending migrations; returns how many, or -1 with err. Each line of log names one. */
int migrate_up(struct db *db, const struct embed_file *m, size_t n,
    time_t now, struct buf *log, struct buf *err);

/* Returns the highest applied version, 0 for none, -1 on error. */
int migrate_version(struct db *db);

#endif
