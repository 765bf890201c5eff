/*
 * Tests for the product's input rules: phone numbers, one-time codes,
 * roles, notes, and the masked phone shown to people.
 */
#include <string.h>

#include "../fcgi/util.h"
#include "../handlers/valid.h"
#include "t.h"

static const struct vcase {
	const char	*s;
	int		 want;
} phones[] = {
	{ "13800138000", 1 },
	{ "19912345678", 1 },
	{ "14000000000", 1 },
	{ "15000000000", 1 },
	{ "12800138000", 0 },	/* 12x is not a mobile prefix */
	{ "10800138000", 0 },
	{ "11800138000", 0 },
	{ "23800138000", 0 },
	{ "03800138000", 0 },
	{ "1380013800", 0 },	/* 10 digits */
	{ "138001380001", 0 },	/* 12 digits */
	{ "1380013800a", 0 },
	{ "138 0013 800", 0 },
	{ " 13800138000", 0 },
	{ "13800138000 ", 0 },
	{ "13800138000\n", 0 },
	{ "+8613800138000", 0 },
	{ "8613800138000", 0 },
	{ "1380013800-", 0 },
	{ "\xef\xbc\x91\xef\xbc\x93\xef\xbc\x98", 0 },	/* fullwidth 138 */
	{ "", 0 },
	{ NULL, 0 },
}, otps[] = {
	{ "123456", 1 },
	{ "000000", 1 },
	{ "999999", 1 },
	{ "12345", 0 },
	{ "1234567", 0 },
	{ "12345a", 0 },
	{ " 12345", 0 },
	{ "123456 ", 0 },
	{ "-12345", 0 },
	{ "12 456", 0 },
	{ "", 0 },
	{ NULL, 0 },
};

static const struct rcase {
	const char	*s;
	unsigned	 want;
} roles[] = {
	{ "checker", ROLE_CHECKER },
	{ "admin", ROLE_ADMIN },
	{ "Admin", 0 },
	{ "ADMIN", 0 },
	{ "admin ", 0 },
	{ " checker", 0 },
	{ "checker,admin", 0 },
	{ "root", 0 },
	{ "", 0 },
	{ NULL, 0 },
};

static const struct ncase {
	unsigned	 role;
	const char	*want;
} names[] = {
	{ ROLE_CHECKER, "checker" },
	{ ROLE_ADMIN, "admin" },
	{ 0, "" },
	{ ROLE_CHECKER | ROLE_ADMIN, "" },	/* one bit, not a set */
	{ 1u << 5, "" },
};

static const struct mcase {
	const char	*phone;
	const char	*want;
} masks[] = {
	{ "13800138000", "138****8000" },
	{ "19912345678", "199****5678" },
	{ "15000000001", "150****0001" },
	{ "12345", "***********" },
	{ "12800138000", "***********" },
	{ "138001380001", "***********" },
	{ "", "***********" },
	{ NULL, "***********" },
};

int
main(void)
{
	char out[12];
	size_t i;
	int got;
	unsigned r;

	for (i = 0; i < NELEM(phones); i++) {
		got = valid_phone(phones[i].s);
		T_CHECK(got == phones[i].want, "valid_phone[%zu] \"%s\": %d", i,
		    phones[i].s ? phones[i].s : "(null)", got);
	}
	for (i = 0; i < NELEM(otps); i++) {
		got = valid_otp(otps[i].s);
		T_CHECK(got == otps[i].want, "valid_otp[%zu] \"%s\": %d", i,
		    otps[i].s ? otps[i].s : "(null)", got);
	}
	for (i = 0; i < NELEM(roles); i++) {
		r = role_parse(roles[i].s);
		T_CHECK(r == roles[i].want, "role_parse[%zu]: %u, want %u", i,
		    r, roles[i].want);
	}
	for (i = 0; i < NELEM(names); i++)
		T_STREQ(role_name(names[i].role), names[i].want,
		    "role_name[%zu]", i);
	/* Every role's name parses back to it. */
	T_CHECK(role_parse(role_name(ROLE_CHECKER)) == ROLE_CHECKER &&
	    role_parse(role_name(ROLE_ADMIN)) == ROLE_ADMIN,
	    "role_name and role_parse round trip");
	{
		/* NOTE_CHARS characters of three bytes each, then one more. */
		char note[NOTE_CHARS * 3 + 2];

		for (i = 0; i < NOTE_CHARS; i++)
			memcpy(note + 3 * i, "\xe7\x94\xb3", 3);	/* 申 */
		note[3 * NOTE_CHARS] = '\0';
		T_CHECK(note_valid(note), "note of %d characters", NOTE_CHARS);
		memcpy(note + 3 * NOTE_CHARS, "x", 2);
		T_CHECK(!note_valid(note), "note of %d characters",
		    NOTE_CHARS + 1);
		T_CHECK(note_valid("line one\nline two"), "note of two lines");
		T_CHECK(!note_valid("a\x01"), "note with a control character");
	}
	for (i = 0; i < NELEM(masks); i++) {
		memset(out, 'x', sizeof(out));
		mask_phone(masks[i].phone, out);
		T_STREQ(out, masks[i].want, "mask_phone[%zu]", i);
	}
	T_DONE("valid");
}
