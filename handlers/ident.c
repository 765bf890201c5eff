/*
 * Identity rules without I/O: GB 11643 resident ID numbers, passports,
 * names, and their masked forms.  Everything here is a pure function of
 * its arguments (today's date and the region and country lists come in
 * from the caller), so every rule is a table-driven unit test.
 */
#include <stdint.h>
#include <string.h>

#include "ident.h"

static const char *const type_names[ID__MAX] = {
	"resident_id", "passport"
};

static const char *const error_names[ID__ERRMAX] = {
	"ok",
	"invalid_id_number",
	"invalid_check_digit",
	"invalid_birth_date",
	"unknown_region",
	"invalid_nationality"
};

enum id_type
id_type_parse(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < ID__MAX; i++)
		if (strcmp(s, type_names[i]) == 0)
			return (enum id_type)i;
	return ID__MAX;
}

const char *
id_type_name(enum id_type t)
{
	return t < ID__MAX ? type_names[t] : "?";
}

const char *
id_error_name(enum id_error e)
{
	return e < ID__ERRMAX ? error_names[e] : error_names[ID_BAD_FORMAT];
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/*
 * ISO 7064 MOD 11-2 as GB 11643 states it: weight 2^(17-i) mod 11 for
 * the i-th digit, the weighted sum mod 11 indexing "10X98765432".
 * Returns '\0' if any of the first 17 characters is not a digit.
 */
char
id_check_char(const char *digits17)
{
	static const unsigned char w[17] = {
		7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
	};
	unsigned sum = 0;
	size_t i;

	if (digits17 == NULL)
		return '\0';
	for (i = 0; i < 17; i++) {
		if (!is_digit(digits17[i]))
			return '\0';
		sum += (unsigned)(digits17[i] - '0') * w[i];
	}
	return "10X98765432"[sum % 11];
}

/* Returns the value of n digits at s; the caller has checked them. */
static int
num(const char *s, size_t n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Returns 1 if y-m-d is a day of the Gregorian calendar. */
static int
real_date(int y, int m, int d)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

/* Returns today ("YYYY-MM-DD") as YYYYMMDD, or -1 if malformed. */
static long
parse_today(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit(s[i]))
			return -1;
	return num(s, 4) * 10000L + num(s + 5, 2) * 100L + num(s + 8, 2);
}

/*
 * The order of the checks is the order of the error codes: a random typo
 * almost always breaks the check character, and reporting that is more
 * useful than "no such birth date".  A malformed today, or no region
 * callback, fails closed (birth date, region) rather than accepting.
 */
enum id_error
id_check_resident(const char *s, const char *today,
    int (*region_known)(void *arg, const char *code6), void *arg)
{
	char code6[7];
	long t, birth;
	int y, m, d;
	size_t i;

	if (s == NULL || strlen(s) != 18)
		return ID_BAD_FORMAT;
	for (i = 0; i < 17; i++)
		if (!is_digit(s[i]))
			return ID_BAD_FORMAT;
	if (!is_digit(s[17]) && s[17] != 'X')
		return ID_BAD_FORMAT;

	if (id_check_char(s) != s[17])
		return ID_BAD_CHECK_DIGIT;

	y = num(s + 6, 4);
	m = num(s + 10, 2);
	d = num(s + 12, 2);
	birth = y * 10000L + m * 100L + d;
	if ((t = parse_today(today)) == -1 || !real_date(y, m, d) ||
	    birth < 19000101L || birth > t)
		return ID_BAD_BIRTH_DATE;

	memcpy(code6, s, 6);
	code6[6] = '\0';
	if (region_known == NULL || !region_known(arg, code6))
		return ID_UNKNOWN_REGION;
	return ID_OK;
}

enum id_error
id_check_passport(const char *number, const char *nationality,
    int (*country_known)(void *arg, const char *alpha3), void *arg)
{
	size_t i, n;

	if (number == NULL || (n = strlen(number)) < 5 || n > 20)
		return ID_BAD_FORMAT;
	for (i = 0; i < n; i++)
		if (!is_digit(number[i]) && !is_upper(number[i]))
			return ID_BAD_FORMAT;

	if (nationality == NULL || strlen(nationality) != 3)
		return ID_BAD_NATIONALITY;
	for (i = 0; i < 3; i++)
		if (!is_upper(nationality[i]))
			return ID_BAD_NATIONALITY;
	if (country_known == NULL || !country_known(arg, nationality))
		return ID_BAD_NATIONALITY;
	return ID_OK;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

/*
 * "Spaces" are the ASCII white space a paste can bring along; anything
 * else (a full-width space, say) is kept and then fails validation.
 * Only ASCII letters are upper-cased: no locale is involved.
 */
int
id_normalise(const char *s, char *out, size_t outlen)
{
	size_t b, e, i;

	if (outlen > 0)
		out[0] = '\0';
	if (s == NULL)
		return -1;
	for (b = 0; is_space(s[b]); b++)
		continue;
	for (e = strlen(s); e > b && is_space(s[e - 1]); e--)
		continue;
	if (e - b >= outlen)
		return -1;
	for (i = b; i < e; i++)
		out[i - b] = (s[i] >= 'a' && s[i] <= 'z') ?
		    (char)(s[i] - 'a' + 'A') : s[i];
	out[e - b] = '\0';
	return 0;
}

/*
 * Resident IDs keep 4 characters at each end, passports 2; every hidden
 * character becomes one star.  Anything that is not a plain ASCII letter
 * or digit string long enough to hide at least one character (a number
 * that was never validated), or an unknown type, is all stars, so a mask
 * never shows more than it should.  The output is cut to fit outlen by
 * dropping stars, never by showing the ends of a shorter buffer.
 */
void
id_mask(enum id_type t, const char *number, char *out, size_t outlen)
{
	size_t i, n, keep, stars;
	int plain = 1;

	if (outlen == 0)
		return;
	n = number == NULL ? 0 : strlen(number);
	for (i = 0; i < n; i++)
		if (!is_digit(number[i]) && !is_upper(number[i]) &&
		    !(number[i] >= 'a' && number[i] <= 'z'))
			plain = 0;
	keep = t == ID_RESIDENT ? 4 : t == ID_PASSPORT ? 2 : 0;
	if (!plain || keep == 0 || n <= 2 * keep || outlen <= 2 * keep + 1) {
		for (i = 0; i < n && i + 1 < outlen; i++)
			out[i] = '*';
		out[i] = '\0';
		return;
	}
	stars = n - 2 * keep;
	if (2 * keep + stars >= outlen)
		stars = outlen - 1 - 2 * keep;
	memcpy(out, number, keep);
	memset(out + keep, '*', stars);
	memcpy(out + keep + stars, number + n - keep, keep);
	out[2 * keep + stars] = '\0';
}

/*
 * Decodes one UTF-8 sequence at s into *cp.  Returns its length, or 0
 * for an invalid sequence: truncated, overlong, a surrogate, or past
 * U+10FFFF.
 */
static size_t
utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t n, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	} else if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2;
		c = u[0] & 0x1f;
		min = 0x80;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3;
		c = u[0] & 0x0f;
		min = 0x800;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4;
		c = u[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * The characters a name may hold.  Conservative on purpose: a code point
 * not listed here (digits of any script, punctuation, symbols, emoji,
 * controls, format characters such as ZWJ/ZWNJ and bidi marks, full-width
 * forms, private use, unassigned) makes the name invalid.
 *
 *	NL_LETTER	letters: Latin (ASCII, Latin-1 Supplement, Extended-A
 *			and -B, Extended Additional), Greek, Cyrillic (with
 *			Supplement), Arabic (also Uyghur and Kazakh), Tibetan,
 *			Mongolian; NL_EA for Han ideographs (URO, extensions
 *			A to F, both compatibility blocks), kana and Hangul
 *	NL_MARK		combining marks of those scripts and U+30FC KATAKANA-
 *			HIRAGANA PROLONGED SOUND MARK: only right after a
 *			letter or another mark, never first
 *	NL_DOT		the middle dots U+00B7 and U+30FB of minority and
 *			transliterated names (阿依古丽·买买提)
 *	NL_ASCII	space, '-', '\'' and '.' (Mary-Jane O'Neil), not in
 *			a name that has an NL_EA character
 *	NL_TSHEG	U+0F0B, the Tibetan syllable delimiter, between two
 *			Tibetan characters only
 *
 * Every separator (the last three) stands alone between a letter (or its
 * marks) and a letter: no leading, trailing or doubled separators, so
 * "a  b", " a", "Jr." and "J. Smith" are all invalid.  U+2022 BULLET and
 * other look-alike dots are not middle dots.
 */
enum nclass {
	NL_BAD,
	NL_LETTER,
	NL_EA,
	NL_MARK,
	NL_DOT,
	NL_ASCII,
	NL_TSHEG
};

static const struct nrange {
	uint32_t	lo, hi;
	enum nclass	cls;
} nranges[] = {
	{ 0x0020, 0x0020, NL_ASCII },
	{ 0x0027, 0x0027, NL_ASCII },
	{ 0x002d, 0x002e, NL_ASCII },
	{ 0x0041, 0x005a, NL_LETTER },
	{ 0x0061, 0x007a, NL_LETTER },
	{ 0x00b7, 0x00b7, NL_DOT },
	{ 0x00c0, 0x00d6, NL_LETTER },		/* Latin-1 Supplement */
	{ 0x00d8, 0x00f6, NL_LETTER },
	{ 0x00f8, 0x024f, NL_LETTER },		/* to Latin Extended-B */
	{ 0x0300, 0x036f, NL_MARK },		/* combining diacritics */
	{ 0x0386, 0x0386, NL_LETTER },		/* Greek */
	{ 0x0388, 0x038a, NL_LETTER },
	{ 0x038c, 0x038c, NL_LETTER },
	{ 0x038e, 0x03a1, NL_LETTER },
	{ 0x03a3, 0x03ce, NL_LETTER },
	{ 0x0400, 0x0481, NL_LETTER },		/* Cyrillic */
	{ 0x048a, 0x052f, NL_LETTER },
	{ 0x0620, 0x063f, NL_LETTER },		/* Arabic */
	{ 0x0641, 0x064a, NL_LETTER },
	{ 0x064b, 0x065f, NL_MARK },
	{ 0x066e, 0x066f, NL_LETTER },
	{ 0x0670, 0x0670, NL_MARK },
	{ 0x0671, 0x06d3, NL_LETTER },
	{ 0x06d5, 0x06d5, NL_LETTER },
	{ 0x06d6, 0x06dc, NL_MARK },
	{ 0x06df, 0x06e4, NL_MARK },
	{ 0x06e7, 0x06e8, NL_MARK },
	{ 0x06ea, 0x06ed, NL_MARK },
	{ 0x06ee, 0x06ef, NL_LETTER },
	{ 0x06fa, 0x06fc, NL_LETTER },
	{ 0x06ff, 0x06ff, NL_LETTER },
	{ 0x0f0b, 0x0f0b, NL_TSHEG },		/* Tibetan */
	{ 0x0f40, 0x0f47, NL_LETTER },
	{ 0x0f49, 0x0f6c, NL_LETTER },
	{ 0x0f71, 0x0f84, NL_MARK },
	{ 0x0f86, 0x0f87, NL_MARK },
	{ 0x0f88, 0x0f8c, NL_LETTER },
	{ 0x0f8d, 0x0f97, NL_MARK },
	{ 0x0f99, 0x0fbc, NL_MARK },
	{ 0x180b, 0x180d, NL_MARK },		/* Mongolian */
	{ 0x180f, 0x180f, NL_MARK },
	{ 0x1820, 0x1878, NL_LETTER },
	{ 0x1880, 0x1884, NL_LETTER },
	{ 0x1885, 0x1886, NL_MARK },
	{ 0x1887, 0x18a8, NL_LETTER },
	{ 0x18a9, 0x18a9, NL_MARK },
	{ 0x18aa, 0x18aa, NL_LETTER },
	{ 0x1e00, 0x1eff, NL_LETTER },		/* Latin Extended Additional */
	{ 0x3041, 0x3096, NL_EA },		/* Hiragana */
	{ 0x30a1, 0x30fa, NL_EA },		/* Katakana */
	{ 0x30fb, 0x30fb, NL_DOT },
	{ 0x30fc, 0x30fc, NL_MARK },
	{ 0x3400, 0x4dbf, NL_EA },		/* CJK Extension A */
	{ 0x4e00, 0x9fff, NL_EA },		/* CJK Unified Ideographs */
	{ 0xac00, 0xd7a3, NL_EA },		/* Hangul syllables */
	{ 0xf900, 0xfa6d, NL_EA },		/* CJK Compatibility */
	{ 0xfa70, 0xfad9, NL_EA },
	{ 0x20000, 0x2a6df, NL_EA },		/* CJK Extension B */
	{ 0x2a700, 0x2ebef, NL_EA },		/* Extensions C to F */
	{ 0x2f800, 0x2fa1f, NL_EA },		/* Compatibility Supplement */
};

static enum nclass
nclass(uint32_t cp)
{
	size_t i;

	for (i = 0; i < sizeof(nranges) / sizeof(nranges[0]); i++) {
		if (cp < nranges[i].lo)
			break;
		if (cp <= nranges[i].hi)
			return nranges[i].cls;
	}
	return NL_BAD;
}

static int
tibetan(uint32_t cp)
{
	return cp >= 0x0f00 && cp <= 0x0fff;
}

int
name_valid(const char *s)
{
	enum nclass c = NL_BAD, prev = NL_BAD;	/* NL_BAD: at the start */
	uint32_t cp, prevcp = 0;
	size_t len, n = 0;
	int ea = 0, ascii = 0;

	if (s == NULL)
		return 0;
	for (; *s != '\0'; s += len, prev = c, prevcp = cp) {
		if ((len = utf8_decode(s, &cp)) == 0 ||
		    ++n > NAME_CHARS)
			return 0;
		switch ((c = nclass(cp))) {
		case NL_BAD:
			return 0;
		case NL_EA:
			ea = 1;
			/* FALLTHROUGH */
		case NL_LETTER:
			if (prev == NL_TSHEG && !tibetan(cp))
				return 0;
			break;
		case NL_ASCII:
			ascii = 1;
			/* FALLTHROUGH */
		case NL_DOT:
		case NL_TSHEG:
		case NL_MARK:
			if (prev != NL_LETTER && prev != NL_EA &&
			    prev != NL_MARK)
				return 0;
			if (c == NL_TSHEG && !tibetan(prevcp))
				return 0;
			break;
		}
	}
	if (prev != NL_LETTER && prev != NL_EA && prev != NL_MARK)
		return 0;	/* empty, or ends with a separator */
	return !(ea && ascii);
}

/*
 * Returns the length of the character at s: one code point and the
 * combining marks after it, so "José" written with U+0301 keeps its
 * accent.  An invalid byte counts as one character of its own.
 */
static size_t
char_len(const char *s)
{
	size_t len, n;
	uint32_t cp;

	if ((len = utf8_decode(s, &cp)) == 0)
		return 1;
	while ((n = utf8_decode(s + len, &cp)) > 0 && s[len] != '\0' &&
	    nclass(cp) == NL_MARK)
		len += n;
	return len;
}

/*
 * The mask is at most two characters and a star.  If out is too small
 * for it, the mask is "*" (or "" for an empty name), never a cut
 * character.
 */
void
name_mask(const char *name, char *out, size_t outlen)
{
	size_t i, len, n = 0, first = 0, last = 0, lastlen = 0, need;

	if (outlen == 0)
		return;
	for (i = 0; name != NULL && name[i] != '\0'; i += len, n++) {
		len = char_len(name + i);
		if (n == 0)
			first = len;
		last = i;
		lastlen = len;
	}
	if (n <= 1) {
		strcpy(out, n == 0 || outlen < 2 ? "" : "*");
		return;
	}
	need = first + 1 + (n > 2 ? lastlen : 0);
	if (need >= outlen) {
		strcpy(out, outlen < 2 ? "" : "*");
		return;
	}
	memcpy(out, name, first);
	out[first] = '*';
	if (n > 2)
		memcpy(out + first + 1, name + last, lastlen);
	out[need] = '\0';
}
