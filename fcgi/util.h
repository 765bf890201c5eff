/*
 * Small helpers every unit uses: allocation that aborts instead of
 * returning NULL (lighttpd's ck_malloc), a growable byte buffer,
 * constant-time comparison, random bytes, base64url and hex.
 */
#ifndef HC_UTIL_H
#define HC_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define HC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define HC_COLD __attribute__((cold))
#define HC_UNUSED __attribute__((unused))
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Allocators: never return NULL; abort on exhaustion. */
void *ck_malloc(size_t n);
void *ck_calloc(size_t n, size_t sz);
void *ck_realloc(void *p, size_t n);
char *ck_strdup(const char *s);
char *ck_strndup(const char *s, size_t n);

/* Growable buffer, always NUL-terminated when len > 0 or after buf_cstr. */
struct buf {
	char	*ptr;
	size_t	 len;
	size_t	 cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) HC_PRINTF(2, 3);
/* Appends s with HTML special characters escaped. */
void buf_html(struct buf *b, const char *s, size_t n);
/* Appends s as the inside of a JSON string (no quotes). */
void buf_json_str(struct buf *b, const char *s);
/* Returns the buffer's contents as a C string (never NULL). */
const char *buf_cstr(struct buf *b);

/* Returns 1 if the n bytes at a and b are equal, in time independent of content. */
int ct_memeq(const void *a, const void *b, size_t n);
/* Returns 1 if the strings are equal; time depends only on lengths. */
int ct_streq(const char *a, const char *b);

/* Fills p with n cryptographically random bytes; aborts on failure. */
void rand_bytes(void *p, size_t n);
/* Returns a uniform random integer in [0, bound). */
uint32_t rand_uniform(uint32_t bound);

/* Writes base64url (no padding) of p into b. */
void b64url_encode(struct buf *b, const void *p, size_t n);
/* Decodes base64url (no padding) into b; returns 0 or -1 on bad input. */
int b64url_decode(struct buf *b, const char *s, size_t n);
/* Writes n random bytes as base64url into out (outsz >= 4 * n / 3 + 2). */
void rand_token(char *out, size_t outsz, size_t n);
/*
 * Writes HMAC-SHA256(key, "domain:value") as 64 hex digits and a NUL:
 * domain-separated, so that one key serves several purposes safely.
 */
void hmac_hex(const unsigned char key[32], const char *domain,
    const char *value, char out[65]);
/* Writes SHA-256(p) as 64 hex digits and a NUL. */
void sha256_hex(const void *p, size_t n, char out[65]);
/* Appends s percent-encoded for a query value (unreserved and '/' kept). */
void buf_url_escape(struct buf *b, const char *s);
/* Writes lowercase hex of p into b. */
void hex_encode(struct buf *b, const void *p, size_t n);

/*
 * Returns the length of the well-formed UTF-8 sequence at s, of the n
 * bytes there, for a lead byte of 0x80 or above; 0 for one that is not:
 * truncated, overlong, a surrogate, past U+10FFFF.
 */
size_t utf8_seq(const char *s, size_t n);

/* Reads a whole file into b; returns 0 or -1 (errno set). */
int read_file(const char *path, struct buf *b);

/* Returns the bytes free to us on the disk of the directory of path, or -1. */
long long disk_free(const char *path);

#endif
