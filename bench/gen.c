/*
 * The benchmark's province: writes people and their history straight into
 * a migrated, empty database (bench/run.sh), as the service would have
 * left them at the first minute of a day.  PERSONS accounts, each with its
 * own person: a valid resident ID number (the rows of bench/gen-cases.sh,
 * row i for person i + 1), kept only as the service keeps it (the keyed
 * hash with the data directory's identity key, the masked number), and a
 * name; DAYS days of declarations before today, every person every day,
 * in a different order each day; CHECKINS check-ins at VENUES venues
 * spread over the same days (one in a hundred made before the account
 * bound its person, with none); the oldest of those days past the 14 days
 * kept, for the daily purge.  SAMPLE of the people, evenly spread, are
 * signed in (a session and its token) and have declared today.
 *
 * It uses the service's own configuration (HC_CONFIG, HC_*), keys,
 * clock and functions for everything a request would check: the keyed
 * hash, the mask, the check character, the session token.
 *
 * Usage: bench-gen [-p persons] [-d days] [-c checkins] [-v venues]
 *            [-s sample] SAMPLE_FILE
 * SAMPLE_FILE gets one line per signed-in person: the session token, the
 * name and the ID number.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "../fcgi/clock.h"
#include "../fcgi/token.h"
#include "../handlers/phone.h"
#include "../handlers/boot.h"
#include "../handlers/ident.h"

static sqlite3 *db;

static void
die(const char *what)
{
	fprintf(stderr, "bench-gen: %s: %s\n", what, db != NULL ?
	    sqlite3_errmsg(db) : "");
	exit(1);
}

static void
exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql);
}

static sqlite3_stmt *
prep(const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die(sql);
	return s;
}

static void
step(sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die(sqlite3_sql(s));
	sqlite3_reset(s);
}

/* The date of day number z after 1970-01-01 (H. Hinnant's civil_from_days). */
static void
civil(long z, char out[16])
{
	long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	snprintf(out, 16, "%04ld%02ld%02ld", y + (m <= 2), m, d);
}

static const char *const regions[] = { "110101", "330106", "310101",
    "440305", "330102", "510104", "420102", "320102" };
static const char *const names[] = { "王小华", "李明", "张伟", "刘洋",
    "陈静", "欧阳娜娜", "阿依古丽·买买提", "赵敏" };

/* Row i of bench/gen-cases.sh: a region, a birth date, a sequence number. */
static void
resident_id(long i, char out[32])
{
	char birth[16];

	civil(-7305 + (i / 8) % 18000, birth);
	snprintf(out, 32, "%s%s%03ld", regions[i % 8], birth,
	    (i / 144000) % 1000);
	out[17] = id_check_char(out);
	out[18] = '\0';
}

/* A multiplier for a permutation of 0..n-1: coprime with n. */
static long
coprime(long n)
{
	static const long primes[] = { 999983, 1000003, 1000033, 7919 };
	size_t i;

	for (i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
		if (n % primes[i] != 0)
			return primes[i];
	return 1;
}

/*
 * Drops the triggers (type "trigger") or the indexes ("index") of table
 * that a statement made (not those of its constraints), and returns
 * their text, to be run again after the rows.  A generated row is the
 * data a request would have written: what the triggers mark (a person's
 * colour is stale) is already so for them all, and an index built once
 * takes a sort instead of millions of inserts at random places.
 */
static char *
schema_drop(const char *type, const char *table)
{
	sqlite3_stmt *s = prep("SELECT name, sql FROM sqlite_master "
	    "WHERE type = ?1 AND tbl_name = ?2 AND sql IS NOT NULL");
	struct buf all, drop;

	buf_init(&all);
	buf_init(&drop);
	sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, table, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		buf_printf(&all, "%s;\n", sqlite3_column_text(s, 1));
		buf_printf(&drop, "DROP %s \"%s\";\n", type,
		    sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	exec(buf_cstr(&drop));
	buf_free(&drop);
	return all.ptr != NULL ? all.ptr : strdup("");
}

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

int
main(int argc, char *argv[])
{
	long persons = 1000000, days = 14, checkins = 5000000, venues = 2000;
	long sample = 10000, i, j, d, k, a, n, m;
	struct app app;
	struct buf err, num;
	struct timespec t0;
	sqlite3_stmt *s, *dcl;
	char id[32], hash[65], masked[24], ref[17], day[11], today[11];
	char sid[32], phone[32], tok[23], *trig_decl, *trig_checkin, *jwt;
	struct phone_rec pr;
	char *idx_decl, *idx_checkin;
	unsigned char rnd[8];
	time_t now, start, cutoff;
	FILE *out;
	cJSON *claims;
	int ch;

	while ((ch = getopt(argc, argv, "p:d:c:v:s:")) != -1) {
		switch (ch) {
		case 'p': persons = atol(optarg); break;
		case 'd': days = atol(optarg); break;
		case 'c': checkins = atol(optarg); break;
		case 'v': venues = atol(optarg); break;
		case 's': sample = atol(optarg); break;
		default: goto usage;
		}
	}
	if (argc - optind != 1 || persons < 1 || days < 1 || checkins < 0 ||
	    venues < 1 || sample < 0 || sample > persons ||
	    persons >= 100000000)
		goto usage;
	if ((out = fopen(argv[optind], "w")) == NULL) {
		perror(argv[optind]);
		return 1;
	}
	memset(&app, 0, sizeof(app));
	buf_init(&err);
	if (boot_config(&app, &err) == -1 ||
	    boot_read_secret(app.conf.id_key_file, app.id_key, &err) == -1 ||
	    boot_read_secret(app.conf.session_key_file, app.session_key,
	    &err) == -1 || boot_read_secret(app.conf.phone_key_file,
	    app.phone_key, &err) == -1) {
		fprintf(stderr, "bench-gen: %s\n", buf_cstr(&err));
		return 1;
	}
	if (sqlite3_open(app.conf.db_path, &db) != SQLITE_OK)
		die(app.conf.db_path);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	now = clock_now();
	start = clock_day_start(now);
	cutoff = clock_next_cutoff(now);
	clock_day(now, today);

	/* One writer, alone: no journal, the file put back in WAL at the end. */
	exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
	    "PRAGMA cache_size = -4000000; PRAGMA foreign_keys = OFF; "
	    "BEGIN");
	trig_decl = schema_drop("trigger", "declarations");
	trig_checkin = schema_drop("trigger", "checkins");
	idx_decl = schema_drop("index", "declarations");
	idx_checkin = schema_drop("index", "checkins");

	/* Phones as the service keeps them: keyed hash, mask, sealed. */
	s = prep("INSERT INTO accounts (id, phone_mac, phone_masked, "
	    "phone_enc, created_at, last_seen_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	for (i = 1; i <= persons; i++) {
		snprintf(phone, sizeof(phone), "130%08ld", i);
		if (phone_rec(&app, phone, &pr) == -1)
			die("phone_rec");
		sqlite3_bind_int64(s, 1, i);
		sqlite3_bind_text(s, 2, pr.mac, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, pr.masked, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, pr.enc, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, now - 60 * 86400);
		sqlite3_bind_int64(s, 6, now - (i % 30) * 86400 - i % 86400);
		step(s);
	}
	sqlite3_finalize(s);

	s = prep("INSERT INTO persons (id, id_hash, id_type, id_masked, name, "
	    "created_at, ref) VALUES (?1, ?2, 'resident_id', ?3, ?4, ?5, ?6)");
	buf_init(&num);
	for (i = 1; i <= persons; i++) {
		resident_id(i - 1, id);
		buf_reset(&num);
		buf_printf(&num, "resident_id:%s", id);
		hmac_hex(app.id_key, "id", num.ptr, hash);
		id_mask(ID_RESIDENT, id, masked, sizeof(masked));
		rand_bytes(rnd, sizeof(rnd));
		for (k = 0; k < 8; k++)
			snprintf(ref + 2 * k, 3, "%02x", rnd[k]);
		sqlite3_bind_int64(s, 1, i);
		sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, masked, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, names[(i - 1) % 8], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, now - 60 * 86400);
		sqlite3_bind_text(s, 6, ref, -1, SQLITE_STATIC);
		step(s);
	}
	sqlite3_finalize(s);
	exec("INSERT INTO account_persons (account_id, person_id, relation, "
	    "created_at) SELECT id, id, 'self', created_at FROM persons");
	fprintf(stderr, "bench-gen: %ld people in %.1f s\n", persons,
	    since(&t0));

	/* Venues in the first level-3 regions, owned by the first account. */
	s = prep("INSERT INTO venues (owner_id, name, address, region, token, "
	    "token_at, created_at) SELECT 1, 'venue ' || ?1, 'street ' || ?1, "
	    "code, ?2, ?3, ?3 FROM regions WHERE level = 3 "
	    "ORDER BY code LIMIT 1 OFFSET ?1 % 50");
	for (i = 1; i <= venues; i++) {
		rand_token(tok, sizeof(tok), 16);
		sqlite3_bind_int64(s, 1, i);
		sqlite3_bind_text(s, 2, tok, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, now - 60 * 86400);
		step(s);
	}
	sqlite3_finalize(s);

	/*
	 * Every person every day, oldest first, each day in another order
	 * (a day's rows are together, a person's spread over the file).
	 */
	s = prep("INSERT INTO declarations (person_id, day, temp_tenths, "
	    "symptoms, contact, declared_at) VALUES (?1, ?2, ?3, 0, 0, ?4)");
	a = coprime(persons);
	for (d = days; d >= 1; d--) {
		day_add(today, -(int)d, day);
		for (j = 0; j < persons; j++) {
			i = (a * j + d * 7919) % persons + 1;
			sqlite3_bind_int64(s, 1, i);
			sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 3, 360 + i % 10);
			sqlite3_bind_int64(s, 4, start - d * 86400 + 6 * 3600 +
			    j * 14 * 3600 / persons);
			step(s);
		}
	}
	sqlite3_finalize(s);
	fprintf(stderr, "bench-gen: %ld declarations in %.1f s\n",
	    persons * days, since(&t0));

	/* The check-ins of each day in time order, by anyone, anywhere. */
	s = prep("INSERT INTO checkins (account_id, person_id, venue_id, "
	    "color, checked_in_at) VALUES (?1, ?2, ?3, 'green', ?4)");
	n = checkins / days;
	for (d = days, k = 0; d >= 1; d--) {
		/* The last day takes what does not divide evenly. */
		m = n + (d == 1 ? checkins % days : 0);
		for (j = 0; j < m; j++, k++) {
			i = (k * 2654435761L) % persons + 1;
			sqlite3_bind_int64(s, 1, i);
			/* One in a hundred before the account bound its person. */
			if (k % 100 == 0)
				sqlite3_bind_null(s, 2);
			else
				sqlite3_bind_int64(s, 2, i);
			sqlite3_bind_int64(s, 3, (k * 40503L) % venues + 1);
			sqlite3_bind_int64(s, 4, start - d * 86400 + 6 * 3600 +
			    j * 16 * 3600 / m);
			step(s);
		}
	}
	sqlite3_finalize(s);
	fprintf(stderr, "bench-gen: %ld check-ins in %.1f s\n", checkins,
	    since(&t0));

	/* The signed-in sample: a session each, and today's declaration. */
	s = prep("INSERT INTO sessions (id, account_id, created_at, "
	    "expires_at) VALUES (?1, ?2, ?3, ?4)");
	dcl = prep("INSERT INTO declarations (person_id, day, "
	    "temp_tenths, symptoms, contact, declared_at) "
	    "VALUES (?1, ?2, 365, 0, 0, ?3)");
	for (k = 0; k < sample; k++) {
		i = k * persons / sample + 1;
		rand_token(sid, sizeof(sid), 16);
		sqlite3_bind_text(s, 1, sid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, i);
		sqlite3_bind_int64(s, 3, now);
		sqlite3_bind_int64(s, 4, cutoff);
		step(s);
		sqlite3_bind_int64(dcl, 1, i);
		sqlite3_bind_text(dcl, 2, today, -1, SQLITE_STATIC);
		sqlite3_bind_int64(dcl, 3, now);
		step(dcl);
		claims = cJSON_CreateObject();
		cJSON_AddStringToObject(claims, "sid", sid);
		cJSON_AddNumberToObject(claims, "iat", (double)now);
		cJSON_AddNumberToObject(claims, "exp", (double)cutoff);
		jwt = tok_sign(JWT_ALG_HS256, app.session_key,
		    sizeof(app.session_key), NULL, claims);
		cJSON_Delete(claims);
		if (jwt == NULL)
			die("cannot sign a session token");
		resident_id(i - 1, id);
		fprintf(out, "%s %s %s\n", jwt, names[(i - 1) % 8], id);
		free(jwt);
	}
	sqlite3_finalize(s);
	sqlite3_finalize(dcl);

	exec(idx_decl);
	exec(idx_checkin);
	exec(trig_decl);
	exec(trig_checkin);
	exec("COMMIT");
	exec("PRAGMA journal_mode = WAL");
	if (fclose(out) != 0)
		die("the sample file");
	fprintf(stderr, "bench-gen: done in %.1f s\n", since(&t0));
	free(trig_decl);
	free(trig_checkin);
	free(idx_decl);
	free(idx_checkin);
	buf_free(&num);
	buf_free(&err);
	explicit_bzero(app.id_key, sizeof(app.id_key));
	explicit_bzero(app.session_key, sizeof(app.session_key));
	explicit_bzero(app.phone_key, sizeof(app.phone_key));
	sqlite3_close(db);
	return 0;
usage:
	fputs("usage: bench-gen [-p persons] [-d days] [-c checkins] "
	    "[-v venues] [-s sample] SAMPLE_FILE\n", stderr);
	return 2;
}
