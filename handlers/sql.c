/*
 * Every SQL statement the server runs, prepared once at start.  Bound
 * parameters only; nothing here is ever built from strings.
 */
#include "app.h"

const char *const sql_stmts[SQL__MAX] = {
	[SQL_SESSION_GET] =
	    "SELECT a.id, a.phone, coalesce((SELECT group_concat(role) "
	    "FROM account_roles r WHERE r.account_id = a.id), '') "
	    "FROM sessions s JOIN accounts a ON a.id = s.account_id "
	    "WHERE s.id = ?1 AND s.expires_at > ?2",
	[SQL_SESSION_INSERT] =
	    "INSERT INTO sessions (id, account_id, created_at, expires_at) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[SQL_SESSION_DELETE] =
	    "DELETE FROM sessions WHERE id = ?1",
	[SQL_ACCOUNT_UPSERT] =
	    "INSERT INTO accounts (phone, created_at, last_seen_at) "
	    "VALUES (?1, ?2, ?2) ON CONFLICT (phone) DO UPDATE SET "
	    "last_seen_at = excluded.last_seen_at RETURNING id",
	[SQL_ACCOUNT_BY_PHONE] =
	    "SELECT id FROM accounts WHERE phone = ?1",
	[SQL_OTP_LATEST] =
	    "SELECT id, code_mac, expires_at, attempts FROM otp_codes "
	    "WHERE phone = ?1 ORDER BY created_at DESC, id DESC LIMIT 1",
	[SQL_OTP_INSERT] =
	    "INSERT INTO otp_codes (phone, code_mac, created_at, expires_at) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[SQL_OTP_DELETE_PHONE] =
	    "DELETE FROM otp_codes WHERE phone = ?1",
	[SQL_OTP_DELETE] =
	    "DELETE FROM otp_codes WHERE id = ?1",
	[SQL_OTP_ATTEMPT] =
	    "UPDATE otp_codes SET attempts = attempts + 1 WHERE id = ?1",
	[SQL_RATE_COUNT] =
	    "SELECT count(*), coalesce(min(at), 0) FROM rate_hits "
	    "WHERE key = ?1 AND at > ?2",
	[SQL_RATE_INSERT] =
	    "INSERT INTO rate_hits (key, at) VALUES (?1, ?2)",
};
