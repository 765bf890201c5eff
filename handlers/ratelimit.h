/*
 * Sliding-window rate limits over the rate_hits table.  Keys are keyed
 * hashes, so the table holds no phone numbers or IP addresses.  Windows
 * are at most a day (the purge keeps hits that long).
 */
#ifndef HC_RATELIMIT_H
#define HC_RATELIMIT_H

#include "ctx.h"

/* One limit: at most limit hits in window seconds. */
struct rate_window {
	long	limit;
	long	window;
};

/*
 * Counts a hit for what in bucket within window seconds.  Returns 0 if
 * allowed (and records it), else the seconds until the next hit is
 * allowed; -1 on a database error.  Call inside a write transaction.
 */
long ratelimit_hit(struct ctx *c, const char *bucket, const char *what,
    long limit, long window);
/*
 * The same for several windows at once (n of them), with one hit recorded
 * when every window allows it; else the longest wait of those refused.
 */
long ratelimit_hits(struct ctx *c, const char *bucket, const char *what,
    const struct rate_window *w, size_t n);
/*
 * Without recording anything: 0 when what has fewer than limit hits in
 * bucket within window, else the seconds until it has; -1 on an error.
 */
long ratelimit_check(struct ctx *c, const char *bucket, const char *what,
    long limit, long window);
/* Records one hit for what in bucket now; 0, or -1 on a database error. */
int ratelimit_add(struct ctx *c, const char *bucket, const char *what);
/* Writes the key ratelimit_hit stores for what in bucket. */
void ratelimit_key(struct app *a, const char *bucket, const char *what,
    char out[65]);
/*
 * Identity tries of the signed-in account (docs/config.md,
 * identity_daily): the lookups of a person by a document that bind no
 * identity of the account's own, which would otherwise tell, try by try,
 * which ID numbers are registered.  Returns 0 when another is allowed,
 * else the seconds until it is (logged); -1 on a database error.
 */
long ratelimit_identity_check(struct ctx *c);
/*
 * Counts one (what: the answer it got, for the log line, which names the
 * account by a keyed tag only); the caller commits it even when the try
 * was refused.  0, or -1 on a database error.
 */
int ratelimit_identity_add(struct ctx *c, const char *what);
/*
 * Writes the part of a client address that a limit counts: an IPv4
 * address whole (also as ::ffff:a.b.c.d), an IPv6 address by its /64
 * (one subscriber's network, which hands out addresses by the million),
 * anything else as it is.
 */
void ratelimit_addr(const char *addr, char *out, size_t outlen);

#endif
