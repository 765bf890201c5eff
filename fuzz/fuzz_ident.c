/*
 * libFuzzer harness for the identity fields of a declaration, a lookup
 * or a case list (handlers/ident.c, as person_identity reads them) and
 * the other typed fields of a body (handlers/valid.c, fcgi/validate.c,
 * and the days, case kinds and symptoms of handlers/rules.c).
 * The input is up to four NUL-separated fields: name, id_type, id_number,
 * nationality.  Each goes through the checks in the order the service
 * makes them, into buffers of the sizes it uses, and every field also
 * through the masks and the field validators.  Checks that what a check
 * accepts has the form it promises (a resident number of 17 digits and
 * its check character, born on a real day no later than today; a
 * passport of 5-20 letters and digits; a local path that cannot leave
 * the site), and that the masks show no more than they may and fit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/request.h"
#include "../fcgi/validate.h"
#include "../handlers/ident.h"
#include "../handlers/rules.h"
#include "../handlers/valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define TODAY	"2026-11-29"

/* Regions: any six digits that do not end "00" (a province's own code). */
static int
region_known(void *arg, const char *code6)
{
	(void)arg;
	return strlen(code6) == 6 && strspn(code6, "0123456789") == 6 &&
	    strcmp(code6 + 4, "00") != 0;
}

/* Countries: a few of ISO 3166-1's. */
static int
country_known(void *arg, const char *alpha3)
{
	(void)arg;
	return strcmp(alpha3, "CHN") == 0 || strcmp(alpha3, "USA") == 0 ||
	    strcmp(alpha3, "GBR") == 0 || strcmp(alpha3, "KOR") == 0;
}

/*
 * Aborts unless out is a mask of number that fits: all stars, or the
 * number's own first and last keep characters with stars between.
 */
static void
mask_ok(enum id_type t, const char *number, const char *out, size_t outlen)
{
	size_t n = strlen(number), m = strlen(out), keep;

	keep = t == ID_RESIDENT ? 4 : t == ID_PASSPORT ? 2 : 0;
	if (m >= outlen || m > n)
		abort();
	if (strspn(out, "*") == m)
		return;
	if (keep == 0 || m < 2 * keep + 1 || memcmp(out, number, keep) != 0 ||
	    memcmp(out + m - keep, number + n - keep, keep) != 0 ||
	    strspn(out + keep, "*") != m - 2 * keep)
		abort();
}

/* The field checks of a body's values: each accepts what it promises. */
static void
fields(const char *s)
{
	char phone[12];
	long long v;
	size_t n = strlen(s), i;

	if (v_text(s, 0, 64) && (n > 64 || !utf8_valid(s, n)))
		abort();
	if (v_line(s, 60) && (utf8_chars(s) > 60 || utf8_chars(s) == 0 ||
	    !utf8_valid(s, n) || strchr(s, '\n') != NULL))
		abort();
	if (v_lines(s, NOTE_CHARS) && (utf8_chars(s) > NOTE_CHARS ||
	    strchr(s, '\t') != NULL))
		abort();
	if (v_int(s, -1000, 1000, &v) && (v < -1000 || v > 1000))
		abort();
	if (v_digits(s, 6, 6) && (n != 6 || strspn(s, "0123456789") != 6))
		abort();
	if (valid_local_path(s)) {
		if (s[0] != '/' || s[1] == '/' || strchr(s, '\\') != NULL ||
		    n > 512)
			abort();
		for (i = 0; i < n; i++)
			if ((unsigned char)s[i] <= ' ' ||
			    (unsigned char)s[i] > '~')
				abort();
	}
	mask_phone(s, phone);
	if (strlen(phone) != 11 || (valid_phone(s) ? memcmp(phone, s, 3) ||
	    memcmp(phone + 3, "****", 4) || memcmp(phone + 7, s + 7, 4) :
	    strcmp(phone, "***********")))
		abort();
	/* A day (listed_on, a risk area's until): its arithmetic holds. */
	if (day_valid(s) == 0) {
		static const int steps[] = { 0, 1, -1, 59, 366, -36524 };
		char there[11], back[11];

		if (n != 10 || s[4] != '-' || s[7] != '-')
			abort();
		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			day_add(s, steps[i], there);
			if (there[0] == '\0')
				continue;
			day_add(there, -steps[i], back);
			if (strcmp(back, s) != 0 || day_valid(there) != 0 ||
			    day_diff(s, there) != steps[i])
				abort();
		}
	}
	if (case_kind_parse(s) != CASE__MAX &&
	    strcmp(case_kind_name(case_kind_parse(s)), s) != 0)
		abort();
	if (symptom_parse(s) != 0 &&
	    strcmp(symptom_name(symptom_parse(s)), s) != 0)
		abort();
	(void)roles_parse(s);
	(void)venue_name_valid(s);
	(void)note_valid(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[4] = { "", "", "", "" }, *p, *end;
	char *copy, number[32], nat[8], masked[24], nmask[NAME_MASKED_BYTES];
	char small[8];
	enum id_type t;
	enum id_error e;
	size_t i, n;

	if (size > 4096)
		return 0;
	/* One byte more for the last field's NUL. */
	if ((copy = malloc(size + 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (p = copy, end = copy + size, i = 0; i < 4 && p <= end; i++) {
		f[i] = p;
		p += strlen(p) + 1;
	}

	/* The name: valid, then masked as a checker sees it. */
	if (name_valid(f[0])) {
		n = utf8_chars(f[0]);
		if (n == 0 || n > NAME_CHARS || strlen(f[0]) >= NAME_BYTES)
			abort();
		name_mask(f[0], nmask, sizeof(nmask));
		if (strchr(nmask, '*') == NULL || !utf8_valid(nmask,
		    strlen(nmask)))
			abort();
	}
	name_mask(f[0], small, sizeof(small));
	if (strlen(small) >= sizeof(small))
		abort();

	/* The number, by its type. */
	t = id_type_parse(f[1]);
	if (t != ID__MAX && strcmp(id_type_name(t), f[1]) != 0)
		abort();
	if (id_normalise(f[2], number, sizeof(number)) == 0) {
		if (strlen(number) >= sizeof(number))
			abort();
		e = t == ID_PASSPORT ? ID__ERRMAX : id_check_resident(number,
		    TODAY, region_known, NULL);
		if (e == ID_OK) {
			if (strlen(number) != 18 ||
			    id_check_char(number) != number[17] ||
			    strncmp(number + 6, "19000101", 8) < 0 ||
			    strncmp(number + 6, "20261129", 8) > 0)
				abort();
		} else if (e != ID__ERRMAX && e >= ID__ERRMAX)
			abort();
		if (id_normalise(f[3], nat, sizeof(nat)) == 0 &&
		    id_check_passport(number, nat, country_known, NULL) ==
		    ID_OK && (strlen(number) < 5 || strlen(number) > 20 ||
		    strspn(number, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
		    strlen(number) || !country_known(NULL, nat)))
			abort();
		(void)id_error_name(e);
		id_mask(t, number, masked, sizeof(masked));
		mask_ok(t, number, masked, sizeof(masked));
		id_mask(t, number, small, sizeof(small));
		mask_ok(t, number, small, sizeof(small));
	}
	for (i = 0; i < 4; i++)
		fields(f[i]);
	free(copy);
	return 0;
}
