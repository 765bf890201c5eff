/* P-256 key files, JWK thumbprints and JWKS over OpenSSL 3; see keyring.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "keyring.h"
#include "token.h"

/* Returns the PEM text of pkey (private or public half) as a malloc'd string. */
static char *
pem_of(EVP_PKEY *pkey, int private, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (bio == NULL)
		return NULL;
	if ((private ? PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0,
	    NULL, NULL) : PEM_write_bio_PUBKEY(bio, pkey)) == 1 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0) {
		out = ck_strndup(data, (size_t)n);
		*len = (size_t)n;
	}
	BIO_free(bio);
	return out;
}

/* Fills x, y and kid of k from the public point of pkey.  0 or -1. */
static int
fill_public(struct key *k, EVP_PKEY *pkey)
{
	unsigned char pt[65], md[SHA256_DIGEST_LENGTH];
	size_t len = 0;
	struct buf b, tp;

	if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt), &len) != 1 || len != 65 || pt[0] != 4)
		return -1;
	buf_init(&b);
	b64url_encode(&b, pt + 1, 32);
	memcpy(k->x, b.ptr, b.len + 1);
	buf_reset(&b);
	b64url_encode(&b, pt + 33, 32);
	memcpy(k->y, b.ptr, b.len + 1);
	/* RFC 7638: members in lexicographic order, no whitespace. */
	buf_init(&tp);
	buf_printf(&tp, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\","
	    "\"y\":\"%s\"}", k->x, k->y);
	SHA256((const unsigned char *)tp.ptr, tp.len, md);
	buf_reset(&b);
	b64url_encode(&b, md, sizeof(md));
	memcpy(k->kid, b.ptr, KID_LEN);
	k->kid[KID_LEN] = '\0';
	buf_free(&b);
	buf_free(&tp);
	if ((k->pub_pem = pem_of(pkey, 0, &k->pub_len)) == NULL ||
	    (k->verifier = tok_es256_verifier(pkey)) == NULL)
		return -1;
	return 0;
}

static int
is_p256(EVP_PKEY *pkey)
{
	char group[32];
	size_t len;

	return EVP_PKEY_is_a(pkey, "EC") &&
	    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &len) == 1 && strcmp(group, "prime256v1") == 0;
}

static struct key *
add_key(struct keyring *r)
{
	r->k = ck_realloc(r->k, (r->n + 1) * sizeof(*r->k));
	memset(&r->k[r->n], 0, sizeof(r->k[0]));
	return &r->k[r->n++];
}

static void
key_clear(struct key *k)
{
	if (k->priv_pem != NULL) {
		explicit_bzero(k->priv_pem, k->priv_len);
		free(k->priv_pem);
	}
	free(k->pub_pem);
	EVP_PKEY_CTX_free(k->verifier);
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
keyring_load_dir(struct keyring *r, const char *dir, struct buf *err)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i, len;
	struct buf path, pem;
	EVP_PKEY *pkey;
	BIO *bio;
	struct key *k;
	int rc = -1;

	if ((d = opendir(dir)) == NULL) {
		buf_printf(err, "keys: %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len > 4 && e->d_name[0] != '.' &&
		    strcmp(e->d_name + len - 4, ".pem") == 0) {
			names = ck_realloc(names, (n + 1) * sizeof(*names));
			names[n++] = ck_strdup(e->d_name);
		}
	}
	closedir(d);
	if (n > 0)	/* qsort of NULL is undefined, even of nothing */
		qsort(names, n, sizeof(*names), name_cmp);
	buf_init(&path);
	buf_init(&pem);
	for (i = 0; i < n; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, names[i]);
		buf_reset(&pem);
		if (read_file(path.ptr, &pem) == -1) {
			buf_printf(err, "keys: %s: %s", path.ptr,
			    strerror(errno));
			goto out;
		}
		pkey = NULL;
		if ((bio = BIO_new_mem_buf(pem.ptr, (int)pem.len)) != NULL) {
			pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
			BIO_free(bio);
		}
		if (pkey == NULL || !is_p256(pkey)) {
			EVP_PKEY_free(pkey);
			buf_printf(err, "keys: %s: not a P-256 private key",
			    path.ptr);
			goto out;
		}
		k = add_key(r);
		k->priv_pem = ck_strndup(pem.ptr, pem.len);
		k->priv_len = pem.len;
		k->pkey = pkey;
		if (fill_public(k, pkey) == -1) {
			buf_printf(err, "keys: %s: cannot read public key",
			    path.ptr);
			goto out;
		}
	}
	rc = 0;
out:
	if (pem.ptr != NULL)
		explicit_bzero(pem.ptr, pem.len);
	buf_free(&pem);
	buf_free(&path);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Builds a P-256 public key from base64url x and y. */
static EVP_PKEY *
pkey_from_xy(const char *x, const char *y)
{
	unsigned char pt[65];
	struct buf bx, by;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	buf_init(&bx);
	buf_init(&by);
	if (b64url_decode(&bx, x, strlen(x)) == -1 || bx.len != 32 ||
	    b64url_decode(&by, y, strlen(y)) == -1 || by.len != 32)
		goto out;
	pt[0] = 4;
	memcpy(pt + 1, bx.ptr, 32);
	memcpy(pt + 33, by.ptr, 32);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt)) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	buf_free(&bx);
	buf_free(&by);
	return pkey;
}

int
keyring_load_jwks(struct keyring *r, const char *json, size_t len,
    struct buf *err)
{
	cJSON *doc, *keys, *jk;
	const cJSON *kty, *crv, *x, *y, *kid;
	EVP_PKEY *pkey;
	struct key *k;
	int rc = -1;

	if ((doc = cJSON_ParseWithLength(json, len)) == NULL ||
	    !cJSON_IsArray(keys = cJSON_GetObjectItemCaseSensitive(doc,
	    "keys"))) {
		buf_puts(err, "jwks: expected {\"keys\":[...]}");
		goto out;
	}
	cJSON_ArrayForEach(jk, keys) {
		kty = cJSON_GetObjectItemCaseSensitive(jk, "kty");
		crv = cJSON_GetObjectItemCaseSensitive(jk, "crv");
		x = cJSON_GetObjectItemCaseSensitive(jk, "x");
		y = cJSON_GetObjectItemCaseSensitive(jk, "y");
		if (!cJSON_IsString(kty) || strcmp(kty->valuestring, "EC") ||
		    !cJSON_IsString(crv) || strcmp(crv->valuestring, "P-256"))
			continue;	/* not ES256: never trusted */
		if (!cJSON_IsString(x) || !cJSON_IsString(y) ||
		    (pkey = pkey_from_xy(x->valuestring, y->valuestring)) ==
		    NULL) {
			buf_puts(err, "jwks: bad EC key");
			goto out;
		}
		k = add_key(r);
		k->pkey = pkey;
		if (fill_public(k, pkey) == -1) {
			buf_puts(err, "jwks: bad EC key");
			goto out;
		}
		/* Their kid names the key in their tokens. */
		kid = cJSON_GetObjectItemCaseSensitive(jk, "kid");
		if (cJSON_IsString(kid) && *kid->valuestring != '\0' &&
		    strlen(kid->valuestring) <= KID_MAX)
			snprintf(k->kid, sizeof(k->kid), "%s", kid->valuestring);
	}
	rc = 0;
out:
	cJSON_Delete(doc);
	return rc;
}

int
keyring_generate(const char *dir, char kid[KID_MAX + 1],
    struct buf *err)
{
	EVP_PKEY *pkey;
	struct key k;
	struct buf path;
	struct tm tm;
	struct timespec ts;
	char stamp[32], *pem = NULL;
	size_t len = 0;
	int fd = -1, rc = -1;

	memset(&k, 0, sizeof(k));
	buf_init(&path);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		buf_printf(err, "keys: %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL ||
	    fill_public(&k, pkey) == -1 ||
	    (pem = pem_of(pkey, 1, &len)) == NULL) {
		buf_puts(err, "keys: cannot generate a P-256 key");
		goto out;
	}
	/*
	 * The name orders the keys, so it takes the system clock with
	 * nanoseconds (not a pinned test clock): two keys made in one
	 * second still sort in the order they were made.
	 */
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	buf_printf(&path, "%s/%s.%09ldZ-%.8s.pem", dir, stamp, ts.tv_nsec,
	    k.kid);
	if ((fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, pem, len) != (ssize_t)len || fsync(fd) == -1) {
		buf_printf(err, "keys: %s: %s", path.ptr, strerror(errno));
		goto out;
	}
	memcpy(kid, k.kid, KID_LEN + 1);	/* KID_LEN and its NUL */
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (pem != NULL) {
		explicit_bzero(pem, len);
		free(pem);
	}
	key_clear(&k);
	EVP_PKEY_free(pkey);
	buf_free(&path);
	return rc;
}

const struct key *
keyring_signer(const struct keyring *r)
{
	size_t i;

	for (i = r->n; i > 0; i--)
		if (r->k[i - 1].priv_pem != NULL)
			return &r->k[i - 1];
	return NULL;
}

const struct key *
keyring_find(const struct keyring *r, const char *kid)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->k[i].kid, kid) == 0)
			return &r->k[i];
	return NULL;
}

void
keyring_jwks(const struct keyring *r, struct buf *out)
{
	size_t i;

	buf_puts(out, "{\"keys\":[");
	for (i = 0; i < r->n; i++)
		buf_printf(out, "%s{\"kty\":\"EC\",\"crv\":\"P-256\","
		    "\"x\":\"%s\",\"y\":\"%s\",\"kid\":\"%s\",\"use\":\"sig\","
		    "\"alg\":\"ES256\"}", i ? "," : "", r->k[i].x, r->k[i].y,
		    r->k[i].kid);
	buf_puts(out, "]}");
}

void
keyring_free(struct keyring *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		key_clear(&r->k[i]);
	free(r->k);
	r->k = NULL;
	r->n = 0;
}
