/*
 * Authenticated encryption of short values under a 32-byte key:
 * AES-256-GCM with a random 96-bit nonce for every seal and associated
 * data bound in.  A sealed value is nonce || ciphertext || tag; opening
 * refuses anything changed, another key, or other associated data.
 * Random nonces are safe for far more values than one key seals here
 * (GCM's bound is 2^32 per key).
 */
#ifndef HC_SEAL_H
#define HC_SEAL_H

#include <stddef.h>

#include "util.h"

#define SEAL_KEY	32
#define SEAL_NONCE	12
#define SEAL_TAG	16
#define SEAL_OVERHEAD	(SEAL_NONCE + SEAL_TAG)

/*
 * Appends p (n bytes) sealed with associated data ad (adlen bytes, may
 * be 0) to out: SEAL_OVERHEAD + n bytes.  0, or -1 if OpenSSL failed
 * (nothing appended).
 */
int seal(const unsigned char key[SEAL_KEY], const void *p, size_t n,
    const void *ad, size_t adlen, struct buf *out);
/*
 * Appends the plaintext of the sealed value c (n bytes) to out: 0, or -1
 * when it does not open (too short, changed, another key or other
 * associated data), with nothing appended.
 */
int seal_open(const unsigned char key[SEAL_KEY], const void *c, size_t n,
    const void *ad, size_t adlen, struct buf *out);
/* Appends the string plain sealed with ad, as base64url, to out: 0 or -1. */
int seal_text(const unsigned char key[SEAL_KEY], const char *plain,
    const char *ad, struct buf *out);
/*
 * Appends the string seal_text sealed in text (with ad) to out: 0, or -1
 * when it does not open or holds a NUL byte (nothing appended).
 */
int seal_open_text(const unsigned char key[SEAL_KEY], const char *text,
    const char *ad, struct buf *out);

#endif
