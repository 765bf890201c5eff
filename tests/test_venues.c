/*
 * Tests for the input rules of venues and check-in: venue names and
 * addresses, the form of a venue token, and the local path a sign-in
 * may return to (never another site).
 */
#include <string.h>

#include "../fcgi/util.h"
#include "../handlers/valid.h"
#include "t.h"

struct vcase {
	const char	*s;
	int		 want;
};

/* 60 and 61 three-byte characters, 240 and 241 ASCII bytes. */
#define C10 "场场场场场场场场场场"
#define A60 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct vcase names[] = {
	{ "星巴克（湖滨银泰 in77 店）", 1 },
	{ "a", 1 },
	{ "7-Eleven", 1 },
	{ "<b>店</b>", 1 },		/* escaped on output, not refused */
	{ C10 C10 C10 C10 C10 C10, 1 },	/* 60 characters, 180 bytes */
	{ A60, 1 },
	{ " 店 ", 1 },
	{ C10 C10 C10 C10 C10 C10 "场", 0 },	/* 61 characters */
	{ A60 "a", 0 },
	{ "", 0 },
	{ " ", 0 },
	{ "   ", 0 },
	{ "\xe3\x80\x80", 0 },		/* one ideographic space */
	{ " \xe3\x80\x80 ", 0 },
	{ "a\nb", 0 },
	{ "a\tb", 0 },
	{ "a\rb", 0 },
	{ "\x7f", 0 },			/* DEL is a control character */
	{ "a\x01" "b", 0 },
	{ "\xff\xfe", 0 },		/* not UTF-8 */
	{ "\xe5\x9c", 0 },		/* truncated sequence */
	{ "\xc0\xaf", 0 },		/* overlong "/" */
	{ NULL, 0 },
};

static const struct vcase addresses[] = {
	{ "浙江省杭州市西湖区文三路 90 号", 1 },
	{ C10 C10 C10 C10 C10 C10 C10 C10 C10 C10 C10 C10, 1 },	/* 120 */
	{ C10 C10 C10 C10 C10 C10 C10 C10 C10 C10 C10 C10 "路", 0 },
	{ A60 A60, 1 },
	{ A60 A60 "a", 0 },
	{ "", 0 },
	{ "\xe3\x80\x80\xe3\x80\x80", 0 },
	{ "1\n2", 0 },
	{ NULL, 0 },
};

static const struct vcase tokens[] = {
	{ "AAAAAAAAAAAAAAAAAAAAAA", 1 },
	{ "Eb_0sDU09CCgSsiValedbw", 1 },
	{ "-_-_-_-_-_-_-_-_-_-_-_", 1 },
	{ "AAAAAAAAAAAAAAAAAAAAA", 0 },	/* 21 */
	{ "AAAAAAAAAAAAAAAAAAAAAAA", 0 },	/* 23 */
	{ "AAAAAAAAAAAAAAAAAAAAA=", 0 },	/* padding */
	{ "AAAAAAAAAAAAAAAAAAAA+/", 0 },	/* base64, not base64url */
	{ "AAAAAAAAAAAAAAAAAAAA.A", 0 },
	{ "' OR 1=1 --AAAAAAAAAAA", 0 },
	{ "AAAAAAAAAAAAAAAAAAAAA\n", 0 },
	{ "", 0 },
	{ NULL, 0 },
};

static const struct vcase paths[] = {
	{ "/", 1 },
	{ "/c/Eb_0sDU09CCgSsiValedbw", 1 },
	{ "/itinerary", 1 },
	{ "/a/b?c=d&e=%2F", 1 },
	{ "/a:b", 1 },
	{ "//evil.example", 0 },
	{ "//", 0 },
	{ "/\\evil.example", 0 },
	{ "/a\\b", 0 },
	{ "\\\\evil.example", 0 },
	{ "https://evil.example/", 0 },
	{ "javascript:alert(1)", 0 },
	{ "evil.example", 0 },
	{ "", 0 },
	{ " /a", 0 },
	{ "/a b", 0 },
	{ "/\t/evil.example", 0 },
	{ "/a\r\nSet-Cookie: x=y", 0 },
	{ "/\xe5\x9c\xba", 0 },		/* non-ASCII: encode it */
	{ "/\x7f", 0 },
	{ NULL, 0 },
};

static void
run(const char *what, int (*fn)(const char *), const struct vcase *v,
    size_t n)
{
	size_t i;
	int got;

	for (i = 0; i < n; i++) {
		got = fn(v[i].s);
		T_CHECK(got == v[i].want, "%s[%zu]: %d, want %d", what, i, got,
		    v[i].want);
	}
}

int
main(void)
{
	char longpath[600];

	run("venue_name_valid", venue_name_valid, names, NELEM(names));
	run("venue_address_valid", venue_address_valid, addresses,
	    NELEM(addresses));
	run("venue_token_valid", venue_token_valid, tokens, NELEM(tokens));
	run("valid_local_path", valid_local_path, paths, NELEM(paths));

	/* 512 bytes is the longest path followed. */
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[512] = '\0';
	T_CHECK(valid_local_path(longpath), "512-byte path");
	longpath[512] = 'a';
	longpath[513] = '\0';
	T_CHECK(!valid_local_path(longpath), "513-byte path");
	T_DONE("venues");
}
