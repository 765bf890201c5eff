/*
 * The daily purge.  One read per worker and day finds whether the day's
 * purge is done; the first worker to claim it (an INSERT only one can
 * win, across processes) deletes in batches between requests, so that
 * no request waits behind it for more than one batch.  A claim that is
 * not finished within PURGE_CLAIM_SECONDS (its worker was killed) is
 * taken over by the next worker to look; a run that fails releases its
 * claim with a growing pause, and is retried by whichever worker looks
 * after it.  Deleted rows are overwritten (secure_delete) and the WAL is
 * checkpointed and truncated at the end.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "../fcgi/metrics.h"
#include "retention.h"

/*
 * Rows per transaction: the CLI's, and a server's first.  A server's
 * batches are then sized to take about BATCH_MS, since the write lock is
 * held that long, and a request waits behind one batch at most; 500 rows
 * of a province's declarations took 30-50 ms (each deletion marks its
 * person's colour stale: a random page more to write).
 */
#define BATCH		500
#define BATCH_MIN	20
#define BATCH_MAX	5000
#define BATCH_MS	8

/* What a class's threshold (?1) is. */
enum threshold {
	TH_OTP,		/* created before now - retention_otp_minutes */
	TH_RATE,	/* hits older than a day (the longest window) */
	TH_NOW,		/* ended by now (sessions) */
	TH_TODAY,	/* days before today (daily codes) */
	TH_DAYS,	/* days before the oldest kept day */
	TH_EPOCH_DAYS,	/* times before the start of the oldest kept day */
	TH_INACTIVE,	/* not seen for retention_inactive_days */
	TH_NONE		/* no threshold: the rows are orphans */
};

/*
 * The classes, in order: accounts go before the persons they leave
 * without a holder.
 */
static const struct class {
	const char	*name;
	enum threshold	 th;
	size_t		 keep;	/* offset in struct conf, for TH_DAYS... */
	enum stmt	 count, del;
} classes[] = {
	{ "otp_codes", TH_OTP, 0, SQL_PURGE_OTP_COUNT, SQL_PURGE_OTP },
	{ "rate_hits", TH_RATE, 0, SQL_PURGE_RATE_COUNT, SQL_PURGE_RATE },
	{ "sessions", TH_NOW, 0, SQL_PURGE_SESSIONS_COUNT,
	  SQL_PURGE_SESSIONS },
	{ "daily_codes", TH_TODAY, 0, SQL_PURGE_CODES_COUNT, SQL_PURGE_CODES },
	{ "declarations", TH_DAYS,
	  offsetof(struct conf, keep.declarations_days),
	  SQL_PURGE_DECLS_COUNT, SQL_PURGE_DECLS },
	{ "checkins", TH_EPOCH_DAYS, offsetof(struct conf, keep.checkins_days),
	  SQL_PURGE_CHECKINS_COUNT, SQL_PURGE_CHECKINS },
	{ "verifications", TH_EPOCH_DAYS,
	  offsetof(struct conf, keep.verifications_days),
	  SQL_PURGE_CHECKS_COUNT, SQL_PURGE_CHECKS },
	{ "case_entries", TH_DAYS, offsetof(struct conf, keep.cases_days),
	  SQL_PURGE_CASES_COUNT, SQL_PURGE_CASES },
	{ "audit_log", TH_EPOCH_DAYS, offsetof(struct conf, keep.audit_days),
	  SQL_PURGE_AUDIT_COUNT, SQL_PURGE_AUDIT },
	{ "appeals", TH_EPOCH_DAYS, offsetof(struct conf, keep.appeals_days),
	  SQL_PURGE_APPEALS_COUNT, SQL_PURGE_APPEALS },
	{ "disputes", TH_EPOCH_DAYS, offsetof(struct conf, keep.appeals_days),
	  SQL_PURGE_DISPUTES_COUNT, SQL_PURGE_DISPUTES },
	{ "account_notices", TH_EPOCH_DAYS,
	  offsetof(struct conf, keep.appeals_days), SQL_PURGE_NOTICES_COUNT,
	  SQL_PURGE_NOTICES },
	{ "inactive_accounts", TH_INACTIVE, 0, SQL_PURGE_ACCOUNTS_COUNT,
	  SQL_PURGE_ACCOUNTS },
	{ "orphan_persons", TH_NONE, 0, SQL_PURGE_ORPHANS_COUNT,
	  SQL_PURGE_ORPHANS },
};

#define NCLASSES	NELEM(classes)

/* Metrics: runs by who ran them and how they ended; rows by class. */
static const char *const run_by[] = { "by=\"worker\"", "by=\"cli\"" };
static const char *const run_result[] = {
	"result=\"done\"", "result=\"failed\""
};
static const char *class_labels[NCLASSES];
static int m_runs = -1, m_rows = -1;

/* This worker's view: when to look again, and a purge it owns. */
static time_t	known_from, known_until;	/* no need to look */
static int	running;
static size_t	cur;			/* class being purged */
static long long counts[NCLASSES];
static char	run_day[11];
static time_t	run_now;
static struct timespec run_t0;
static long long batch = BATCH;		/* this worker's batch size */

int
retention_running(void)
{
	return running;
}

/* Binds the class's threshold for the purge of the day containing now. */
static void
bind_threshold(struct app *a, const struct class *k, struct db_stmt *s,
    time_t now)
{
	const struct conf *cf = &a->conf;
	char today[11], day[11];
	long long keep = 0;

	if (k->keep != 0)
		memcpy(&keep, (const char *)cf + k->keep, sizeof(keep));
	clock_day(now, today);
	/* Kept N days: today and the N - 1 before it. */
	day_add(today, -(int)(keep - 1), day);
	switch (k->th) {
	case TH_OTP:
		db_bind_int(s, 1, now - cf->keep.otp_minutes * 60);
		break;
	case TH_RATE:
		db_bind_int(s, 1, now - 86400);
		break;
	case TH_NOW:
		db_bind_int(s, 1, now);
		break;
	case TH_TODAY:
		db_bind_text(s, 1, today);
		break;
	case TH_DAYS:
		db_bind_text(s, 1, day);
		break;
	case TH_EPOCH_DAYS:
		db_bind_int(s, 1, clock_day_start(now) -
		    (time_t)day_diff(day, today) * 86400);
		break;
	case TH_INACTIVE:
		db_bind_int(s, 1, now - cf->keep.inactive_days * 86400);
		break;
	case TH_NONE:
		break;
	}
}

/* Deletes one batch (at most limit rows) of class k; returns rows deleted, or -1. */
static long long
purge_batch(struct app *a, const struct class *k, time_t now,
    long long limit)
{
	struct db_stmt *s;
	long long n;

	if (db_begin(a->db) == -1)
		return -1;
	s = db_stmt(a->db, k->del);
	bind_threshold(a, k, s, now);
	db_bind_int(s, 2, limit);
	if (db_run(s) == DB_ERR) {
		db_rollback(a->db);
		return -1;
	}
	n = db_changes(a->db);
	return db_commit(a->db) == -1 ? -1 : n;
}

static long long
count_class(struct app *a, const struct class *k, time_t now)
{
	struct db_stmt *s = db_stmt(a->db, k->count);
	long long n = -1;

	bind_threshold(a, k, s, now);
	if (db_step(s) == DB_ROW)
		n = db_col_int(s, 0);
	db_reset(s);
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

/*
 * Records a finished run for day (the claim started at started, or any
 * claim with force), then checkpoints the WAL.
 */
static void
finish_run(struct app *a, const char *day, time_t started, time_t now,
    const long long *n, int force)
{
	struct db_stmt *s = db_stmt(a->db, SQL_PURGE_RUN_FINISH);
	struct buf b;

	buf_init(&b);
	counts_json(n, &b);
	db_bind_text(s, 1, day);
	db_bind_int(s, 2, started);
	db_bind_int(s, 3, now);
	db_bind_text(s, 4, b.ptr);
	db_bind_int(s, 5, force);
	if (db_run(s) == DB_ERR)
		LOG("cannot record the purge of %s", day);
	if (db_checkpoint(a->db) == -1)
		LOG("WAL checkpoint after the purge did not complete");
	buf_free(&b);
}

/* Releases a failed run claimed at started: claimable again after a pause. */
static void
release_run(struct app *a, const char *day, time_t started, time_t now)
{
	struct db_stmt *s = db_stmt(a->db, SQL_PURGE_RUN_RELEASE);

	db_bind_text(s, 1, day);
	db_bind_int(s, 2, now);
	db_bind_int(s, 3, PURGE_RETRY_MAX);
	db_bind_int(s, 4, started);
	if (db_run(s) == DB_ERR)
		LOG("cannot release the purge of %s; it is taken over when "
		    "its claim is abandoned", day);
	/* This worker looks again when anyone may: the row says when. */
	known_until = now;
}

/* Notes that this worker need not look again before until (or the cutoff). */
static void
look_again_at(time_t now, time_t until)
{
	time_t cutoff = clock_next_cutoff(now);

	known_from = clock_day_start(now);
	known_until = until < cutoff ? until : cutoff;
}

/* Counts a finished run (by 0: a worker, 1: the CLI) and its rows. */
static void
count_run(size_t by, const long long *n)
{
	size_t i;

	metrics_add(m_runs, by, 0, 1);
	for (i = 0; i < NCLASSES; i++)
		metrics_add(m_rows, i, 0, (uint64_t)n[i]);
}

void
retention_declare_metrics(void)
{
	struct buf b;
	size_t i;

	for (i = 0; class_labels[NCLASSES - 1] == NULL && i < NCLASSES; i++) {
		buf_init(&b);
		metrics_label_set(&b, "class", classes[i].name);
		class_labels[i] = b.ptr;	/* kept for the process */
	}
	m_runs = metrics_declare("purge_runs_total", "Daily purges finished "
	    "or failed, by who ran them.", METRIC_COUNTER, run_by,
	    NELEM(run_by), run_result, NELEM(run_result));
	m_rows = metrics_declare("purged_rows_total", "Rows the purges "
	    "deleted, by class (docs/retention.md).", METRIC_COUNTER,
	    class_labels, NCLASSES, NULL, 0);
}

void
retention_check(struct ctx *c)
{
	struct app *a = c->app;
	struct db_stmt *s;
	char today[11];
	time_t started, retry, free_at;
	int rc, done = 0;

	if (running || (c->now >= known_from && c->now < known_until))
		return;		/* the common case: no database access */
	clock_day(c->now, today);
	s = db_stmt(a->db, SQL_PURGE_RUN_GET);
	db_bind_text(s, 1, today);
	if ((rc = db_step(s)) == DB_ROW) {
		done = db_col_int(s, 0) != 0;
		started = (time_t)db_col_int(s, 1);
		retry = (time_t)db_col_int(s, 2);
		/* When the run may be taken: its claim abandoned, its pause over. */
		free_at = started + PURGE_CLAIM_SECONDS;
		if (retry > free_at)
			free_at = retry;
	}
	db_reset(s);
	if (rc == DB_ERR)
		return;		/* the next request looks again */
	if (done) {
		look_again_at(c->now, clock_next_cutoff(c->now));
		return;
	}
	if (rc == DB_ROW && c->now < free_at) {
		/* Running elsewhere, or paused: look again when it may be taken. */
		look_again_at(c->now, free_at);
		return;
	}
	s = db_stmt(a->db, SQL_PURGE_RUN_CLAIM);
	db_bind_text(s, 1, today);
	db_bind_int(s, 2, c->now);
	db_bind_int(s, 3, PURGE_CLAIM_SECONDS);
	if (db_run(s) == DB_ERR)
		return;
	if (db_changes(a->db) != 1) {
		/* Another worker won it a moment ago. */
		look_again_at(c->now, c->now + PURGE_CLAIM_SECONDS);
		return;
	}
	look_again_at(c->now, clock_next_cutoff(c->now));
	running = 1;
	cur = 0;
	memset(counts, 0, sizeof(counts));
	memcpy(run_day, today, sizeof(run_day));
	run_now = c->now;
	clock_gettime(CLOCK_MONOTONIC, &run_t0);
}

int
retention_step(struct app *a)
{
	struct timespec t0;
	struct buf b;
	long long n;
	double ms;

	if (!running)
		return 0;
	if (cur < NCLASSES) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		n = purge_batch(a, &classes[cur], run_now, batch);
		if (n < 0) {
			LOG("purge of %s failed; released for a retry",
			    classes[cur].name);
			metrics_add(m_runs, 0, 1, 1);
			running = 0;
			release_run(a, run_day, run_now, run_now);
			return 0;
		}
		counts[cur] += n;
		ms = clock_ms_since(&t0);
		if (n < batch)
			cur++;
		else if (ms > BATCH_MS && batch > BATCH_MIN)
			batch = batch / 2 > BATCH_MIN ? batch / 2 : BATCH_MIN;
		else if (ms < BATCH_MS / 2 && batch < BATCH_MAX)
			batch = batch * 2 < BATCH_MAX ? batch * 2 : BATCH_MAX;
		if (cur < NCLASSES)
			return 1;
	}
	running = 0;
	finish_run(a, run_day, run_now, run_now, counts, 0);
	count_run(0, counts);
	buf_init(&b);
	counts_json(counts, &b);
	LOG("purge %s done in %.0f ms: %s", run_day, clock_ms_since(&run_t0),
	    b.ptr);
	buf_free(&b);
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
				if ((got = purge_batch(a, &classes[i], now,
				    BATCH)) < 0) {
					metrics_add(m_runs, 1, 1, 1);
					return -1;
				}
				n[i] += got;
			} while (got == BATCH);
		buf_printf(out, "%-18s %lld\n", classes[i].name, n[i]);
	}
	if (!dry_run) {
		clock_day(now, today);
		finish_run(a, today, now, now, n, 1);
		count_run(1, n);
	}
	return 0;
}
