/*
 * The clock: "now" (overridable with HC_NOW for tests), and the daily
 * cutoff in the configured time zone, which ends sessions, code tokens
 * and a day's declaration.
 */
#ifndef HC_CLOCK_H
#define HC_CLOCK_H

#include <time.h>

#include "util.h"

/*
 * Sets the process time zone (an IANA name such as "Asia/Shanghai") and
 * the cutoff "HH:MM"; reads HC_NOW.  Returns 0, or -1 with a message.
 */
int clock_init(const char *tz, const char *cutoff, struct buf *err);

/* Returns the current time: HC_NOW if set, else the system clock. */
time_t clock_now(void);

/* Parses epoch seconds or ISO 8601 "YYYY-MM-DDTHH:MM:SS" with "Z" or "+HH:MM"; 0 or -1. */
int clock_parse(const char *s, time_t *out);
/*
 * Parses exactly "YYYY-MM-DDTHH:MM:SS" and "Z" or "+HH:MM" / "-HH:MM"
 * (what clock_iso writes): no epoch seconds, no space for the T, no
 * leap second, no fraction.  0 or -1.
 */
int clock_parse_iso(const char *s, time_t *out);
/*
 * Parses "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" as a time on the
 * configured zone's clock (what an HTML datetime-local input sends): a
 * day that does not exist, or a time the zone skips (daylight saving),
 * is refused; one it repeats is either.  0 or -1.
 */
int clock_parse_local(const char *s, time_t *out);

/* Returns the start of the day containing t: the last cutoff <= t. */
time_t clock_day_start(time_t t);
/* Returns the next cutoff after t (when the day's sessions and codes end). */
time_t clock_next_cutoff(time_t t);
/* Writes the day containing t as "YYYY-MM-DD" (11 bytes with NUL). */
void clock_day(time_t t, char out[11]);
/* Writes t as local ISO 8601 with offset, "2026-11-29T08:00:00+08:00" (26 bytes). */
void clock_iso(time_t t, char out[26]);

/* Returns the milliseconds since t0 on the monotonic clock. */
double clock_ms_since(const struct timespec *t0);

#endif
