/*
 * Retention: personal data expires daily under the configured rules
 * (docs/retention.md).  The first request a worker serves on a new day
 * checks, with one read, whether the day's purge has run; the first
 * worker to claim it (an INSERT only one can win, across processes)
 * purges in small batches between requests, so that no request waits
 * behind it for more than one batch.  Deleted rows are overwritten
 * (secure_delete) and the WAL is checkpointed and truncated at the end.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "app.h"
#include "rules.h"

#define BATCH	500	/* rows per transaction */

enum threshold {
	TH_EPOCH,	/* ?1 is a time: rows before it go */
	TH_DAY,		/* ?1 is a day "YYYY-MM-DD": rows before it go */
	TH_NONE		/* no threshold: the rows are orphans */
};

/*
 * The classes, in order: accounts go before the persons they leave
 * without a holder.  keep is the index in app.keep (or -1), in minutes
 * for the first and in days for the rest.
 */
static const struct class {
	const char	*name;
	int		 keep;
	enum threshold	 th;
	const char	*count;
	const char	*del;
} classes[] = {
	{ "otp_codes", 0, TH_EPOCH,
	  "SELECT count(*) FROM otp_codes WHERE created_at < ?1",
	  "DELETE FROM otp_codes WHERE id IN (SELECT id FROM otp_codes "
	  "WHERE created_at < ?1 LIMIT ?2)" },
	{ "rate_hits", -1, TH_EPOCH,
	  "SELECT count(*) FROM rate_hits WHERE at < ?1",
	  "DELETE FROM rate_hits WHERE rowid IN (SELECT rowid FROM rate_hits "
	  "WHERE at < ?1 LIMIT ?2)" },
	{ "sessions", -1, TH_EPOCH,
	  "SELECT count(*) FROM sessions WHERE expires_at <= ?1",
	  "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions "
	  "WHERE expires_at <= ?1 LIMIT ?2)" },
	{ "daily_codes", -1, TH_DAY,
	  "SELECT count(*) FROM daily_codes WHERE day < ?1",
	  "DELETE FROM daily_codes WHERE code_id IN (SELECT code_id FROM "
	  "daily_codes WHERE day < ?1 LIMIT ?2)" },
	{ "declarations", 1, TH_DAY,
	  "SELECT count(*) FROM declarations WHERE day < ?1",
	  "DELETE FROM declarations WHERE id IN (SELECT id FROM declarations "
	  "WHERE day < ?1 LIMIT ?2)" },
	{ "checkins", 2, TH_EPOCH,
	  "SELECT count(*) FROM checkins WHERE checked_in_at < ?1",
	  "DELETE FROM checkins WHERE id IN (SELECT id FROM checkins "
	  "WHERE checked_in_at < ?1 LIMIT ?2)" },
	{ "verifications", 3, TH_EPOCH,
	  "SELECT count(*) FROM verifications WHERE checked_at < ?1",
	  "DELETE FROM verifications WHERE id IN (SELECT id FROM "
	  "verifications WHERE checked_at < ?1 LIMIT ?2)" },
	{ "case_entries", 4, TH_DAY,
	  "SELECT count(*) FROM case_entries WHERE listed_day < ?1",
	  "DELETE FROM case_entries WHERE id IN (SELECT id FROM case_entries "
	  "WHERE listed_day < ?1 LIMIT ?2)" },
	{ "inactive_accounts", 5, TH_EPOCH,
	  "SELECT count(*) FROM accounts WHERE last_seen_at < ?1",
	  "DELETE FROM accounts WHERE id IN (SELECT id FROM accounts "
	  "WHERE last_seen_at < ?1 LIMIT ?2)" },
	{ "orphan_persons", -1, TH_NONE,
	  "SELECT count(*) FROM persons p WHERE NOT EXISTS (SELECT 1 FROM "
	  "account_persons ap WHERE ap.person_id = p.id)",
	  "DELETE FROM persons WHERE id IN (SELECT p.id FROM persons p "
	  "WHERE NOT EXISTS (SELECT 1 FROM account_persons ap WHERE "
	  "ap.person_id = p.id) LIMIT ?2)" },
};

#define NCLASSES	NELEM(classes)

/* This worker's view: the day known purged, and a purge it owns. */
static time_t	done_from, done_until;	/* the day known purged */
static int	running;
static size_t	cur;			/* class being purged */
static long long counts[NCLASSES];
static char	run_day[11];
static time_t	run_now;
static struct timespec run_t0;

/* Binds the class's threshold for the purge of the day containing now. */
static void
bind_threshold(struct app *a, const struct class *k, struct db_stmt *s,
    time_t now)
{
	char today[11], day[11];
	long long keep = k->keep >= 0 ? a->keep[k->keep] : 0;

	clock_day(now, today);
	if (strcmp(k->name, "otp_codes") == 0)
		db_bind_int(s, 1, now - keep * 60);
	else if (strcmp(k->name, "rate_hits") == 0)
		db_bind_int(s, 1, now - 86400);	/* the longest window is 1 h */
	else if (strcmp(k->name, "sessions") == 0)
		db_bind_int(s, 1, now);
	else if (strcmp(k->name, "daily_codes") == 0)
		db_bind_text(s, 1, today);
	else if (k->th == TH_DAY) {
		/* Kept N days: today and the N - 1 before it. */
		day_add(today, -(int)(keep - 1), day);
		db_bind_text(s, 1, day);
	} else if (strcmp(k->name, "inactive_accounts") == 0)
		db_bind_int(s, 1, now - keep * 86400);
	else if (k->th == TH_EPOCH) {
		/* Kept N days: from the start of the oldest kept day. */
		day_add(today, -(int)(keep - 1), day);
		db_bind_int(s, 1, clock_day_start(now) -
		    (time_t)day_diff(day, today) * 86400);
	}
}

/* Deletes one batch of class k; returns rows deleted, or -1. */
static long long
purge_batch(struct app *a, const struct class *k, time_t now)
{
	struct buf err;
	struct db_stmt *s;
	long long n = -1;

	buf_init(&err);
	if ((s = db_prepare(a->db, k->del, &err)) == NULL) {
		LOG("%s: %s", k->name, buf_cstr(&err));
		goto out;
	}
	if (db_begin(a->db) == -1)
		goto out;
	if (k->th != TH_NONE)
		bind_threshold(a, k, s, now);
	db_bind_int(s, 2, BATCH);
	if (db_run(s) == DB_ERR) {
		db_rollback(a->db);
		goto out;
	}
	n = db_changes(a->db);
	if (db_commit(a->db) == -1)
		n = -1;
out:
	db_finalize(s);
	buf_free(&err);
	return n;
}

static long long
count_class(struct app *a, const struct class *k, time_t now)
{
	struct buf err;
	struct db_stmt *s;
	long long n = -1;

	buf_init(&err);
	if ((s = db_prepare(a->db, k->count, &err)) != NULL) {
		if (k->th != TH_NONE)
			bind_threshold(a, k, s, now);
		if (db_step(s) == DB_ROW)
			n = db_col_int(s, 0);
	}
	db_finalize(s);
	buf_free(&err);
	return n;
}

/* Writes {"class":N,...} for the counts. */
static void
counts_json(const long long *n, struct buf *out)
{
	size_t i;

	buf_putc(out, '{');
	for (i = 0; i < NCLASSES; i++)
		buf_printf(out, "%s\"%s\":%lld", i ? "," : "", classes[i].name,
		    n[i]);
	buf_putc(out, '}');
}

/* Records a finished run for day. */
static void
finish_run(struct app *a, const char *day, time_t started, time_t now,
    const long long *n)
{
	struct buf b, err;
	struct db_stmt *s;

	buf_init(&b);
	buf_init(&err);
	counts_json(n, &b);
	s = db_prepare(a->db, "INSERT INTO purge_runs (day, started_at, "
	    "finished_at, counts) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (day) "
	    "DO UPDATE SET finished_at = excluded.finished_at, counts = "
	    "excluded.counts", &err);
	if (s != NULL) {
		db_bind_text(s, 1, day);
		db_bind_int(s, 2, started);
		db_bind_int(s, 3, now);
		db_bind_text(s, 4, b.ptr);
		if (db_run(s) == DB_ERR)
			LOG("cannot record the purge of %s", day);
	}
	db_finalize(s);
	if (db_checkpoint(a->db) == -1)
		LOG("WAL checkpoint after the purge did not complete");
	buf_free(&b);
	buf_free(&err);
}

void
retention_check(struct ctx *c)
{
	struct app *a = c->app;
	struct db_stmt *s;
	struct buf err;
	char today[11];
	int rc;

	if (running || (c->now >= done_from && c->now < done_until))
		return;		/* the common case: no database access */
	clock_day(c->now, today);
	buf_init(&err);
	s = db_prepare(a->db, "SELECT finished_at IS NOT NULL, started_at "
	    "FROM purge_runs WHERE day = ?1", &err);
	if (s == NULL)
		goto out;
	db_bind_text(s, 1, today);
	rc = db_step(s);
	if (rc == DB_ROW && (db_col_int(s, 0) ||
	    db_col_int(s, 1) > c->now - 600)) {
		/* Done, or running elsewhere (and not abandoned). */
		done_from = clock_day_start(c->now);
		done_until = clock_next_cutoff(c->now);
		goto out;
	}
	db_finalize(s);
	/* Claim it: only one INSERT (or take-over of an abandoned run) wins. */
	s = db_prepare(a->db, "INSERT INTO purge_runs (day, started_at) "
	    "VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET started_at = "
	    "excluded.started_at WHERE finished_at IS NULL AND started_at "
	    "<= ?2 - 600", &err);
	if (s == NULL)
		goto out;
	db_bind_text(s, 1, today);
	db_bind_int(s, 2, c->now);
	if (db_run(s) == DB_ERR)
		goto out;
	done_from = clock_day_start(c->now);
	done_until = clock_next_cutoff(c->now);
	if (db_changes(a->db) == 1) {
		running = 1;
		cur = 0;
		memset(counts, 0, sizeof(counts));
		memcpy(run_day, today, sizeof(run_day));
		run_now = c->now;
		clock_gettime(CLOCK_MONOTONIC, &run_t0);
	}
out:
	db_finalize(s);
	buf_free(&err);
}

int
retention_step(struct app *a)
{
	struct timespec t1;
	long long n;

	if (!running)
		return 0;
	if (cur < NCLASSES) {
		n = purge_batch(a, &classes[cur], run_now);
		if (n < 0) {
			LOG("purge of %s failed; the next day's purge will "
			    "catch up", classes[cur].name);
			running = 0;
			return 0;
		}
		counts[cur] += n;
		if (n < BATCH)
			cur++;
		if (cur < NCLASSES)
			return 1;
	}
	running = 0;
	finish_run(a, run_day, run_now, run_now, counts);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		struct buf b;
		buf_init(&b);
		counts_json(counts, &b);
		LOG("purge %s done in %.0f ms: %s", run_day,
		    (double)(t1.tv_sec - run_t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - run_t0.tv_nsec) / 1e6, b.ptr);
		buf_free(&b);
	}
	return 0;
}

int
retention_purge_all(struct app *a, time_t now, int dry_run, struct buf *out)
{
	long long n[NCLASSES], got;
	char today[11];
	size_t i;

	memset(n, 0, sizeof(n));
	for (i = 0; i < NCLASSES; i++) {
		if (dry_run) {
			if ((n[i] = count_class(a, &classes[i], now)) < 0)
				return -1;
		} else
			do {
				if ((got = purge_batch(a, &classes[i], now)) < 0)
					return -1;
				n[i] += got;
			} while (got == BATCH);
		buf_printf(out, "%-18s %lld\n", classes[i].name, n[i]);
	}
	if (!dry_run) {
		clock_day(now, today);
		finish_run(a, today, now, now, n);
	}
	return 0;
}
