/*
 * Tests for the colour rules and the day arithmetic under them.
 *
 * Each rules row gives its inputs as day offsets from "today" and the
 * expected colour, reasons and green_on (also an offset, NONE for "").
 * Every row runs against several todays, so each one also crosses a
 * month end, a year end and a leap day.  Defaults: fever at 37.3 C,
 * window 14 days, red cleared by 14 clean days, yellow by 7.
 *
 * Reading the comments: T is today, C the cause day, B the latest break
 * (no or unclean declaration after C; C if none; today if today is
 * unclean), run = clean declared days after B up to today (yesterday if
 * today is undeclared), G = max(C + 14 if windowed else C, B + N).
 */
#include <limits.h>
#include <string.h>

#include "../handlers/rules.h"
#include "t.h"

#define NONE	INT_MIN		/* green_on is "" */
#define NT	365		/* normal temperature */

/* Areas designated for every row. */
#define R_HIGH		"330106"	/* county, high */
#define R_SIBLING	"330102"	/* another county of its city: low */
#define R_HIGH_CITY	"330100"	/* the city of R_HIGH: low */
#define R_MED_VIA_CITY	"440304"	/* county of 440300 (medium city) */
#define R_MIXED		"440305"	/* high county inside the medium city */
#define R_MED_PROV	"440000"	/* province of the medium city: low */
#define R_VIA_PROV	"310115"	/* county of 310000 (high province) */
#define R_MED		"110105"	/* county, medium */

static const struct risk_area areas[] = {
	{ "330106", RISK_HIGH },
	{ "440300", RISK_MEDIUM },
	{ "440305", RISK_HIGH },
	{ "310000", RISK_HIGH },
	{ "110105", RISK_MEDIUM },
	{ "120000", RISK_LOW },
};
#define NAREAS	(sizeof(areas) / sizeof(areas[0]))

struct ttrip {
	const char	*region;
	int		 day;
	const char	*raw;		/* a literal date instead of day */
};

struct tdecl {
	int		 on;
	int		 day;
	int		 temp;
	unsigned	 sym;
	int		 contact;
	const char	*raw;		/* a literal day instead of day */
	struct ttrip	 trip[2];
};

struct tcase {
	int		 on;
	enum case_kind	 kind;
	int		 listed;
	const char	*raw;		/* a literal day instead of listed */
	int		 fresh;		/* recorded after the override */
};

struct row {
	const char		*what;
	const struct rules_cfg	*cfg;		/* NULL: rules_default() */
	int			 clean[3];	/* on, from, to: clean days */
	int			 gap[2];	/* on, day: none that day */
	struct tdecl		 decl[3];
	struct tcase		 cases[3];
	struct ttrip		 visit[2];	/* venue check-ins */
	struct { int on; enum color c; int from, until; } ov;
	enum color		 color;
	unsigned		 reasons;
	int			 green_on;
};

#define CLEAN(a, b)	.clean = { 1, (a), (b) }
#define GAP(d)		.gap = { 1, (d) }
#define DECL(d, t, s, c) { 1, (d), (t), (s), (c), NULL, { { NULL, 0, NULL } } }
#define DECL_RAW(r, t)	{ 1, 0, (t), 0, 0, (r), { { NULL, 0, NULL } } }
#define TRIP(d, t, reg, td) { 1, (d), (t), 0, 0, NULL, { { (reg), (td), NULL } } }
#define TRIP_RAW(d, reg, r) { 1, (d), NT, 0, 0, NULL, { { (reg), 0, (r) } } }
#define CASE(k, l)	{ 1, (k), (l), NULL, 0 }
#define CASE_FRESH(k, l) { 1, (k), (l), NULL, 1 }
#define CASE_RAW(k, r)	{ 1, (k), 0, (r), 0 }
#define VISIT(reg, d)	{ (reg), (d), NULL }
#define OVERRIDE(c, f, u) .ov = { 1, (c), (f), (u) }
#define EXPECT(c, r, g)	.color = (c), .reasons = (r), .green_on = (g)

#define GREEN	COLOR_GREEN
#define YELLOW	COLOR_YELLOW
#define RED	COLOR_RED
#define CONF	REASON_CASE_CONFIRMED
#define SUSP	REASON_CASE_SUSPECTED
#define ASYM	REASON_CASE_ASYMPTOMATIC
#define CLOSE	REASON_CASE_CLOSE_CONTACT
#define SECOND	REASON_CASE_SECONDARY_CONTACT
#define FTRAV	REASON_FEVER_HIGH_RISK_TRAVEL
#define THIGH	REASON_TRAVEL_HIGH_RISK
#define TMED	REASON_TRAVEL_MEDIUM_RISK
#define FEVER	REASON_FEVER
#define SYMP	REASON_SYMPTOMS
#define CONT	REASON_CONTACT
#define VHIGH	REASON_VISIT_HIGH_RISK
#define VMED	REASON_VISIT_MEDIUM_RISK
#define APPEAL	REASON_APPEAL_OVERRIDE

/* Window 7, red 7, yellow 3, fever at 38.0. */
static const struct rules_cfg short_cfg = { 380, 7, 7, 3 };

static const struct row rows[] = {
	/* Nothing at all. */
	{ "no inputs", EXPECT(GREEN, 0, NONE) },
	{ "clean declarations only", CLEAN(-20, 0), EXPECT(GREEN, 0, NONE) },

	/* Case list, red kinds. */
	{ "confirmed listed today",	/* C=B=T: G=max(T+14,T+14) */
	  .cases = { CASE(CASE_CONFIRMED, 0) }, EXPECT(RED, CONF, 14) },
	{ "confirmed today, clean today", /* yesterday's gap is before C */
	  CLEAN(0, 0), .cases = { CASE(CASE_CONFIRMED, 0) },
	  EXPECT(RED, CONF, 14) },
	{ "confirmed -13, 13 clean days", /* in window; G=max(T+1,C+14) */
	  CLEAN(-12, 0), .cases = { CASE(CASE_CONFIRMED, -13) },
	  EXPECT(RED, CONF, 1) },
	{ "confirmed -14, 14 clean days", /* window over, run 14 >= 14 */
	  CLEAN(-13, 0), .cases = { CASE(CASE_CONFIRMED, -14) },
	  EXPECT(GREEN, 0, NONE) },
	{ "confirmed -14, gap at -3",	/* B=T-3, run 3: G=max(T,T+11) */
	  CLEAN(-13, 0), GAP(-3), .cases = { CASE(CASE_CONFIRMED, -14) },
	  EXPECT(RED, CONF, 11) },
	{ "confirmed -14, none today",	/* run -13..-1 = 13: G=max(T,T) */
	  CLEAN(-13, -1), .cases = { CASE(CASE_CONFIRMED, -14) },
	  EXPECT(RED, CONF, 0) },
	{ "confirmed -15, none today",	/* run -14..-1 = 14: not a break yet */
	  CLEAN(-14, -1), .cases = { CASE(CASE_CONFIRMED, -15) },
	  EXPECT(GREEN, 0, NONE) },
	{ "confirmed -14, cough today",	/* today unclean: B=T, G=T+14 */
	  CLEAN(-13, -1), .decl = { DECL(0, NT, SYM_COUGH, 0) },
	  .cases = { CASE(CASE_CONFIRMED, -14) },
	  EXPECT(RED, CONF | SYMP, 14) },
	{ "confirmed -20, never declared", /* B=T-1 (yesterday): T+13 */
	  .cases = { CASE(CASE_CONFIRMED, -20) }, EXPECT(RED, CONF, 13) },
	{ "suspected -5, never declared", /* G=max(T+9, T-1+14) */
	  .cases = { CASE(CASE_SUSPECTED, -5) }, EXPECT(RED, SUSP, 13) },
	{ "asymptomatic -2, clean since", /* B=C: G=max(T+12,T+12) */
	  CLEAN(-1, 0), .cases = { CASE(CASE_ASYMPTOMATIC, -2) },
	  EXPECT(RED, ASYM, 12) },
	{ "close contact -13, clean since", /* in window: G=T+1 */
	  CLEAN(-12, 0), .cases = { CASE(CASE_CLOSE_CONTACT, -13) },
	  EXPECT(RED, CLOSE, 1) },
	{ "close contact -14, clean since", /* out of window, run 14 */
	  CLEAN(-13, 0), .cases = { CASE(CASE_CLOSE_CONTACT, -14) },
	  EXPECT(GREEN, 0, NONE) },

	/* Case list, secondary contact: yellow. */
	{ "secondary contact today",	/* G=max(T+14, T+7) */
	  .cases = { CASE(CASE_SECONDARY_CONTACT, 0) },
	  EXPECT(YELLOW, SECOND, 14) },
	{ "secondary -13, clean since",	/* in window: G=max(T+1, T-6) */
	  CLEAN(-12, 0), .cases = { CASE(CASE_SECONDARY_CONTACT, -13) },
	  EXPECT(YELLOW, SECOND, 1) },
	{ "secondary -14, 7 clean days", /* B=T-7, run 7 >= 7 */
	  CLEAN(-6, 0), .cases = { CASE(CASE_SECONDARY_CONTACT, -14) },
	  EXPECT(GREEN, 0, NONE) },
	{ "secondary -14, 6 clean days", /* B=T-6, run 6: G=max(T,T+1) */
	  CLEAN(-5, 0), .cases = { CASE(CASE_SECONDARY_CONTACT, -14) },
	  EXPECT(YELLOW, SECOND, 1) },

	/* Fever, symptoms, declared contact: yellow, not windowed. */
	{ "37.3 today",			/* B=C=T: G=T+7 */
	  .decl = { DECL(0, 373, 0, 0) }, EXPECT(YELLOW, FEVER, 7) },
	{ "37.2 today",			/* below threshold: clean */
	  .decl = { DECL(0, 372, 0, 0) }, EXPECT(GREEN, 0, NONE) },
	{ "fever symptom, 36.5",	/* SYM_FEVER is fever too */
	  .decl = { DECL(0, NT, SYM_FEVER, 0) }, EXPECT(YELLOW, FEVER, 7) },
	{ "cough today",
	  .decl = { DECL(0, NT, SYM_COUGH, 0) }, EXPECT(YELLOW, SYMP, 7) },
	{ "fever and diarrhea",		/* fever is not "another symptom" */
	  .decl = { DECL(0, 380, SYM_DIARRHEA, 0) },
	  EXPECT(YELLOW, FEVER | SYMP, 7) },
	{ "declared contact",
	  .decl = { DECL(0, NT, 0, 1) }, EXPECT(YELLOW, CONT, 7) },
	{ "all three",
	  .decl = { DECL(0, NT, SYM_FEVER | SYM_FATIGUE, 1) },
	  EXPECT(YELLOW, FEVER | SYMP | CONT, 7) },
	{ "fever -7, 7 clean days",	/* B=C=T-7, run 7: cleared */
	  CLEAN(-6, 0), .decl = { DECL(-7, 390, 0, 0) },
	  EXPECT(GREEN, 0, NONE) },
	{ "fever -6, 6 clean days",	/* run 6: G=T-6+7 */
	  CLEAN(-5, 0), .decl = { DECL(-6, 390, 0, 0) },
	  EXPECT(YELLOW, FEVER, 1) },
	{ "fever -7, clean to yesterday", /* run 6 until today is declared */
	  CLEAN(-6, -1), .decl = { DECL(-7, 390, 0, 0) },
	  EXPECT(YELLOW, FEVER, 0) },
	{ "fever -10, gap at -4",	/* runs 5 and 4; B=T-4: G=T+3 */
	  CLEAN(-9, 0), GAP(-4), .decl = { DECL(-10, 390, 0, 0) },
	  EXPECT(YELLOW, FEVER, 3) },
	{ "fever -10, gap at -2",	/* run -9..-3 is 7: cleared */
	  CLEAN(-9, 0), GAP(-2), .decl = { DECL(-10, 390, 0, 0) },
	  EXPECT(GREEN, 0, NONE) },
	{ "fever -3, nothing since",	/* B=T-1: G=T+6 */
	  .decl = { DECL(-3, 390, 0, 0) }, EXPECT(YELLOW, FEVER, 6) },
	{ "cleared fever, new secondary", /* fever -8 run 8; C=B=T-1 */
	  CLEAN(-7, 0), .decl = { DECL(-8, 390, 0, 0) },
	  .cases = { CASE(CASE_SECONDARY_CONTACT, -1) },
	  EXPECT(YELLOW, SECOND, 13) },

	/* Travel: yellow, windowed; clean declaration today, none before,
	 * so B=T-1 and run 1. */
	{ "medium via city, -3",	/* G=max(T+11, T+6) */
	  .decl = { TRIP(0, NT, R_MED_VIA_CITY, -3) },
	  EXPECT(YELLOW, TMED, 11) },
	{ "medium county, today",	/* G=max(T+14, T+6) */
	  .decl = { TRIP(0, NT, R_MED, 0) }, EXPECT(YELLOW, TMED, 14) },
	{ "high county, -3",
	  .decl = { TRIP(0, NT, R_HIGH, -3) }, EXPECT(YELLOW, THIGH, 11) },
	{ "high via province, -13",	/* in window: G=max(T+1, T+6) */
	  .decl = { TRIP(0, NT, R_VIA_PROV, -13) },
	  EXPECT(YELLOW, THIGH, 6) },
	{ "high county, -14, run 1",	/* out of window, uncleared */
	  .decl = { TRIP(0, NT, R_HIGH, -14) }, EXPECT(YELLOW, THIGH, 6) },
	{ "high county, -14, run 7",	/* out of window, B=T-7 run 7 */
	  CLEAN(-6, -1), .decl = { TRIP(0, NT, R_HIGH, -14) },
	  EXPECT(GREEN, 0, NONE) },
	{ "high county inside medium city", /* the highest wins */
	  .decl = { TRIP(0, NT, R_MIXED, -3) }, EXPECT(YELLOW, THIGH, 11) },
	{ "city of a high county",	/* county does not taint its city */
	  .decl = { TRIP(0, NT, R_HIGH_CITY, -3) }, EXPECT(GREEN, 0, NONE) },
	{ "sibling county",
	  .decl = { TRIP(0, NT, R_SIBLING, -3) }, EXPECT(GREEN, 0, NONE) },
	{ "province of a medium city",	/* city does not taint province */
	  .decl = { TRIP(0, NT, R_MED_PROV, -3) }, EXPECT(GREEN, 0, NONE) },
	{ "travel in an old declaration", /* C=T-12 in window; nothing
					   * declared since T-10: B=T-1 */
	  .decl = { TRIP(-10, NT, R_HIGH, -12) },	/* max(T+2, T+6) */
	  EXPECT(YELLOW, THIGH, 6) },

	/* Fever with high-risk travel: red. */
	{ "fever, high travel -13",	/* red C=T: T+14; travel T+7 */
	  .decl = { TRIP(0, 373, R_HIGH, -13) },
	  EXPECT(RED, FTRAV | THIGH | FEVER, 14) },
	{ "fever, high travel -14",	/* no red; travel out of window but
					 * B=T: G=T+7; fever T+7 */
	  .decl = { TRIP(0, 373, R_HIGH, -14) },
	  EXPECT(YELLOW, THIGH | FEVER, 7) },
	{ "fever, high travel same day -5", /* B=C=T-5: red max(T+9,T+9) */
	  CLEAN(-4, 0), .decl = { TRIP(-5, 380, R_HIGH, -5) },
	  EXPECT(RED, FTRAV | THIGH | FEVER, 9) },
	{ "fever -1, high travel -1",	/* B=T-1: red T+13 */
	  CLEAN(0, 0), .decl = { TRIP(-1, 380, R_VIA_PROV, -1) },
	  EXPECT(RED, FTRAV | THIGH | FEVER, 13) },
	{ "fever, medium travel -1",	/* medium is never red: T+13 */
	  .decl = { TRIP(0, 380, R_MED_VIA_CITY, -1) },
	  EXPECT(YELLOW, TMED | FEVER, 13) },
	{ "fever, low travel",
	  .decl = { TRIP(0, 380, R_SIBLING, -1) }, EXPECT(YELLOW, FEVER, 7) },
	{ "fever today, travel in another declaration", /* must be in d */
	  .decl = { TRIP(-2, NT, R_HIGH, -3), DECL(0, 380, 0, 0) },
	  EXPECT(YELLOW, THIGH | FEVER, 11) },	/* travel max(T+11,T+7) */
	{ "fever symptom, high travel today", /* symptom bit is fever */
	  .decl = { { 1, 0, NT, SYM_FEVER, 0, NULL,
	    { { R_HIGH, 0, NULL } } } },
	  EXPECT(RED, FTRAV | THIGH | FEVER, 14) },
	{ "fever, two trips",		/* high -14 alone is not red; medium
					 * -2 adds its reason: max(T+12,T+7) */
	  .decl = { { 1, 0, 380, 0, 0, NULL,
	    { { R_HIGH, -14, NULL }, { R_MED, -2, NULL } } } },
	  EXPECT(YELLOW, THIGH | TMED | FEVER, 12) },

	/* Red and yellow together: red wins, reasons are the union,
	 * green_on the latest over every active cause. */
	{ "confirmed -2, secondary today", /* red max(T+12,T+13); yellow
					    * max(T+14,T+7) */
	  .cases = { CASE(CASE_CONFIRMED, -2), CASE(CASE_SECONDARY_CONTACT, 0) },
	  EXPECT(RED, CONF | SECOND, 14) },
	{ "close contact and medium travel",
	  .decl = { TRIP(0, NT, R_MED, -1) },
	  .cases = { CASE(CASE_CLOSE_CONTACT, -1) },	/* B=T-1: T+13 */
	  EXPECT(RED, CLOSE | TMED, 13) },
	{ "fever on the listing day",	/* B=T already: red stays T+14,
					 * fever adds its reason */
	  .decl = { DECL(0, 380, 0, 0) },
	  .cases = { CASE(CASE_CONFIRMED, 0) },
	  EXPECT(RED, CONF | FEVER, 14) },
	{ "fever during a red period",	/* without it G=max(T+9,C+14)=T+9;
					 * the fever is a break: B=T */
	  CLEAN(-4, -1), .decl = { DECL(0, 380, 0, 0) },
	  .cases = { CASE(CASE_CONFIRMED, -5) },
	  EXPECT(RED, CONF | FEVER, 14) },
	{ "confirmed -5, clean since",	/* the same without the fever */
	  CLEAN(-4, 0), .cases = { CASE(CASE_CONFIRMED, -5) },
	  EXPECT(RED, CONF, 9) },
	{ "cleared red, active yellow",	/* red run 14; cough -3 B=T-3 */
	  CLEAN(-19, 0), .decl = { DECL(-3, NT, SYM_COUGH, 0) },
	  .cases = { CASE(CASE_SUSPECTED, -20) },
	  EXPECT(YELLOW, SYMP, 4) },

	/* Any N-day clean run after the cause clears it, not only one
	 * that reaches today: cleared stays cleared. */
	{ "confirmed -30, 14-day run long ago", /* -29..-16: cleared */
	  CLEAN(-29, -16), .cases = { CASE(CASE_CONFIRMED, -30) },
	  EXPECT(GREEN, 0, NONE) },
	{ "confirmed -30, 13-day run long ago", /* not cleared, B=T-1 */
	  CLEAN(-29, -17), .cases = { CASE(CASE_CONFIRMED, -30) },
	  EXPECT(RED, CONF, 13) },
	{ "fever -20, cleared, then missed days", /* run -19..-2 */
	  CLEAN(-19, -2), .decl = { DECL(-20, 390, 0, 0) },
	  EXPECT(GREEN, 0, NONE) },
	{ "secondary -14, clean -14..-8", /* C's own day does not count:
					   * run 6; B=T-1: max(T, T+6) */
	  CLEAN(-14, -8), .cases = { CASE(CASE_SECONDARY_CONTACT, -14) },
	  EXPECT(YELLOW, SECOND, 6) },
	{ "secondary -10, cleared, in window", /* run -9..-2 = 8 >= 7:
						* only C+14 holds it */
	  CLEAN(-9, 0), GAP(-1), .cases = { CASE(CASE_SECONDARY_CONTACT, -10) },
	  EXPECT(YELLOW, SECOND, 4) },
	{ "secondary -10, 4-day run, in window", /* B=T-1: max(T+4,T+6) */
	  CLEAN(-5, 0), GAP(-1), .cases = { CASE(CASE_SECONDARY_CONTACT, -10) },
	  EXPECT(YELLOW, SECOND, 6) },

	/* Future and malformed entries are ignored. */
	{ "confirmed tomorrow", .cases = { CASE(CASE_CONFIRMED, 1) },
	  EXPECT(GREEN, 0, NONE) },
	{ "secondary in 3 days", .cases = { CASE(CASE_SECONDARY_CONTACT, 3) },
	  EXPECT(GREEN, 0, NONE) },
	{ "future case, fever today",
	  .decl = { DECL(0, 380, 0, 0) },
	  .cases = { CASE(CASE_CONFIRMED, 1) }, EXPECT(YELLOW, FEVER, 7) },
	{ "fever tomorrow", .decl = { DECL(1, 390, 0, 0) },
	  EXPECT(GREEN, 0, NONE) },
	{ "future unclean day is no break", /* only today..-13 count */
	  CLEAN(-13, 0), .decl = { DECL(1, 390, SYM_COUGH, 1) },
	  .cases = { CASE(CASE_CONFIRMED, -14) }, EXPECT(GREEN, 0, NONE) },
	{ "travel dated in 2 days", .decl = { TRIP(0, NT, R_HIGH, 2) },
	  EXPECT(GREEN, 0, NONE) },
	{ "confirmed on 2026-02-29",
	  .cases = { CASE_RAW(CASE_CONFIRMED, "2026-02-29") },
	  EXPECT(GREEN, 0, NONE) },
	{ "confirmed on \"\"", .cases = { CASE_RAW(CASE_CONFIRMED, "") },
	  EXPECT(GREEN, 0, NONE) },
	{ "unknown case kind", .cases = { CASE(CASE__MAX, 0) },
	  EXPECT(GREEN, 0, NONE) },
	{ "fever on 2026-13-01", .decl = { DECL_RAW("2026-13-01", 390) },
	  EXPECT(GREEN, 0, NONE) },
	{ "travel on 2026-1-01", .decl = { TRIP_RAW(0, R_HIGH, "2026-1-01") },
	  EXPECT(GREEN, 0, NONE) },
	{ "travel to a 5-digit region", .decl = { TRIP(0, NT, "33010", -1) },
	  EXPECT(GREEN, 0, NONE) },

	/* Thresholds and windows come from the configuration. */
	{ "short: 37.9 is no fever", &short_cfg,
	  .decl = { DECL(0, 379, 0, 0) }, EXPECT(GREEN, 0, NONE) },
	{ "short: 38.0 is fever",	/* yellow 3 */
	  &short_cfg, .decl = { DECL(0, 380, 0, 0) },
	  EXPECT(YELLOW, FEVER, 3) },
	{ "short: confirmed -6",	/* window 7: G=max(T+1, T+1) */
	  &short_cfg, CLEAN(-5, 0), .cases = { CASE(CASE_CONFIRMED, -6) },
	  EXPECT(RED, CONF, 1) },
	{ "short: confirmed -7",	/* out of window 7, run 7 */
	  &short_cfg, CLEAN(-6, 0), .cases = { CASE(CASE_CONFIRMED, -7) },
	  EXPECT(GREEN, 0, NONE) },
	{ "short: fever, high travel -7", /* window 7: no red; travel
					   * max(T, T+3) */
	  &short_cfg, .decl = { TRIP(0, 380, R_HIGH, -7) },
	  EXPECT(YELLOW, THIGH | FEVER, 3) },

	/* Venue check-ins in risk areas count like declared travel. */
	{ "check-in in a high-risk county 3 days ago", CLEAN(-20, 0),
	  .visit = { VISIT(R_HIGH, -3) }, EXPECT(YELLOW, VHIGH, 11) },
	{ "check-in in a medium-risk county today", CLEAN(-20, 0),
	  .visit = { VISIT(R_MED, 0) }, EXPECT(YELLOW, VMED, 14) },
	{ "check-in in a low-risk place", CLEAN(-20, 0),
	  .visit = { VISIT(R_HIGH_CITY, -1) }, EXPECT(GREEN, 0, NONE) },
	{ "check-in in a high-risk province's county", CLEAN(-20, 0),
	  .visit = { VISIT(R_VIA_PROV, -2), VISIT(R_MED, -1) },
	  EXPECT(YELLOW, VHIGH | VMED, 13) },
	{ "check-in 14 days ago, 14 clean days since", CLEAN(-13, 0),
	  .visit = { VISIT(R_HIGH, -14) }, EXPECT(GREEN, 0, NONE) },

	/* An appeal's override. */
	{ "red overridden to green through +3", CLEAN(-3, 0),
	  .cases = { CASE(CASE_CONFIRMED, -1) }, OVERRIDE(GREEN, 0, 3),
	  EXPECT(GREEN, APPEAL, NONE) },
	{ "override decided yesterday, listed again today",
	  .cases = { CASE(CASE_CONFIRMED, 0) }, OVERRIDE(GREEN, -1, 3),
	  EXPECT(RED, CONF | APPEAL, 14) },
	{ "override to yellow over a red case", CLEAN(-3, 0),
	  .cases = { CASE(CASE_CONFIRMED, -2) }, OVERRIDE(YELLOW, 0, 5),
	  EXPECT(YELLOW, APPEAL, 6) },
	{ "override ended yesterday: the rules again", CLEAN(-3, 0),
	  .cases = { CASE(CASE_CONFIRMED, -5) }, OVERRIDE(GREEN, -4, -1),
	  EXPECT(RED, CONF, 10) },	/* the gap at -4: B+14 */
	{ "override decided in the future: not yet", CLEAN(-3, 0),
	  .cases = { CASE(CASE_CONFIRMED, -1) }, OVERRIDE(GREEN, 1, 3),
	  EXPECT(RED, CONF, 13) },
	{ "green override, later trip still counts", CLEAN(-3, 0),
	  .decl = { TRIP(0, NT, R_HIGH, 0) },
	  .cases = { CASE(CASE_SUSPECTED, -2) }, OVERRIDE(GREEN, -1, 3),
	  EXPECT(YELLOW, THIGH | APPEAL, 14) },
	{ "listed after the override, dated its day: counts",
	  CLEAN(-3, 0), .cases = { CASE_FRESH(CASE_CONFIRMED, 0) },
	  OVERRIDE(GREEN, 0, 30), EXPECT(RED, CONF | APPEAL, 14) },
	{ "listed after the override, dated before it: counts",
	  CLEAN(-3, 0), .cases = { CASE(CASE_SUSPECTED, -2),
	  CASE_FRESH(CASE_CONFIRMED, -1) }, OVERRIDE(GREEN, 0, 30),
	  EXPECT(RED, CONF | APPEAL, 13) },
	{ "red override over nothing", CLEAN(-3, 0),
	  OVERRIDE(RED, 0, 2), EXPECT(RED, APPEAL, 3) },
};
#define NROWS	(sizeof(rows) / sizeof(rows[0]))

/* Todays to run every row against: month, year and leap-day edges. */
static const char *const todays[] = {
	"2026-03-05", "2026-01-03", "2024-03-01", "2025-02-27", "2100-03-01"
};
#define NTODAYS	(sizeof(todays) / sizeof(todays[0]))

#define MAXDECLS	64

static void
put_day(const char *today, int off, const char *raw, char out[11])
{
	if (raw != NULL)
		snprintf(out, 11, "%s", raw);
	else
		day_add(today, off, out);
}

static int
explicit_on(const struct row *r, int day)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (r->decl[i].on && r->decl[i].raw == NULL &&
		    r->decl[i].day == day)
			return 1;
	return 0;
}

static void
run_row(const struct row *r, const char *today)
{
	struct decl decls[MAXDECLS];
	struct travel trips[MAXDECLS][2];
	struct case_entry cases[3];
	struct travel visits[2];
	struct rules_input in;
	struct rules_result res;
	struct rules_cfg cfg = r->cfg != NULL ? *r->cfg : rules_default();
	char want[11];
	size_t i, j;
	int d;

	memset(&in, 0, sizeof(in));
	memset(decls, 0, sizeof(decls));
	memset(trips, 0, sizeof(trips));
	memset(cases, 0, sizeof(cases));
	snprintf(in.today, sizeof(in.today), "%s", today);

	/* Clean days newest first, then the row's own: any order works. */
	if (r->clean[0])
		for (d = r->clean[2]; d >= r->clean[1]; d--) {
			if ((r->gap[0] && d == r->gap[1]) || explicit_on(r, d))
				continue;
			day_add(today, d, decls[in.ndecls].day);
			decls[in.ndecls++].temp_tenths = NT;
		}
	for (i = 0; i < 3 && r->decl[i].on; i++) {
		const struct tdecl *td = &r->decl[i];
		struct decl *o = &decls[in.ndecls];

		put_day(today, td->day, td->raw, o->day);
		o->temp_tenths = td->temp;
		o->symptoms = td->sym;
		o->contact = td->contact;
		o->travel = trips[in.ndecls];
		for (j = 0; j < 2 && td->trip[j].region != NULL; j++) {
			snprintf(trips[in.ndecls][j].region, 7, "%s",
			    td->trip[j].region);
			put_day(today, td->trip[j].day, td->trip[j].raw,
			    trips[in.ndecls][j].date);
		}
		o->ntravel = j;
		in.ndecls++;
	}
	for (i = 0; i < 3 && r->cases[i].on; i++) {
		cases[i].kind = r->cases[i].kind;
		cases[i].fresh = r->cases[i].fresh;
		put_day(today, r->cases[i].listed, r->cases[i].raw,
		    cases[i].listed);
		in.ncases++;
	}
	for (i = 0; i < 2 && r->visit[i].region != NULL; i++) {
		snprintf(visits[i].region, 7, "%s", r->visit[i].region);
		put_day(today, r->visit[i].day, r->visit[i].raw,
		    visits[i].date);
		in.nvisits++;
	}
	if (r->ov.on) {
		in.override.color = r->ov.c;
		day_add(today, r->ov.from, in.override.from);
		day_add(today, r->ov.until, in.override.until);
	}
	in.decls = decls;
	in.cases = cases;
	in.visits = visits;
	in.areas = areas;
	in.nareas = NAREAS;

	memset(&res, 0x55, sizeof(res));
	rules_eval(&cfg, &in, &res);
	if (r->green_on == NONE)
		want[0] = '\0';
	else
		day_add(today, r->green_on, want);
	T_CHECK(res.color == r->color, "%s @%s: color %s, want %s", r->what,
	    today, color_name(res.color), color_name(r->color));
	T_CHECK(res.reasons == r->reasons, "%s @%s: reasons %#x, want %#x",
	    r->what, today, res.reasons, r->reasons);
	T_STREQ(res.green_on, want, "%s @%s: green_on", r->what, today);
}

static void
test_rules(void)
{
	struct rules_input in;
	struct rules_result res;
	struct rules_cfg cfg = rules_default();
	struct case_entry ce = { CASE_CONFIRMED, "2026-03-05", 0 };
	size_t i, j;

	for (i = 0; i < NROWS; i++)
		for (j = 0; j < NTODAYS; j++)
			run_row(&rows[i], todays[j]);

	/* A malformed today: nothing can be judged, nothing is shown. */
	memset(&in, 0, sizeof(in));
	in.cases = &ce;
	in.ncases = 1;
	memset(&res, 0x55, sizeof(res));
	rules_eval(&cfg, &in, &res);
	T_CHECK(res.color == COLOR_GREEN && res.reasons == 0 &&
	    res.green_on[0] == '\0', "empty today");

	T_CHECK(cfg.fever_tenths == 373 && cfg.window_days == 14 &&
	    cfg.red_clear_days == 14 && cfg.yellow_clear_days == 7,
	    "rules_default");
}

static const struct {
	const char	*region;
	enum risk	 want;
} risks[] = {
	{ "330106", RISK_HIGH },	/* the county itself */
	{ "330102", RISK_LOW },		/* its sibling */
	{ "330100", RISK_LOW },		/* its city */
	{ "330000", RISK_LOW },		/* its province */
	{ "440300", RISK_MEDIUM },	/* the city itself */
	{ "440304", RISK_MEDIUM },	/* a county of it */
	{ "440305", RISK_HIGH },	/* high county in medium city */
	{ "440000", RISK_LOW },
	{ "441900", RISK_LOW },
	{ "310000", RISK_HIGH },	/* the province itself */
	{ "310100", RISK_HIGH },	/* a city of it */
	{ "310115", RISK_HIGH },	/* a county of it */
	{ "110105", RISK_MEDIUM },
	{ "110000", RISK_LOW },
	{ "120101", RISK_LOW },		/* a "low" designation */
	{ "33010", RISK_LOW },		/* malformed */
	{ "3301060", RISK_LOW },
	{ "33010a", RISK_LOW },
	{ "", RISK_LOW },
	{ NULL, RISK_LOW },
};

static void
test_risk(void)
{
	size_t i;

	for (i = 0; i < sizeof(risks) / sizeof(risks[0]); i++)
		T_CHECK(rules_risk_of(areas, NAREAS, risks[i].region) ==
		    risks[i].want, "risk of %s", risks[i].region ?
		    risks[i].region : "NULL");
	T_CHECK(rules_risk_of(NULL, 0, "330106") == RISK_LOW, "no areas");
}

static const struct {
	const char	*day;
	int		 want;
} valid_days[] = {
	{ "2024-02-29", 0 },
	{ "2000-02-29", 0 },
	{ "2026-02-28", 0 },
	{ "2026-12-31", 0 },
	{ "2026-01-01", 0 },
	{ "2026-04-30", 0 },
	{ "0000-01-01", 0 },
	{ "9999-12-31", 0 },
	{ "2026-02-29", -1 },
	{ "2100-02-29", -1 },
	{ "1900-02-29", -1 },
	{ "2026-13-01", -1 },
	{ "2026-00-10", -1 },
	{ "2026-01-00", -1 },
	{ "2026-01-32", -1 },
	{ "2026-04-31", -1 },
	{ "2026-1-01", -1 },
	{ "2026-01-1", -1 },
	{ "26-01-01", -1 },
	{ "20260101", -1 },
	{ "2026/01/01", -1 },
	{ "2026-01-01 ", -1 },
	{ " 2026-01-01", -1 },
	{ "2026-01-0a", -1 },
	{ "+026-01-01", -1 },
	{ "2026-01-01T00", -1 },
	{ "", -1 },
	{ NULL, -1 },
};

static const struct {
	const char	*day;
	int		 n;
	const char	*want;
} adds[] = {
	{ "2024-02-28", 1, "2024-02-29" },
	{ "2024-02-29", 1, "2024-03-01" },
	{ "2024-03-01", -1, "2024-02-29" },
	{ "2023-02-28", 1, "2023-03-01" },
	{ "2100-02-28", 1, "2100-03-01" },	/* 2100 is not leap */
	{ "2000-02-28", 1, "2000-02-29" },	/* 2000 is */
	{ "2025-12-31", 1, "2026-01-01" },
	{ "2026-01-01", -1, "2025-12-31" },
	{ "2026-03-01", -1, "2026-02-28" },
	{ "2026-01-31", 1, "2026-02-01" },
	{ "2026-04-30", 1, "2026-05-01" },
	{ "2026-03-05", -14, "2026-02-19" },
	{ "2026-03-05", 14, "2026-03-19" },
	{ "2026-01-03", -14, "2025-12-20" },
	{ "2024-02-20", 14, "2024-03-05" },
	{ "2024-01-01", 366, "2025-01-01" },
	{ "2025-01-01", 365, "2026-01-01" },
	{ "1970-01-01", 0, "1970-01-01" },
	{ "1970-01-01", -1, "1969-12-31" },
	{ "2000-01-01", 146097, "2400-01-01" },
	{ "9999-12-31", 0, "9999-12-31" },
	{ "9999-12-31", 1, "" },		/* out of four digits */
	{ "0000-01-01", -1, "" },
	{ "2026-01-01", INT_MAX, "" },
	{ "2026-01-01", INT_MIN, "" },
	{ "2026-02-29", 1, "" },		/* malformed in, "" out */
	{ "", 1, "" },
};

static const struct {
	const char	*a, *b;
	int		 want;
} diffs[] = {
	{ "2024-02-28", "2024-03-01", 2 },
	{ "2023-02-28", "2023-03-01", 1 },
	{ "2100-02-28", "2100-03-01", 1 },
	{ "2026-01-01", "2025-12-31", -1 },
	{ "2025-12-31", "2026-01-01", 1 },
	{ "2026-03-05", "2026-03-05", 0 },
	{ "1970-01-01", "2000-01-01", 10957 },
	{ "2000-01-01", "2100-01-01", 36525 },
	{ "2100-01-01", "2200-01-01", 36524 },
	{ "2000-01-01", "2400-01-01", 146097 },
	{ "0000-01-01", "9999-12-31", 3652424 },
	{ "2026-02-29", "2026-03-01", 0 },	/* malformed: 0 */
	{ "2026-03-01", "", 0 },
};

/* Walks every day of 1600-2400 with a naive calendar and checks the
 * arithmetic against it. */
static void
test_walk(void)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	char prev[11], cur[11], got[11];
	int y = 1600, m = 1, d = 1, i, bad = 0, leap;

	snprintf(prev, sizeof(prev), "1600-01-01");
	for (i = 1; y < 2401 && bad == 0; i++) {
		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		if (++d > mdays[m - 1] + (m == 2 && leap)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
		snprintf(cur, sizeof(cur), "%04u-%02u-%02u",
		    (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
		day_add(prev, 1, got);
		if (strcmp(got, cur) != 0 || day_valid(cur) != 0 ||
		    day_diff("1600-01-01", cur) != i ||
		    day_diff(cur, "1600-01-01") != -i) {
			bad = 1;
			printf("\twalk: %s + 1 = %s, want %s\n", prev, got, cur);
		}
		day_add(cur, -1, got);
		if (strcmp(got, prev) != 0) {
			bad = 1;
			printf("\twalk: %s - 1 = %s, want %s\n", cur, got, prev);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	T_CHECK(bad == 0, "calendar walk 1600-2400");
}

static void
test_days(void)
{
	char out[11];
	size_t i;

	for (i = 0; i < sizeof(valid_days) / sizeof(valid_days[0]); i++)
		T_CHECK(day_valid(valid_days[i].day) == valid_days[i].want,
		    "day_valid(%s)", valid_days[i].day ? valid_days[i].day :
		    "NULL");
	for (i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		memset(out, 'x', sizeof(out));
		day_add(adds[i].day, adds[i].n, out);
		T_STREQ(out, adds[i].want, "day_add(%s, %d)", adds[i].day,
		    adds[i].n);
	}
	for (i = 0; i < sizeof(diffs) / sizeof(diffs[0]); i++)
		T_CHECK(day_diff(diffs[i].a, diffs[i].b) == diffs[i].want,
		    "day_diff(%s, %s) = %d, want %d", diffs[i].a, diffs[i].b,
		    day_diff(diffs[i].a, diffs[i].b), diffs[i].want);
	test_walk();
}

static const char *const reason_want[REASON__COUNT] = {
	"case_confirmed", "case_suspected", "case_asymptomatic",
	"case_close_contact", "case_secondary_contact",
	"fever_travel_high_risk", "travel_high_risk", "travel_medium_risk",
	"fever", "symptoms", "declared_contact", "visit_high_risk",
	"visit_medium_risk", "appeal_override"
};

static const struct {
	const char	*name;
	unsigned	 bit;
} symptoms[] = {
	{ "fever", SYM_FEVER },
	{ "cough", SYM_COUGH },
	{ "fatigue", SYM_FATIGUE },
	{ "sore_throat", SYM_SORE_THROAT },
	{ "loss_of_taste_smell", SYM_LOSS_OF_TASTE_SMELL },
	{ "shortness_of_breath", SYM_SHORTNESS_OF_BREATH },
	{ "diarrhea", SYM_DIARRHEA },
}, bad_symptoms[] = {
	{ "Fever", 0 }, { "fever ", 0 }, { "sore throat", 0 },
	{ "headache", 0 }, { "", 0 }, { NULL, 0 },
};

static const struct {
	const char	*name;
	enum case_kind	 kind;
} kinds[] = {
	{ "confirmed", CASE_CONFIRMED },
	{ "suspected", CASE_SUSPECTED },
	{ "asymptomatic", CASE_ASYMPTOMATIC },
	{ "close_contact", CASE_CLOSE_CONTACT },
	{ "secondary_contact", CASE_SECONDARY_CONTACT },
}, bad_kinds[] = {
	{ "Confirmed", CASE__MAX }, { "close-contact", CASE__MAX },
	{ "contact", CASE__MAX }, { "", CASE__MAX }, { NULL, CASE__MAX },
};

static void
test_names(void)
{
	size_t i;

	T_STREQ(color_name(COLOR_GREEN), "green", "color_name");
	T_STREQ(color_name(COLOR_YELLOW), "yellow", "color_name");
	T_STREQ(color_name(COLOR_RED), "red", "color_name");
	T_STREQ(color_name((enum color)3), "", "color_name(3)");

	for (i = 0; i < REASON__COUNT; i++)
		T_STREQ(reason_name(1u << i), reason_want[i], "reason %zu", i);
	T_STREQ(reason_name(0), "", "reason_name(0)");
	T_STREQ(reason_name(REASON_FEVER | REASON_SYMPTOMS), "",
	    "reason_name(two bits)");
	T_STREQ(reason_name(1u << REASON__COUNT), "", "reason_name(past)");

	for (i = 0; i < sizeof(symptoms) / sizeof(symptoms[0]); i++) {
		T_CHECK(symptom_parse(symptoms[i].name) == symptoms[i].bit,
		    "symptom_parse(%s)", symptoms[i].name);
		T_STREQ(symptom_name(symptoms[i].bit), symptoms[i].name,
		    "symptom_name(%#x)", symptoms[i].bit);
	}
	for (i = 0; i < sizeof(bad_symptoms) / sizeof(bad_symptoms[0]); i++)
		T_CHECK(symptom_parse(bad_symptoms[i].name) == 0,
		    "symptom_parse(%s)", bad_symptoms[i].name ?
		    bad_symptoms[i].name : "NULL");
	T_STREQ(symptom_name(0), "", "symptom_name(0)");
	T_STREQ(symptom_name(SYM_FEVER | SYM_COUGH), "", "two symptoms");
	T_STREQ(symptom_name(SYM__ALL + 1), "", "symptom past the end");

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		T_CHECK(case_kind_parse(kinds[i].name) == kinds[i].kind,
		    "case_kind_parse(%s)", kinds[i].name);
		T_STREQ(case_kind_name(kinds[i].kind), kinds[i].name,
		    "case_kind_name(%d)", (int)kinds[i].kind);
	}
	for (i = 0; i < sizeof(bad_kinds) / sizeof(bad_kinds[0]); i++)
		T_CHECK(case_kind_parse(bad_kinds[i].name) == CASE__MAX,
		    "case_kind_parse(%s)", bad_kinds[i].name ?
		    bad_kinds[i].name : "NULL");
	T_STREQ(case_kind_name(CASE__MAX), "", "case_kind_name(MAX)");
}

/*
 * Clearance marks: a run of clean days seen before clears a cause after
 * its declarations are gone (purged), and the marks the rules hand back
 * only move forward.
 */
static void
test_marks(void)
{
	static const struct {
		const char	*what;
		int		 listed;	/* confirmed, days from today */
		int		 clean_from;	/* clean days from..-1 and today */
		const char	*mark;		/* red mark: days from today, or NULL */
		int		 mark_day;
		enum color	 color;
	} mrows[] = {
		{ "listed 16 days ago, 3 clean days, no mark", -16, -2, NULL,
		  0, COLOR_RED },
		{ "... with a mark after the listing", -16, -2, "", -15,
		  COLOR_GREEN },
		{ "... a mark on the listing day does not clear it", -16, -2,
		  "", -16, COLOR_RED },
		{ "... a mark in the future is bad data", -16, -2, "", 1,
		  COLOR_RED },
		{ "listed 5 days ago: inside the window a mark does not help",
		  -5, -2, "", -4, COLOR_RED },
	};
	struct decl decls[32];
	struct case_entry ce;
	struct rules_input in;
	struct rules_result res;
	struct rules_cfg cfg = rules_default();
	const char *today = "2026-11-29";
	char want[11];
	size_t i;
	int d;

	for (i = 0; i < sizeof(mrows) / sizeof(mrows[0]); i++) {
		memset(&in, 0, sizeof(in));
		memset(decls, 0, sizeof(decls));
		snprintf(in.today, sizeof(in.today), "%s", today);
		for (d = mrows[i].clean_from; d <= 0; d++) {
			day_add(today, d, decls[in.ndecls].day);
			decls[in.ndecls++].temp_tenths = NT;
		}
		ce.kind = CASE_CONFIRMED;
		day_add(today, mrows[i].listed, ce.listed);
		in.decls = decls;
		in.cases = &ce;
		in.ncases = 1;
		if (mrows[i].mark != NULL)
			day_add(today, mrows[i].mark_day, in.red_cleared_from);
		rules_eval(&cfg, &in, &res);
		T_CHECK(res.color == mrows[i].color, "%s: %s", mrows[i].what,
		    color_name(res.color));
	}

	/* Clean from 14 days ago to yesterday: the marks of that run. */
	memset(&in, 0, sizeof(in));
	memset(decls, 0, sizeof(decls));
	snprintf(in.today, sizeof(in.today), "%s", today);
	for (d = -14; d <= -1; d++) {
		day_add(today, d, decls[in.ndecls].day);
		decls[in.ndecls++].temp_tenths = NT;
	}
	in.decls = decls;
	rules_eval(&cfg, &in, &res);
	day_add(today, -14, want);
	T_STREQ(res.red_clear_from, want, "red mark: the run's 14-day start");
	day_add(today, -7, want);
	T_STREQ(res.yellow_clear_from, want, "yellow mark: its 7-day start");
	/* A later mark kept from before stands; an earlier one is passed. */
	day_add(today, -3, in.red_cleared_from);
	day_add(today, -20, in.yellow_cleared_from);
	rules_eval(&cfg, &in, &res);
	day_add(today, -3, want);
	T_STREQ(res.red_clear_from, want, "the later mark stands");
	day_add(today, -7, want);
	T_STREQ(res.yellow_clear_from, want, "the run's mark passes an old one");
	/* No run long enough, no mark: "". */
	in.ndecls = 2;
	in.red_cleared_from[0] = in.yellow_cleared_from[0] = '\0';
	rules_eval(&cfg, &in, &res);
	T_STREQ(res.red_clear_from, "", "no red mark");
	T_STREQ(res.yellow_clear_from, "", "no yellow mark");
}

int
main(void)
{
	test_rules();
	test_marks();
	test_risk();
	test_days();
	test_names();
	T_DONE("rules");
}
