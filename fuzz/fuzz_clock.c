/*
 * libFuzzer harness for the time parsers: clock_parse_iso accepts only
 * what it can write back (the same 19 characters for the instant plus
 * its offset, and a "Z" or "+HH:MM" suffix), and clock_parse, which
 * takes more, agrees with it on everything clock_parse_iso accepts;
 * clock_parse_local (in New York, for its daylight saving) accepts only
 * a local time that the zone's clock shows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../fcgi/clock.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int zoned;
	char s[64], back[32];
	struct tm tm;
	time_t t, loose, local;
	long off;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!zoned) {
		setenv("TZ", "America/New_York", 1);
		tzset();
		zoned = 1;
	}
	if (clock_parse_local(s, &t) == 0) {
		if ((strlen(s) != 16 && strlen(s) != 19) ||
		    localtime_r(&t, &tm) == NULL ||
		    strftime(back, sizeof(back), "%Y-%m-%dT%H:%M:%S", &tm) !=
		    19 || memcmp(back, s, strlen(s)) != 0)
			abort();
	}
	if (clock_parse_iso(s, &t) == -1)
		return 0;
	if (strlen(s) != 20 && strlen(s) != 25)
		abort();
	if (clock_parse(s, &loose) != 0 || loose != t)
		abort();
	/* The offset as written, then the local time it names. */
	off = 0;
	if (s[19] != 'Z')
		off = (s[19] == '-' ? -1 : 1) * (((s[20] - '0') * 10 +
		    (s[21] - '0')) * 3600L + ((s[23] - '0') * 10 +
		    (s[24] - '0')) * 60L);
	local = t + off;
	if (gmtime_r(&local, &tm) == NULL ||
	    strftime(back, sizeof(back), "%Y-%m-%dT%H:%M:%S", &tm) != 19 ||
	    memcmp(back, s, 19) != 0)
		abort();
	return 0;
}
