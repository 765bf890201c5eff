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
#include "checklog.h"

#define PENDING_MAX	256
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

void
checklog_add(struct app *a, const struct check_record *r)
{
	struct pending *p;

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
