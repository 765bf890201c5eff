/*
 * Statistics for decision makers (docs/console.md): people by colour,
 * case-list entries by category, today's declarations, check-ins and
 * verifications (today from the configured day cutoff), the regions
 * with the most, and a 14-day trend; as JSON, as CSV (one figure a row)
 * and as the console's overview page with its charts drawn on the
 * server (fcgi/chart.h).  Aggregates only: no person, phone, name or id.
 *
 * Cheap at a million people: every figure is an index range count.
 * People by colour are counted from the colour cache (persons_colour,
 * migrations/0012): those whose colour was computed today (it is kept
 * until the next cutoff) by that colour, and the rest "not evaluated";
 * no colour is computed here, so a change since a person's last look-up
 * (a mark, a new declaration) counts at their next one.  A day that is
 * over is counted once into stats_days by the first request after it;
 * today's colour counts are written there by every request, so the
 * trend keeps, for each day someone looked, its last colour counts.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/chart.h"
#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "ctx.h"

#define DAYS		14	/* the trend: today and 13 days before */
#define TOP		10	/* regions shown */

/* The trend's figures of a day, in stats_days under these names. */
enum metric {
	M_DECLARATIONS,
	M_CHECKINS,
	M_VERIFICATIONS,
	M_GREEN,
	M_YELLOW,
	M_RED,
	M_NOT_EVALUATED,
	M__MAX
};

static const char *const metric_names[M__MAX] = {
	"declarations", "checkins", "verifications", "green", "yellow",
	"red", "not_evaluated"
};
#define M_COUNTED	3	/* the first three are counted from the tables */
#define M_COLOURS	4	/* the last four: people by colour */

static const char *const colour_fill[M_COLOURS] = {
	"#1a9f55", "#e6b800", "#d93025", "#9aa1a9"
};
static const char *const series_stroke[M_COUNTED] = {
	"#0b6bcb", "#1a9f55", "#8250df"
};

struct region_count {
	char		code[7];
	char		name[128];
	long long	n;
};

struct day_figures {
	char		day[11];
	time_t		start, end;
	long long	v[M__MAX];
	int		known[M__MAX];	/* counted, or stored */
};

struct stats {
	char		 today[11];
	long long	 total;		/* persons */
	long long	 listed[CASE__MAX];
	struct region_count regions[TOP], issuers[TOP], homes[TOP];
	size_t		 nregions, nissuers, nhomes;
	struct day_figures days[DAYS];	/* oldest first; the last is today */
};

/*
 * One count(*): bound to text (NULL: none) then nints of a and b, in
 * that order.  The count, or -1.
 */
static long long
count(struct ctx *c, enum stmt id, const char *text, int nints, int64_t a,
    int64_t b)
{
	struct db_stmt *s = db_stmt(c->app->db, id);
	long long n = -1;
	int i = 1;

	if (text != NULL)
		db_bind_text(s, i++, text);
	if (nints > 0)
		db_bind_int(s, i++, a);
	if (nints > 1)
		db_bind_int(s, i, b);
	if (db_step(s) == DB_ROW)
		n = db_col_int(s, 0);
	db_reset(s);
	return n;
}

/* Counts what the tables hold of day d (declarations, check-ins, checks). */
static int
count_day(struct ctx *c, struct day_figures *d)
{
	d->v[M_DECLARATIONS] = count(c, SQL_STATS_DECLS_ON, d->day, 0, 0, 0);
	d->v[M_CHECKINS] = count(c, SQL_STATS_CHECKINS_IN, NULL, 2, d->start,
	    d->end);
	d->v[M_VERIFICATIONS] = count(c, SQL_STATS_CHECKS_IN, NULL, 2,
	    d->start, d->end);
	if (d->v[M_DECLARATIONS] < 0 || d->v[M_CHECKINS] < 0 ||
	    d->v[M_VERIFICATIONS] < 0)
		return -1;
	d->known[M_DECLARATIONS] = d->known[M_CHECKINS] =
	    d->known[M_VERIFICATIONS] = 1;
	return 0;
}

/* The top regions of a grouped count over [from, to) or day (?4); 0 or -1. */
static int
top(struct ctx *c, enum stmt id, time_t from, time_t to, const char *day,
    struct region_count *out, size_t *n)
{
	struct db_stmt *s = db_stmt(c->app->db, id);
	int rc;

	*n = 0;
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, to);
	db_bind_int(s, 3, TOP);
	if (day != NULL)
		db_bind_text(s, 4, day);
	while ((rc = db_step(s)) == DB_ROW && *n < TOP) {
		snprintf(out[*n].code, sizeof(out[0].code), "%s",
		    db_col_text(s, 0));
		snprintf(out[*n].name, sizeof(out[0].name), "%s",
		    db_col_text(s, 1));
		out[(*n)++].n = db_col_int(s, 2);
	}
	db_reset(s);
	return rc == DB_ERR ? -1 : 0;
}

/* Stores what this request learnt: past days counted, today's colours. */
static void
store(struct ctx *c, const struct stats *st, const int *counted)
{
	struct db_stmt *s;
	size_t i;
	int m, rc = 0;

	if (db_begin(c->app->db) == -1)
		return;
	for (i = 0; i < DAYS && rc == 0; i++)
		for (m = 0; m < M__MAX && rc == 0; m++) {
			/* Past days: what was counted now; today: colours. */
			if (i == DAYS - 1 ? m < M_COUNTED : !counted[i] ||
			    m >= M_COUNTED)
				continue;
			s = db_stmt(c->app->db, SQL_STATS_DAY_PUT);
			db_bind_text(s, 1, st->days[i].day);
			db_bind_text(s, 2, metric_names[m]);
			db_bind_int(s, 3, st->days[i].v[m]);
			rc = db_run(s) == DB_ERR ? -1 : 0;
		}
	if (rc == -1 || db_commit(c->app->db) == -1) {
		db_rollback(c->app->db);
		LOG("cannot store the day's statistics");	/* they stand */
	}
}

/* Reads every figure; 0 or -1. */
static int
stats_read(struct ctx *c, struct stats *st)
{
	struct day_figures *t;
	struct db_stmt *s;
	int counted[DAYS] = { 0 };
	const char *day, *name;
	long long sum = 0;
	time_t start;
	enum case_kind k;
	int i, m, rc;

	memset(st, 0, sizeof(*st));
	/* The days, back from today's start (a day is cutoff to cutoff). */
	start = clock_day_start(c->now);
	for (i = DAYS - 1; i >= 0; i--) {
		st->days[i].start = start;
		st->days[i].end = i == DAYS - 1 ? clock_next_cutoff(c->now) :
		    st->days[i + 1].start;
		clock_day(start, st->days[i].day);
		start = clock_day_start(start - 1);
	}
	t = &st->days[DAYS - 1];
	memcpy(st->today, t->day, sizeof(st->today));

	/* People by the colour cached today. */
	if ((st->total = count(c, SQL_STATS_PERSONS, NULL, 0, 0, 0)) < 0)
		return -1;
	for (m = M_GREEN; m < M_NOT_EVALUATED; m++) {
		if ((t->v[m] = count(c, SQL_STATS_COLOUR, metric_names[m], 1,
		    c->now, 0)) < 0)
			return -1;
		sum += t->v[m];
		t->known[m] = 1;
	}
	t->v[M_NOT_EVALUATED] = st->total > sum ? st->total - sum : 0;
	t->known[M_NOT_EVALUATED] = 1;

	s = db_stmt(c->app->db, SQL_STATS_LISTED);
	while ((rc = db_step(s)) == DB_ROW)
		if ((k = case_kind_parse(db_col_text(s, 0))) != CASE__MAX)
			st->listed[k] = db_col_int(s, 1);
	db_reset(s);
	if (rc == DB_ERR || count_day(c, t) == -1 ||
	    top(c, SQL_STATS_CHECKIN_REGIONS, t->start, t->end, NULL,
	    st->regions, &st->nregions) == -1 ||
	    top(c, SQL_STATS_ISSUERS, t->start, t->end, NULL, st->issuers,
	    &st->nissuers) == -1 ||
	    top(c, SQL_STATS_DECL_REGIONS, t->start, t->end, st->today,
	    st->homes, &st->nhomes) == -1)
		return -1;

	/* The days before: stored, else counted now (once). */
	s = db_stmt(c->app->db, SQL_STATS_DAYS_GET);
	db_bind_text(s, 1, st->days[0].day);
	db_bind_text(s, 2, t->day);
	while ((rc = db_step(s)) == DB_ROW) {
		day = db_col_text(s, 0);
		name = db_col_text(s, 1);
		for (i = 0; i < DAYS - 1 && strcmp(st->days[i].day, day); i++)
			;
		for (m = 0; m < M__MAX && strcmp(metric_names[m], name); m++)
			;
		if (i == DAYS - 1 || m == M__MAX)
			continue;
		st->days[i].v[m] = db_col_int(s, 2);
		st->days[i].known[m] = 1;
	}
	db_reset(s);
	if (rc == DB_ERR)
		return -1;
	for (i = 0; i < DAYS - 1; i++) {
		if (st->days[i].known[M_DECLARATIONS] &&
		    st->days[i].known[M_CHECKINS] &&
		    st->days[i].known[M_VERIFICATIONS])
			continue;
		if (count_day(c, &st->days[i]) == -1)
			return -1;
		counted[i] = 1;
	}
	store(c, st, counted);
	return 0;
}

/* A region's label: "西湖区 (330106)", or the code alone. */
static void
region_label(const struct region_count *r, char *out, size_t outlen)
{
	if (r->name[0] != '\0')
		snprintf(out, outlen, "%s (%s)", r->name, r->code);
	else
		snprintf(out, outlen, "%s", r->code);
}

static cJSON *
regions_json(const struct region_count *r, size_t n)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "region", r[i].code);
		cJSON_AddStringToObject(o, "name", r[i].name);
		cJSON_AddNumberToObject(o, "count", (double)r[i].n);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* A figure of a day, or null when it was never stored. */
static void
add_figure(cJSON *o, const struct day_figures *d, int m)
{
	if (d->known[m])
		cJSON_AddNumberToObject(o, metric_names[m], (double)d->v[m]);
	else
		cJSON_AddNullToObject(o, metric_names[m]);
}

/*
 * GET /api/v1/admin/stats (admin): 200 {"day","as_of","people":{"green",
 * "yellow","red","not_evaluated","total"},"people_counted":"colour_cached_today",
 * "listed":{kind:N},"today":{"declarations","checkins","verifications"},
 * "regions":{"checkins":[{"region","name","count"}],"verifications":[...],
 * "declarations":[...]},
 * "trend":[{"day","declarations","checkins","verifications","green",
 * "yellow","red","not_evaluated"}]} (14 days, oldest first; a colour
 * null for a day nobody looked at); 401; 403.
 */
void
api_stats(struct ctx *c)
{
	struct stats st;
	const struct day_figures *t = &st.days[DAYS - 1];
	cJSON *o, *x, *arr;
	char iso[26];
	int i, m;

	if (stats_read(c, &st) == -1) {
		api_err(c, 500, "internal");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "day", st.today);
	clock_iso(c->now, iso);
	cJSON_AddStringToObject(o, "as_of", iso);
	x = cJSON_AddObjectToObject(o, "people");
	for (m = M_GREEN; m < M__MAX; m++)
		cJSON_AddNumberToObject(x, metric_names[m], (double)t->v[m]);
	cJSON_AddNumberToObject(x, "total", (double)st.total);
	cJSON_AddStringToObject(o, "people_counted", "colour_cached_today");
	x = cJSON_AddObjectToObject(o, "listed");
	for (i = 0; i < CASE__MAX; i++)
		cJSON_AddNumberToObject(x, case_kind_name((enum case_kind)i),
		    (double)st.listed[i]);
	x = cJSON_AddObjectToObject(o, "today");
	for (m = 0; m < M_COUNTED; m++)
		cJSON_AddNumberToObject(x, metric_names[m], (double)t->v[m]);
	x = cJSON_AddObjectToObject(o, "regions");
	cJSON_AddItemToObject(x, "checkins", regions_json(st.regions,
	    st.nregions));
	cJSON_AddItemToObject(x, "verifications", regions_json(st.issuers,
	    st.nissuers));
	cJSON_AddItemToObject(x, "declarations", regions_json(st.homes,
	    st.nhomes));
	arr = cJSON_AddArrayToObject(o, "trend");
	for (i = 0; i < DAYS; i++) {
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "day", st.days[i].day);
		for (m = 0; m < M__MAX; m++)
			add_figure(x, &st.days[i], m);
		cJSON_AddItemToArray(arr, x);
	}
	api_json(c, 200, o);
	cJSON_Delete(o);
}

/* Appends one CSV field: quoted when it must be, and never a formula. */
static void
csv_field(struct buf *b, const char *s)
{
	int formula = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	const char *p;

	if (strpbrk(s, ",\"\r\n") == NULL && !formula) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	if (formula)
		buf_putc(b, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

/* One row: metric,key,label,value. */
static void
csv_row(struct buf *b, const char *metric, const char *key,
    const char *label, const char *value)
{
	csv_field(b, metric);
	buf_putc(b, ',');
	csv_field(b, key);
	buf_putc(b, ',');
	csv_field(b, label);
	buf_putc(b, ',');
	csv_field(b, value);
	buf_puts(b, "\r\n");
}

static void
csv_num(struct buf *b, const char *metric, const char *key,
    const char *label, long long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", v);
	csv_row(b, metric, key, label, num);
}

/*
 * GET /api/v1/admin/stats.csv (admin): 200 text/csv, the same figures
 * one a row, "metric,key,label,value" (label: a region's name; a trend
 * colour never stored has an empty value); 401; 403.
 */
void
api_stats_csv(struct ctx *c)
{
	struct stats st;
	const struct day_figures *t = &st.days[DAYS - 1];
	struct buf *b = &c->resp->body;
	char iso[26], metric[40];
	size_t j;
	int i, m;

	if (stats_read(c, &st) == -1) {
		api_err(c, 500, "internal");
		return;
	}
	buf_reset(b);
	csv_row(b, "metric", "key", "label", "value");
	csv_row(b, "day", "", "", st.today);
	clock_iso(c->now, iso);
	csv_row(b, "as_of", "", "", iso);
	for (m = M_GREEN; m < M__MAX; m++)
		csv_num(b, "people", metric_names[m], "", t->v[m]);
	csv_num(b, "people", "total", "", st.total);
	for (i = 0; i < CASE__MAX; i++)
		csv_num(b, "listed", case_kind_name((enum case_kind)i), "",
		    st.listed[i]);
	for (m = 0; m < M_COUNTED; m++)
		csv_num(b, "today", metric_names[m], "", t->v[m]);
	for (j = 0; j < st.nregions; j++)
		csv_num(b, "checkins_by_region", st.regions[j].code,
		    st.regions[j].name, st.regions[j].n);
	for (j = 0; j < st.nissuers; j++)
		csv_num(b, "verifications_by_issuer", st.issuers[j].code,
		    st.issuers[j].name, st.issuers[j].n);
	for (j = 0; j < st.nhomes; j++)
		csv_num(b, "declarations_by_home", st.homes[j].code,
		    st.homes[j].name, st.homes[j].n);
	for (m = 0; m < M__MAX; m++) {
		snprintf(metric, sizeof(metric), "trend_%s", metric_names[m]);
		for (i = 0; i < DAYS; i++) {
			if (st.days[i].known[m])
				csv_num(b, metric, st.days[i].day, "",
				    st.days[i].v[m]);
			else
				csv_row(b, metric, st.days[i].day, "", "");
		}
	}
	c->resp->status = 200;
	c->resp->ctype = "text/csv; charset=utf-8";
	resp_header(c->resp, "Content-Disposition",
	    "attachment; filename=\"stats-%s.csv\"", st.today);
}

/* A table's row for the page: label and number. */
static void
row(cJSON *arr, const char *label, long long n)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "label", label);
	cJSON_AddNumberToObject(o, "n", (double)n);
	cJSON_AddItemToArray(arr, o);
}

/* The regions' table rows and their bar chart (svg into d under key). */
static void
regions_page(struct ctx *c, cJSON *d, const char *key, const char *id,
    const char *title_key, const struct region_count *r, size_t n)
{
	struct chart_bar bars[TOP];
	char labels[TOP][160], svg_key[40];
	cJSON *arr = cJSON_AddArrayToObject(d, key);
	struct buf svg;
	size_t i;

	for (i = 0; i < n; i++) {
		region_label(&r[i], labels[i], sizeof(labels[i]));
		bars[i].label = labels[i];
		bars[i].value = r[i].n;
		bars[i].fill = "#0b6bcb";
		row(arr, labels[i], r[i].n);
	}
	snprintf(svg_key, sizeof(svg_key), "%s_svg", key);
	if (n > 0) {
		buf_init(&svg);
		chart_hbars(&svg, id, page_text(c, title_key), bars, n);
		cJSON_AddStringToObject(d, svg_key, svg.ptr);
		buf_free(&svg);
	}
}

/* GET /admin (admin): the overview with its charts; 200; 302 /login; 403. */
void
page_stats(struct ctx *c)
{
	static const char *const colour_keys[M_COLOURS] = {
		"color_green", "color_yellow", "color_red", "stats_not_evaluated"
	};
	static const char *const counted_keys[M_COUNTED] = {
		"stats_declarations", "stats_checkins", "stats_verifications"
	};
	struct stats st;
	const struct day_figures *t = &st.days[DAYS - 1];
	struct chart_bar bars[M_COLOURS];
	struct chart_series series[M_COUNTED];
	long long values[M_COUNTED][DAYS];
	char xl[DAYS][6], key[48];
	const char *x[DAYS];
	cJSON *d, *arr, *o, *cells;
	struct buf svg;
	int i, m;

	if (stats_read(c, &st) == -1) {
		page_error(c, 500, "internal");
		return;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "day", st.today);
	cJSON_AddNumberToObject(d, "total", (double)st.total);

	/* People by colour: the columns and their table. */
	arr = cJSON_AddArrayToObject(d, "people");
	for (m = 0; m < M_COLOURS; m++) {
		bars[m].label = page_text(c, colour_keys[m]);
		bars[m].value = t->v[M_GREEN + m];
		bars[m].fill = colour_fill[m];
		row(arr, bars[m].label, bars[m].value);
	}
	buf_init(&svg);
	chart_columns(&svg, "chart-colour", page_text(c, "stats_people"),
	    bars, M_COLOURS);
	cJSON_AddStringToObject(d, "people_svg", svg.ptr);

	arr = cJSON_AddArrayToObject(d, "listed");
	for (i = 0; i < CASE__MAX; i++) {
		snprintf(key, sizeof(key), "reason_case_%s",
		    case_kind_name((enum case_kind)i));
		row(arr, page_text(c, key), st.listed[i]);
	}
	arr = cJSON_AddArrayToObject(d, "today");
	for (m = 0; m < M_COUNTED; m++)
		row(arr, page_text(c, counted_keys[m]), t->v[m]);

	/* The trend: a line per figure, and the table of every day. */
	for (i = 0; i < DAYS; i++) {
		snprintf(xl[i], sizeof(xl[i]), "%s", st.days[i].day + 5);
		x[i] = xl[i];
		for (m = 0; m < M_COUNTED; m++)
			values[m][i] = st.days[i].v[m];
	}
	for (m = 0; m < M_COUNTED; m++) {
		series[m].name = page_text(c, counted_keys[m]);
		series[m].values = values[m];
		series[m].stroke = series_stroke[m];
	}
	buf_reset(&svg);
	chart_lines(&svg, "chart-trend", page_text(c, "stats_trend"), x, DAYS,
	    series, M_COUNTED);
	cJSON_AddStringToObject(d, "trend_svg", svg.ptr);
	buf_free(&svg);
	arr = cJSON_AddArrayToObject(d, "trend");
	for (i = DAYS - 1; i >= 0; i--) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "day", st.days[i].day);
		cells = cJSON_AddArrayToObject(o, "cells");
		for (m = 0; m < M__MAX; m++) {
			if (st.days[i].known[m])
				cJSON_AddItemToArray(cells, cJSON_CreateNumber(
				    (double)st.days[i].v[m]));
			else
				cJSON_AddItemToArray(cells,
				    cJSON_CreateString("–"));
		}
		cJSON_AddItemToArray(arr, o);
	}
	regions_page(c, d, "regions", "chart-regions", "stats_regions",
	    st.regions, st.nregions);
	regions_page(c, d, "issuers", "chart-issuers", "stats_issuers",
	    st.issuers, st.nissuers);
	regions_page(c, d, "homes", "chart-homes", "stats_homes",
	    st.homes, st.nhomes);
	page_render(c, 200, "admin_stats.html", "admin_nav_stats", d);
}
