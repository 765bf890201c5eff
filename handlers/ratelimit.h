/*
 * Sliding-window rate limits over the rate_hits table.  Keys are keyed
 * hashes, so the table holds no phone numbers or IP addresses.
 */
#ifndef HC_RATELIMIT_H
#define HC_RATELIMIT_H

#include "ctx.h"

/*
 * Counts a hit for what in bucket within window seconds.  Returns 0 if
 * allowed (and records it), else the seconds until the next hit is
 * allowed; -1 on a database error.  Call inside a write transaction.
 */
long ratelimit_hit(struct ctx *c, const char *bucket, const char *what,
    long limit, long window);
/* Writes the key ratelimit_hit stores for what in bucket. */
void ratelimit_key(struct app *a, const char *bucket, const char *what,
    char out[65]);

#endif
