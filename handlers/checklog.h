/*
 * The verification records (who checked which code, where, with what
 * result), kept for contact tracing.  They are queued in the worker and
 * written in groups: see checklog.c for what that costs.
 */
#ifndef HC_CHECKLOG_H
#define HC_CHECKLOG_H

#include "ctx.h"

#define CHECK_PLACE_MAX	60	/* bytes of a checkpoint's label */
#define CHECK_CID_MAX	64	/* bytes of a code id */
/*
 * Check records a worker holds unwritten at most: enough for 50 ms at
 * 10,000 checks a second (256 filled in 25 ms: twice the commits, each
 * making the other workers read their pages again).  Past it, checks are
 * refused while the database cannot take them.
 */
#define CHECKLOG_QUEUE	1024

/* One check, as recorded.  Strings are copied, except method and reason. */
struct check_record {
	int64_t		 checker;	/* the checker's account */
	const char	*method;	/* "scan", "lookup": static */
	const char	*issuer;	/* GB/T 2260 code, "" unknown */
	const char	*cid;		/* code id, "" none */
	int64_t		 person_id;	/* ours and valid only; 0 otherwise */
	const char	*place;		/* NULL: not given */
	int		 valid;
	const char	*reason;	/* when not valid: static */
	const char	*color;		/* when valid: static */
	time_t		 at;
};

/*
 * Queues a record, written within the group's time.  0, or -1 when the
 * queue is full and cannot be written now (the database's failure is
 * db_failure()'s): the record is not kept, so the check must not be
 * answered as done.
 */
int checklog_add(struct app *a, const struct check_record *r);
/* Writes the queued records now (a failure keeps them for the next try). */
void checklog_flush(struct app *a);
/* server_idle_fn for the queue: ms until a flush is due, or -1. */
int checklog_idle(struct app *a, int now);
/* Returns the number of records queued and not yet written. */
size_t checklog_pending(void);

/* Declares the checks' metric: by method and result. */
void checklog_declare_metrics(void);

#endif
