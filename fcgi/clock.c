/*
 * Time and the daily cutoff.  The process runs in the configured zone
 * (TZ is set once at start), so localtime_r/mktime do the calendar work;
 * a day runs from one cutoff to the next, which handles zones with
 * daylight saving as well as Asia/Shanghai.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"

static int	cut_hour, cut_min;
static int	have_fixed;
static time_t	fixed_now;
/*
 * The days last asked about, [from, until) and their names: a request
 * asks a dozen times, a colour about each day of a person's check-ins,
 * and each answer is two localtime_r and mktime.  A day found is at
 * days[last]; a new one replaces the oldest.
 */
#define DAYS_KEPT	16
static struct {
	time_t	from, until;
	char	name[11];
} days[DAYS_KEPT];
static size_t	last, next_slot;

int
clock_init(const char *tz, const char *cutoff, struct buf *err)
{
	const char *dir, *now;
	struct buf path;
	struct stat st;
	int ok, h, m;

	if (tz == NULL || *tz == '\0' || strstr(tz, "..") || *tz == '/') {
		buf_printf(err, "clock: bad time zone \"%s\"", tz ? tz : "");
		return -1;
	}
	/* glibc falls back to UTC for an unknown zone: refuse instead. */
	if ((dir = getenv("TZDIR")) == NULL)
		dir = "/usr/share/zoneinfo";
	buf_init(&path);
	buf_printf(&path, "%s/%s", dir, tz);
	/* A directory ("Asia") would be accepted by access() and mean UTC. */
	ok = stat(path.ptr, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path.ptr, R_OK) == 0;
	buf_free(&path);
	if (!ok) {
		buf_printf(err, "clock: unknown time zone \"%s\" (is tzdata "
		    "installed?)", tz);
		return -1;
	}
	if (strlen(cutoff) != 5 || !isdigit((unsigned char)cutoff[0]) ||
	    !isdigit((unsigned char)cutoff[1]) || cutoff[2] != ':' ||
	    !isdigit((unsigned char)cutoff[3]) ||
	    !isdigit((unsigned char)cutoff[4]) ||
	    (h = atoi(cutoff)) > 23 || (m = atoi(cutoff + 3)) > 59) {
		buf_printf(err, "clock: day cutoff must be HH:MM, not \"%s\"",
		    cutoff);
		return -1;
	}
	cut_hour = h;
	cut_min = m;
	setenv("TZ", tz, 1);
	tzset();
	memset(days, 0, sizeof(days));
	last = next_slot = 0;

	have_fixed = 0;
	if ((now = getenv("HC_NOW")) != NULL && *now != '\0') {
		if (clock_parse(now, &fixed_now) == -1) {
			buf_printf(err, "clock: HC_NOW: expected epoch seconds "
			    "or ISO 8601 with offset, not \"%s\"", now);
			return -1;
		}
		have_fixed = 1;
	}
	return 0;
}

time_t
clock_now(void)
{
	return have_fixed ? fixed_now : time(NULL);
}

static int
num(const char *s, int n)
{
	int v = 0;

	while (n--) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/*
 * Reads "YYYY-MM-DDTHH:MM" and, with sec, ":SS" up to max_sec, into tm
 * (year from 1900, month from 0); sep is the separator taken besides
 * the T (0: none).  0 or -1.
 */
static int
fields(const char *s, char sep, int sec, int max_sec, struct tm *tm)
{
	memset(tm, 0, sizeof(*tm));
	if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && (sep == 0 ||
	    s[10] != sep)) || s[13] != ':' || (sec && s[16] != ':'))
		return -1;
	if ((tm->tm_year = num(s, 4)) < 1970 ||
	    (tm->tm_mon = num(s + 5, 2)) < 1 || tm->tm_mon > 12 ||
	    (tm->tm_mday = num(s + 8, 2)) < 1 || tm->tm_mday > 31 ||
	    (tm->tm_hour = num(s + 11, 2)) < 0 || tm->tm_hour > 23 ||
	    (tm->tm_min = num(s + 14, 2)) < 0 || tm->tm_min > 59 ||
	    (sec && ((tm->tm_sec = num(s + 17, 2)) < 0 ||
	    tm->tm_sec > max_sec)))
		return -1;
	tm->tm_year -= 1900;
	tm->tm_mon -= 1;
	return 0;
}

/*
 * "YYYY-MM-DDTHH:MM:SS" then "Z" or "+HH:MM" / "-HH:MM"; loose also
 * takes a space for the T and a leap second :60 (read as the next
 * second, as timegm does).  0 or -1.
 */
static int
parse_iso(const char *s, int loose, time_t *out)
{
	struct tm tm;
	int off = 0, oh, om, mday, mon;
	size_t len = strlen(s);
	time_t t;

	if (len < 20 || fields(s, loose ? ' ' : 0, 1, loose ? 60 : 59,
	    &tm) == -1)
		return -1;
	if (len == 20 && s[19] == 'Z')
		off = 0;
	else if (len == 25 && (s[19] == '+' || s[19] == '-') && s[22] == ':' &&
	    (oh = num(s + 20, 2)) >= 0 && oh <= 14 &&
	    (om = num(s + 23, 2)) >= 0 && om <= 59)
		off = (s[19] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	else
		return -1;
	mday = tm.tm_mday;
	mon = tm.tm_mon;
	t = timegm(&tm);
	/* timegm rolls 02-30 over to 03-02: refuse days that do not exist. */
	if (tm.tm_mday != mday || tm.tm_mon != mon)
		return -1;
	*out = t - off;
	return 0;
}

int
clock_parse(const char *s, time_t *out)
{
	long long v;
	size_t len = strlen(s), i;

	if (len > 0 && len <= 12) {
		for (i = 0, v = 0; i < len && isdigit((unsigned char)s[i]); i++)
			v = v * 10 + (s[i] - '0');
		if (i == len) {
			*out = (time_t)v;
			return 0;
		}
	}
	return parse_iso(s, 1, out);
}

int
clock_parse_iso(const char *s, time_t *out)
{
	return parse_iso(s, 0, out);
}

int
clock_parse_local(const char *s, time_t *out)
{
	struct tm tm, back;
	size_t len = strlen(s);
	time_t t;

	if ((len != 16 && len != 19) || fields(s, 0, len == 19, 59, &tm) == -1)
		return -1;
	tm.tm_isdst = -1;
	back = tm;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;	/* (one second of 1970 in zones east of UTC) */
	/* A day that does not exist, or a time the zone skips, moves. */
	if (tm.tm_year != back.tm_year || tm.tm_mon != back.tm_mon ||
	    tm.tm_mday != back.tm_mday || tm.tm_hour != back.tm_hour ||
	    tm.tm_min != back.tm_min || tm.tm_sec != back.tm_sec)
		return -1;
	*out = t;
	return 0;
}

/* The cutoff on the local calendar day of t. */
static time_t
cutoff_on(time_t t, int day_delta)
{
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_mday += day_delta;
	tm.tm_hour = cut_hour;
	tm.tm_min = cut_min;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* Makes days[last] the day containing t. */
static void
day_of(time_t t)
{
	struct tm tm;
	time_t c;
	size_t i;

	if (t >= days[last].from && t < days[last].until)
		return;
	for (i = 0; i < DAYS_KEPT; i++)
		if (t >= days[i].from && t < days[i].until) {
			last = i;
			return;
		}
	last = next_slot;
	next_slot = (next_slot + 1) % DAYS_KEPT;
	c = cutoff_on(t, 0);
	if (c <= t) {
		days[last].from = c;
		days[last].until = cutoff_on(t, 1);
	} else {
		days[last].from = cutoff_on(t, -1);
		days[last].until = c;
	}
	localtime_r(&days[last].from, &tm);
	if (strftime(days[last].name, sizeof(days[last].name), "%Y-%m-%d",
	    &tm) == 0)
		days[last].name[0] = '\0';
}

time_t
clock_day_start(time_t t)
{
	day_of(t);
	return days[last].from;
}

time_t
clock_next_cutoff(time_t t)
{
	day_of(t);
	return days[last].until;
}

void
clock_day(time_t t, char out[11])
{
	day_of(t);
	memcpy(out, days[last].name, sizeof(days[last].name));
}

void
clock_iso(time_t t, char out[26])
{
	struct tm tm;
	unsigned off;
	char sign;

	localtime_r(&t, &tm);
	sign = tm.tm_gmtoff < 0 ? '-' : '+';
	off = (unsigned)(tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff) / 60;
	if (strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		out[0] = '\0';
		return;
	}
	snprintf(out + 19, 7, "%c%02u:%02u", sign, off / 60 % 24, off % 60);
}

double
clock_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}
