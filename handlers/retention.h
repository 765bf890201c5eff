/*
 * Retention: personal data expires daily under the configured rules
 * (docs/retention.md).  The first request a worker serves on a new day
 * checks whether the day's purge has run; the first worker to claim it
 * purges in small batches between requests.
 */
#ifndef HC_RETENTION_H
#define HC_RETENTION_H

#include "ctx.h"

/* A claim older than this is abandoned: another worker takes it over. */
#define PURGE_CLAIM_SECONDS	600
/* A failed run is retried after 1, 2, 4, ... minutes, at most this. */
#define PURGE_RETRY_MAX		3600

/* Per request, cheap: claims the day's purge if this worker is first. */
void retention_check(struct ctx *c);
/* Runs a batch of a claimed purge (between requests); 1 if more to do. */
int retention_step(struct app *a);
/* Returns 1 while this worker runs a claimed purge. */
int retention_running(void);
/*
 * Purges everything expired at now in one go (the CLI); dry_run only
 * counts.  Prints one "class count" line per class to out.  0 or -1.
 */
int retention_purge_all(struct app *a, time_t now, int dry_run,
    struct buf *out);

/* Declares the purge's metrics: runs, and rows by class. */
void retention_declare_metrics(void);

#endif
