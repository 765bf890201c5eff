/* Notices to an account (notice.h). */
#include <stdio.h>

#include "../fcgi/clock.h"
#include "notice.h"

#define NOTICES_MAX	20	/* shown at once; the rest after a dismissal */

int
notice_add(struct app *a, int64_t account, const char *kind, time_t now)
{
	struct db_stmt *s = db_stmt(a->db, SQL_NOTICE_INSERT);

	db_bind_int(s, 1, account);
	db_bind_text(s, 2, kind);
	db_bind_int(s, 3, now);
	return db_run(s) == DB_ERR ? -1 : 0;
}

cJSON *
notices_json(struct ctx *c, int labels)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_NOTICES_UNSEEN);
	cJSON *arr = cJSON_CreateArray(), *o;
	char at[26], key[48];
	int rc;

	db_bind_int(s, 1, c->account_id);
	db_bind_int(s, 2, NOTICES_MAX);
	while ((rc = db_step(s)) == DB_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", db_col_text(s, 0));
		clock_iso((time_t)db_col_int(s, 1), at);
		cJSON_AddStringToObject(o, "at", at);
		if (labels) {
			snprintf(key, sizeof(key), "notice_%s",
			    db_col_text(s, 0));
			cJSON_AddStringToObject(o, "text", page_text(c, key));
		}
		cJSON_AddItemToArray(arr, o);
	}
	return rows_done(s, rc, arr);
}

int64_t
notices_seen(struct ctx *c)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_NOTICES_SEEN);

	db_bind_int(s, 1, c->account_id);
	db_bind_int(s, 2, c->now);
	if (db_run(s) == DB_ERR)
		return -1;
	return db_changes(c->app->db);
}
