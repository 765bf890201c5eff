/*
 * The colour rules: a pure function from a person's recent declarations,
 * case-list entries, the risk areas and "today" to a colour, the reasons,
 * and the day the person can be green again.  No I/O, no clock: every
 * input is an argument, so every rule is a table-driven unit test.
 *
 * Days are "YYYY-MM-DD" strings of the configured time zone's calendar
 * (the caller computes them with the daily cutoff).
 */
#ifndef HC_RULES_H
#define HC_RULES_H

#include <stddef.h>

enum color {
	COLOR_GREEN,
	COLOR_YELLOW,
	COLOR_RED
};

/* Symptoms a declaration can list: bits of a mask. */
enum symptom {
	SYM_FEVER = 1 << 0,
	SYM_COUGH = 1 << 1,
	SYM_FATIGUE = 1 << 2,
	SYM_SORE_THROAT = 1 << 3,
	SYM_LOSS_OF_TASTE_SMELL = 1 << 4,
	SYM_SHORTNESS_OF_BREATH = 1 << 5,
	SYM_DIARRHEA = 1 << 6,
	SYM__ALL = (1 << 7) - 1
};

/* Kinds of case-list entry. */
enum case_kind {
	CASE_CONFIRMED,
	CASE_SUSPECTED,
	CASE_ASYMPTOMATIC,
	CASE_CLOSE_CONTACT,
	CASE_SECONDARY_CONTACT,
	CASE__MAX
};

enum risk {
	RISK_LOW,
	RISK_MEDIUM,
	RISK_HIGH
};

/* Reasons: stable codes, bits of a mask, named by reason_name(). */
enum reason {
	REASON_CASE_CONFIRMED = 1 << 0,		/* "case_confirmed" */
	REASON_CASE_SUSPECTED = 1 << 1,		/* "case_suspected" */
	REASON_CASE_ASYMPTOMATIC = 1 << 2,	/* "case_asymptomatic" */
	REASON_CASE_CLOSE_CONTACT = 1 << 3,	/* "case_close_contact" */
	REASON_CASE_SECONDARY_CONTACT = 1 << 4,	/* "case_secondary_contact" */
	REASON_FEVER_HIGH_RISK_TRAVEL = 1 << 5,	/* "fever_travel_high_risk" */
	REASON_TRAVEL_HIGH_RISK = 1 << 6,	/* "travel_high_risk" */
	REASON_TRAVEL_MEDIUM_RISK = 1 << 7,	/* "travel_medium_risk" */
	REASON_FEVER = 1 << 8,			/* "fever" */
	REASON_SYMPTOMS = 1 << 9,		/* "symptoms" */
	REASON_CONTACT = 1 << 10,		/* "declared_contact" */
	REASON_VISIT_HIGH_RISK = 1 << 11,	/* "visit_high_risk" */
	REASON_VISIT_MEDIUM_RISK = 1 << 12,	/* "visit_medium_risk" */
	REASON_APPEAL_OVERRIDE = 1 << 13,	/* "appeal_override" */
	REASON__COUNT = 14
};

/* Places in a day's declaration: declare.c refuses more, colour.c reads that many. */
#define TRAVEL_MAX	50

/*
 * "fresh" (here, in struct decl and struct case_entry): recorded after
 * the override in force was decided, so not covered by it whatever day
 * it names.  A declaration's travel is as fresh as the declaration.
 */
struct travel {
	char	region[7];	/* GB/T 2260 six digits */
	char	date[11];	/* day of the visit */
	int	fresh;		/* venue check-ins (rules_input.visits) */
};

struct decl {
	char			 day[11];
	int			 temp_tenths;	/* 365 = 36.5 C */
	unsigned		 symptoms;	/* enum symptom bits */
	int			 contact;	/* declared contact with a case */
	const struct travel	*travel;
	size_t			 ntravel;
	int			 fresh;
};

struct case_entry {
	enum case_kind	kind;
	char		listed[11];	/* day the authority listed the person */
	int		fresh;
};

struct risk_area {
	char		region[7];	/* province XX0000, city XXXX00 or county */
	enum risk	level;
};

/*
 * An appeal's override: colour from day from through day until, over
 * every cause dated up to from and not fresh; the others count on top
 * of it.
 */
struct override {
	enum color	color;
	char		from[11];	/* "" for none */
	char		until[11];
};

/* Thresholds, windows and day counts: configuration, not code. */
struct rules_cfg {
	int	fever_tenths;		/* fever at or above: 373 */
	int	window_days;		/* travel and case lists count this long: 14 */
	int	red_clear_days;		/* clean declaration days back to green: 14 */
	int	yellow_clear_days;	/* 7 */
};

struct rules_input {
	const struct decl	 *decls;	/* any order; at most one per day */
	size_t			  ndecls;
	const struct case_entry	 *cases;
	size_t			  ncases;
	const struct risk_area	 *areas;	/* current designations */
	size_t			  nareas;
	/* Venue check-ins: where (the venue's region) and the day. */
	const struct travel	 *visits;
	size_t			  nvisits;
	struct override		  override;
	char			  today[11];
	/*
	 * Clearance marks kept from earlier evaluations (rules_result), ""
	 * for none: the first day of a run of clean declarations that was
	 * long enough to clear red (yellow) causes before it.  They keep a
	 * cleared cause cleared after the run's declarations are purged.
	 */
	char			  red_cleared_from[11];
	char			  yellow_cleared_from[11];
};

struct rules_result {
	enum color	color;
	unsigned	reasons;	/* enum reason bits behind the colour */
	char		green_on[11];	/* first day it can be green; "" when green */
	/* The clearance marks to keep: the input's or later ones; "" none. */
	char		red_clear_from[11];
	char		yellow_clear_from[11];
};

/* Returns the default configuration (Hangzhou/Guangdong practice). */
struct rules_cfg rules_default(void);

/* Evaluates the rules. */
void rules_eval(const struct rules_cfg *cfg, const struct rules_input *in,
    struct rules_result *out);

/* Returns the risk level of region: the highest designation of the region
 * itself, its city (XXXX00) or its province (XX0000). */
enum risk rules_risk_of(const struct risk_area *areas, size_t n,
    const char *region);

/* Names: "green"/"yellow"/"red"; reason codes; symptom names ("fever", "cough", ...). */
const char *color_name(enum color c);
/* Parses "green"/"yellow"/"red"; 0, or -1 for anything else. */
int color_parse(const char *s, enum color *out);
const char *reason_name(unsigned reason_bit);
/* Returns the bit for a symptom name, or 0. */
unsigned symptom_parse(const char *name);
const char *symptom_name(unsigned bit);
/* Returns the case kind for "confirmed", "suspected", "asymptomatic",
 * "close_contact", "secondary_contact", or CASE__MAX. */
enum case_kind case_kind_parse(const char *name);
const char *case_kind_name(enum case_kind k);

/* Day arithmetic on "YYYY-MM-DD": returns 0 or -1 for a malformed or impossible date. */
int day_valid(const char *day);
/* Writes day + n days (n may be negative) to out (11 bytes). */
void day_add(const char *day, int n, char out[11]);
/* Returns b - a in days. */
int day_diff(const char *a, const char *b);

#endif
