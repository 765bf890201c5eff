/*
 * The audit chain (audit.h).  An entry's canonical form is its fields in
 * a fixed order, each as "<length>:<bytes>\n", then the previous hash:
 * no field can be moved into another.  Verification walks the log in id
 * order from the anchor (the last pruned entry) and names the first
 * entry whose prev is not the hash before it, or whose own hash is not
 * the hash of its fields.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../fcgi/log.h"
#include "audit.h"

/* The hash of one entry's fields and its prev. */
static void
entry_hash(int64_t id, int64_t at, const char *actor, const char *action,
    const char *subject, const char *details, const char *prev,
    char out[65])
{
	const char *f[5] = { actor, action, subject, details, prev };
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_printf(&b, "%" PRId64 "\n%" PRId64 "\n", id, at);
	for (i = 0; i < NELEM(f); i++)
		buf_printf(&b, "%zu:%s\n", strlen(f[i]), f[i]);
	sha256_hex(b.ptr, b.len, out);
	buf_free(&b);
}

int
audit_add(struct app *a, time_t now, const char *actor, const char *action,
    const char *subject, const cJSON *details)
{
	struct db_stmt *s = db_stmt(a->db, SQL_AUDIT_LAST);
	char prev[65], hash[65], *d;
	int64_t id;
	int rc;

	if (db_step(s) != DB_ROW) {
		db_reset(s);
		return -1;
	}
	id = db_col_int(s, 0) + 1;
	snprintf(prev, sizeof(prev), "%s", db_col_text(s, 1));
	db_reset(s);
	d = details != NULL ? cJSON_PrintUnformatted(details) : NULL;
	entry_hash(id, now, actor, action, subject, d ? d : "{}", prev, hash);
	s = db_stmt(a->db, SQL_AUDIT_INSERT);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now);
	db_bind_text(s, 3, actor);
	db_bind_text(s, 4, action);
	db_bind_text(s, 5, subject);
	db_bind_text(s, 6, d ? d : "{}");
	db_bind_text(s, 7, prev);
	db_bind_text(s, 8, hash);
	rc = db_run(s);
	cJSON_free(d);
	if (rc == DB_ERR)
		LOG("cannot append to the audit log");
	return rc == DB_ERR ? -1 : 0;
}

int
audit_ctx(struct ctx *c, const char *action, const char *subject,
    const cJSON *details)
{
	char actor[32];

	snprintf(actor, sizeof(actor), "account:%" PRId64, c->account_id);
	return audit_add(c->app, c->now, actor, action, subject, details);
}

int
audit_read(struct ctx *c, const char *action, const char *subject,
    const cJSON *details)
{
	if (db_begin(c->app->db) == -1)
		return -1;
	if (audit_ctx(c, action, subject, details) == -1 ||
	    db_commit(c->app->db) == -1) {
		db_rollback(c->app->db);
		return -1;
	}
	return 0;
}

void
audit_subject(struct app *a, const char *kind, const char *value,
    char out[65])
{
	char dom[40];

	snprintf(dom, sizeof(dom), "audit-%s", kind);
	ctx_mac(a, dom, value, out);
}

int
audit_verify(struct app *a, time_t now, struct audit_check *out)
{
	struct db_stmt *s = db_stmt(a->db, SQL_AUDIT_ANCHOR);
	char prev[65], hash[65];
	int64_t last, id;
	int rc;

	memset(out, 0, sizeof(*out));
	if (db_step(s) != DB_ROW) {
		db_reset(s);
		return -1;
	}
	last = db_col_int(s, 0);
	snprintf(prev, sizeof(prev), "%s", db_col_text(s, 1));
	out->ok = last == 0 || db_col_int(s, 2) <= (int64_t)now -
	    (a->conf.keep.audit_days - 1) * 86400;
	if (!out->ok)
		out->first_broken = last + 1;
	db_reset(s);
	s = db_stmt(a->db, SQL_AUDIT_ALL);
	while ((rc = db_step(s)) == DB_ROW) {
		id = db_col_int(s, 0);
		out->entries++;
		if (!out->ok)
			continue;
		entry_hash(id, db_col_int(s, 1), db_col_text(s, 2),
		    db_col_text(s, 3), db_col_text(s, 4), db_col_text(s, 5),
		    db_col_text(s, 6), hash);
		/* Ids follow each other: a removed entry breaks the chain too. */
		if (id != last + 1 || strcmp(db_col_text(s, 6), prev) != 0 ||
		    strcmp(db_col_text(s, 7), hash) != 0) {
			out->ok = 0;
			out->first_broken = id;
			continue;
		}
		memcpy(prev, hash, sizeof(prev));
		last = id;
	}
	db_reset(s);
	return rc == DB_ERR ? -1 : 0;
}
