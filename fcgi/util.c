/*
 * Allocation, buffers, constant-time comparison, randomness and the
 * encodings shared by tokens and templates.
 */
#include <sys/statvfs.h>

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "util.h"

HC_COLD static void
oom(void)
{
	fputs("fatal: out of memory\n", stderr);
	abort();
}

void *
ck_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
ck_calloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
ck_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		oom();
	return q;
}

char *
ck_strdup(const char *s)
{
	return ck_strndup(s, strlen(s));
}

char *
ck_strndup(const char *s, size_t n)
{
	char *p = ck_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
buf_init(struct buf *b)
{
	b->ptr = NULL;
	b->len = b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->ptr);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void
buf_reserve(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		oom();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	if (b->cap < 64)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->ptr = ck_realloc(b->ptr, b->cap);
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_html(struct buf *b, const char *s, size_t n)
{
	size_t i, start = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '`': rep = "&#96;"; break;
		case '=': rep = "&#61;"; break;
		default: continue;
		}
		buf_append(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_append(b, s + start, n - start);
}

void
buf_json_str(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t start = 0, i;

	for (i = 0; p[i]; i++) {
		if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\' &&
		    p[i] != '<' && p[i] != '>' && p[i] != '&')
			continue;
		buf_append(b, s + start, i - start);
		switch (p[i]) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: buf_printf(b, "\\u%04x", p[i]); break;
		}
		start = i + 1;
	}
	buf_append(b, s + start, i - start);
}

const char *
buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->ptr[b->len] = '\0';
	return b->ptr;
}

int
ct_memeq(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

int
ct_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return ct_memeq(a, b, la);
}

void
rand_bytes(void *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1) {
		fputs("fatal: no randomness\n", stderr);
		abort();
	}
}

uint32_t
rand_uniform(uint32_t bound)
{
	uint32_t r, min;

	if (bound < 2)
		return 0;
	min = -bound % bound;	/* rejection threshold, as arc4random_uniform */
	do
		rand_bytes(&r, sizeof(r));
	while (r < min);
	return r % bound;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
b64url_encode(struct buf *b, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;
	uint32_t v;

	buf_reserve(b, (n + 2) / 3 * 4);
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		buf_putc(b, b64url[v >> 18 & 63]);
		buf_putc(b, b64url[v >> 12 & 63]);
		buf_putc(b, b64url[v >> 6 & 63]);
		buf_putc(b, b64url[v & 63]);
	}
	if (n - i == 1) {
		v = (uint32_t)s[i] << 16;
		buf_putc(b, b64url[v >> 18 & 63]);
		buf_putc(b, b64url[v >> 12 & 63]);
	} else if (n - i == 2) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		buf_putc(b, b64url[v >> 18 & 63]);
		buf_putc(b, b64url[v >> 12 & 63]);
		buf_putc(b, b64url[v >> 6 & 63]);
	}
	buf_cstr(b);
}

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '-') return 62;
	if (c == '_') return 63;
	return -1;
}

int
b64url_decode(struct buf *b, const char *s, size_t n)
{
	uint32_t v = 0;
	size_t i;
	int bits = 0, d;
	unsigned char c;

	if (n % 4 == 1)
		return -1;
	buf_reserve(b, n / 4 * 3 + 3);
	for (i = 0; i < n; i++) {
		if ((d = b64val((unsigned char)s[i])) < 0)
			return -1;
		v = v << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			c = (unsigned char)(v >> bits);
			buf_append(b, &c, 1);
		}
	}
	/* Leftover bits must be zero: one encoding per byte string. */
	if (bits && (v & ((1u << bits) - 1)))
		return -1;
	buf_cstr(b);
	return 0;
}

void
hex_encode(struct buf *b, const void *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *s = p;
	size_t i;

	buf_reserve(b, n * 2);
	for (i = 0; i < n; i++) {
		buf_putc(b, hx[s[i] >> 4]);
		buf_putc(b, hx[s[i] & 15]);
	}
	buf_cstr(b);
}

int
read_file(const char *path, struct buf *b)
{
	FILE *f;
	char tmp[8192];
	size_t n;
	int err;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(b, tmp, n);
	err = ferror(f);
	fclose(f);
	if (err) {
		errno = EIO;
		return -1;
	}
	buf_cstr(b);
	return 0;
}

void
rand_token(char *out, size_t outsz, size_t n)
{
	unsigned char raw[64];
	struct buf b;

	if (n > sizeof(raw) || outsz < (n * 4 + 2) / 3 + 1) {
		fputs("fatal: rand_token: buffer too small\n", stderr);
		abort();
	}
	rand_bytes(raw, n);
	buf_init(&b);
	b64url_encode(&b, raw, n);
	memcpy(out, b.ptr, b.len + 1);
	buf_free(&b);
	explicit_bzero(raw, n);
}

void
sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	struct buf hex;

	SHA256(p, n, md);
	buf_init(&hex);
	hex_encode(&hex, md, sizeof(md));
	memcpy(out, hex.ptr, 65);
	buf_free(&hex);
}

void
hmac_hex(const unsigned char key[32], const char *domain, const char *value,
    char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = sizeof(md);
	struct buf in, hex;

	buf_init(&in);
	buf_printf(&in, "%s:%s", domain, value);
	if (HMAC(EVP_sha256(), key, 32, (const unsigned char *)in.ptr, in.len,
	    md, &mdlen) == NULL) {
		fputs("fatal: HMAC failed\n", stderr);
		abort();
	}
	explicit_bzero(in.ptr, in.len);
	buf_free(&in);
	buf_init(&hex);
	hex_encode(&hex, md, sizeof(md));
	memcpy(out, hex.ptr, 65);
	buf_free(&hex);
}

void
buf_url_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char ch;

	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~' || ch == '/')
			buf_putc(b, (char)ch);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[ch >> 4]);
			buf_putc(b, hex[ch & 15]);
		}
	}
}

size_t
utf8_seq(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t need, i;
	uint32_t cp, min;

	if (n == 0)
		return 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 1, cp = p[0] & 0x1f, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		need = 2, cp = p[0] & 0x0f, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		need = 3, cp = p[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n <= need)
		return 0;
	for (i = 1; i <= need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

long long
disk_free(const char *path)
{
	char *copy = ck_strdup(path);
	struct statvfs st;
	int rc;

	rc = statvfs(dirname(copy), &st);
	free(copy);
	return rc == -1 ? -1 : (long long)st.f_bavail * (long long)st.f_frsize;
}
