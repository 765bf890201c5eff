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
	[SQL_OTP_EXPIRE] =
	    "DELETE FROM otp_codes WHERE created_at < ?1",
	[SQL_OTP_DELETE] =
	    "DELETE FROM otp_codes WHERE id = ?1",
	[SQL_OTP_ATTEMPT] =
	    "UPDATE otp_codes SET attempts = attempts + 1 WHERE id = ?1",
	[SQL_RATE_COUNT] =
	    "SELECT count(*), coalesce(min(at), 0) FROM rate_hits "
	    "WHERE key = ?1 AND at > ?2",
	[SQL_RATE_INSERT] =
	    "INSERT INTO rate_hits (key, at) VALUES (?1, ?2)",
	[SQL_REGION_EXISTS] =
	    "SELECT 1 FROM regions WHERE code = ?1",
	[SQL_COUNTRY_EXISTS] =
	    "SELECT 1 FROM countries WHERE alpha3 = ?1",
	[SQL_SELF_PERSON] =
	    "SELECT p.id, p.id_hash, p.id_type, p.id_masked, p.name "
	    "FROM account_persons ap JOIN persons p ON p.id = ap.person_id "
	    "WHERE ap.account_id = ?1 AND ap.relation = 'self'",
	[SQL_PERSON_BY_HASH] =
	    "SELECT id FROM persons WHERE id_hash = ?1",
	[SQL_PERSON_INSERT] =
	    "INSERT INTO persons (id_hash, id_type, id_masked, name, "
	    "nationality, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "RETURNING id",
	[SQL_PERSON_SELF_TAKEN] =
	    "SELECT 1 FROM account_persons WHERE person_id = ?1 AND "
	    "relation = 'self'",
	[SQL_LINK_SELF] =
	    "INSERT INTO account_persons (account_id, person_id, relation, "
	    "created_at) VALUES (?1, ?2, 'self', ?3)",
	[SQL_DECL_UPSERT] =
	    "INSERT INTO declarations (person_id, day, temp_tenths, symptoms, "
	    "contact, declared_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (person_id, day) DO UPDATE SET "
	    "temp_tenths = excluded.temp_tenths, symptoms = excluded.symptoms, "
	    "contact = excluded.contact, declared_at = excluded.declared_at "
	    "RETURNING id",
	[SQL_TRAVEL_CLEAR] =
	    "DELETE FROM declaration_travel WHERE declaration_id = ?1",
	[SQL_TRAVEL_INSERT] =
	    "INSERT INTO declaration_travel (declaration_id, region, date) "
	    "VALUES (?1, ?2, ?3)",
	[SQL_DECLS_SINCE] =
	    "SELECT id, day, temp_tenths, symptoms, contact FROM declarations "
	    "WHERE person_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day",
	[SQL_TRAVEL_SINCE] =
	    "SELECT t.declaration_id, t.region, t.date FROM declaration_travel t "
	    "JOIN declarations d ON d.id = t.declaration_id "
	    "WHERE d.person_id = ?1 AND d.day >= ?2 AND d.day <= ?3",
	[SQL_CASES_OF] =
	    "SELECT kind, listed_day FROM case_entries WHERE id_hash = ?1",
	[SQL_RISK_FOR] =
	    "SELECT region, level FROM risk_areas WHERE region IN (?1, ?2, ?3)",
	[SQL_DECL_ON_DAY] =
	    "SELECT 1 FROM declarations WHERE person_id = ?1 AND day = ?2",
	[SQL_DAILY_CODE_GET] =
	    "SELECT code_id, url, qr FROM daily_codes "
	    "WHERE person_id = ?1 AND day = ?2",
	[SQL_DAILY_CODE_KEEP] =
	    "UPDATE daily_codes SET url = ?2, qr = ?3 WHERE code_id = ?1",
	[SQL_DAILY_CODE_INSERT] =
	    "INSERT INTO daily_codes (code_id, person_id, day, created_at) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (person_id, day) DO NOTHING",
	[SQL_CODE_PERSON] =
	    "SELECT p.id, p.id_hash, p.id_masked, p.name, "
	    "p.color_gen = p.color_gen_cached AND p.color_until > ?2 AND "
	    "p.color_rules = ?3 AND p.color IS NOT NULL, p.color, dc.url "
	    "FROM daily_codes dc JOIN persons p ON p.id = dc.person_id "
	    "WHERE dc.code_id = ?1",
	[SQL_VERIFY_INSERT] =
	    /* Written up to 50 ms late: an account or person deleted
	     * meanwhile leaves the record without the link, not refused. */
	    "INSERT INTO verifications (checker_id, method, issuer, code_id, "
	    "person_id, place, valid, reason, color, checked_at) "
	    "VALUES ((SELECT id FROM accounts WHERE id = ?1), ?2, ?3, ?4, "
	    "(SELECT id FROM persons WHERE id = ?5), ?6, ?7, ?8, ?9, ?10)",
	[SQL_PERSON_LOOKUP] =
	    "SELECT id, id_masked, name FROM persons WHERE id_hash = ?1",
	[SQL_REGION_NAME] =
	    "SELECT name FROM regions WHERE code = ?1",
	[SQL_COLOUR_CACHED] =
	    "SELECT color_gen, color_gen = color_gen_cached AND "
	    "color_until > ?2 AND color_rules = ?3 AND color IS NOT NULL, "
	    "color, color_reasons, color_green_on FROM persons WHERE id = ?1",
	[SQL_COLOUR_STORE] =
	    "UPDATE persons SET color = ?2, color_reasons = ?3, "
	    "color_green_on = ?4, color_rules = ?5, color_until = ?6, "
	    "color_gen_cached = ?7 WHERE id = ?1",
	/* account.c: add new statements below this line */
	/* Persons only this account holds; one also held elsewhere stays. */
	[SQL_ACCOUNT_DELETE_PERSONS] =
	    "DELETE FROM persons WHERE id IN (SELECT ap.person_id "
	    "FROM account_persons ap WHERE ap.account_id = ?1 AND NOT EXISTS "
	    "(SELECT 1 FROM account_persons o WHERE o.person_id = ap.person_id "
	    "AND o.account_id <> ?1))",
	[SQL_ACCOUNT_DELETE] =
	    "DELETE FROM accounts WHERE id = ?1",
	[SQL_ACCOUNT_DELETE_RATE] =
	    "DELETE FROM rate_hits WHERE key IN (?1, ?2)",
	/* venues.c: add new statements below this line */
	[SQL_VENUE_INSERT] =
	    "INSERT INTO venues (owner_id, name, address, region, token, "
	    "token_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) "
	    "RETURNING id",
	[SQL_VENUE_COUNT_OWNED] =
	    "SELECT count(*) FROM venues WHERE owner_id = ?1",
	[SQL_VENUES_OWNED] =
	    "SELECT v.id, v.name, v.address, v.region, coalesce(r.name, ''), "
	    "v.token, v.token_at, v.created_at FROM venues v "
	    "LEFT JOIN regions r ON r.code = v.region "
	    "WHERE v.owner_id = ?1 ORDER BY v.id DESC",
	[SQL_VENUE_OWNED] =
	    "SELECT v.id, v.name, v.address, v.region, coalesce(r.name, ''), "
	    "v.token, v.token_at, v.created_at FROM venues v "
	    "LEFT JOIN regions r ON r.code = v.region "
	    "WHERE v.id = ?1 AND v.owner_id = ?2",
	[SQL_VENUE_ROTATE] =
	    "UPDATE venues SET token = ?1, token_at = ?2 "
	    "WHERE id = ?3 AND owner_id = ?4",
	[SQL_VENUE_BY_TOKEN] =
	    "SELECT v.id, v.name, v.address, coalesce(r.name, '') FROM venues v "
	    "LEFT JOIN regions r ON r.code = v.region WHERE v.token = ?1",
	[SQL_CHECKIN_PERSON] =
	    "SELECT p.id, p.id_hash, p.name, EXISTS (SELECT 1 FROM declarations d "
	    "WHERE d.person_id = p.id AND d.day = ?2) "
	    "FROM account_persons ap JOIN persons p ON p.id = ap.person_id "
	    "WHERE ap.account_id = ?1 AND ap.relation = 'self'",
	[SQL_CHECKIN_INSERT] =
	    "INSERT INTO checkins (account_id, person_id, venue_id, color, "
	    "checked_in_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQL_ITINERARY] =
	    "SELECT c.checked_in_at, c.color, v.name, v.address, "
	    "coalesce(r.name, '') FROM checkins c "
	    "JOIN venues v ON v.id = c.venue_id "
	    "LEFT JOIN regions r ON r.code = v.region "
	    "WHERE c.account_id = ?1 AND c.checked_in_at >= ?2 "
	    "ORDER BY c.checked_in_at DESC, c.id DESC LIMIT ?3",
};
