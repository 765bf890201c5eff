/* Sliding-window rate limits: a keyed hash and a time per hit. */
#include "ratelimit.h"

void
ratelimit_key(struct app *a, const char *bucket, const char *what,
    char out[65])
{
	ctx_mac(a, bucket, what, out);
}

long
ratelimit_hit(struct ctx *c, const char *bucket, const char *what,
    long limit, long window)
{
	struct db_stmt *s;
	char key[65];
	int64_t count, oldest;

	ratelimit_key(c->app, bucket, what, key);
	s = db_stmt(c->app->db, SQL_RATE_COUNT);
	db_bind_text(s, 1, key);
	db_bind_int(s, 2, c->now - window);
	if (db_step(s) != DB_ROW) {
		db_reset(s);
		return -1;
	}
	count = db_col_int(s, 0);
	oldest = db_col_int(s, 1);
	db_reset(s);
	if (count >= limit) {
		long wait = (long)(oldest + window - c->now);
		return wait > 0 ? wait : 1;
	}
	s = db_stmt(c->app->db, SQL_RATE_INSERT);
	db_bind_text(s, 1, key);
	db_bind_int(s, 2, c->now);
	return db_run(s) == DB_ERR ? -1 : 0;
}
