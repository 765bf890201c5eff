/*
 * The colour rules: causes (case-list entries, risky travel, fever,
 * symptoms, declared contact), each cleared by a run of clean daily
 * declarations after it, and the calendar arithmetic they need.  Pure:
 * no I/O, no clock, no time zone; the caller passes "today".
 *
 * Days are handled as day numbers (days since 1970-01-01, proleptic
 * Gregorian, Hinnant's days-from-civil) so that no libc time function
 * and no TZ setting can shift a date.
 */
#include <limits.h>
#include <string.h>

#include "rules.h"

/* Day numbers of 0000-01-01 and 9999-12-31: the "YYYY-MM-DD" range. */
#define DAY_MIN	(-719528L)
#define DAY_MAX	2932896L

static const char *const color_names[] = {
	[COLOR_GREEN] = "green",
	[COLOR_YELLOW] = "yellow",
	[COLOR_RED] = "red"
};

/* Indexed by bit position. */
static const char *const reason_names[REASON__COUNT] = {
	"case_confirmed",
	"case_suspected",
	"case_asymptomatic",
	"case_close_contact",
	"case_secondary_contact",
	"fever_travel_high_risk",
	"travel_high_risk",
	"travel_medium_risk",
	"fever",
	"symptoms",
	"declared_contact",
	"visit_high_risk",
	"visit_medium_risk",
	"appeal_override"
};

/* Indexed by bit position of enum symptom. */
static const char *const symptom_names[] = {
	"fever",
	"cough",
	"fatigue",
	"sore_throat",
	"loss_of_taste_smell",
	"shortness_of_breath",
	"diarrhea"
};
#define SYMPTOM__COUNT	(sizeof(symptom_names) / sizeof(symptom_names[0]))
_Static_assert((1u << SYMPTOM__COUNT) - 1 == SYM__ALL,
    "a name for every symptom bit");

static const char *const case_kind_names[CASE__MAX] = {
	[CASE_CONFIRMED] = "confirmed",
	[CASE_SUSPECTED] = "suspected",
	[CASE_ASYMPTOMATIC] = "asymptomatic",
	[CASE_CLOSE_CONTACT] = "close_contact",
	[CASE_SECONDARY_CONTACT] = "secondary_contact"
};

/* What a case-list entry of each kind causes. */
static const struct {
	enum color	level;
	unsigned	reason;
} case_causes[CASE__MAX] = {
	[CASE_CONFIRMED] = { COLOR_RED, REASON_CASE_CONFIRMED },
	[CASE_SUSPECTED] = { COLOR_RED, REASON_CASE_SUSPECTED },
	[CASE_ASYMPTOMATIC] = { COLOR_RED, REASON_CASE_ASYMPTOMATIC },
	[CASE_CLOSE_CONTACT] = { COLOR_RED, REASON_CASE_CLOSE_CONTACT },
	[CASE_SECONDARY_CONTACT] = { COLOR_YELLOW,
	    REASON_CASE_SECONDARY_CONTACT }
};

/* A declaration's state for the clearing runs. */
enum day_state {
	DAY_NONE,	/* no declaration that day */
	DAY_CLEAN,
	DAY_UNCLEAN
};

/* Days back from today whose states are worked out once per evaluation. */
#define DAY_SPAN	128

/* The evaluation in progress. */
struct eval {
	const struct rules_cfg		*cfg;
	const struct rules_input	*in;
	long				 today;
	long				 brk;	/* latest break: see find_runs() */
	long				 red_from;	/* see find_runs() */
	long				 yellow_from;
	enum color			 color;
	unsigned			 reasons;
	long				 green_on;
	int				 any;
	long				 ov_from;	/* causes up to it overridden */
	long				 ov_until;
	unsigned char			 states[DAY_SPAN];	/* of today - i */
};

static int
is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static long
days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void
civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long)yoe + era * 400 + (*m <= 2);
}

/* Parses "YYYY-MM-DD" to a day number; returns 0, or -1 if malformed or
 * impossible.  Reads at most 11 bytes. */
static int
day_parse(const char *s, long *out)
{
	static const unsigned char mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	long y = 0;
	unsigned m, d, dim;
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return -1;
		} else if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	if (s[10] != '\0')
		return -1;
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (m < 1 || m > 12)
		return -1;
	dim = mdays[m - 1] + (m == 2 && is_leap(y));
	if (d < 1 || d > dim)
		return -1;
	*out = days_from_civil(y, m, d);
	return 0;
}

/* Writes day number n as "YYYY-MM-DD", or "" outside years 0000-9999. */
static void
day_format(long n, char out[11])
{
	long y;
	unsigned m, d;

	if (n < DAY_MIN || n > DAY_MAX) {
		out[0] = '\0';
		return;
	}
	civil_from_days(n, &y, &m, &d);
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

int
day_valid(const char *day)
{
	long n;

	return day_parse(day, &n);
}

/* Writes "" when day is malformed or the result is outside 0000-9999. */
void
day_add(const char *day, int n, char out[11])
{
	long d;

	if (day_parse(day, &d) == -1) {
		out[0] = '\0';
		return;
	}
	day_format(d + n, out);
}

/* Returns 0 when either day is malformed. */
int
day_diff(const char *a, const char *b)
{
	long da, db;

	if (day_parse(a, &da) == -1 || day_parse(b, &db) == -1)
		return 0;
	return (int)(db - da);
}

struct rules_cfg
rules_default(void)
{
	struct rules_cfg cfg = {
		.fever_tenths = 373,
		.window_days = 14,
		.red_clear_days = 14,
		.yellow_clear_days = 7
	};

	return cfg;
}

/* Is region a six-digit code? Reads at most 7 bytes. */
static int
region_ok(const char *r)
{
	int i;

	if (r == NULL)
		return 0;
	for (i = 0; i < 6; i++)
		if (r[i] < '0' || r[i] > '9')
			return 0;
	return r[6] == '\0';
}

enum risk
rules_risk_of(const struct risk_area *areas, size_t n, const char *region)
{
	char city[7], prov[7];
	enum risk best = RISK_LOW;
	size_t i;

	if (!region_ok(region))
		return RISK_LOW;
	memcpy(city, region, 4);
	memcpy(city + 4, "00", 3);
	memcpy(prov, region, 2);
	memcpy(prov + 2, "0000", 5);
	for (i = 0; i < n; i++) {
		const char *a = areas[i].region;

		if (strncmp(a, region, 7) != 0 && strncmp(a, city, 7) != 0 &&
		    strncmp(a, prov, 7) != 0)
			continue;
		if (areas[i].level > best && areas[i].level <= RISK_HIGH)
			best = areas[i].level;
	}
	return best;
}

static int
has_fever(const struct rules_cfg *cfg, const struct decl *d)
{
	return d->temp_tenths >= cfg->fever_tenths ||
	    (d->symptoms & SYM_FEVER) != 0;
}

static int
is_clean(const struct rules_cfg *cfg, const struct decl *d)
{
	return !has_fever(cfg, d) && d->symptoms == 0 && d->contact == 0;
}

/*
 * Returns the state of a day.  Declarations should be one a day; if
 * there are more, any unclean one makes the day unclean.
 */
static enum day_state
day_state_scan(const struct eval *e, long day)
{
	enum day_state st = DAY_NONE;
	size_t i;
	long n;

	for (i = 0; i < e->in->ndecls; i++) {
		const struct decl *d = &e->in->decls[i];

		if (day_parse(d->day, &n) == -1 || n != day)
			continue;
		if (!is_clean(e->cfg, d))
			return DAY_UNCLEAN;
		st = DAY_CLEAN;
	}
	return st;
}

/*
 * The states of the DAY_SPAN days up to today, from one pass over the
 * declarations: find_runs() asks for days again and again, and a scan
 * of them all each time was most of an evaluation.
 */
static void
index_days(struct eval *e)
{
	size_t i;
	long n;

	for (i = 0; i < e->in->ndecls; i++) {
		const struct decl *d = &e->in->decls[i];

		if (day_parse(d->day, &n) == -1 || n > e->today ||
		    e->today - n >= DAY_SPAN)
			continue;
		if (!is_clean(e->cfg, d))
			e->states[e->today - n] = DAY_UNCLEAN;
		else if (e->states[e->today - n] == DAY_NONE)
			e->states[e->today - n] = DAY_CLEAN;
	}
}

static enum day_state
day_state(const struct eval *e, long day)
{
	if (day <= e->today && e->today - day < DAY_SPAN)
		return (enum day_state)e->states[e->today - day];
	return day_state_scan(e, day);
}

/* Raises *from to the start of the latest need-day window inside a clean
 * run that ends on day end and is len days long. */
static void
window_start(long *from, long end, long len, long need)
{
	if (len >= need && end - need + 1 > *from)
		*from = end - need + 1;
}

/* Raises *from to a clearance mark ("" for none) that is not after today. */
static void
mark_from(long *from, const char *mark, long today)
{
	long m;

	if (mark[0] != '\0' && day_parse(mark, &m) == 0 && m <= today &&
	    m > *from)
		*from = m;
}

/*
 * Finds what clears causes, once for all of them:
 *
 * brk, the latest break: today if today's declaration is unclean, else
 * the latest day before today without a clean declaration (today without
 * a declaration is not a break until the day is over).  A cause on day c
 * that is not cleared can be green again on max(brk, c) + need.
 *
 * red_from and yellow_from, the first day of the latest run of
 * red_clear_days (yellow_clear_days) clean declared days up to today:
 * a cause on day c is cleared iff that day is after c.  Any such run
 * clears it, not only one ending today: a cause once cleared stays
 * cleared, so a missed day long after a case listing is not red again.
 */
static void
find_runs(struct eval *e)
{
	const struct rules_cfg *cfg = e->cfg;
	size_t i;
	long d, s;

	d = e->today;
	switch (day_state(e, d)) {
	case DAY_UNCLEAN:
		e->brk = d;
		break;
	case DAY_NONE:
		d--;
		/* FALLTHROUGH */
	case DAY_CLEAN:
		/* Each step back needs a clean declaration: at most ndecls. */
		while (day_state(e, d) == DAY_CLEAN)
			d--;
		e->brk = d;
		break;
	}

	e->red_from = e->yellow_from = LONG_MIN;
	for (i = 0; i < e->in->ndecls; i++) {
		/* Walk each maximal clean run back from its last day. */
		if (day_parse(e->in->decls[i].day, &d) == -1 || d > e->today ||
		    day_state(e, d) != DAY_CLEAN ||
		    (d < e->today && day_state(e, d + 1) == DAY_CLEAN))
			continue;
		for (s = d; day_state(e, s - 1) == DAY_CLEAN; s--)
			;
		window_start(&e->red_from, d, d - s + 1, cfg->red_clear_days);
		window_start(&e->yellow_from, d, d - s + 1,
		    cfg->yellow_clear_days);
	}
	/*
	 * Runs seen before, whose declarations may have been purged since:
	 * what cleared a cause then clears it still.
	 */
	mark_from(&e->red_from, e->in->red_cleared_from, e->today);
	mark_from(&e->yellow_from, e->in->yellow_cleared_from, e->today);
}

/*
 * Weighs one cause on day c: active while inside its window (if it has
 * one) or until cleared by enough clean days after it.
 */
static void
cause(struct eval *e, enum color level, unsigned reason, long c,
    int windowed, int fresh)
{
	long need, from, brk, g;
	int window = e->cfg->window_days, cleared;

	if (c > e->today)
		return;		/* listed or dated in the future: bad data */
	if (c <= e->ov_from && !fresh)
		return;		/* decided on by an appeal */
	if (level == COLOR_RED) {
		need = e->cfg->red_clear_days;
		from = e->red_from;
	} else {
		need = e->cfg->yellow_clear_days;
		from = e->yellow_from;
	}
	cleared = need <= 0 || from > c;
	if (!(windowed && e->today - c < window) && cleared)
		return;
	g = windowed ? c + window : c;
	brk = e->brk > c ? e->brk : c;
	if (!cleared && brk + need > g)
		g = brk + need;
	if (level > e->color)
		e->color = level;
	e->reasons |= reason;
	if (!e->any || g > e->green_on)
		e->green_on = g;
	e->any = 1;
}

/* The causes in one declaration: its travel, fever, symptoms, contact. */
static void
decl_causes(struct eval *e, const struct decl *d)
{
	const struct rules_input *in = e->in;
	int fever = has_fever(e->cfg, d), fever_travel = 0;
	long day, td;
	size_t i;

	if (day_parse(d->day, &day) == -1 || day > e->today)
		return;
	for (i = 0; i < d->ntravel && d->travel != NULL; i++) {
		const struct travel *t = &d->travel[i];

		if (day_parse(t->date, &td) == -1)
			continue;
		switch (rules_risk_of(in->areas, in->nareas, t->region)) {
		case RISK_HIGH:
			cause(e, COLOR_YELLOW, REASON_TRAVEL_HIGH_RISK, td, 1,
			    d->fresh);
			if (fever && day - td >= 0 &&
			    day - td < e->cfg->window_days)
				fever_travel = 1;
			break;
		case RISK_MEDIUM:
			cause(e, COLOR_YELLOW, REASON_TRAVEL_MEDIUM_RISK, td, 1,
			    d->fresh);
			break;
		default:
			break;
		}
	}
	if (fever_travel)
		cause(e, COLOR_RED, REASON_FEVER_HIGH_RISK_TRAVEL, day, 1,
		    d->fresh);
	if (fever)
		cause(e, COLOR_YELLOW, REASON_FEVER, day, 0, d->fresh);
	if ((d->symptoms & ~(unsigned)SYM_FEVER) != 0)
		cause(e, COLOR_YELLOW, REASON_SYMPTOMS, day, 0, d->fresh);
	if (d->contact)
		cause(e, COLOR_YELLOW, REASON_CONTACT, day, 0, d->fresh);
}

/* Check-ins at venues in a risk area: like declared travel. */
static void
visit_causes(struct eval *e)
{
	const struct rules_input *in = e->in;
	size_t i;
	long td;

	for (i = 0; i < in->nvisits && in->visits != NULL; i++) {
		const struct travel *t = &in->visits[i];

		if (day_parse(t->date, &td) == -1)
			continue;
		switch (rules_risk_of(in->areas, in->nareas, t->region)) {
		case RISK_HIGH:
			cause(e, COLOR_YELLOW, REASON_VISIT_HIGH_RISK, td, 1,
			    t->fresh);
			break;
		case RISK_MEDIUM:
			cause(e, COLOR_YELLOW, REASON_VISIT_MEDIUM_RISK, td, 1,
			    t->fresh);
			break;
		default:
			break;
		}
	}
}

/* Sets e's override window if the input's is in force today. */
static void
override_start(struct eval *e)
{
	const struct override *o = &e->in->override;
	long from, until;

	e->ov_from = e->ov_until = LONG_MIN;
	if ((unsigned)o->color > COLOR_RED || day_parse(o->from, &from) == -1 ||
	    day_parse(o->until, &until) == -1)
		return;
	if (from <= e->today && e->today <= until) {
		e->ov_from = from;
		e->ov_until = until;
	}
}

/*
 * The override on top of what later causes gave: the worse of the two;
 * green again the day after it ends if it is not green itself.
 */
static void
override_end(struct eval *e)
{
	enum color oc = e->in->override.color;

	if (e->ov_from == LONG_MIN)
		return;
	e->reasons |= REASON_APPEAL_OVERRIDE;
	if (oc > e->color)
		e->color = oc;
	if (oc != COLOR_GREEN && (!e->any || e->ov_until + 1 > e->green_on))
		e->green_on = e->ov_until + 1;
	e->any = 1;
}

void
rules_eval(const struct rules_cfg *cfg, const struct rules_input *in,
    struct rules_result *out)
{
	struct eval e;
	size_t i;
	long c;

	memset(&e, 0, sizeof(e));
	e.cfg = cfg;
	e.in = in;
	e.color = COLOR_GREEN;
	e.ov_from = e.ov_until = LONG_MIN;
	out->color = COLOR_GREEN;
	out->reasons = 0;
	out->green_on[0] = '\0';
	out->red_clear_from[0] = out->yellow_clear_from[0] = '\0';
	if (day_parse(in->today, &e.today) == -1)
		return;
	override_start(&e);
	index_days(&e);
	find_runs(&e);
	if (e.red_from != LONG_MIN)
		day_format(e.red_from, out->red_clear_from);
	if (e.yellow_from != LONG_MIN)
		day_format(e.yellow_from, out->yellow_clear_from);

	for (i = 0; i < in->ncases; i++) {
		const struct case_entry *ce = &in->cases[i];

		if ((unsigned)ce->kind >= CASE__MAX ||
		    day_parse(ce->listed, &c) == -1)
			continue;
		cause(&e, case_causes[ce->kind].level,
		    case_causes[ce->kind].reason, c, 1, ce->fresh);
	}
	for (i = 0; i < in->ndecls; i++)
		decl_causes(&e, &in->decls[i]);
	visit_causes(&e);
	override_end(&e);

	if (!e.any)
		return;
	out->color = e.color;
	out->reasons = e.reasons;
	if (e.color != COLOR_GREEN)
		day_format(e.green_on, out->green_on);
}

int
color_parse(const char *s, enum color *out)
{
	if (strcmp(s, "green") == 0)
		*out = COLOR_GREEN;
	else if (strcmp(s, "yellow") == 0)
		*out = COLOR_YELLOW;
	else if (strcmp(s, "red") == 0)
		*out = COLOR_RED;
	else
		return -1;
	return 0;
}

const char *
color_name(enum color c)
{
	return (unsigned)c <= COLOR_RED ? color_names[c] : "";
}

const char *
reason_name(unsigned reason_bit)
{
	unsigned i;

	for (i = 0; i < REASON__COUNT; i++)
		if (reason_bit == 1u << i)
			return reason_names[i];
	return "";
}

unsigned
symptom_parse(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < SYMPTOM__COUNT; i++)
		if (strcmp(name, symptom_names[i]) == 0)
			return 1u << i;
	return 0;
}

const char *
symptom_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < SYMPTOM__COUNT; i++)
		if (bit == 1u << i)
			return symptom_names[i];
	return "";
}

enum case_kind
case_kind_parse(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < CASE__MAX; i++)
		if (strcmp(name, case_kind_names[i]) == 0)
			return (enum case_kind)i;
	return CASE__MAX;
}

const char *
case_kind_name(enum case_kind k)
{
	return (unsigned)k < CASE__MAX ? case_kind_names[k] : "";
}
