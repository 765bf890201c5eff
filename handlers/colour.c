/*
 * The colour over stored data.  The rules are pure (rules.c); this file
 * reads their input from the database, and keeps the answer in the
 * persons row with the generation it was computed at: triggers bump the
 * person's generation whenever their declaration, travel, case entry or
 * check-in changes, and one generation for all when a risk area does
 * (compared only by colours that read a risk), so a cached colour is
 * never wrong, at worst recomputed.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "colour.h"

#define DECLS_MAX	64	/* days of history read for the rules */
#define CASES_MAX	32
#define VISITS_MAX	64	/* distinct (region, day) check-ins */
#define AREAS_MAX	(DECLS_MAX * TRAVEL_MAX + VISITS_MAX)

/*
 * Adds the risk of a travelled or visited region today to areas (unless
 * there already), keyed by the region itself (SQL_RISK_FOR follows the regions table's parent
 * chain, so the rules' own prefix match finds it exactly).
 */
static int
risk_of(struct app *a, const char *region, const char *today,
    struct risk_area *areas, size_t *nareas)
{
	struct db_stmt *r;
	size_t j;
	int64_t level;

	for (j = 0; j < *nareas && strcmp(areas[j].region, region) != 0; j++)
		;
	if (j < *nareas || *nareas >= AREAS_MAX)
		return 0;
	r = db_stmt(a->db, SQL_RISK_FOR);
	db_bind_text(r, 1, region);
	db_bind_text(r, 2, today);
	if (db_step(r) != DB_ROW) {
		db_reset(r);
		return -1;
	}
	level = db_col_int(r, 0);
	db_reset(r);
	/* Kept when low too: each place is looked up once. */
	snprintf(areas[j].region, sizeof(areas[j].region), "%s", region);
	areas[j].level = level == 2 ? RISK_HIGH : level == 1 ? RISK_MEDIUM :
	    RISK_LOW;
	(*nareas)++;
	return 0;
}

/*
 * Reads the person's check-ins of the days read into in->visits, fresh
 * when made after ov_at (the override's decision; 0: none).
 */
static int
visits_since(struct ctx *c, int64_t person_id, int64_t ov_at,
    struct rules_input *in, struct travel *visits)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_VISITS_SINCE);
	struct travel v;
	size_t i;
	int rc;

	db_bind_int(s, 1, person_id);
	db_bind_int(s, 2, clock_day_start(c->now -
	    (time_t)(DECLS_MAX - 1) * 86400));
	while ((rc = db_step(s)) == DB_ROW && in->nvisits < VISITS_MAX) {
		snprintf(v.region, sizeof(v.region), "%s", db_col_text(s, 0));
		clock_day((time_t)db_col_int(s, 1), v.date);
		v.fresh = ov_at > 0 && db_col_int(s, 1) > ov_at;
		for (i = 0; i < in->nvisits && (strcmp(visits[i].region,
		    v.region) != 0 || strcmp(visits[i].date, v.date) != 0); i++)
			;
		if (i == in->nvisits)
			visits[in->nvisits++] = v;
		else
			visits[i].fresh |= v.fresh;
	}
	db_reset(s);
	in->visits = visits;
	return rc == DB_ERR ? -1 : 0;
}

/*
 * Runs the rules over the person's stored data (in holds today, the
 * marks and the override); *read_areas counts the places whose risk
 * it read.
 */
static int
compute(struct ctx *c, int64_t person_id, const char *id_hash,
    int64_t ov_at, struct rules_input *in, struct rules_result *out,
    int *read_areas)
{
	struct app *a = c->app;
	static struct decl decls[DECLS_MAX];
	static int64_t decl_ids[DECLS_MAX];
	static struct travel travel[DECLS_MAX][TRAVEL_MAX];
	static struct case_entry cases[CASES_MAX];
	static struct travel visits[VISITS_MAX];
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
		d->fresh = ov_at > 0 && db_col_int(s, 5) > ov_at;
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
		(*read_areas)++;
		if (risk_of(a, t->region, in->today, areas, &in->nareas) == -1)
			rc = DB_ERR;
	}
	db_reset(s);
	if (rc == DB_ERR)
		return -1;
	if (visits_since(c, person_id, ov_at, in, visits) == -1)
		return -1;
	for (i = 0; i < in->nvisits; i++) {
		(*read_areas)++;
		if (risk_of(a, visits[i].region, in->today, areas,
		    &in->nareas) == -1)
			return -1;
	}
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
		cases[in->ncases].fresh = ov_at > 0 && db_col_int(s, 2) > ov_at;
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
	int64_t gen, epoch, ov_at = 0;
	int fresh = 0, read_areas = 0;

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
	epoch = db_col_int(s, 7);
	if (color_parse(db_col_text(s, 8), &in.override.color) == 0) {
		snprintf(in.override.from, sizeof(in.override.from), "%s",
		    db_col_text(s, 9));
		snprintf(in.override.until, sizeof(in.override.until), "%s",
		    db_col_text(s, 10));
		ov_at = db_col_int(s, 11);
	}
	db_reset(s);
	if (fresh)
		return 0;
	if (compute(c, person_id, id_hash, ov_at, &in, out, &read_areas) == -1)
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
	db_bind_int(s, 11, read_areas ? epoch : -1);
	if (db_run(s) == DB_ERR)
		LOG("cannot cache a colour");	/* the answer stands */
	return 0;
}

void
colour_reasons(struct ctx *c, cJSON *o, const char *key, unsigned reasons,
    int labels)
{
	cJSON *arr = cJSON_AddArrayToObject(o, key);
	char lkey[48];
	unsigned bit;

	for (bit = 1; bit < (1u << REASON__COUNT); bit <<= 1) {
		if (!(reasons & bit))
			continue;
		snprintf(lkey, sizeof(lkey), "reason_%s", reason_name(bit));
		cJSON_AddItemToArray(arr, cJSON_CreateString(labels ?
		    page_text(c, lkey) : reason_name(bit)));
	}
}
