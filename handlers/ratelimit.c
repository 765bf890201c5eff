/*
 * Sliding-window rate limits: a keyed hash and a time per hit.  A limit
 * is counted over the hits of the last window seconds; the wait it
 * answers is until the oldest of them leaves the window.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "../fcgi/log.h"
#include "ratelimit.h"

void
ratelimit_key(struct app *a, const char *bucket, const char *what,
    char out[65])
{
	ctx_mac(a, bucket, what, out);
}

void
ratelimit_addr(const char *addr, char *out, size_t outlen)
{
	unsigned char b[16];

	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, b) == 1) {
		/* An IPv4 client on a dual-stack socket: its IPv4 address. */
		if (memcmp(b, mapped, 12) == 0 &&
		    inet_ntop(AF_INET, b + 12, out, outlen) != NULL)
			return;
		memset(b + 8, 0, 8);
		if (inet_ntop(AF_INET6, b, out, outlen) != NULL &&
		    strlen(out) + 4 <= outlen) {
			strcat(out, "/64");
			return;
		}
	}
	snprintf(out, outlen, "%s", addr);
}

/* Hits of key within window: the wait as ratelimit_check answers it. */
static long
window_wait(struct ctx *c, const char *key, long limit, long window)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_RATE_COUNT);
	int64_t count, oldest;
	long wait;

	db_bind_text(s, 1, key);
	db_bind_int(s, 2, c->now - window);
	if (db_step(s) != DB_ROW) {
		db_reset(s);
		return -1;
	}
	count = db_col_int(s, 0);
	oldest = db_col_int(s, 1);
	db_reset(s);
	if (count < limit)
		return 0;
	wait = (long)(oldest + window - c->now);
	return wait > 0 ? wait : 1;
}

static int
add_key(struct ctx *c, const char *key)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_RATE_INSERT);

	db_bind_text(s, 1, key);
	db_bind_int(s, 2, c->now);
	return db_run(s) == DB_ERR ? -1 : 0;
}

long
ratelimit_hits(struct ctx *c, const char *bucket, const char *what,
    const struct rate_window *w, size_t n)
{
	char key[65];
	long wait, worst = 0;
	size_t i;

	ratelimit_key(c->app, bucket, what, key);
	for (i = 0; i < n; i++) {
		if ((wait = window_wait(c, key, w[i].limit, w[i].window)) == -1)
			return -1;
		if (wait > worst)
			worst = wait;
	}
	if (worst > 0)
		return worst;
	return add_key(c, key) == -1 ? -1 : 0;
}

long
ratelimit_hit(struct ctx *c, const char *bucket, const char *what,
    long limit, long window)
{
	struct rate_window w = { limit, window };

	return ratelimit_hits(c, bucket, what, &w, 1);
}

long
ratelimit_check(struct ctx *c, const char *bucket, const char *what,
    long limit, long window)
{
	char key[65];

	ratelimit_key(c->app, bucket, what, key);
	return window_wait(c, key, limit, window);
}

int
ratelimit_add(struct ctx *c, const char *bucket, const char *what)
{
	char key[65];

	ratelimit_key(c->app, bucket, what, key);
	return add_key(c, key);
}

/* The signed-in account as log lines name it: a keyed hash, 12 digits. */
static void
account_tag(struct ctx *c, char tag[13])
{
	char who[24], mac[65];

	snprintf(who, sizeof(who), "%lld", (long long)c->account_id);
	ctx_mac(c->app, "log-account", who, mac);
	memcpy(tag, mac, 12);
	tag[12] = '\0';
}

long
ratelimit_identity_check(struct ctx *c)
{
	char who[24], tag[13];
	long wait;

	snprintf(who, sizeof(who), "%lld", (long long)c->account_id);
	if ((wait = ratelimit_check(c, "identity", who,
	    c->app->conf.identity_daily, 86400)) > 0) {
		account_tag(c, tag);
		LOG("identity: a try of account %s refused: at identity_daily",
		    tag);
	}
	return wait;
}

int
ratelimit_identity_add(struct ctx *c, const char *what)
{
	char who[24], tag[13];

	snprintf(who, sizeof(who), "%lld", (long long)c->account_id);
	if (ratelimit_add(c, "identity", who) == -1)
		return -1;
	account_tag(c, tag);
	LOG("identity: a try of account %s: %s", tag, what);
	return 0;
}
