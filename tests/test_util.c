/*
 * Tests for the shared helpers: base64url (RFC 4648 section 10 vectors
 * in the URL alphabet, no padding), hex, HTML and JSON escaping,
 * constant-time comparison and bounded random numbers.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../fcgi/util.h"
#include "t.h"

/*
 * b must hold exactly want and be NUL-terminated; checked without
 * reading past b->len, so an unterminated buffer fails instead of
 * running off the end.
 */
__attribute__((format(printf, 5, 6))) static void
t_buf(const char *file, int line, struct buf *b, const char *want,
    const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(want);

	(void)buf_cstr(b);
	if (b->len == n && memcmp(b->ptr, want, n) == 0 &&
	    b->ptr[n] == '\0') {
		t_passed++;
		return;
	}
	va_start(ap, fmt);
	t_vfail(file, line, fmt, ap);
	va_end(ap);
	if (b->len == n && memcmp(b->ptr, want, n) == 0)
		puts(": not NUL-terminated");
	else
		printf(": got %zu bytes \"%.*s\" want %zu bytes \"%s\"\n",
		    b->len, (int)b->len, b->ptr, n, want);
}

#define T_BUF(b, want, ...)	t_buf(__FILE__, __LINE__, b, want, __VA_ARGS__)

static const struct bcase {
	const char	*raw;
	size_t		 n;
	const char	*enc;
} b64_cases[] = {
	{ "", 0, "" },
	{ "f", 1, "Zg" },
	{ "fo", 2, "Zm8" },
	{ "foo", 3, "Zm9v" },
	{ "foob", 4, "Zm9vYg" },
	{ "fooba", 5, "Zm9vYmE" },
	{ "foobar", 6, "Zm9vYmFy" },
	{ "\0", 1, "AA" },
	{ "\0\0\0", 3, "AAAA" },
	{ "\xff", 1, "_w" },
	{ "\xff\xff", 2, "__8" },
	{ "\xfb\xff\xbf", 3, "-_-_" },		/* "+/+/" in standard */
	{ "\xfa", 1, "-g" },
	{ "\x14\xfb\x9c\x03\xd9\x7e", 6, "FPucA9l-" },	/* RFC 4648 sec. 9 */
	{ "\x14\xfb\x9c\x03\xd9", 5, "FPucA9k" },
	{ "\x14\xfb\x9c\x03", 4, "FPucAw" },
};

/* Undecodable: bad characters, padding, impossible lengths, stray bits. */
static const struct {
	const char	*s;
	size_t		 n;
} b64_bad[] = {
	{ "Zg=", 0 },
	{ "Zg==", 0 },
	{ "Zm8=", 0 },
	{ "Z", 0 },
	{ "Zm9vY", 0 },
	{ "Zm9vYmFyZ", 0 },
	{ "Zm9/", 0 },
	{ "Zm9+", 0 },
	{ "Zm 9", 0 },
	{ "Zm\n9", 0 },
	{ "Zm.v", 0 },
	{ "Zm\0v", 4 },
	{ "Zm\xc3\xa9", 0 },
	{ "Zh", 0 },		/* "Zg" with a low bit set */
	{ "Zm9", 0 },		/* "Zm8" with a low bit set */
	{ "Zm-", 0 },
	{ "_x", 0 },
	{ "AB", 0 },
	{ "AAB", 0 },
	{ "FPucA9l", 0 },
};

static void
base64(void)
{
	struct buf b;
	size_t i, n;
	unsigned char raw[70];
	char *in;

	buf_init(&b);
	for (i = 0; i < NELEM(b64_cases); i++) {
		buf_reset(&b);
		b64url_encode(&b, b64_cases[i].raw, b64_cases[i].n);
		T_BUF(&b, b64_cases[i].enc, "b64url_encode[%zu]", i);

		n = strlen(b64_cases[i].enc);
		in = ck_malloc(n);		/* no NUL after it */
		memcpy(in, b64_cases[i].enc, n);
		buf_reset(&b);
		T_CHECK(b64url_decode(&b, in, n) == 0,
		    "b64url_decode[%zu] \"%s\" failed", i, b64_cases[i].enc);
		T_CHECK(b.len == b64_cases[i].n && (b.len == 0 ||
		    memcmp(b.ptr, b64_cases[i].raw, b.len) == 0),
		    "b64url_decode[%zu] \"%s\": %zu bytes, want %zu", i,
		    b64_cases[i].enc, b.len, b64_cases[i].n);
		free(in);
	}
	for (i = 0; i < NELEM(b64_bad); i++) {
		n = b64_bad[i].n ? b64_bad[i].n : strlen(b64_bad[i].s);
		buf_reset(&b);
		T_CHECK(b64url_decode(&b, b64_bad[i].s, n) == -1,
		    "b64url_decode bad[%zu] \"%s\" accepted", i, b64_bad[i].s);
	}

	/* Every length 0..69 and every byte value round-trips. */
	for (n = 0; n < sizeof(raw); n++) {
		struct buf enc;

		for (i = 0; i < n; i++)
			raw[i] = (unsigned char)(n * 37 + i * 11 + 0xf0);
		buf_init(&enc);
		b64url_encode(&enc, raw, n);
		T_CHECK(enc.len == (n * 4 + 2) / 3, "b64url length %zu: %zu",
		    n, enc.len);
		/* n == 0 is left to empty(), which checks the NUL. */
		T_CHECK(n == 0 || strspn(buf_cstr(&enc),
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_") == enc.len,
		    "b64url alphabet, length %zu", n);
		buf_reset(&b);
		T_CHECK(b64url_decode(&b, enc.ptr, enc.len) == 0 &&
		    b.len == n && (n == 0 || memcmp(b.ptr, raw, n) == 0),
		    "b64url round trip, length %zu", n);
		buf_free(&enc);
	}
	buf_free(&b);
}

/*
 * Leaves freed 64-byte chunks full of 'x', so that a buffer that is
 * allocated but never terminated shows (the ASan build fills new memory
 * with 0xbe anyway).
 */
static void
dirty_heap(void)
{
	char *p[4];
	size_t i;

	for (i = 0; i < NELEM(p); i++)
		memset(p[i] = ck_malloc(64), 'x', 64);
	for (i = 0; i < NELEM(p); i++)
		free(p[i]);
}

/* Empty results into a fresh buffer are still "" (buf_cstr contract). */
static void
empty(void)
{
	struct buf b;

	dirty_heap();
	buf_init(&b);
	hex_encode(&b, "", 0);
	T_BUF(&b, "", "hex_encode of nothing, fresh buffer");
	buf_free(&b);

	dirty_heap();
	b64url_encode(&b, "", 0);
	T_BUF(&b, "", "b64url_encode of nothing, fresh buffer");
	buf_free(&b);

	dirty_heap();
	T_CHECK(b64url_decode(&b, "", 0) == 0, "b64url_decode of nothing");
	T_BUF(&b, "", "b64url_decode of nothing, fresh buffer");
	buf_free(&b);

	dirty_heap();
	buf_reserve(&b, 10);
	T_BUF(&b, "", "buf_cstr after buf_reserve");
	buf_free(&b);
}

static void
hex(void)
{
	struct buf b;

	buf_init(&b);
	hex_encode(&b, "\x00\x01\xab\xff", 4);
	T_BUF(&b, "0001abff", "hex bytes");
	buf_reset(&b);
	hex_encode(&b, "\xe5\x81\xa5", 3);
	T_BUF(&b, "e581a5", "hex UTF-8");
	hex_encode(&b, "\x10", 1);
	T_BUF(&b, "e581a510", "hex appends");
	buf_free(&b);
}

static const struct ecase {
	const char	*in;
	size_t		 n;	/* 0: strlen */
	const char	*want;
} html_cases[] = {
	{ "", 0, "" },
	{ "plain text", 0, "plain text" },
	{ "<script>", 0, "&lt;script&gt;" },
	{ "a&b", 0, "a&amp;b" },
	{ "&amp;", 0, "&amp;amp;" },
	{ "\"'`=", 0, "&quot;&#39;&#96;&#61;" },
	{ "<a href=\"x\" onclick='y'>", 0,
	  "&lt;a href&#61;&quot;x&quot; onclick&#61;&#39;y&#39;&gt;" },
	{ "\xe5\x81\xa5<\xe5\xba\xb7>", 0, "\xe5\x81\xa5&lt;\xe5\xba\xb7&gt;" },
	{ "a<b", 2, "a&lt;" },			/* only n bytes */
	{ "<<", 1, "&lt;" },
}, json_cases[] = {
	{ "", 0, "" },
	{ "abc", 0, "abc" },
	{ "a\"b", 0, "a\\\"b" },
	{ "a\\b", 0, "a\\\\b" },
	{ "\n\r\t", 0, "\\n\\r\\t" },
	{ "\x01\x1f", 0, "\\u0001\\u001f" },
	{ "\b\f", 0, "\\u0008\\u000c" },
	{ "</script>", 0, "\\u003c/script\\u003e" },
	{ "a&b", 0, "a\\u0026b" },
	{ "'", 0, "'" },
	{ "\xe5\x81\xa5", 0, "\xe5\x81\xa5" },
	{ "\x7f", 0, "\x7f" },
};

static void
escaping(void)
{
	struct buf b, doc;
	size_t i;
	cJSON *j;

	buf_init(&b);
	buf_init(&doc);
	for (i = 0; i < NELEM(html_cases); i++) {
		buf_reset(&b);
		buf_html(&b, html_cases[i].in, html_cases[i].n ?
		    html_cases[i].n : strlen(html_cases[i].in));
		T_BUF(&b, html_cases[i].want, "buf_html[%zu]", i);
	}
	for (i = 0; i < NELEM(json_cases); i++) {
		buf_reset(&b);
		buf_json_str(&b, json_cases[i].in);
		T_BUF(&b, json_cases[i].want, "buf_json_str[%zu]",
		    i);
		/* And a JSON parser reads the original back. */
		buf_reset(&doc);
		buf_printf(&doc, "\"%s\"", buf_cstr(&b));
		j = cJSON_Parse(buf_cstr(&doc));
		T_STREQ(cJSON_IsString(j) ? j->valuestring : NULL,
		    json_cases[i].in, "buf_json_str[%zu] parses back", i);
		cJSON_Delete(j);
	}
	buf_reset(&b);
	buf_puts(&b, "x=");
	buf_json_str(&b, "<");
	T_BUF(&b, "x=\\u003c", "buf_json_str appends");
	buf_free(&b);
	buf_free(&doc);
}

static const struct scase {
	const char	*a, *b;
	int		 want;
} streq_cases[] = {
	{ "", "", 1 },
	{ "a", "a", 1 },
	{ "secret-token", "secret-token", 1 },
	{ "a", "b", 0 },
	{ "a", "ab", 0 },
	{ "ab", "a", 0 },
	{ "", "a", 0 },
	{ "abc", "abd", 0 },
	{ "xbc", "abc", 0 },
	{ "abc", "ABC", 0 },
};

static void
compare(void)
{
	size_t i;
	int got;

	for (i = 0; i < NELEM(streq_cases); i++) {
		got = ct_streq(streq_cases[i].a, streq_cases[i].b);
		T_CHECK(got == streq_cases[i].want, "ct_streq[%zu] \"%s\" "
		    "\"%s\": %d", i, streq_cases[i].a, streq_cases[i].b, got);
	}
	T_CHECK(ct_memeq("ab", "ac", 0) == 1, "ct_memeq n=0");
	T_CHECK(ct_memeq("ab", "ac", 1) == 1, "ct_memeq first byte");
	T_CHECK(ct_memeq("ab", "ac", 2) == 0, "ct_memeq differs");
	T_CHECK(ct_memeq("a\0b", "a\0c", 3) == 0, "ct_memeq past a NUL");
	T_CHECK(ct_memeq("\x80", "\x00", 1) == 0, "ct_memeq high bit");
}

static void
random_bounds(void)
{
	static const uint32_t bounds[] = { 3, 10, 1000, 0x80000001u,
	    0xffffffffu };
	unsigned seen[10] = { 0 };
	uint32_t r, max;
	size_t i, k, missing;

	T_CHECK(rand_uniform(0) == 0, "rand_uniform(0)");
	T_CHECK(rand_uniform(1) == 0, "rand_uniform(1)");
	for (i = 0; i < 10000; i++) {
		r = rand_uniform(10);
		if (r >= 10) {
			T_CHECK(r < 10, "rand_uniform(10) = %u", (unsigned)r);
			break;
		}
		seen[r]++;
	}
	/* 10000 draws miss a value with probability about 10 * 0.9^10000. */
	for (i = 0, missing = 0; i < 10; i++)
		missing += seen[i] == 0;
	T_CHECK(missing == 0, "rand_uniform(10): %zu values never drawn",
	    missing);
	for (k = 0; k < NELEM(bounds); k++) {
		for (i = 0, max = 0; i < 2000; i++)
			if ((r = rand_uniform(bounds[k])) > max)
				max = r;
		T_CHECK(max < bounds[k], "rand_uniform(%u) drew %u",
		    (unsigned)bounds[k], (unsigned)max);
		/* The largest of 2000 draws is in the top quarter. */
		T_CHECK(max >= bounds[k] / 4 * 3, "rand_uniform(%u): max %u",
		    (unsigned)bounds[k], (unsigned)max);
	}
}

static void
buffers(void)
{
	struct buf b;

	buf_init(&b);
	T_BUF(&b, "", "buf_cstr of an empty buffer");
	buf_printf(&b, "%d-%s", 42, "x");
	buf_putc(&b, '!');
	buf_append(&b, "ab", 1);
	T_BUF(&b, "42-x!a", "buf_printf, putc, append");
	T_CHECK(b.len == 6, "buf len %zu", b.len);
	buf_reset(&b);
	T_CHECK(b.len == 0 && strcmp(buf_cstr(&b), "") == 0, "buf_reset");
	buf_free(&b);
	T_CHECK(b.ptr == NULL && b.len == 0 && b.cap == 0, "buf_free");
}

int
main(void)
{
	base64();
	empty();
	hex();
	escaping();
	compare();
	random_bounds();
	buffers();
	T_DONE("util");
}
