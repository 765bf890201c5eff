/* Granting and revoking roles (roles.h). */
#include <string.h>

#include "phone.h"
#include "roles.h"
#include "valid.h"

int
role_grant(struct app *a, time_t now, const char *phone, unsigned role)
{
	struct db_stmt *s;
	struct phone_rec r;
	int64_t id;

	if (phone_rec(a, phone, &r) == -1)
		return -1;
	s = db_stmt(a->db, SQL_ACCOUNT_ENSURE);
	db_bind_text(s, 1, r.mac);
	db_bind_text(s, 2, r.masked);
	db_bind_text(s, 3, r.enc);
	db_bind_int(s, 4, now);
	explicit_bzero(&r, sizeof(r));
	if (db_step(s) != DB_ROW) {
		db_reset(s);
		return -1;
	}
	id = db_col_int(s, 0);
	db_reset(s);
	s = db_stmt(a->db, SQL_ROLE_GRANT);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, role_name(role));
	db_bind_int(s, 3, now);
	if (db_run(s) == DB_ERR)
		return -1;
	return db_changes(a->db) > 0;
}

int
role_revoke(struct app *a, const char *phone, unsigned role)
{
	struct db_stmt *s = db_stmt(a->db, SQL_ACCOUNT_BY_PHONE);
	char mac[65];
	int64_t id;
	int rc;

	phone_mac(a, phone, mac);
	db_bind_text(s, 1, mac);
	if ((rc = db_step(s)) != DB_ROW) {
		db_reset(s);
		return rc == DB_DONE ? 0 : -1;
	}
	id = db_col_int(s, 0);
	db_reset(s);
	s = db_stmt(a->db, SQL_ROLE_REVOKE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, role_name(role));
	if (db_run(s) == DB_ERR)
		return -1;
	return db_changes(a->db) > 0;
}
