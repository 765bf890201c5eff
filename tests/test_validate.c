/*
 * Tests for the generic validators (digits, one-line text, text of
 * several lines, integers)
 * and for req_str over JSON and form bodies.
 */
#include <limits.h>
#include <string.h>

#include "../fcgi/validate.h"
#include "t.h"

static const struct dcase {
	const char	*s;
	size_t		 min, max;
	int		 want;
} digit_cases[] = {
	{ "0", 1, 1, 1 },
	{ "123", 1, 5, 1 },
	{ "12345", 1, 5, 1 },
	{ "12345", 5, 5, 1 },
	{ "", 0, 5, 1 },
	{ "123456", 1, 5, 0 },
	{ "1234", 5, 6, 0 },
	{ "", 1, 5, 0 },
	{ "12a", 1, 5, 0 },
	{ " 12", 1, 5, 0 },
	{ "12 ", 1, 5, 0 },
	{ "-1", 1, 5, 0 },
	{ "+1", 1, 5, 0 },
	{ "1.5", 1, 5, 0 },
	{ "\xef\xbc\x91", 1, 5, 0 },		/* fullwidth 1 */
	{ "\xd9\xa1", 1, 5, 0 },		/* Arabic-Indic 1 */
	{ NULL, 0, 5, 0 },
};

static const struct tcase {
	const char	*s;
	size_t		 min, max;
	int		 want;
} text_cases[] = {
	{ "\xe5\x81\xa5\xe5\xba\xb7", 1, 6, 1 },	/* 健康: 6 bytes */
	{ "\xe5\x81\xa5\xe5\xba\xb7", 6, 6, 1 },
	{ "\xe5\x81\xa5\xe5\xba\xb7", 1, 5, 0 },	/* bytes, not chars */
	{ "\xe5\x81\xa5\xe5\xba\xb7", 7, 64, 0 },
	{ "\xe5\xbc\xa0\xe4\xb8\x89 Zhang-San", 1, 64, 1 },
	{ "abc", 3, 3, 1 },
	{ "abc", 4, 10, 0 },
	{ "abcd", 1, 3, 0 },
	{ "", 0, 10, 1 },
	{ "", 1, 10, 0 },
	{ "a b", 1, 10, 1 },
	{ "a\nb", 1, 10, 0 },
	{ "a\rb", 1, 10, 0 },
	{ "a\tb", 1, 10, 0 },
	{ "ab\n", 1, 10, 0 },
	{ "a\x01", 1, 10, 0 },
	{ "a\x1b", 1, 10, 0 },
	{ "a\x7f", 1, 10, 0 },
	{ "\xff", 1, 10, 0 },
	{ "\xe5\x81", 1, 10, 0 },
	{ "\xed\xa0\x80", 1, 10, 0 },
	{ "\xc0\xaf", 1, 10, 0 },
	{ NULL, 0, 10, 0 },
};

/* Text of several lines, at most 5 characters: v_lines(s, 5). */
static const struct lcase {
	const char	*s;
	int		 want;
} lines_cases[] = {
	{ "a", 1 },
	{ "abcde", 1 },
	{ "abcdef", 0 },			/* 6 characters */
	{ "\xe7\x94\xb3\xe8\xaf\x89\xe7\x90\x86\xe7\x94\xb1\xe3\x80\x82", 1 },	/* 5 characters, 15 bytes */
	{ "\xe7\x94\xb3\xe8\xaf\x89\xe7\x90\x86\xe7\x94\xb1\xe3\x80\x82!", 0 },
	{ "a\nb", 1 },				/* line breaks are text */
	{ "a\r\nb", 1 },
	{ " a ", 1 },
	{ "\xf0\x9f\x98\x80", 1 },		/* one character, four bytes */
	{ "a\xc2\xa0", 1 },			/* no-break space: not C1 */
	{ "", 0 },
	{ "   ", 0 },				/* only white space */
	{ "\n\r\n", 0 },
	{ "\xe3\x80\x80\xe3\x80\x80", 0 },	/* ideographic spaces */
	{ "a\tb", 0 },				/* control characters */
	{ "a\x01", 0 },
	{ "a\x1b[", 0 },
	{ "a\x7f", 0 },
	{ "a\xc2\x85", 0 },			/* C1: NEL */
	{ "a\xc2\x80", 0 },
	{ "a\xc2\x9f", 0 },
	{ "a\xff", 0 },			/* not UTF-8 */
	{ "a\xc0\xaf", 0 },			/* overlong */
	{ "a\xed\xa0\x80", 0 },		/* a surrogate */
	{ NULL, 0 },
};

static const struct icase {
	const char	*s;
	long long	 min, max;
	int		 ok;
	long long	 want;
} int_cases[] = {
	{ "0", 0, 10, 1, 0 },
	{ "10", 0, 10, 1, 10 },
	{ "7", 7, 7, 1, 7 },
	{ "007", 0, 10, 1, 7 },
	{ "-5", -10, 10, 1, -5 },
	{ "-0", 0, 10, 1, 0 },
	{ "9223372036854775807", LLONG_MIN, LLONG_MAX, 1, LLONG_MAX },
	{ "-9223372036854775808", LLONG_MIN, LLONG_MAX, 1, LLONG_MIN },
	{ "11", 0, 10, 0, 0 },
	{ "-1", 0, 10, 0, 0 },
	{ "6", 7, 9, 0, 0 },
	{ "9223372036854775808", LLONG_MIN, LLONG_MAX, 0, 0 },
	{ "-9223372036854775809", LLONG_MIN, LLONG_MAX, 0, 0 },
	{ "99999999999999999999999", LLONG_MIN, LLONG_MAX, 0, 0 },
	{ "12abc", 0, 100, 0, 0 },
	{ "12 ", 0, 100, 0, 0 },
	{ "1e3", 0, 10000, 0, 0 },
	{ "1.0", 0, 10, 0, 0 },
	{ "0x10", 0, 100, 0, 0 },
	{ " 12", 0, 100, 0, 0 },
	{ "\t12", 0, 100, 0, 0 },
	{ "+12", 0, 100, 0, 0 },
	{ "- 1", -10, 10, 0, 0 },
	{ "--1", -10, 10, 0, 0 },
	{ "-", -10, 10, 0, 0 },
	{ "", 0, 10, 0, 0 },
	{ NULL, 0, 10, 0, 0 },
};

static void
validators(void)
{
	size_t i;
	long long out;
	int got;

	for (i = 0; i < NELEM(digit_cases); i++) {
		got = v_digits(digit_cases[i].s, digit_cases[i].min,
		    digit_cases[i].max);
		T_CHECK(got == digit_cases[i].want, "v_digits[%zu]: %d, want %d",
		    i, got, digit_cases[i].want);
	}
	for (i = 0; i < NELEM(text_cases); i++) {
		got = v_text(text_cases[i].s, text_cases[i].min,
		    text_cases[i].max);
		T_CHECK(got == text_cases[i].want, "v_text[%zu]: %d, want %d",
		    i, got, text_cases[i].want);
	}
	for (i = 0; i < NELEM(lines_cases); i++) {
		got = v_lines(lines_cases[i].s, 5);
		T_CHECK(got == lines_cases[i].want, "v_lines[%zu]: %d, want %d",
		    i, got, lines_cases[i].want);
	}
	for (i = 0; i < NELEM(int_cases); i++) {
		out = 12345;
		got = v_int(int_cases[i].s, int_cases[i].min, int_cases[i].max,
		    &out);
		T_CHECK(got == int_cases[i].ok, "v_int[%zu] \"%s\": %d, want %d",
		    i, int_cases[i].s ? int_cases[i].s : "(null)", got,
		    int_cases[i].ok);
		if (int_cases[i].ok)
			T_CHECK(out == int_cases[i].want,
			    "v_int[%zu]: %lld, want %lld", i, out,
			    int_cases[i].want);
		else
			T_CHECK(out == 12345, "v_int[%zu]: *out written on "
			    "failure (%lld)", i, out);
	}
}

static int
phone(const char *s)
{
	return v_digits(s, 11, 11) && s[0] == '1';
}

static int
short_text(const char *s)
{
	return v_text(s, 1, 6);
}

enum kind { JSON, FORM };

static const struct rcase {
	enum kind	 kind;
	const char	*name;
	int		(*valid)(const char *);
	enum field	 want;
	const char	*out;
} req_cases[] = {
	{ JSON, "phone", phone, FIELD_OK, "13800138000" },
	{ JSON, "phone", NULL, FIELD_OK, "13800138000" },
	{ JSON, "name", short_text, FIELD_OK, "\xe5\xbc\xa0\xe4\xb8\x89" },
	{ JSON, "bad", phone, FIELD_INVALID, NULL },
	{ JSON, "long", short_text, FIELD_INVALID, NULL },
	{ JSON, "nl", short_text, FIELD_INVALID, NULL },
	{ JSON, "num", phone, FIELD_TYPE, NULL },
	{ JSON, "num", NULL, FIELD_TYPE, NULL },
	{ JSON, "t", NULL, FIELD_TYPE, NULL },
	{ JSON, "f", NULL, FIELD_TYPE, NULL },
	{ JSON, "arr", NULL, FIELD_TYPE, NULL },
	{ JSON, "obj", NULL, FIELD_TYPE, NULL },
	{ JSON, "nul", phone, FIELD_MISSING, NULL },
	{ JSON, "absent", phone, FIELD_MISSING, NULL },
	{ JSON, "Phone", phone, FIELD_MISSING, NULL },	/* case matters */
	{ FORM, "phone", phone, FIELD_OK, "13800138000" },
	{ FORM, "phone", NULL, FIELD_OK, "13800138000" },
	{ FORM, "name", short_text, FIELD_OK, "\xe5\xbc\xa0\xe4\xb8\x89" },
	{ FORM, "dup", NULL, FIELD_OK, "first" },
	{ FORM, "bad", phone, FIELD_INVALID, NULL },
	{ FORM, "nl", short_text, FIELD_INVALID, NULL },
	{ FORM, "empty", phone, FIELD_MISSING, NULL },
	{ FORM, "empty", NULL, FIELD_MISSING, NULL },
	{ FORM, "bare", NULL, FIELD_MISSING, NULL },
	{ FORM, "absent", NULL, FIELD_MISSING, NULL },
};

static void
fields(void)
{
	static const char json[] = "{\"phone\":\"13800138000\","
	    "\"name\":\"\xe5\xbc\xa0\xe4\xb8\x89\",\"bad\":\"1380013800a\","
	    "\"long\":\"abcdefg\",\"nl\":\"a\\nb\",\"num\":13800138000,"
	    "\"t\":true,\"f\":false,\"arr\":[\"x\"],\"obj\":{\"a\":\"b\"},"
	    "\"nul\":null}";
	static const char form[] = "phone=13800138000&name=%E5%BC%A0%E4%B8%89"
	    "&bad=1380013800a&nl=a%0Ab&empty=&bare&dup=first&dup=second";
	struct request r;
	const char *out;
	size_t i;
	enum field got;

	memset(&r, 0, sizeof(r));
	r.json = json_parse_body(json, sizeof(json) - 1);
	T_CHECK(r.json != NULL, "test JSON body parses");
	T_CHECK(kv_parse_query(&r.form, form, sizeof(form) - 1) == 0,
	    "test form body parses");

	for (i = 0; i < NELEM(req_cases); i++) {
		r.body_kind = req_cases[i].kind == JSON ? BODY_JSON : BODY_FORM;
		out = "unset";
		got = req_str(&r, req_cases[i].name, req_cases[i].valid, &out);
		T_CHECK(got == req_cases[i].want, "req_str[%zu] %s: %d, want %d",
		    i, req_cases[i].name, (int)got, (int)req_cases[i].want);
		T_STREQ(out, req_cases[i].out, "req_str[%zu] %s: *out", i,
		    req_cases[i].name);
	}

	/* No body: every field is missing, even one the form holds. */
	r.body_kind = BODY_NONE;
	out = "unset";
	T_CHECK(req_str(&r, "phone", NULL, &out) == FIELD_MISSING,
	    "req_str without a body");
	T_CHECK(out == NULL, "req_str without a body: *out not NULL");
	request_free(&r);
}

int
main(void)
{
	validators();
	fields();
	T_DONE("validate");
}
