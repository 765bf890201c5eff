/*
 * Check records are written in groups: one transaction per PENDING_MAX
 * checks or PENDING_MS milliseconds, whichever comes first, and when the
 * worker is idle or stops.  A transaction per check was a third of a
 * verification's time under load (the write lock and a WAL frame per
 * index); the price is that a worker killed outright loses at most the
 * last PENDING_MS of its check records, never a person's data.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "../fcgi/metrics.h"
#include "checklog.h"

/*
 * Enough for PENDING_MS at 10,000 checks a second (256 filled in 25 ms:
 * twice the commits, each making the other workers read their pages
 * again).
 */
#define PENDING_MAX	1024
#define PENDING_MS	50

struct pending {
	int64_t		 checker;
	const char	*method;	/* static strings */
	const char	*reason;
	const char	*color;
	char		 issuer[7];
	char		 cid[CHECK_CID_MAX + 1];
	int64_t		 person_id;
	char		 place[CHECK_PLACE_MAX + 1];
	int		 has_place;
	int		 valid;
	time_t		 at;
};

static struct pending	pending[PENDING_MAX];
static size_t		npending;
static struct timespec	pending_since;

size_t
checklog_pending(void)
{
	return npending;
}

void
checklog_flush(struct app *a)
{
	struct db_stmt *s;
	struct pending *p;
	size_t i;

	if (npending == 0)
		return;
	if (db_begin(a->db) == -1)
		goto fail;
	for (i = 0; i < npending; i++) {
		p = &pending[i];
		s = db_stmt(a->db, SQL_VERIFY_INSERT);
		db_bind_int(s, 1, p->checker);
		db_bind_text(s, 2, p->method);
		db_bind_text(s, 3, p->issuer);
		db_bind_text(s, 4, p->cid[0] ? p->cid : NULL);
		if (p->person_id)
			db_bind_int(s, 5, p->person_id);
		db_bind_text(s, 6, p->has_place ? p->place : NULL);
		db_bind_int(s, 7, p->valid);
		db_bind_text(s, 8, p->reason);
		db_bind_text(s, 9, p->color);
		db_bind_int(s, 10, p->at);
		if (db_run(s) == DB_ERR) {
			db_rollback(a->db);
			goto fail;
		}
	}
	if (db_commit(a->db) == -1)
		goto fail;
	npending = 0;
	return;
fail:
	/* Kept for the next try; a full queue drops the oldest, logged. */
	LOG("cannot record %zu verification(s) yet", npending);
}

int
checklog_idle(struct app *a, int now)
{
	double left;

	if (npending == 0)
		return -1;
	left = PENDING_MS - clock_ms_since(&pending_since);
	if (now || left <= 0) {
		checklog_flush(a);
		return npending ? PENDING_MS : -1;
	}
	return (int)left + 1;
}

/*
 * Metrics: checks by method and result, the colour of a valid code or
 * the reason of an invalid one (verify.c's reasons; any other "other").
 */
static const char *const methods[] = { "scan", "lookup", NULL };
static const char *const results[] = {
	"green", "yellow", "red", "malformed", "wrong_algorithm",
	"unknown_issuer", "unknown_key", "expired", "bad_signature", "revoked",
	"internal", "no_declaration_today", NULL
};
static const char *method_labels[NELEM(methods)];
static const char *result_labels[NELEM(results)];
static int m_checks = -1;

/* Returns the index of s in the NULL-ended list, or of its NULL. */
static size_t
find(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL && (s == NULL ||
	    strcmp(list[i], s) != 0); i++)
		;
	return i;
}

/* Makes name="value" labels of a NULL-ended list, "other" for its NULL. */
static void
label_list(const char *name, const char *const *list, const char **out)
{
	struct buf b;
	size_t i = 0;

	do {
		buf_init(&b);
		metrics_label_set(&b, name, list[i] ? list[i] : "other");
		out[i] = b.ptr;		/* kept for the process */
	} while (list[i++] != NULL);
}

void
checklog_declare_metrics(void)
{
	if (method_labels[0] == NULL) {
		label_list("method", methods, method_labels);
		label_list("result", results, result_labels);
	}
	m_checks = metrics_declare("verifications_total", "Checks of a code "
	    "or an identity, by method and result (the colour, or why it "
	    "was refused).", METRIC_COUNTER, method_labels, NELEM(methods),
	    result_labels, NELEM(results));
}

void
checklog_add(struct app *a, const struct check_record *r)
{
	struct pending *p;

	metrics_add(m_checks, find(methods, r->method), find(results,
	    r->valid ? r->color : r->reason), 1);

	if (npending == PENDING_MAX) {
		LOG("verification queue full: dropping the oldest record");
		memmove(pending, pending + 1, (PENDING_MAX - 1) *
		    sizeof(pending[0]));
		npending--;
	}
	if (npending == 0)
		clock_gettime(CLOCK_MONOTONIC, &pending_since);
	p = &pending[npending++];
	memset(p, 0, sizeof(*p));
	p->checker = r->checker;
	p->method = r->method;
	snprintf(p->issuer, sizeof(p->issuer), "%s", r->issuer);
	snprintf(p->cid, sizeof(p->cid), "%s", r->cid);
	p->person_id = r->person_id;
	if (r->place != NULL) {
		snprintf(p->place, sizeof(p->place), "%s", r->place);
		p->has_place = 1;
	}
	p->valid = r->valid;
	p->reason = r->valid ? NULL : r->reason;
	p->color = r->valid ? r->color : NULL;
	p->at = r->at;
	if (npending == PENDING_MAX ||
	    clock_ms_since(&pending_since) >= PENDING_MS)
		checklog_flush(a);
}
