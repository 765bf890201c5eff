/*
 * The services of handlers/ against a real SQLite file, migrated and
 * prepared as a worker is, without a server: sessions, person binding
 * (passport keys with their nationality, names at the length limit),
 * the colour over stored data together with the purge (a cleared cause
 * stays cleared), the check-record queue, and the daily purge's claim:
 * taken over when abandoned, released and retried when it fails; phone
 * numbers as accounts keep them (hash, mask, sealed), grants by phone,
 * and no number of the tests in clear in the database's files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fcgi/clock.h"
#include "../fcgi/migrate.h"
#include "../handlers/boot.h"
#include "../handlers/checklog.h"
#include "../handlers/colour.h"
#include "../handlers/person.h"
#include "../handlers/phone.h"
#include "../handlers/ratelimit.h"
#include "../handlers/retention.h"
#include "../handlers/roles.h"
#include "../handlers/session.h"
#include "../handlers/valid.h"
#include "t.h"

static struct app app;
static char dir[] = "/tmp/hc-services.XXXXXX";

/* The integer a query returns, or -1. */
static long long
one(const char *sql)
{
	struct buf err;
	struct db_stmt *s;
	long long v = -1;

	buf_init(&err);
	if ((s = db_prepare(app.db, sql, &err)) != NULL && db_step(s) == DB_ROW)
		v = db_col_int(s, 0);
	db_finalize(s);
	buf_free(&err);
	return v;
}

/* The text a query returns (static), or "(none)". */
static const char *
text(const char *sql)
{
	static char out[512];
	struct buf err;
	struct db_stmt *s;

	buf_init(&err);
	snprintf(out, sizeof(out), "(none)");
	if ((s = db_prepare(app.db, sql, &err)) != NULL && db_step(s) == DB_ROW)
		snprintf(out, sizeof(out), "%s", db_col_text(s, 0));
	db_finalize(s);
	buf_free(&err);
	return out;
}

static int
exec(const char *sql)
{
	struct buf err;
	int rc;

	buf_init(&err);
	rc = db_exec(app.db, sql, &err);
	if (rc == -1)
		printf("exec: %s: %s\n", sql, buf_cstr(&err));
	buf_free(&err);
	return rc;
}

/* A context at time now (no request body, no session). */
static struct request req;
static struct response resp;

static struct ctx
at(time_t now)
{
	struct ctx c;

	memset(&c, 0, sizeof(c));
	c.app = &app;
	c.req = &req;
	c.resp = &resp;
	c.now = now;
	return c;
}

/* An account for phone, as sign-in makes it. */
static int64_t
account(const char *phone, time_t now)
{
	struct ctx c = at(now);

	return session_account(&c, phone);
}

static void
setup(void)
{
	struct buf err, log;
	char path[256];
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	setenv("HC_DATA_DIR", dir, 1);
	setenv("TZ", "UTC", 1);
	unsetenv("HC_CONFIG");
	unsetenv("HC_NOW");
	buf_init(&err);
	buf_init(&log);
	/* The keys first: the migrations' functions compute with them. */
	memset(app.session_key, 0x11, sizeof(app.session_key));
	memset(app.id_key, 0x22, sizeof(app.id_key));
	memset(app.phone_key, 0x33, sizeof(app.phone_key));
	if (boot_config(&app, &err) == -1 || boot_db(&app, &err) == -1 ||
	    boot_functions(&app, &err) == -1 ||
	    migrate_up(app.db, migrations, migrations_count, 0, &log,
	    &err) < 0 || boot_prepare(&app, &err) == -1) {
		printf("setup: %s\n", buf_cstr(&err));
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/ok", dir);
	if ((f = fopen(path, "w")) != NULL)
		fclose(f);
	buf_free(&err);
	buf_free(&log);
	resp_init(&resp);
}

/* 2026-11-29 10:00 Shanghai: the tests' "today". */
#define NOW	1795917600
#define DAY	86400

static void
test_session(void)
{
	struct ctx c = at(NOW);
	char *token = NULL, bearer[512];
	time_t expires;
	int64_t acc;

	acc = account("13800138000", NOW);
	T_CHECK(acc > 0, "account");
	T_CHECK(db_begin(app.db) == 0, "begin");
	T_CHECK(session_create(&c, acc, &token, &expires) == 0, "create");
	T_CHECK(token != NULL, "a token");
	T_CHECK(expires == clock_next_cutoff(NOW), "ends at the cutoff");
	T_CHECK(one("SELECT count(*) FROM sessions") == 1, "one row");
	snprintf(bearer, sizeof(bearer), "Bearer %s", token ? token : "");

	req.authorization = bearer;
	c = at(NOW + 60);
	T_CHECK(session_read(&c) == 1, "read back");
	T_CHECK(c.account_id == acc, "the account");
	T_STREQ(c.phone_masked, "138****8000", "the phone, masked");
	T_STREQ(c.phone_mac, text("SELECT hc_phone_mac('13800138000')"),
	    "and the keyed hash it is found by");
	T_CHECK(c.roles == 0, "no roles yet");
	/* Roles are read per request: a grant shows at once. */
	exec("INSERT INTO account_roles (account_id, role, granted_at) "
	    "SELECT id, 'checker', 0 FROM accounts");
	c = at(NOW + 61);
	T_CHECK(session_read(&c) == 1 && c.roles == ROLE_CHECKER,
	    "roles %u", c.roles);
	/* Not at or after the cutoff. */
	c = at(expires);
	T_CHECK(session_read(&c) == 0, "ended at the cutoff");
	/* A changed byte is no session. */
	bearer[strlen(bearer) - 2] ^= 1;
	c = at(NOW + 62);
	T_CHECK(session_read(&c) == 0, "tampered");
	bearer[strlen(bearer) - 2] ^= 1;
	/* Ending it deletes the row and clears the cookie. */
	c = at(NOW + 63);
	T_CHECK(session_read(&c) == 1, "again");
	resp_free(&resp);
	resp_init(&resp);
	session_end(&c);
	T_CHECK(one("SELECT count(*) FROM sessions") == 0, "row deleted");
	T_CHECK(strstr(buf_cstr(&resp.headers), "hc_session=; ") != NULL,
	    "cookie cleared");
	c = at(NOW + 64);
	T_CHECK(session_read(&c) == 0, "the token died with it");
	req.authorization = NULL;
	free(token);
}

/* Binds identity (name, type, number, nationality) to account acc: a status. */
static int
bind(int64_t acc, const char *name, const char *type, const char *number,
    const char *nat, struct person *p, const char **code)
{
	struct ctx c = at(NOW);
	struct identity id;
	struct in_err e = { 0, "", NULL, NULL };
	int st;

	c.account_id = acc;
	c.authed = 1;
	if ((st = person_identity(&c, name, type, number, nat, &id, &e)) == 0) {
		if (db_begin(app.db) == -1)
			return 500;
		if ((st = person_bind_self(&c, &id, p, &e)) == 0)
			st = db_commit(app.db) == 0 ? 0 : 500;
		else
			db_rollback(app.db);
	}
	explicit_bzero(id.number, sizeof(id.number));
	*code = st ? e.code : "";
	return st;
}

static void
test_person(void)
{
	/* 32 characters of four bytes each: the longest name there is. */
	static const char long_name[] =
	    "𠀀𠀁𠀂𠀃𠀄𠀅𠀆𠀇𠀈𠀉𠀊𠀋𠀌𠀍𠀎𠀏"
	    "𠀐𠀑𠀒𠀓𠀔𠀕𠀖𠀗𠀘𠀙𠀚𠀛𠀜𠀝𠀞𠀟";
	struct person p, q;
	struct ctx c;
	const char *code;
	char mask[NAME_MASKED_BYTES], legacy[65];
	int64_t a1, a2, a3, a4, pid;

	a1 = account("13800138001", NOW);
	a2 = account("13800138002", NOW);
	a3 = account("13800138003", NOW);
	a4 = account("13800138004", NOW);

	T_CHECK(bind(a1, "王小华", "resident_id", "110105194912310021", NULL,
	    &p, &code) == 400, "bad check digit");
	T_STREQ(code, "invalid_check_digit", "its code");
	T_CHECK(one("SELECT count(*) FROM persons") == 0, "nothing stored");
	T_CHECK(bind(a1, "王小华", "resident_id", "11010519491231002x", NULL,
	    &p, &code) == 0, "bound: %s", code);
	pid = p.id;
	T_STREQ(p.id_masked, "1101**********002X", "masked");
	T_CHECK(bind(a1, "王小华", "resident_id", "11010519491231002X", NULL,
	    &p, &code) == 0 && p.id == pid, "the same again");
	T_CHECK(bind(a1, "李四", "resident_id", "330106198001010013", NULL,
	    &p, &code) == 409, "another identity");
	T_STREQ(code, "identity_mismatch", "mismatch");
	T_CHECK(bind(a2, "王小华", "resident_id", "11010519491231002X", NULL,
	    &p, &code) == 409, "someone's own identity");
	T_STREQ(code, "identity_in_use", "in use");
	T_CHECK(bind(a2, "王大华", "resident_id", "11010519491231002X", NULL,
	    &p, &code) == 409, "someone's own identity, another name");
	T_STREQ(code, "identity_mismatch", "then it reads as a mismatch");
	T_CHECK(one("SELECT count(*) FROM account_persons") == 1, "one link");

	/* Two foreigners, one passport number, two countries: two persons. */
	T_CHECK(bind(a2, "John Smith", "passport", "E12345678", "USA", &p,
	    &code) == 0, "USA passport: %s", code);
	T_CHECK(bind(a3, "Jane Smith", "passport", "E12345678", "GBR", &q,
	    &code) == 0, "GBR passport, same number: %s", code);
	T_CHECK(p.id != q.id && strcmp(p.id_hash, q.id_hash) != 0,
	    "two persons, two keys");
	T_CHECK(bind(a3, "Jane Smith", "passport", "E12345678", "USA", &q,
	    &code) == 409, "the other country's document is another identity");

	/*
	 * A passport person keyed before migration 0010 ("passport:NUMBER")
	 * moves to the new key when the document is shown again with its
	 * nationality; with another nationality it is not found.
	 */
	hmac_hex(app.id_key, "id", "passport:K7654321", legacy);
	{
		char sql[512];
		snprintf(sql, sizeof(sql), "INSERT INTO persons (id_hash, "
		    "id_type, id_masked, name, nationality, created_at, "
		    "id_legacy) VALUES ('%s', 'passport', 'K7****21', "
		    "'Anna Berg', 'SWE', 0, 1); INSERT INTO case_entries "
		    "(id_hash, kind, listed_day, listed_at) VALUES ('%s', "
		    "'close_contact', '2026-11-28', 0)", legacy, legacy);
		exec(sql);
	}
	pid = one("SELECT id FROM persons WHERE id_legacy = 1");
	T_CHECK(bind(a4, "Anna Berg", "passport", "K7654321", "NOR", &p,
	    &code) == 0 && p.id != pid, "another nationality: a new person");
	exec("DELETE FROM account_persons WHERE account_id = (SELECT id FROM "
	    "accounts WHERE phone_mac = hc_phone_mac('13800138004'))");
	T_CHECK(bind(a4, "Anna Berg", "passport", "K7654321", "SWE", &p,
	    &code) == 0 && p.id == pid, "the legacy person: %s", code);
	T_CHECK(one("SELECT id_legacy FROM persons WHERE id = (SELECT "
	    "person_id FROM account_persons WHERE account_id = (SELECT id "
	    "FROM accounts WHERE phone_mac = hc_phone_mac('13800138004')))")
	    == 0, "moved");
	T_CHECK(strcmp(p.id_hash, legacy) != 0, "to the new key");
	{
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM case_entries "
		    "WHERE id_hash = '%s'", p.id_hash);
		T_CHECK(one(sql) == 1, "its case listing moved with it");
	}

	/* The longest name is kept whole; its mask is whole characters. */
	T_CHECK(name_valid(long_name), "the long name is valid");
	T_CHECK(strlen(long_name) == 128, "128 bytes");
	exec("DELETE FROM account_persons WHERE account_id = (SELECT id FROM "
	    "accounts WHERE phone_mac = hc_phone_mac('13800138004'))");
	T_CHECK(bind(a4, long_name, "resident_id", "330106198001010013", NULL,
	    &p, &code) == 0, "bound: %s", code);
	c = at(NOW);
	c.account_id = a4;
	T_CHECK(person_self(&c, &q) == 1, "read back");
	T_STREQ(q.name, long_name, "the whole name");
	name_mask(q.name, mask, sizeof(mask));
	T_CHECK(utf8_valid(mask, strlen(mask)), "mask is valid UTF-8");
	T_STREQ(mask, "𠀀*𠀟", "first and last character");
}

/* Stores a clean declaration of person pid on day (YYYY-MM-DD). */
static void
declare_clean(int64_t pid, const char *day)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO declarations (person_id, day, "
	    "temp_tenths, symptoms, contact, declared_at) VALUES (%lld, '%s', "
	    "365, 0, 0, 0)", (long long)pid, day);
	exec(sql);
}

static void
test_colour_and_purge(void)
{
	struct rules_result res;
	struct person p;
	struct buf out;
	struct ctx c;
	const char *code;
	char day[11];
	int64_t acc, pid;
	int i;

	/* Listed as a close contact on day 0 (2026-11-29): red. */
	acc = account("13800138010", NOW);
	T_CHECK(bind(acc, "赵六", "resident_id", "330106199001010018", NULL,
	    &p, &code) == 0, "bound: %s", code);
	pid = p.id;
	{
		char sql[256];
		snprintf(sql, sizeof(sql), "INSERT INTO case_entries (id_hash, "
		    "kind, listed_day, listed_at) VALUES ('%s', 'confirmed', "
		    "'2026-11-29', 0)", p.id_hash);
		exec(sql);
	}
	c = at(NOW);
	T_CHECK(colour_of(&c, pid, p.id_hash, &res) == 0 &&
	    res.color == COLOR_RED, "listed: red");
	/* Clean on days 1..14, the colour read each day: green on day 14. */
	for (i = 1; i <= 14; i++) {
		day_add("2026-11-29", i, day);
		declare_clean(pid, day);
		c = at(NOW + (time_t)i * DAY);
		T_CHECK(colour_of(&c, pid, p.id_hash, &res) == 0, "day %d", i);
	}
	T_CHECK(res.color == COLOR_GREEN, "day 14: green (%s)",
	    color_name(res.color));
	T_STREQ(text("SELECT clear_red_today || '/' || clear_day || '/' || "
	    "clear_red_from FROM persons WHERE id = (SELECT person_id FROM "
	    "account_persons ap JOIN accounts a ON a.id = ap.account_id WHERE "
	    "a.phone_mac = hc_phone_mac('13800138010'))"),
	    "2026-11-30/2026-12-13/",
	    "the clearance is kept, settled when the day is over");

	/*
	 * Another person, the same days, but day 14 ends with a fever (a
	 * day keeps its worst answers): the run is 13 days, nothing cleared.
	 */
	{
		struct person p2;
		int64_t acc2 = account("13800138011", NOW), pid2;
		char sql[256];

		T_CHECK(bind(acc2, "钱七", "resident_id",
		    "330106199001020013", NULL, &p2, &code) == 0, "bound: %s",
		    code);
		pid2 = p2.id;
		snprintf(sql, sizeof(sql), "INSERT INTO case_entries (id_hash, "
		    "kind, listed_day, listed_at) VALUES ('%s', 'confirmed', "
		    "'2026-11-29', 0)", p2.id_hash);
		exec(sql);
		for (i = 1; i <= 14; i++) {
			day_add("2026-11-29", i, day);
			declare_clean(pid2, day);
			c = at(NOW + (time_t)i * DAY);
			T_CHECK(colour_of(&c, pid2, p2.id_hash, &res) == 0,
			    "day %d", i);
		}
		T_CHECK(res.color == COLOR_GREEN, "morning of day 14: green");
		snprintf(sql, sizeof(sql), "UPDATE declarations SET "
		    "temp_tenths = 385 WHERE person_id = %lld AND day = "
		    "'2026-12-13'", (long long)pid2);
		exec(sql);
		c = at(NOW + 14 * DAY + 36000);
		T_CHECK(colour_of(&c, pid2, p2.id_hash, &res) == 0 &&
		    res.color == COLOR_RED, "evening of day 14, fever: red");
		snprintf(sql, sizeof(sql), "SELECT clear_red_today FROM "
		    "persons WHERE id = %lld", (long long)pid2);
		T_STREQ(text(sql), "", "the morning's mark is gone");
	}

	/*
	 * Day 15 skipped; on day 16 the purge keeps declarations from day 3
	 * on: the clean run left is 12 days, but the listing (kept 28 days)
	 * stays cleared.
	 */
	buf_init(&out);
	T_CHECK(retention_purge_all(&app, NOW + 16 * DAY, 0, &out) == 0,
	    "purge on day 16");
	buf_free(&out);
	T_STREQ(text("SELECT min(day) FROM declarations"), "2026-12-02",
	    "declarations before day 3 are gone");
	T_CHECK(one("SELECT count(*) FROM case_entries WHERE kind = "
	    "'confirmed'") == 2, "the listings are kept");
	day_add("2026-11-29", 16, day);
	declare_clean(pid, day);
	c = at(NOW + 16 * DAY);
	T_CHECK(colour_of(&c, pid, p.id_hash, &res) == 0 &&
	    res.color == COLOR_GREEN, "day 16: still green (%s)",
	    color_name(res.color));
	T_STREQ(text("SELECT clear_red_from FROM persons WHERE id = (SELECT "
	    "person_id FROM account_persons ap JOIN accounts a ON a.id = "
	    "ap.account_id WHERE a.phone_mac = "
	    "hc_phone_mac('13800138010'))"), "2026-11-30",
	    "settled");
	{
		char sql[256];
		int64_t pid2 = one("SELECT person_id FROM account_persons ap "
		    "JOIN accounts a ON a.id = ap.account_id WHERE a.phone_mac = "
		    "hc_phone_mac('13800138011')");
		const char *h;

		snprintf(sql, sizeof(sql), "SELECT id_hash FROM persons WHERE "
		    "id = %lld", (long long)pid2);
		h = text(sql);
		snprintf(day, sizeof(day), "2026-12-15");
		declare_clean(pid2, day);
		T_CHECK(colour_of(&c, pid2, h, &res) == 0 &&
		    res.color == COLOR_RED, "the fever's person on day 16: red");
	}
	/* Without the mark the same data is red: what the mark is for. */
	exec("UPDATE persons SET clear_red_from = '', clear_red_today = '', "
	    "color_gen = color_gen + 1");
	c = at(NOW + 16 * DAY + 1);
	T_CHECK(colour_of(&c, pid, p.id_hash, &res) == 0 &&
	    res.color == COLOR_RED, "without the mark: red");
	exec("UPDATE persons SET clear_red_from = '2026-11-30', color_gen = "
	    "color_gen + 1");
	c = at(NOW + 16 * DAY + 1);
	T_CHECK(colour_of(&c, pid, p.id_hash, &res) == 0 &&
	    res.color == COLOR_GREEN, "the mark back: green");
	/* Marks are for one rules configuration: other day counts, none. */
	snprintf(app.conf.rules_id, sizeof(app.conf.rules_id), "373/14/21/7");
	app.conf.rules.red_clear_days = 21;
	c = at(NOW + 16 * DAY + 2);
	T_CHECK(colour_of(&c, pid, p.id_hash, &res) == 0 &&
	    res.color == COLOR_RED, "21 clean days needed now: red (%s)",
	    color_name(res.color));
	app.conf.rules = rules_default();
	snprintf(app.conf.rules_id, sizeof(app.conf.rules_id), "%d/%d/%d/%d",
	    app.conf.rules.fever_tenths, app.conf.rules.window_days,
	    app.conf.rules.red_clear_days, app.conf.rules.yellow_clear_days);
}

static void
test_checklog(void)
{
	struct check_record r;
	long long before = one("SELECT count(*) FROM verifications");
	int i;

	memset(&r, 0, sizeof(r));
	r.method = "scan";
	r.issuer = "330100";
	r.cid = "abc";
	r.valid = 1;
	r.color = "green";
	r.place = "东门";
	r.at = NOW;
	T_CHECK(checklog_idle(&app, 0) == -1, "nothing queued");
	for (i = 0; i < 3; i++)
		checklog_add(&app, &r);
	T_CHECK(checklog_pending() == 3, "queued: %zu", checklog_pending());
	T_CHECK(one("SELECT count(*) FROM verifications") == before,
	    "not written yet");
	T_CHECK(checklog_idle(&app, 0) > 0, "a flush is due soon");
	T_CHECK(checklog_idle(&app, 1) == -1, "idle: written");
	T_CHECK(checklog_pending() == 0, "queue empty");
	T_CHECK(one("SELECT count(*) FROM verifications") == before + 3,
	    "three records");
	T_STREQ(text("SELECT place FROM verifications ORDER BY id DESC"),
	    "东门", "the place");
	/* A failed write keeps the records for the next try. */
	exec("CREATE TRIGGER no_checks BEFORE INSERT ON verifications BEGIN "
	    "SELECT RAISE(ABORT, 'test'); END");
	checklog_add(&app, &r);
	checklog_flush(&app);
	T_CHECK(checklog_pending() == 1, "kept after a failure");
	exec("DROP TRIGGER no_checks");
	checklog_flush(&app);
	T_CHECK(checklog_pending() == 0 && one("SELECT count(*) FROM "
	    "verifications") == before + 4, "written on the next try");

	/*
	 * Writes failing for a while: tries further and further apart, and a
	 * full queue (CHECKLOG_QUEUE) refuses a record rather than drop one.
	 */
	exec("CREATE TRIGGER no_checks BEFORE INSERT ON verifications BEGIN "
	    "SELECT RAISE(ABORT, 'test'); END");
	for (i = 0; i < 2 * CHECKLOG_QUEUE && checklog_add(&app, &r) == 0; i++)
		checklog_flush(&app);
	T_CHECK(i == CHECKLOG_QUEUE, "refused once %d wait: %d",
	    CHECKLOG_QUEUE, i);
	T_CHECK(checklog_pending() == CHECKLOG_QUEUE, "none dropped: %zu",
	    checklog_pending());
	T_CHECK(checklog_idle(&app, 0) > 1000, "tried again seconds later: "
	    "%d ms", checklog_idle(&app, 0));
	T_CHECK(checklog_add(&app, &r) == -1, "still refused");
	exec("DROP TRIGGER no_checks");
	T_CHECK(checklog_idle(&app, 1) == -1 && checklog_pending() == 0,
	    "then written, all");
	T_CHECK(one("SELECT count(*) FROM verifications") == before + 4 +
	    CHECKLOG_QUEUE, "the whole queue");
	T_CHECK(checklog_add(&app, &r) == 0 && checklog_pending() == 1,
	    "and taken again");
	checklog_flush(&app);
	T_CHECK(checklog_idle(&app, 0) == -1, "nothing due");
}

/* Runs the claimed purge to its end; returns the steps it took. */
static int
purge_steps(void)
{
	int n = 0;

	while (retention_step(&app) && n < 1000)
		n++;
	return n;
}

static void
test_purge_claims(void)
{
	/* A day of its own: 2027-01-10 10:00 Shanghai. */
	const time_t t = NOW + 42 * DAY;
	struct ctx c;
	char sql[256];

	/* A claim 5 minutes old: another worker's, still running. */
	snprintf(sql, sizeof(sql), "INSERT INTO purge_runs (day, started_at) "
	    "VALUES ('2027-01-10', %lld)", (long long)(t - 300));
	exec(sql);
	c = at(t);
	retention_check(&c);
	T_CHECK(!retention_running(), "a live claim is left alone");
	/* Six minutes on it is abandoned: the next look takes it over. */
	c = at(t + 360);
	retention_check(&c);
	T_CHECK(retention_running(), "an abandoned claim is taken over");
	purge_steps();
	T_CHECK(!retention_running(), "finished");
	T_CHECK(one("SELECT finished_at IS NOT NULL FROM purge_runs WHERE "
	    "day = '2027-01-10'") == 1, "recorded as done");
	c = at(t + 400);
	retention_check(&c);
	T_CHECK(!retention_running(), "a done day is not run again");

	/* The next day's run fails: released, paused, then retried. */
	snprintf(sql, sizeof(sql), "INSERT INTO otp_codes (phone_mac, "
	    "code_mac, created_at, expires_at) VALUES "
	    "(hc_phone_mac('13800138000'), 'x', %lld, %lld)",
	    (long long)(t - 3600), (long long)(t - 3300));
	exec(sql);
	exec("CREATE TRIGGER no_purge BEFORE DELETE ON otp_codes BEGIN "
	    "SELECT RAISE(ABORT, 'test'); END");
	c = at(t + DAY);
	retention_check(&c);
	T_CHECK(retention_running(), "claimed");
	purge_steps();
	T_CHECK(!retention_running(), "stopped by the failure");
	T_CHECK(one("SELECT finished_at IS NULL AND started_at = 0 AND "
	    "failures = 1 FROM purge_runs WHERE day = '2027-01-11'") == 1,
	    "released, one failure");
	T_CHECK(one("SELECT retry_at FROM purge_runs WHERE day = '2027-01-11'")
	    == (long long)(t + DAY + 60), "retry in a minute: %lld",
	    one("SELECT retry_at FROM purge_runs WHERE day = '2027-01-11'"));
	exec("DROP TRIGGER no_purge");
	c = at(t + DAY + 30);
	retention_check(&c);
	T_CHECK(!retention_running(), "not before the pause is over");
	c = at(t + DAY + 61);
	retention_check(&c);
	T_CHECK(retention_running(), "retried after it");
	purge_steps();
	T_CHECK(one("SELECT finished_at IS NOT NULL FROM purge_runs WHERE "
	    "day = '2027-01-11'") == 1, "and done");
	T_CHECK(one("SELECT count(*) FROM otp_codes") == 0, "the code purged");

	/* A run taken over meanwhile is the other worker's: not released. */
	snprintf(sql, sizeof(sql), "INSERT INTO otp_codes (phone_mac, "
	    "code_mac, created_at, expires_at) VALUES "
	    "(hc_phone_mac('13800138000'), 'x', %lld, %lld)",
	    (long long)(t + DAY), (long long)(t + DAY + 300));
	exec(sql);
	c = at(t + 2 * DAY);
	retention_check(&c);
	T_CHECK(retention_running(), "claimed the third day");
	snprintf(sql, sizeof(sql), "UPDATE purge_runs SET started_at = %lld "
	    "WHERE day = '2027-01-12'", (long long)(t + 2 * DAY + 700));
	exec(sql);
	exec("CREATE TRIGGER no_purge BEFORE DELETE ON otp_codes BEGIN "
	    "SELECT RAISE(ABORT, 'test'); END");
	purge_steps();
	exec("DROP TRIGGER no_purge");
	snprintf(sql, sizeof(sql), "SELECT started_at = %lld AND failures = 0 "
	    "AND retry_at IS NULL FROM purge_runs WHERE day = '2027-01-12'",
	    (long long)(t + 2 * DAY + 700));
	T_CHECK(one(sql) == 1, "the other worker's claim is left alone");
}

/* What a limit counts of an address, and limits over several windows. */
static void
test_ratelimit(void)
{
	static const struct {
		const char *in, *out;
	} addrs[] = {
		{ "203.0.113.7", "203.0.113.7" },
		{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
		{ "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64" },
		{ "2001:DB8:1:2::9", "2001:db8:1:2::/64" },
		{ "::1", "::/64" },
		{ "::ffff:203.0.113.7", "203.0.113.7" },	/* dual stack */
		{ "fe80::1%eth0", "fe80::1%eth0" },	/* not parsed: as it is */
		{ "", "" },
		{ "not an address", "not an address" },
	};
	const struct rate_window w[] = { { 2, 60 }, { 3, 3600 } };
	struct ctx c;
	char out[64], small[8];
	size_t i;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		ratelimit_addr(addrs[i].in, out, sizeof(out));
		T_STREQ(out, addrs[i].out, "address %s", addrs[i].in);
	}
	ratelimit_addr("2001:db8:1:2:3:4:5:6", small, sizeof(small));
	T_CHECK(strlen(small) < sizeof(small), "a short buffer stays a string");

	T_CHECK(db_begin(app.db) == 0, "begin");
	c = at(NOW);
	T_CHECK(ratelimit_hits(&c, "t", "x", w, 2) == 0, "first hit");
	T_CHECK(ratelimit_hits(&c, "t", "x", w, 2) == 0, "second hit");
	T_CHECK(ratelimit_hits(&c, "t", "x", w, 2) == 60, "third: a minute");
	T_CHECK(ratelimit_check(&c, "t", "y", 1, 60) == 0, "another key");
	c = at(NOW + 61);
	T_CHECK(ratelimit_hits(&c, "t", "x", w, 2) == 0, "the minute over");
	c = at(NOW + 122);
	T_CHECK(ratelimit_hits(&c, "t", "x", w, 2) == 3600 - 122,
	    "the hour's cap: until the first hit leaves the hour");
	T_CHECK(one("SELECT count(*) FROM rate_hits") == 3,
	    "refused hits are not recorded");
	T_CHECK(ratelimit_check(&c, "t", "x", 4, 3600) == 0 &&
	    one("SELECT count(*) FROM rate_hits") == 3, "a check records nothing");
	T_CHECK(ratelimit_add(&c, "t", "x") == 0 &&
	    ratelimit_check(&c, "t", "x", 4, 3600) == 3600 - 122, "added");
	db_rollback(app.db);
}

/*
 * Phones as accounts keep them: the hash the migration's function
 * computes, the mask, the sealed number that opens in its own row only
 * and with its own key; grants by phone reach the sign-in's account.
 */
static void
test_phones(void)
{
	struct phone_rec r, r2;
	unsigned char key[32];
	char out[12], mac2[65];
	int64_t acc;

	T_CHECK(phone_rec(&app, "13800138123", &r) == 0, "sealed");
	T_STREQ(r.mac, text("SELECT hc_phone_mac('13800138123')"),
	    "the hash as the migration computes it");
	T_CHECK(strlen(r.mac) == 64, "64 hex digits");
	T_STREQ(r.masked, "138****8123", "masked");
	T_CHECK(strlen(r.enc) == 52 && strstr(r.enc, "8123") == NULL,
	    "sealed: 52 characters, no digits of the number: %s", r.enc);
	memset(out, 0, sizeof(out));
	T_CHECK(phone_open(&app, r.enc, r.mac, out) == 0, "opens");
	T_STREQ(out, "13800138123", "the number");
	T_CHECK(phone_rec(&app, "13800138123", &r2) == 0 &&
	    strcmp(r2.enc, r.enc) != 0 && strcmp(r2.mac, r.mac) == 0,
	    "a fresh nonce each time, the same hash");
	phone_mac(&app, "13800138124", mac2);
	T_CHECK(phone_open(&app, r.enc, mac2, out) == -1,
	    "not in another account's row");
	r2.enc[10] = r2.enc[10] == 'A' ? 'B' : 'A';
	T_CHECK(phone_open(&app, r2.enc, r2.mac, out) == -1, "nor changed");
	T_CHECK(phone_open(&app, "", r.mac, out) == -1 &&
	    phone_open(&app, "not base64!", r.mac, out) == -1, "nor garbage");
	memcpy(key, app.phone_key, sizeof(key));
	app.phone_key[0] ^= 1;
	T_CHECK(phone_open(&app, r.enc, r.mac, out) == -1, "nor another key");
	memcpy(app.phone_key, key, sizeof(key));
	T_STREQ(text("SELECT hc_phone_masked('13800138123')"), "138****8123",
	    "hc_phone_masked");
	T_STREQ(text("SELECT hc_phone_mac('1380013812')"), "(none)",
	    "the functions refuse what is not a number");
	T_STREQ(text("SELECT coalesce(hc_phone_mac(NULL), 'null')"), "null",
	    "NULL gives NULL");
	{
		char sql[200];

		snprintf(sql, sizeof(sql), "SELECT hc_phone_enc('13800138123') "
		    "<> '%s' AND length(hc_phone_enc('13800138123')) = 52",
		    r.enc);
		T_CHECK(one(sql) == 1, "hc_phone_enc seals afresh");
	}

	/* A grant before the first sign-in: the account sign-in reaches. */
	T_CHECK(db_begin(app.db) == 0, "begin");
	T_CHECK(role_grant(&app, NOW, "13800138123", ROLE_CHECKER) == 1,
	    "granted by phone");
	T_CHECK(db_commit(app.db) == 0, "commit");
	acc = one("SELECT id FROM accounts WHERE phone_mac = "
	    "hc_phone_mac('13800138123')");
	T_CHECK(acc > 0, "its account, found by the hash");
	T_CHECK(account("13800138123", NOW + 5) == acc,
	    "sign-in reaches the same account");
	T_STREQ(text("SELECT phone_masked FROM accounts WHERE phone_mac = "
	    "hc_phone_mac('13800138123')"), "138****8123", "kept masked");
	T_CHECK(db_begin(app.db) == 0 && role_revoke(&app, "13800138123",
	    ROLE_CHECKER) == 1 && db_commit(app.db) == 0, "revoked by phone");
	T_CHECK(db_begin(app.db) == 0 && role_revoke(&app, "13800138125",
	    ROLE_CHECKER) == 0 && db_commit(app.db) == 0,
	    "a phone with no account: nothing to revoke");
	explicit_bzero(&r, sizeof(r));
}

/* Returns 1 if file path holds the bytes of s. */
static int
file_has(const char *path, const char *s)
{
	size_t n = strlen(s), i;
	struct buf b;
	int found = 0;

	buf_init(&b);
	if (read_file(path, &b) == 0)
		for (i = 0; !found && i + n <= b.len; i++)
			found = memcmp(b.ptr + i, s, n) == 0;
	buf_free(&b);
	return found;
}

/*
 * No phone number of these tests stands in clear in the database's
 * files, and the search finds what is there: the masked form.
 */
static void
test_no_clear_phones(const char *when)
{
	static const char *const phones[] = { "13800138000", "13800138004",
	    "13800138010", "13800138011", "13800138123" };
	static const char *const files[] = { "healthcode.db",
	    "healthcode.db-wal" };
	char path[300];
	size_t i, j;
	int masked = 0;

	for (i = 0; i < NELEM(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		for (j = 0; j < NELEM(phones); j++)
			T_CHECK(!file_has(path, phones[j]), "%s in %s %s",
			    phones[j], files[i], when);
		masked += file_has(path, "138****8000");
	}
	T_CHECK(masked > 0, "the masked form is found %s", when);
}

int
main(void)
{
	char cmd[300];

	setup();
	test_session();
	test_person();
	test_colour_and_purge();
	test_checklog();
	test_purge_claims();
	test_ratelimit();
	test_phones();
	test_no_clear_phones("before the checkpoint");
	T_CHECK(db_checkpoint(app.db) == 0, "checkpoint");
	test_no_clear_phones("after it");
	boot_close(&app);
	resp_free(&resp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	T_DONE("services");
}
