/*
 * Tests for the identity rules: GB 11643 resident IDs, passports, names
 * and their masks.  Valid and invalid cases sit side by side in each
 * table.  The check characters of the valid IDs were computed with the
 * GB 11643 weights, independently of handlers/ident.c.
 */
#include <string.h>

#include "../handlers/ident.h"
#include "t.h"

#define TODAY	"2025-06-15"

/* The region list the tests pretend to have (GB/T 2260). */
static const char *const regions[] = {
	"110105", "330106", "440305", "420102", NULL
};

/* The countries the tests pretend to have (ISO 3166-1 alpha-3). */
static const char *const countries[] = {
	"USA", "GBR", "DEU", "JPN", "FRA", NULL
};

/* Counts calls and checks each code is exactly n characters long. */
struct lookup {
	const char *const	*list;
	size_t			 n;
	int			 calls;
	int			 badlen;
};

static int
known(void *arg, const char *code)
{
	struct lookup *l = arg;
	size_t i;

	l->calls++;
	if (strlen(code) != l->n)
		l->badlen++;
	for (i = 0; l->list[i] != NULL; i++)
		if (strcmp(code, l->list[i]) == 0)
			return 1;
	return 0;
}

static const struct rcase {
	const char	*id;
	const char	*today;
	enum id_error	 want;
} resident_cases[] = {
	/* valid */
	{ "11010519491231002X", TODAY, ID_OK },	/* the GB 11643 sample */
	{ "330106199003071236", TODAY, ID_OK },
	{ "440305200002294564", TODAY, ID_OK },	/* 2000-02-29: leap */
	{ "420102190001010013", TODAY, ID_OK },	/* first allowed day */
	{ "110105202506151235", TODAY, ID_OK },	/* born today */
	{ "440305198511118884", TODAY, ID_OK },
	{ "330106199610100027", TODAY, ID_OK },
	{ "440305202012319904", TODAY, ID_OK },
	{ "330106202512310113", "2025-12-31", ID_OK },
	/* format: length, characters, lower-case x not normalised */
	{ "", TODAY, ID_BAD_FORMAT },
	{ NULL, TODAY, ID_BAD_FORMAT },
	{ "11010519491231002", TODAY, ID_BAD_FORMAT },	/* 17 */
	{ "11010519491231002X1", TODAY, ID_BAD_FORMAT },	/* 19 */
	{ "11010519491231002x", TODAY, ID_BAD_FORMAT },
	{ "1101051949123100XX", TODAY, ID_BAD_FORMAT },
	{ "X10105194912310021", TODAY, ID_BAD_FORMAT },
	{ "110105A94912310021", TODAY, ID_BAD_FORMAT },
	{ "11010519491231002Y", TODAY, ID_BAD_FORMAT },
	{ " 11010519491231002", TODAY, ID_BAD_FORMAT },
	{ "11010519491231002 ", TODAY, ID_BAD_FORMAT },
	{ "-11010519491231002", TODAY, ID_BAD_FORMAT },
	{ "\xef\xbc\x91" "101051949123100", TODAY, ID_BAD_FORMAT },	/* １ */
	/* check character */
	{ "110105194912310020", TODAY, ID_BAD_CHECK_DIGIT },
	{ "330106199003071237", TODAY, ID_BAD_CHECK_DIGIT },
	{ "33010619900307123X", TODAY, ID_BAD_CHECK_DIGIT },
	{ "11010519491231012X", TODAY, ID_BAD_CHECK_DIGIT },	/* typo */
	{ "11010519491213002X", TODAY, ID_BAD_CHECK_DIGIT },	/* swap */
	/* typo beats the other checks: bad date and region, bad check */
	{ "990105202602301230", TODAY, ID_BAD_CHECK_DIGIT },
	/* birth date: impossible, too early, in the future */
	{ "11010520260230123X", "2026-12-31", ID_BAD_BIRTH_DATE },
	{ "330106202502291238", TODAY, ID_BAD_BIRTH_DATE },	/* 2025 */
	{ "440305190002291236", TODAY, ID_BAD_BIRTH_DATE },	/* 1900 */
	{ "42010220231301123X", TODAY, ID_BAD_BIRTH_DATE },	/* month 13 */
	{ "420102202301001237", TODAY, ID_BAD_BIRTH_DATE },	/* day 0 */
	{ "420102202301321230", TODAY, ID_BAD_BIRTH_DATE },	/* day 32 */
	{ "33010619800431555X", TODAY, ID_BAD_BIRTH_DATE },	/* Apr 31 */
	{ "110105189912311237", TODAY, ID_BAD_BIRTH_DATE },
	{ "110105202506161230", TODAY, ID_BAD_BIRTH_DATE },	/* tomorrow */
	{ "330106202512310113", TODAY, ID_BAD_BIRTH_DATE },
	{ "330106202512310113", "2025-12-30", ID_BAD_BIRTH_DATE },
	/* a malformed today fails closed */
	{ "11010519491231002X", "20250615", ID_BAD_BIRTH_DATE },
	{ "11010519491231002X", "2025-6-15", ID_BAD_BIRTH_DATE },
	{ "11010519491231002X", NULL, ID_BAD_BIRTH_DATE },
	/* region */
	{ "990105199001011236", TODAY, ID_UNKNOWN_REGION },
	{ "110111198001011235", TODAY, ID_UNKNOWN_REGION },
	{ "110000198001011230", TODAY, ID_UNKNOWN_REGION },
};

static void
test_resident(void)
{
	struct lookup l = { regions, 6, 0, 0 };
	enum id_error got;
	size_t i;

	for (i = 0; i < sizeof(resident_cases) / sizeof(resident_cases[0]);
	    i++) {
		const struct rcase *c = &resident_cases[i];

		l.calls = 0;
		got = id_check_resident(c->id, c->today, known, &l);
		T_CHECK(got == c->want, "resident %zu %s: got %s, want %s",
		    i, c->id ? c->id : "NULL", id_error_name(got),
		    id_error_name(c->want));
		/* the region is looked up only once all else passed */
		T_CHECK(l.calls == (c->want == ID_OK ||
		    c->want == ID_UNKNOWN_REGION), "resident %zu: %d calls",
		    i, l.calls);
	}
	T_CHECK(l.badlen == 0, "region codes not 6 long: %d", l.badlen);

	/* no callback: nothing is a known region */
	got = id_check_resident("11010519491231002X", TODAY, NULL, NULL);
	T_CHECK(got == ID_UNKNOWN_REGION, "NULL callback: %s",
	    id_error_name(got));
}

static const struct ccase {
	const char	*digits;
	char		 want;
} check_cases[] = {
	{ "11010519491231002", 'X' },
	{ "33010619900307123", '6' },
	{ "44030520000229456", '4' },
	{ "42010219000101001", '3' },
	{ "00000000000000000", '1' },
	{ "1101051949123100a", '\0' },
	{ "1101051949123100", '\0' },		/* 16 */
	{ "", '\0' },
	{ NULL, '\0' },
};

static void
test_check_char(void)
{
	size_t i;
	char got;

	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		got = id_check_char(check_cases[i].digits);
		T_CHECK(got == check_cases[i].want,
		    "check char %zu: got %d, want %d", i, got,
		    check_cases[i].want);
	}
}

static const struct ncase {
	const char	*in;
	size_t		 outlen;
	int		 rc;
	const char	*want;
} normalise_cases[] = {
	{ "11010519491231002x", 19, 0, "11010519491231002X" },
	{ " 11010519491231002x ", 19, 0, "11010519491231002X" },
	{ "\t11010519491231002X\r\n", 19, 0, "11010519491231002X" },
	{ "e12345678", 32, 0, "E12345678" },
	{ "usa", 4, 0, "USA" },
	{ "  ", 4, 0, "" },
	{ "", 1, 0, "" },
	{ "a b", 8, 0, "A B" },			/* inner spaces are kept */
	{ "\xc3\xa9" "1", 8, 0, "\xc3\xa9" "1" },	/* é not upper-cased */
	{ "11010519491231002x", 18, -1, "" },		/* no room for NUL */
	{ "usa", 3, -1, "" },
	{ "a", 0, -1, NULL },
	{ NULL, 8, -1, "" },
};

static void
test_normalise(void)
{
	char out[64];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(normalise_cases) / sizeof(normalise_cases[0]);
	    i++) {
		const struct ncase *c = &normalise_cases[i];

		memset(out, 'Z', sizeof(out));
		out[sizeof(out) - 1] = '\0';
		rc = id_normalise(c->in, out, c->outlen);
		T_CHECK(rc == c->rc, "normalise %zu: rc %d", i, rc);
		if (c->want != NULL)
			T_STREQ(out, c->want, "normalise %zu", i);
		else
			T_CHECK(out[0] == 'Z', "normalise %zu: wrote", i);
	}
}

/* A lower-case check character is valid once normalised. */
static void
test_normalised_resident(void)
{
	struct lookup l = { regions, 6, 0, 0 };
	char out[19];

	T_CHECK(id_normalise(" 11010519491231002x", out, sizeof(out)) == 0,
	    "normalise resident");
	T_CHECK(id_check_resident(out, TODAY, known, &l) == ID_OK,
	    "normalised resident: %s", out);
}

static const struct pcase {
	const char	*number;
	const char	*nationality;
	enum id_error	 want;
} passport_cases[] = {
	/* valid */
	{ "E12345678", "USA", ID_OK },
	{ "123456789", "GBR", ID_OK },
	{ "C01X00T47", "DEU", ID_OK },
	{ "TR12345", "JPN", ID_OK },
	{ "A1234", "FRA", ID_OK },			/* 5: shortest */
	{ "ABCDEFGHIJ0123456789", "USA", ID_OK },	/* 20: longest */
	{ "ABCDE", "USA", ID_OK },
	/* number */
	{ "A123", "USA", ID_BAD_FORMAT },
	{ "ABCDEFGHIJ01234567890", "USA", ID_BAD_FORMAT },	/* 21 */
	{ "", "USA", ID_BAD_FORMAT },
	{ NULL, "USA", ID_BAD_FORMAT },
	{ "e12345678", "USA", ID_BAD_FORMAT },	/* not normalised */
	{ "E1234-5678", "USA", ID_BAD_FORMAT },
	{ "E1234.5678", "USA", ID_BAD_FORMAT },
	{ "E 12345678", "USA", ID_BAD_FORMAT },
	{ "E12345678<", "USA", ID_BAD_FORMAT },
	{ "\xc3\x89" "1234567", "USA", ID_BAD_FORMAT },	/* É */
	{ "E123", "XXX", ID_BAD_FORMAT },		/* number first */
	/* nationality */
	{ "E12345678", "XXX", ID_BAD_NATIONALITY },
	{ "E12345678", "usa", ID_BAD_NATIONALITY },	/* not normalised */
	{ "E12345678", "US", ID_BAD_NATIONALITY },
	{ "E12345678", "USAA", ID_BAD_NATIONALITY },
	{ "E12345678", "U1A", ID_BAD_NATIONALITY },
	{ "E12345678", "", ID_BAD_NATIONALITY },
	{ "E12345678", NULL, ID_BAD_NATIONALITY },
	{ "E12345678", "CHN", ID_BAD_NATIONALITY },	/* not in the list */
};

static void
test_passport(void)
{
	struct lookup l = { countries, 3, 0, 0 };
	enum id_error got;
	char num[32], nat[8];
	size_t i;

	for (i = 0; i < sizeof(passport_cases) / sizeof(passport_cases[0]);
	    i++) {
		const struct pcase *c = &passport_cases[i];

		got = id_check_passport(c->number, c->nationality, known, &l);
		T_CHECK(got == c->want, "passport %zu %s/%s: got %s, want %s",
		    i, c->number ? c->number : "NULL",
		    c->nationality ? c->nationality : "NULL",
		    id_error_name(got), id_error_name(c->want));
	}
	T_CHECK(l.badlen == 0, "country codes not 3 long: %d", l.badlen);

	/* what a form sends, normalised first */
	T_CHECK(id_normalise(" e12345678 ", num, sizeof(num)) == 0 &&
	    id_normalise("gbr", nat, sizeof(nat)) == 0 &&
	    id_check_passport(num, nat, known, &l) == ID_OK,
	    "normalised passport %s/%s", num, nat);
	T_CHECK(id_check_passport("E12345678", "USA", NULL, NULL) ==
	    ID_BAD_NATIONALITY, "NULL callback");
}

static const struct mcase {
	enum id_type	 type;
	const char	*number;
	size_t		 outlen;
	const char	*want;
} mask_cases[] = {
	{ ID_RESIDENT, "11010519491231002X", 24, "1101**********002X" },
	{ ID_RESIDENT, "330106199003071236", 19, "3301**********1236" },
	{ ID_PASSPORT, "E12345678", 24, "E1*****78" },
	{ ID_PASSPORT, "E1278", 24, "E1*78" },
	{ ID_PASSPORT, "ABCDEFGHIJ0123456789", 24, "AB****************89" },
	/* too short to hide anything: all stars */
	{ ID_PASSPORT, "E127", 24, "****" },
	{ ID_RESIDENT, "11010519", 24, "********" },
	{ ID_PASSPORT, "", 24, "" },
	{ ID_PASSPORT, NULL, 24, "" },
	/* never validated: all stars */
	{ ID_PASSPORT, "E1<script>", 24, "**********" },
	{ ID_RESIDENT, "\xe7\x8e\x8b" "1234567890", 24, "*************" },
	{ ID__MAX, "E12345678", 24, "*********" },
	/* small buffers drop stars, never show more */
	{ ID_RESIDENT, "11010519491231002X", 12, "1101***002X" },
	{ ID_RESIDENT, "11010519491231002X", 9, "********" },
	{ ID_PASSPORT, "E12345678", 5, "****" },
	{ ID_PASSPORT, "E12345678", 1, "" },
};

static void
test_id_mask(void)
{
	char out[32];
	size_t i;

	for (i = 0; i < sizeof(mask_cases) / sizeof(mask_cases[0]); i++) {
		const struct mcase *c = &mask_cases[i];

		memset(out, 'Z', sizeof(out));
		id_mask(c->type, c->number, out, c->outlen);
		T_STREQ(out, c->want, "id_mask %zu", i);
	}
}

static const struct vcase {
	const char	*name;
	int		 want;
} name_cases[] = {
	/* valid */
	{ "王小华", 1 },
	{ "欧阳娜娜", 1 },
	{ "王", 1 },
	{ "阿依古丽·买买提", 1 },		/* U+00B7 */
	{ "阿依古丽・买买提", 1 },		/* U+30FB */
	{ "John Smith", 1 },
	{ "Mary-Jane O'Neil", 1 },
	{ "J.R.R", 1 },
	{ "José Núñez", 1 },
	{ "Jose\xcc\x81", 1 },			/* e + U+0301 */
	{ "Zoë Łukasz Ærø", 1 },
	{ "Nguyễn Văn An", 1 },
	{ "Иван Петров", 1 },
	{ "Αλέξανδρος", 1 },
	{ "ئابدۇرېھىم", 1 },			/* Uyghur */
	{ "محمد", 1 },
	{ "བཀྲ་ཤིས", 1 },			/* Tibetan, tsheg */
	{ "ᠪᠠᠲᠤ", 1 },				/* Mongolian */
	{ "ジョン・スミス", 1 },
	{ "ジョージ", 1 },			/* U+30FC */
	{ "김민준", 1 },
	{ "王\xf0\xa0\xae\xb7", 1 },		/* U+20BB7, extension B */
	{ "\xe3\x90\x80\xe5\x8d\x8e", 1 },	/* U+3400, extension A */
	{ "\xef\xa4\x80", 1 },			/* U+F900, compatibility */
	{ "\xf0\xaf\xa0\x80", 1 },		/* U+2F800 */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1 },	/* 32 */
	{ "王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王", 1 },
	/* invalid: length */
	{ "", 0 },
	{ NULL, 0 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0 },	/* 33 */
	{ "王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王", 0 },
	/* invalid: digits, markup, controls, symbols */
	{ "王1", 0 },
	{ "王١", 0 },				/* Arabic-Indic 1 */
	{ "王１", 0 },				/* full-width 1 */
	{ "王〇", 0 },				/* U+3007 is a number */
	{ "<b>", 0 },
	{ "a&b", 0 },
	{ "O\"Neil", 0 },
	{ "a>b", 0 },
	{ "\n", 0 },
	{ "王\n", 0 },
	{ "a\tb", 0 },
	{ "a\x7f", 0 },
	{ "王😀", 0 },
	{ "😀", 0 },
	{ "a\xe2\x80\x8d" "b", 0 },		/* ZWJ */
	{ "\xe2\x80\xae" "abc", 0 },		/* RIGHT-TO-LEFT OVERRIDE */
	{ "Ｊｏｈｎ", 0 },			/* full-width Latin */
	{ "a_b", 0 },
	{ "a,b", 0 },
	/* invalid: separators misplaced */
	{ "a  b", 0 },
	{ " lead", 0 },
	{ "trail ", 0 },
	{ "Jr.", 0 },
	{ "J. Smith", 0 },
	{ "a--b", 0 },
	{ "-ab", 0 },
	{ "'ab", 0 },
	{ "·王", 0 },
	{ "王·", 0 },
	{ "王··华", 0 },
	{ "王·-华", 0 },
	{ "王•华", 0 },				/* U+2022 bullet */
	{ "王．华", 0 },			/* full-width full stop */
	{ "王 小华", 0 },			/* ASCII separators: not CJK */
	{ "王-华", 0 },
	{ "王小华 Smith", 0 },
	{ "\xcc\x81" "a", 0 },			/* leading U+0301 */
	{ "a \xcc\x81", 0 },			/* mark after a space */
	{ "ー", 0 },				/* U+30FC alone */
	{ "བཀྲ་", 0 },				/* trailing tsheg */
	{ "a་b", 0 },				/* tsheg between Latin */
	{ "ـمحمد", 0 },				/* tatweel */
	/* invalid: UTF-8 */
	{ "王\xff", 0 },
	{ "\xe7\x8e", 0 },			/* truncated */
	{ "\xc0\xaf", 0 },			/* overlong */
	{ "\xe0\x80\xaf", 0 },			/* overlong */
	{ "\xed\xa0\x80", 0 },			/* surrogate */
	{ "\xf4\x90\x80\x80", 0 },		/* past U+10FFFF */
	{ "\xf3\xb0\x80\x80", 0 },		/* private use */
};

static void
test_name_valid(void)
{
	size_t i;
	int got;

	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		got = name_valid(name_cases[i].name);
		T_CHECK(got == name_cases[i].want, "name_valid %zu %s: got %d",
		    i, name_cases[i].name ? name_cases[i].name : "NULL", got);
	}
}

static const struct nmcase {
	const char	*name;
	size_t		 outlen;
	const char	*want;
} name_mask_cases[] = {
	{ "王小华", 32, "王*华" },
	{ "王华", 32, "王*" },
	{ "王", 32, "*" },
	{ "欧阳娜娜", 32, "欧*娜" },
	{ "阿依古丽·买买提", 32, "阿*提" },
	{ "John Smith", 32, "J*h" },
	{ "Al", 32, "A*" },
	{ "A", 32, "*" },
	{ "", 32, "" },
	{ NULL, 32, "" },
	{ "王\xf0\xa0\xae\xb7", 32, "王*" },
	{ "\xf0\xa0\xae\xb7王\xf0\xa0\xae\xb7", 32,
	    "\xf0\xa0\xae\xb7*\xf0\xa0\xae\xb7" },
	{ "Jose\xcc\x81", 32, "J*e\xcc\x81" },	/* the mark stays */
	{ "བཀྲ་ཤིས", 32, "བ*ས" },
	/* small buffers: a star, never half a character */
	{ "王小华", 8, "王*华" },
	{ "王小华", 7, "*" },
	{ "王小华", 2, "*" },
	{ "王小华", 1, "" },
	{ "王华", 5, "王*" },
	{ "王华", 4, "*" },
	/* invalid bytes count as one character each */
	{ "a\xff" "b", 32, "a*b" },
};

static void
test_name_mask(void)
{
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(name_mask_cases) / sizeof(name_mask_cases[0]);
	    i++) {
		const struct nmcase *c = &name_mask_cases[i];

		memset(out, 'Z', sizeof(out));
		name_mask(c->name, out, c->outlen);
		T_STREQ(out, c->want, "name_mask %zu", i);
	}
	memset(out, 'Z', sizeof(out));
	name_mask("王小华", out, 0);
	T_CHECK(out[0] == 'Z', "name_mask outlen 0 wrote");
}

static void
test_names(void)
{
	static const char *const errs[ID__ERRMAX] = {
		"ok", "invalid_id_number", "invalid_check_digit",
		"invalid_birth_date", "unknown_region", "invalid_nationality"
	};
	size_t i;

	T_CHECK(id_type_parse("resident_id") == ID_RESIDENT, "resident_id");
	T_CHECK(id_type_parse("passport") == ID_PASSPORT, "passport");
	T_CHECK(id_type_parse("Passport") == ID__MAX, "Passport");
	T_CHECK(id_type_parse("resident") == ID__MAX, "resident");
	T_CHECK(id_type_parse("passport ") == ID__MAX, "passport space");
	T_CHECK(id_type_parse("") == ID__MAX, "empty type");
	T_CHECK(id_type_parse(NULL) == ID__MAX, "NULL type");
	for (i = 0; i < ID__MAX; i++)
		T_CHECK(id_type_parse(id_type_name((enum id_type)i)) ==
		    (enum id_type)i, "type %zu round trip", i);
	T_STREQ(id_type_name(ID_RESIDENT), "resident_id", "type name");
	T_STREQ(id_type_name(ID_PASSPORT), "passport", "type name");
	T_STREQ(id_type_name(ID__MAX), "?", "type name MAX");

	for (i = 0; i < ID__ERRMAX; i++)
		T_STREQ(id_error_name((enum id_error)i), errs[i],
		    "error name %zu", i);
	T_STREQ(id_error_name(ID__ERRMAX), "invalid_id_number",
	    "error name MAX");
}

int
main(void)
{
	test_check_char();
	test_resident();
	test_normalise();
	test_normalised_resident();
	test_passport();
	test_id_mask();
	test_name_valid();
	test_name_mask();
	test_names();
	T_DONE("ident");
}
