/*
 * Tests for seal.c: a sealed value opens to what was sealed, with a
 * fresh nonce each time; a changed nonce, ciphertext or tag, other
 * associated data, another key, a cut or lengthened value is refused,
 * with nothing handed out; the text form the same.
 */
#include <string.h>

#include "../fcgi/seal.h"
#include "t.h"

static unsigned char key[SEAL_KEY], other[SEAL_KEY];

/*
 * Returns 1 if c (n bytes) opens with ad under k to want; a refusal
 * must append nothing.
 */
static int
opens(const unsigned char *k, const void *c, size_t n, const char *ad,
    const char *want)
{
	struct buf out;
	int rc;

	buf_init(&out);
	buf_puts(&out, "kept:");
	rc = seal_open(k, c, n, ad, strlen(ad), &out);
	if (rc == -1)
		T_STREQ(buf_cstr(&out), "kept:", "a refusal appends nothing");
	rc = rc == 0 && strcmp(buf_cstr(&out) + 5, want) == 0;
	buf_free(&out);
	return rc;
}

int
main(void)
{
	const char *msg = "13800138000", *ad = "account-mac";
	struct buf a, b, t, out;
	size_t i, n;
	int refused;

	memset(key, 0x5a, sizeof(key));
	memset(other, 0x5a, sizeof(other));
	other[31] ^= 1;
	buf_init(&a);
	buf_init(&b);
	buf_init(&t);
	buf_init(&out);

	T_CHECK(seal(key, msg, strlen(msg), ad, strlen(ad), &a) == 0, "seal");
	T_CHECK(a.len == SEAL_OVERHEAD + strlen(msg), "length %zu", a.len);
	T_CHECK(seal(key, msg, strlen(msg), ad, strlen(ad), &b) == 0 &&
	    memcmp(a.ptr, b.ptr, SEAL_NONCE) != 0 && memcmp(a.ptr, b.ptr,
	    a.len) != 0, "a fresh nonce and ciphertext each time");
	for (i = 0, n = 0; i + strlen(msg) <= a.len; i++)
		n += memcmp(a.ptr + i, msg, strlen(msg)) == 0;
	T_CHECK(n == 0, "the value is not in the sealed bytes");
	T_CHECK(opens(key, a.ptr, a.len, ad, msg), "round trip");
	T_CHECK(opens(key, b.ptr, b.len, ad, msg), "the other too");

	/* Every byte matters: nonce, ciphertext, tag. */
	refused = 0;
	for (i = 0; i < a.len; i++) {
		a.ptr[i] ^= 0x01;
		refused += !opens(key, a.ptr, a.len, ad, msg);
		a.ptr[i] ^= 0x01;
	}
	T_CHECK(refused == (int)a.len, "each changed byte refused: %d of %zu",
	    refused, a.len);
	a.ptr[0] ^= 0x80;
	T_CHECK(!opens(key, a.ptr, a.len, ad, msg), "a changed nonce");
	a.ptr[0] ^= 0x80;
	a.ptr[SEAL_NONCE] ^= 0x80;
	T_CHECK(!opens(key, a.ptr, a.len, ad, msg), "a changed ciphertext");
	a.ptr[SEAL_NONCE] ^= 0x80;
	a.ptr[a.len - 1] ^= 0x80;
	T_CHECK(!opens(key, a.ptr, a.len, ad, msg), "a changed tag");
	a.ptr[a.len - 1] ^= 0x80;
	T_CHECK(opens(key, a.ptr, a.len, ad, msg), "restored: opens again");

	T_CHECK(!opens(key, a.ptr, a.len, "account-mac2", msg),
	    "other associated data");
	T_CHECK(!opens(key, a.ptr, a.len, "", msg), "no associated data");
	T_CHECK(!opens(other, a.ptr, a.len, ad, msg), "another key");
	T_CHECK(!opens(key, a.ptr, a.len - 1, ad, msg), "cut by a byte");
	T_CHECK(!opens(key, a.ptr, SEAL_OVERHEAD - 1, ad, msg),
	    "shorter than nonce and tag");
	T_CHECK(!opens(key, a.ptr, 0, ad, msg), "empty");
	buf_append(&a, "x", 1);
	T_CHECK(!opens(key, a.ptr, a.len, ad, msg), "lengthened by a byte");
	a.len--;
	/* Nonce and tag of one, the ciphertext of another. */
	memcpy(b.ptr, a.ptr, SEAL_NONCE);
	T_CHECK(!opens(key, b.ptr, b.len, ad, msg), "a nonce moved over");

	/* An empty value and no associated data seal and open too. */
	buf_reset(&b);
	T_CHECK(seal(key, "", 0, NULL, 0, &b) == 0 && b.len == SEAL_OVERHEAD,
	    "an empty value");
	T_CHECK(opens(key, b.ptr, b.len, "", ""), "opens to empty");

	/* The text form: base64url, opening to the string. */
	T_CHECK(seal_text(key, msg, ad, &t) == 0, "seal_text");
	T_CHECK(t.len == ((SEAL_OVERHEAD + strlen(msg)) * 4 + 2) / 3 &&
	    strspn(t.ptr, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == t.len, "base64url, %zu characters", t.len);
	T_CHECK(seal_open_text(key, t.ptr, ad, &out) == 0, "opens");
	T_STREQ(buf_cstr(&out), msg, "to the string");
	buf_reset(&out);
	T_CHECK(seal_open_text(key, t.ptr, "other", &out) == -1 &&
	    out.len == 0, "not with other associated data");
	T_CHECK(seal_open_text(other, t.ptr, ad, &out) == -1 &&
	    out.len == 0, "not with another key");
	t.ptr[3] = t.ptr[3] == 'A' ? 'B' : 'A';
	T_CHECK(seal_open_text(key, t.ptr, ad, &out) == -1 && out.len == 0,
	    "not changed");
	T_CHECK(seal_open_text(key, "not base64!", ad, &out) == -1 &&
	    seal_open_text(key, "", ad, &out) == -1 && out.len == 0,
	    "not garbage");
	/* A sealed NUL byte is no string. */
	buf_reset(&b);
	buf_reset(&t);
	T_CHECK(seal(key, "a\0b", 3, ad, strlen(ad), &b) == 0, "seal a NUL");
	b64url_encode(&t, b.ptr, b.len);
	T_CHECK(seal_open_text(key, t.ptr, ad, &out) == -1 && out.len == 0,
	    "refused as text");

	buf_free(&a);
	buf_free(&b);
	buf_free(&t);
	buf_free(&out);
	T_DONE("seal");
}
