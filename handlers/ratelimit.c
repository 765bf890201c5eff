/*
 * Sliding-window rate limits over the rate_hits table.  Keys are keyed
 * hashes, so the table holds no phone numbers or IP addresses.
 */
#include "app.h"

long
ratelimit_hit(struct ctx *c, const char *bucket, const char *what,
    long limit, long window)
{
	struct db_stmt *s;
	char key[65];
	int64_t count, oldest;

	app_mac(c->app->session_key, bucket, what, key);
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
