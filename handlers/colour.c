/*
 * The colour over stored data.  The rules are pure (rules.c); this file
 * reads their input from the database, and keeps the answer in the
 * persons row with the generation it was computed at: triggers bump the
 * generation whenever a declaration, travel, case entry or risk area
 * changes, so a cached colour is never wrong, at worst recomputed.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "colour.h"

#define DECLS_MAX	64	/* days of history read for the rules */
#define CASES_MAX	32
#define AREAS_MAX	(3 * TRAVEL_MAX * 2)

/* Reads the risk designations of a region, its city and its province. */
static void
risk_of_travel(struct app *a, const struct travel *t, struct risk_area *areas,
    size_t *nareas)
{
	struct db_stmt *r = db_stmt(a->db, SQL_RISK_FOR);
	char city[7], prov[7];
	const char *reg;
	size_t j;

	memcpy(city, t->region, 4);
	memcpy(city + 4, "00", 3);
	memcpy(prov, t->region, 2);
	memcpy(prov + 2, "0000", 5);
	db_bind_text(r, 1, t->region);
	db_bind_text(r, 2, city);
	db_bind_text(r, 3, prov);
	while (db_step(r) == DB_ROW && *nareas < AREAS_MAX) {
		reg = db_col_text(r, 0);
		for (j = 0; j < *nareas && strcmp(areas[j].region, reg) != 0;
		    j++)
			;
		if (j < *nareas)
			continue;
		snprintf(areas[j].region, sizeof(areas[j].region), "%s", reg);
		areas[j].level = strcmp(db_col_text(r, 1), "high") == 0 ?
		    RISK_HIGH : RISK_MEDIUM;
		(*nareas)++;
	}
	db_reset(r);
}

/* Runs the rules over the person's stored data (in holds today and the marks). */
static int
compute(struct ctx *c, int64_t person_id, const char *id_hash,
    struct rules_input *in, struct rules_result *out)
{
	struct app *a = c->app;
	static struct decl decls[DECLS_MAX];
	static int64_t decl_ids[DECLS_MAX];
	static struct travel travel[DECLS_MAX][TRAVEL_MAX];
	static struct case_entry cases[CASES_MAX];
	static struct risk_area areas[AREAS_MAX];
	struct db_stmt *s;
	char since[11];
	size_t i;
	int rc;

	day_add(in->today, -(DECLS_MAX - 1), since);

	s = db_stmt(a->db, SQL_DECLS_SINCE);
	db_bind_int(s, 1, person_id);
	db_bind_text(s, 2, since);
	db_bind_text(s, 3, in->today);
	while ((rc = db_step(s)) == DB_ROW && in->ndecls < DECLS_MAX) {
		struct decl *d = &decls[in->ndecls];
		memset(d, 0, sizeof(*d));
		decl_ids[in->ndecls] = db_col_int(s, 0);
		snprintf(d->day, sizeof(d->day), "%s", db_col_text(s, 1));
		d->temp_tenths = (int)db_col_int(s, 2);
		d->symptoms = (unsigned)db_col_int(s, 3);
		d->contact = (int)db_col_int(s, 4);
		d->travel = travel[in->ndecls];
		in->ndecls++;
	}
	db_reset(s);
	if (rc == DB_ERR)
		return -1;
	in->decls = decls;

	s = db_stmt(a->db, SQL_TRAVEL_SINCE);
	db_bind_int(s, 1, person_id);
	db_bind_text(s, 2, since);
	db_bind_text(s, 3, in->today);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t id = db_col_int(s, 0);
		for (i = 0; i < in->ndecls && decl_ids[i] != id; i++)
			;
		if (i == in->ndecls || decls[i].ntravel >= TRAVEL_MAX)
			continue;
		struct travel *t = &travel[i][decls[i].ntravel++];
		snprintf(t->region, sizeof(t->region), "%s", db_col_text(s, 1));
		snprintf(t->date, sizeof(t->date), "%s", db_col_text(s, 2));
		risk_of_travel(a, t, areas, &in->nareas);
	}
	db_reset(s);
	if (rc == DB_ERR)
		return -1;
	in->areas = areas;

	s = db_stmt(a->db, SQL_CASES_OF);
	db_bind_text(s, 1, id_hash);
	while ((rc = db_step(s)) == DB_ROW && in->ncases < CASES_MAX) {
		enum case_kind k = case_kind_parse(db_col_text(s, 0));
		if (k == CASE__MAX)
			continue;
		cases[in->ncases].kind = k;
		snprintf(cases[in->ncases].listed, sizeof(cases[0].listed), "%s",
		    db_col_text(s, 1));
		in->ncases++;
	}
	db_reset(s);
	if (rc == DB_ERR)
		return -1;
	in->cases = cases;

	rules_eval(&a->conf.rules, in, out);
	return 0;
}

/*
 * The colour, from the cache in persons when nothing it depends on has
 * changed, else computed and stored with the generation read before
 * computing, and with the clearance marks the rules found: today's, until
 * the day is over (a declaration always computes the colour, so the last
 * computation of a day saw its last declaration).
 */
int
colour_of(struct ctx *c, int64_t person_id, const char *id_hash,
    struct rules_result *out)
{
	struct app *a = c->app;
	struct db_stmt *s = db_stmt(a->db, SQL_COLOUR_CACHED);
	struct rules_input in;
	int64_t gen;
	int fresh = 0;

	memset(&in, 0, sizeof(in));
	clock_day(c->now, in.today);
	db_bind_int(s, 1, person_id);
	db_bind_int(s, 2, c->now);
	db_bind_text(s, 3, a->conf.rules_id);
	db_bind_text(s, 4, in.today);
	if (db_step(s) != DB_ROW) {
		db_reset(s);
		return -1;
	}
	gen = db_col_int(s, 0);
	if (db_col_int(s, 1) && color_parse(db_col_text(s, 2),
	    &out->color) == 0) {
		out->reasons = (unsigned)db_col_int(s, 3);
		snprintf(out->green_on, sizeof(out->green_on), "%s",
		    db_col_text(s, 4));
		fresh = 1;
	}
	snprintf(in.red_cleared_from, sizeof(in.red_cleared_from), "%s",
	    db_col_text(s, 5));
	snprintf(in.yellow_cleared_from, sizeof(in.yellow_cleared_from), "%s",
	    db_col_text(s, 6));
	db_reset(s);
	if (fresh)
		return 0;
	if (compute(c, person_id, id_hash, &in, out) == -1)
		return -1;
	s = db_stmt(a->db, SQL_COLOUR_STORE);
	db_bind_int(s, 1, person_id);
	db_bind_text(s, 2, color_name(out->color));
	db_bind_int(s, 3, out->reasons);
	db_bind_text(s, 4, out->green_on);
	db_bind_text(s, 5, a->conf.rules_id);
	db_bind_int(s, 6, clock_next_cutoff(c->now));
	db_bind_int(s, 7, gen);
	db_bind_text(s, 8, out->red_clear_from);
	db_bind_text(s, 9, out->yellow_clear_from);
	db_bind_text(s, 10, in.today);
	if (db_run(s) == DB_ERR)
		LOG("cannot cache a colour");	/* the answer stands */
	return 0;
}

void
colour_reasons(struct ctx *c, cJSON *o, unsigned reasons, int labels)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "reasons");
	char key[48];
	unsigned bit;

	for (bit = 1; bit < (1u << REASON__COUNT); bit <<= 1) {
		if (!(reasons & bit))
			continue;
		snprintf(key, sizeof(key), "reason_%s", reason_name(bit));
		cJSON_AddItemToArray(arr, cJSON_CreateString(labels ?
		    page_text(c, key) : reason_name(bit)));
	}
}
