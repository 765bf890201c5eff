/* Sealing short values with AES-256-GCM (seal.h). */
#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

#include "seal.h"

/* Values and associated data are short; this keeps every length an int. */
#define SEAL_MAX	(1 << 20)

int
seal(const unsigned char key[SEAL_KEY], const void *p, size_t n,
    const void *ad, size_t adlen, struct buf *out)
{
	EVP_CIPHER_CTX *x;
	unsigned char *dst;
	int len, fin, rc = -1;

	if (n > SEAL_MAX || adlen > SEAL_MAX ||
	    (x = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	buf_reserve(out, SEAL_OVERHEAD + n + 1);
	dst = (unsigned char *)out->ptr + out->len;
	rand_bytes(dst, SEAL_NONCE);
	if (EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE,
	    NULL) != 1 ||
	    EVP_EncryptInit_ex(x, NULL, NULL, key, dst) != 1 ||
	    (adlen > 0 && EVP_EncryptUpdate(x, NULL, &len, ad,
	    (int)adlen) != 1) ||
	    EVP_EncryptUpdate(x, dst + SEAL_NONCE, &len, p, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(x, dst + SEAL_NONCE + len, &fin) != 1 ||
	    (size_t)(len + fin) != n ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, SEAL_TAG,
	    dst + SEAL_NONCE + n) != 1)
		goto out;
	out->len += SEAL_OVERHEAD + n;
	rc = 0;
out:
	out->ptr[out->len] = '\0';	/* after the value, or where it failed */
	EVP_CIPHER_CTX_free(x);
	return rc;
}

int
seal_open(const unsigned char key[SEAL_KEY], const void *c, size_t n,
    const void *ad, size_t adlen, struct buf *out)
{
	const unsigned char *src = c;
	unsigned char tag[SEAL_TAG];
	EVP_CIPHER_CTX *x;
	struct buf plain;
	size_t m;
	int len, fin, rc = -1;

	if (n < SEAL_OVERHEAD || n - SEAL_OVERHEAD > SEAL_MAX ||
	    adlen > SEAL_MAX || (x = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	m = n - SEAL_OVERHEAD;
	memcpy(tag, src + SEAL_NONCE + m, SEAL_TAG);
	/* Apart from out: GCM hands out plaintext before the tag is checked. */
	buf_init(&plain);
	buf_reserve(&plain, m + 1);
	if (EVP_DecryptInit_ex(x, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE,
	    NULL) != 1 ||
	    EVP_DecryptInit_ex(x, NULL, NULL, key, src) != 1 ||
	    (adlen > 0 && EVP_DecryptUpdate(x, NULL, &len, ad,
	    (int)adlen) != 1) ||
	    EVP_DecryptUpdate(x, (unsigned char *)plain.ptr, &len,
	    src + SEAL_NONCE, (int)m) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, SEAL_TAG, tag) != 1 ||
	    EVP_DecryptFinal_ex(x, (unsigned char *)plain.ptr + len,
	    &fin) != 1 || (size_t)(len + fin) != m)
		goto out;
	buf_append(out, plain.ptr, m);
	rc = 0;
out:
	explicit_bzero(plain.ptr, plain.cap);
	buf_free(&plain);
	EVP_CIPHER_CTX_free(x);
	return rc;
}

int
seal_text(const unsigned char key[SEAL_KEY], const char *plain,
    const char *ad, struct buf *out)
{
	struct buf raw;
	int rc;

	buf_init(&raw);
	if ((rc = seal(key, plain, strlen(plain), ad, strlen(ad), &raw)) == 0)
		b64url_encode(out, raw.ptr, raw.len);
	buf_free(&raw);
	return rc;
}

int
seal_open_text(const unsigned char key[SEAL_KEY], const char *text,
    const char *ad, struct buf *out)
{
	struct buf raw, plain;
	int rc = -1;

	buf_init(&raw);
	buf_init(&plain);
	if (b64url_decode(&raw, text, strlen(text)) == 0 &&
	    seal_open(key, raw.ptr, raw.len, ad, strlen(ad), &plain) == 0 &&
	    memchr(plain.ptr, '\0', plain.len) == NULL) {
		buf_append(out, plain.ptr, plain.len);
		rc = 0;
	}
	if (plain.ptr != NULL)
		explicit_bzero(plain.ptr, plain.len);
	buf_free(&plain);
	buf_free(&raw);
	return rc;
}
