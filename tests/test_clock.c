/*
 * Tests for the clock: zone and cutoff configuration, HC_NOW, parsing
 * of times, and the day boundaries second by second around Shanghai
 * midnight (2026-11-29T16:00:00Z) and a 04:00 cutoff.  Needs tzdata.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../fcgi/clock.h"
#include "t.h"

/* Epoch seconds of the instants used below (from date -u -d ... +%s). */
#define T0	1795967999LL	/* 2026-11-29T15:59:59Z */
#define T1	1795968000LL	/* 2026-11-29T16:00:00Z: Shanghai midnight */
#define T2	1795968001LL	/* 2026-11-29T16:00:01Z */
#define PREV	1795881600LL	/* 2026-11-28T16:00:00Z */
#define NEXT	1796054400LL	/* 2026-11-30T16:00:00Z */

/* clock_init that must succeed; reports the error otherwise. */
static int
init(const char *tz, const char *cutoff, int line)
{
	struct buf err;
	int rc;

	buf_init(&err);
	rc = clock_init(tz, cutoff, &err);
	if (rc != 0)
		t_fail(__FILE__, line, "clock_init(%s, %s): %s", tz, cutoff,
		    buf_cstr(&err));
	else
		t_passed++;
	buf_free(&err);
	return rc;
}

static const struct bad {
	const char	*tz, *cutoff, *err;
} bad_inits[] = {
	{ "Mars/Olympus", "00:00", "clock: unknown time zone "
	  "\"Mars/Olympus\" (is tzdata installed?)" },
	{ "", "00:00", "clock: bad time zone \"\"" },
	{ NULL, "00:00", "clock: bad time zone \"\"" },
	{ "/usr/share/zoneinfo/Asia/Shanghai", "00:00",
	  "clock: bad time zone \"/usr/share/zoneinfo/Asia/Shanghai\"" },
	{ "Asia/../../../etc/passwd", "00:00",
	  "clock: bad time zone \"Asia/../../../etc/passwd\"" },
	/* A directory of zones is not a zone (glibc would use UTC). */
	{ "Asia", "00:00", "clock: unknown time zone \"Asia\" "
	  "(is tzdata installed?)" },
	{ "Asia/Shanghai", "24:00", "clock: day cutoff must be HH:MM, not "
	  "\"24:00\"" },
	{ "Asia/Shanghai", "7:00", "clock: day cutoff must be HH:MM, not "
	  "\"7:00\"" },
	{ "Asia/Shanghai", "ab:cd", "clock: day cutoff must be HH:MM, not "
	  "\"ab:cd\"" },
	{ "Asia/Shanghai", "12:60", "clock: day cutoff must be HH:MM, not "
	  "\"12:60\"" },
	{ "Asia/Shanghai", "", "clock: day cutoff must be HH:MM, not \"\"" },
	{ "Asia/Shanghai", "07:00 ", "clock: day cutoff must be HH:MM, not "
	  "\"07:00 \"" },
	{ "Asia/Shanghai", "07-00", "clock: day cutoff must be HH:MM, not "
	  "\"07-00\"" },
	{ "Asia/Shanghai", "+7:00", "clock: day cutoff must be HH:MM, not "
	  "\"+7:00\"" },
	{ "Asia/Shanghai", "0700", "clock: day cutoff must be HH:MM, not "
	  "\"0700\"" },
};

static void
inits(void)
{
	struct buf err;
	size_t i;
	int rc;

	unsetenv("HC_NOW");
	buf_init(&err);
	for (i = 0; i < NELEM(bad_inits); i++) {
		buf_reset(&err);
		rc = clock_init(bad_inits[i].tz, bad_inits[i].cutoff, &err);
		T_CHECK(rc == -1, "clock_init[%zu] (%s, %s) accepted", i,
		    bad_inits[i].tz ? bad_inits[i].tz : "NULL",
		    bad_inits[i].cutoff);
		T_STREQ(buf_cstr(&err), bad_inits[i].err, "clock_init[%zu]", i);
	}
	buf_free(&err);

	if (init("UTC", "00:00", __LINE__) == 0)
		T_CHECK(clock_next_cutoff(T0) == T1 + 8 * 3600,
		    "UTC next cutoff: %lld", (long long)clock_next_cutoff(T0));

	/*
	 * A failed init must leave the previous configuration alone: here
	 * "12:60" must not turn a midnight cutoff into 13:00.
	 */
	if (init("Asia/Shanghai", "00:00", __LINE__) == 0) {
		buf_init(&err);
		(void)clock_init("Asia/Shanghai", "12:60", &err);
		buf_free(&err);
		T_CHECK(clock_next_cutoff(T0) == T1, "failed clock_init "
		    "changed the cutoff: next cutoff %lld, want %lld",
		    (long long)clock_next_cutoff(T0), T1);
	}
}

static const struct pcase {
	const char	*s;
	int		 ok;
	long long	 want;
} parse_cases[] = {
	{ "0", 1, 0 },
	{ "1795967999", 1, T0 },
	{ "999999999999", 1, 999999999999LL },
	{ "2026-11-29T15:59:59Z", 1, T0 },
	{ "2026-11-29T16:00:00Z", 1, T1 },
	{ "2026-11-29 15:59:59Z", 1, T0 },
	{ "2026-11-29T23:59:59+08:00", 1, T0 },
	{ "2026-11-30T00:00:00+08:00", 1, T1 },
	{ "2026-11-29T10:59:59-05:00", 1, T0 },
	{ "2026-11-29T15:59:59+00:00", 1, T0 },
	{ "2026-11-29T15:59:59-00:00", 1, T0 },
	{ "2026-11-29T21:29:59+05:30", 1, T0 },
	{ "2026-11-30T05:59:59+14:00", 1, T0 },
	{ "1970-01-01T00:00:00Z", 1, 0 },
	{ "2024-02-29T00:00:00Z", 1, 1709164800LL },	/* leap day */
	{ "", 0, 0 },
	{ "abc", 0, 0 },
	{ "-1", 0, 0 },
	{ "1e9", 0, 0 },
	{ " 1795967999", 0, 0 },
	{ "1795967999 ", 0, 0 },
	{ "1234567890123", 0, 0 },			/* 13 digits */
	{ "2026-11-29T15:59:59", 0, 0 },		/* no offset */
	{ "2026-11-29T15:59:59+0800", 0, 0 },
	{ "2026-11-29T15:59:59+08", 0, 0 },
	{ "2026-11-29T15:59:59+8:00", 0, 0 },
	{ "2026-11-29T15:59:59.5Z", 0, 0 },
	{ "2026-11-29T15:59:59ZZ", 0, 0 },
	{ "2026-11-29T15:59:59Z ", 0, 0 },
	{ " 2026-11-29T15:59:59Z", 0, 0 },
	{ "2026-11-29t15:59:59Z", 0, 0 },
	{ "2026/11/29T15:59:59Z", 0, 0 },
	{ "2026-11-29T15.59.59Z", 0, 0 },
	{ "2026-1a-29T15:59:59Z", 0, 0 },
	{ "2026-11-29T15:59:59+15:00", 0, 0 },
	{ "2026-11-29T15:59:59+08:60", 0, 0 },
	{ "2026-11-29T15:59:59*08:00", 0, 0 },
	{ "2026-13-01T00:00:00Z", 0, 0 },
	{ "2026-00-10T00:00:00Z", 0, 0 },
	{ "2026-11-32T00:00:00Z", 0, 0 },
	{ "2026-11-00T00:00:00Z", 0, 0 },
	{ "2026-11-29T24:00:00Z", 0, 0 },
	{ "2026-11-29T23:60:00Z", 0, 0 },
	{ "2026-11-29T23:59:61Z", 0, 0 },
	{ "1969-12-31T23:59:59Z", 0, 0 },
	/* Days that do not exist must not roll into the next month. */
	{ "2026-02-29T00:00:00Z", 0, 0 },
	{ "2026-02-30T00:00:00Z", 0, 0 },
	{ "2026-04-31T00:00:00Z", 0, 0 },
};

static void
parsing(void)
{
	size_t i;
	time_t t;
	int rc;

	for (i = 0; i < NELEM(parse_cases); i++) {
		t = (time_t)-12345;
		rc = clock_parse(parse_cases[i].s, &t);
		T_CHECK(rc == (parse_cases[i].ok ? 0 : -1),
		    "clock_parse[%zu] \"%s\": %d (t %lld)", i,
		    parse_cases[i].s, rc, (long long)t);
		if (parse_cases[i].ok && rc == 0)
			T_CHECK((long long)t == parse_cases[i].want,
			    "clock_parse[%zu] \"%s\": %lld, want %lld", i,
			    parse_cases[i].s, (long long)t,
			    parse_cases[i].want);
	}
}

/*
 * clock_parse_iso: clock_parse's ISO form only.  Every case above that is
 * ISO with a T and no leap second means the same; the rest are refused.
 */
static const struct pcase strict_cases[] = {
	{ "2026-11-29T15:59:59Z", 1, T0 },
	{ "2026-11-30T00:00:00+08:00", 1, T1 },
	{ "2026-12-01T08:00:00+08:00", 1, 1796083200LL },
	{ "2026-11-29T10:59:59-05:00", 1, T0 },
	{ "2026-11-29T15:59:59-00:00", 1, T0 },
	{ "1970-01-01T08:00:00+08:00", 1, 0 },
	{ "1970-01-01T00:00:00+08:00", 1, -28800 },
	{ "0", 0, 0 },
	{ "1795967999", 0, 0 },			/* epoch seconds */
	{ "2026-11-29 15:59:59Z", 0, 0 },	/* a space for the T */
	{ "2026-11-29T15:59:59 08:00", 0, 0 },	/* '+' sent unencoded */
	{ "2026-11-29T23:59:60Z", 0, 0 },	/* leap second */
	{ "2026-11-29T15:59:59", 0, 0 },
	{ "2026-11-29", 0, 0 },
	{ "2026-11-29T15:59Z", 0, 0 },
	{ "2026-11-29T15:59:59.000Z", 0, 0 },
	{ "2026-11-29T15:59:59+08:00Z", 0, 0 },
	{ "+2026-11-29T15:59:59Z", 0, 0 },
	{ "２０２６-11-29T15:59:59Z", 0, 0 },
	{ "2026-02-29T00:00:00+08:00", 0, 0 },
};

static void
strict(void)
{
	size_t i;
	time_t t, loose;
	int rc, want;
	const char *s;

	for (i = 0; i < NELEM(strict_cases); i++) {
		t = (time_t)-12345;
		rc = clock_parse_iso(strict_cases[i].s, &t);
		T_CHECK(rc == (strict_cases[i].ok ? 0 : -1),
		    "clock_parse_iso[%zu] \"%s\": %d", i, strict_cases[i].s,
		    rc);
		if (strict_cases[i].ok && rc == 0)
			T_CHECK((long long)t == strict_cases[i].want,
			    "clock_parse_iso[%zu]: %lld, want %lld", i,
			    (long long)t, strict_cases[i].want);
	}
	for (i = 0; i < NELEM(parse_cases); i++) {
		s = parse_cases[i].s;
		want = parse_cases[i].ok && strlen(s) >= 20 && s[10] == 'T' &&
		    strncmp(s + 17, "60", 2) != 0;
		rc = clock_parse_iso(s, &t);
		T_CHECK(rc == (want ? 0 : -1), "clock_parse_iso of "
		    "parse_cases[%zu] \"%s\": %d", i, s, rc);
		if (want && rc == 0 && clock_parse(s, &loose) == 0)
			T_CHECK(t == loose, "clock_parse_iso[%zu] differs "
			    "from clock_parse", i);
	}
}

/* clock_parse_local: a datetime-local value on the zone's clock. */
static const struct lcase {
	const char	*tz, *s;
	int		 ok;
	long long	 want;
} local_cases[] = {
	{ "Asia/Shanghai", "2026-12-01T08:00", 1, 1796083200LL },
	{ "Asia/Shanghai", "2026-12-01T08:00:30", 1, 1796083230LL },
	{ "Asia/Shanghai", "2026-11-30T00:00", 1, T1 },
	{ "UTC", "2026-11-29T16:00", 1, T1 },
	{ "America/New_York", "2026-03-08T01:59:59", 1, 1772953199LL },
	{ "America/New_York", "2026-03-08T03:00", 1, 1772953200LL },
	/* 02:30 does not happen that night. */
	{ "America/New_York", "2026-03-08T02:30", 0, 0 },
	{ "Asia/Shanghai", "2026-02-29T08:00", 0, 0 },
	{ "Asia/Shanghai", "2026-04-31T08:00", 0, 0 },
	{ "Asia/Shanghai", "2026-12-01T24:00", 0, 0 },
	{ "Asia/Shanghai", "2026-12-01T08:60", 0, 0 },
	{ "Asia/Shanghai", "2026-12-01T08:00:60", 0, 0 },
	{ "Asia/Shanghai", "2026-12-01 08:00", 0, 0 },
	{ "Asia/Shanghai", "2026-12-01T08:00Z", 0, 0 },
	{ "Asia/Shanghai", "2026-12-01T08:00:00+08:00", 0, 0 },
	{ "Asia/Shanghai", "2026-12-01T8:00", 0, 0 },
	{ "Asia/Shanghai", "2026-12-01", 0, 0 },
	{ "Asia/Shanghai", "1969-12-31T23:59", 0, 0 },
	{ "Asia/Shanghai", "", 0, 0 },
};

static void
local(void)
{
	size_t i;
	time_t t;
	int rc;

	for (i = 0; i < NELEM(local_cases); i++) {
		if (init(local_cases[i].tz, "00:00", __LINE__) != 0)
			continue;
		t = (time_t)-12345;
		rc = clock_parse_local(local_cases[i].s, &t);
		T_CHECK(rc == (local_cases[i].ok ? 0 : -1),
		    "clock_parse_local[%zu] %s \"%s\": %d (t %lld)", i,
		    local_cases[i].tz, local_cases[i].s, rc, (long long)t);
		if (local_cases[i].ok && rc == 0)
			T_CHECK((long long)t == local_cases[i].want,
			    "clock_parse_local[%zu]: %lld, want %lld", i,
			    (long long)t, local_cases[i].want);
	}
}

/* At t: the day, its start and the next cutoff. */
static const struct daycase {
	long long	 t;
	const char	*day;
	long long	 start, next;
} midnight[] = {
	{ PREV - 1, "2026-11-28", PREV - 86400, PREV },
	{ PREV, "2026-11-29", PREV, T1 },
	{ T0 - 3600, "2026-11-29", PREV, T1 },
	{ T0, "2026-11-29", PREV, T1 },
	{ T1, "2026-11-30", T1, NEXT },
	{ T2, "2026-11-30", T1, NEXT },
	{ NEXT - 1, "2026-11-30", T1, NEXT },
	{ NEXT, "2026-12-01", NEXT, NEXT + 86400 },
	/* Year end: 2026-12-31T16:00:00Z is 2027-01-01 in Shanghai. */
	{ 1798732799LL, "2026-12-31", 1798646400LL, 1798732800LL },
	{ 1798732800LL, "2027-01-01", 1798732800LL, 1798819200LL },
}, four_am[] = {
	/* 04:00 in Shanghai is 20:00Z the day before. */
	{ T1, "2026-11-29", 1795896000LL, 1795982400LL },
	{ 1795982399LL, "2026-11-29", 1795896000LL, 1795982400LL },
	{ 1795982400LL, "2026-11-30", 1795982400LL, 1796068800LL },
	{ 1795982401LL, "2026-11-30", 1795982400LL, 1796068800LL },
}, new_york[] = {
	/* 2026-03-08 has 23 hours: EST until 07:00Z, then EDT. */
	{ 1772946000LL, "2026-03-08", 1772946000LL, 1773028800LL },
	{ 1772945999LL, "2026-03-07", 1772859600LL, 1772946000LL },
	{ 1773028799LL, "2026-03-08", 1772946000LL, 1773028800LL },
};

static void
days(const char *what, const struct daycase *tab, size_t n)
{
	size_t i;
	time_t t;
	char day[11];
	long long got;

	for (i = 0; i < n; i++) {
		t = (time_t)tab[i].t;
		memset(day, 'x', sizeof(day));
		clock_day(t, day);
		T_STREQ(day, tab[i].day, "%s[%zu] clock_day(%lld)", what, i,
		    tab[i].t);
		got = (long long)clock_day_start(t);
		T_CHECK(got == tab[i].start, "%s[%zu] clock_day_start(%lld): "
		    "%lld, want %lld", what, i, tab[i].t, got, tab[i].start);
		got = (long long)clock_next_cutoff(t);
		T_CHECK(got == tab[i].next, "%s[%zu] clock_next_cutoff(%lld): "
		    "%lld, want %lld", what, i, tab[i].t, got, tab[i].next);
	}
}

/*
 * The days kept (clock.c keeps 16): times over 40 days asked in an order
 * that comes back to each day after others, against the calendar worked
 * out here (Shanghai, no daylight saving, cutoff 00:00: a day starts at
 * 16:00Z).  Then the tables again, after the zone and cutoff changed.
 */
static void
kept(void)
{
	size_t k, fails = 0;
	time_t t, start, local;
	struct tm tm;
	char day[11], want[11];

	for (k = 0; k < 2000; k++) {
		t = (time_t)(T1 + (long long)((k * 7919) % 40) * 86400 +
		    (long long)((k * 104729) % 86400));
		start = (t + 8 * 3600) / 86400 * 86400 - 8 * 3600;
		local = start + 8 * 3600;
		gmtime_r(&local, &tm);
		strftime(want, sizeof(want), "%Y-%m-%d", &tm);
		clock_day(t, day);
		if (strcmp(day, want) != 0 || clock_day_start(t) != start ||
		    clock_next_cutoff(t) != start + 86400)
			fails++;
	}
	T_CHECK(fails == 0, "2000 times over 40 days: %zu wrong", fails);
}

static const struct isocase {
	const char	*tz;
	long long	 t;
	const char	*want;
} iso_cases[] = {
	{ "Asia/Shanghai", T1, "2026-11-30T00:00:00+08:00" },
	{ "Asia/Shanghai", T0, "2026-11-29T23:59:59+08:00" },
	{ "Asia/Shanghai", 0, "1970-01-01T08:00:00+08:00" },
	{ "UTC", T1, "2026-11-29T16:00:00+00:00" },
	{ "America/New_York", T1, "2026-11-29T11:00:00-05:00" },
	{ "America/New_York", 1772946000LL, "2026-03-08T00:00:00-05:00" },
	{ "America/New_York", 1773028800LL, "2026-03-09T00:00:00-04:00" },
	{ "Asia/Kolkata", T1, "2026-11-29T21:30:00+05:30" },
	{ "America/St_Johns", T1, "2026-11-29T12:30:00-03:30" },
};

static void
iso(void)
{
	size_t i;
	char out[26];
	time_t back;

	for (i = 0; i < NELEM(iso_cases); i++) {
		if (init(iso_cases[i].tz, "00:00", __LINE__) != 0)
			continue;
		memset(out, 'x', sizeof(out));
		clock_iso((time_t)iso_cases[i].t, out);
		T_STREQ(out, iso_cases[i].want, "clock_iso[%zu] %s", i,
		    iso_cases[i].tz);
		back = 0;
		T_CHECK(clock_parse_iso(out, &back) == 0 &&
		    (long long)back == iso_cases[i].t,
		    "clock_iso[%zu]: does not parse back (%lld)", i,
		    (long long)back);
	}
}

static void
now(void)
{
	struct buf err;
	time_t t;

	setenv("HC_NOW", "2026-11-29T15:59:59Z", 1);
	if (init("Asia/Shanghai", "00:00", __LINE__) == 0)
		T_CHECK((long long)clock_now() == T0, "HC_NOW ISO: %lld",
		    (long long)clock_now());
	setenv("HC_NOW", "1795968000", 1);
	if (init("Asia/Shanghai", "00:00", __LINE__) == 0)
		T_CHECK((long long)clock_now() == T1, "HC_NOW epoch: %lld",
		    (long long)clock_now());

	buf_init(&err);
	setenv("HC_NOW", "yesterday", 1);
	T_CHECK(clock_init("Asia/Shanghai", "00:00", &err) == -1,
	    "bad HC_NOW accepted");
	T_STREQ(buf_cstr(&err), "clock: HC_NOW: expected epoch seconds or "
	    "ISO 8601 with offset, not \"yesterday\"", "bad HC_NOW message");
	buf_reset(&err);
	setenv("HC_NOW", "2026-11-29T15:59:59", 1);
	T_CHECK(clock_init("Asia/Shanghai", "00:00", &err) == -1,
	    "HC_NOW without offset accepted");
	buf_free(&err);

	/* Empty or unset: the system clock. */
	setenv("HC_NOW", "", 1);
	if (init("Asia/Shanghai", "00:00", __LINE__) == 0) {
		t = time(NULL);
		T_CHECK(clock_now() >= t && clock_now() <= t + 2,
		    "empty HC_NOW: %lld, want about %lld",
		    (long long)clock_now(), (long long)t);
	}
	unsetenv("HC_NOW");
	if (init("Asia/Shanghai", "00:00", __LINE__) == 0) {
		t = time(NULL);
		T_CHECK(clock_now() >= t && clock_now() <= t + 2,
		    "unset HC_NOW: %lld, want about %lld",
		    (long long)clock_now(), (long long)t);
	}
}

int
main(void)
{
	inits();
	parsing();
	strict();
	local();
	if (init("Asia/Shanghai", "00:00", __LINE__) == 0) {
		days("midnight", midnight, NELEM(midnight));
		kept();
	}
	if (init("Asia/Shanghai", "04:00", __LINE__) == 0)
		days("04:00", four_am, NELEM(four_am));
	if (init("America/New_York", "00:00", __LINE__) == 0)
		days("new_york", new_york, NELEM(new_york));
	/* The days kept are forgotten when the zone or cutoff changes. */
	if (init("Asia/Shanghai", "00:00", __LINE__) == 0)
		days("midnight again", midnight, NELEM(midnight));
	iso();
	now();
	T_DONE("clock");
}
