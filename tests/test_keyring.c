/*
 * Tests for another issuer's keys at the edge of the kid limit: a JWKS
 * key whose kid is exactly KID_MAX characters loads, and a token whose
 * header carries that kid finds it and verifies, as in handlers/verify.c
 * (tok_open, keyring_find, tok_check).  One character more is ignored on
 * both sides: the token's reads as no kid, and the key is named as one
 * without a kid, by its thumbprint.  The signing key is made here with
 * keyring_generate.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "../fcgi/keyring.h"
#include "../fcgi/token.h"
#include "t.h"

#define NOW	1795967999L	/* 2026-11-29T15:59:59Z */

static char dir[] = "/tmp/test_keyring.XXXXXX";

/* A kid of n characters (n <= 99), digits repeating. */
static void
kid_of(char *kid, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		kid[i] = (char)('0' + i % 10);
	kid[n] = '\0';
}

/*
 * Signs a token with signer and kid in its header, then looks its kid up
 * in r as handlers/verify.c does.  Returns the key found (its signature
 * checked into *st), or NULL; the kid read from the header in got.
 */
static const struct key *
find_for(const struct keyring *r, const struct key *signer, const char *kid,
    char got[100], enum tok_status *st)
{
	struct tok_parts p;
	const struct key *k = NULL;
	cJSON *c = cJSON_CreateObject();
	char *tok;

	got[0] = '\0';
	*st = TOK_MALFORMED;
	cJSON_AddStringToObject(c, "sub", "1");
	cJSON_AddNumberToObject(c, "exp", (double)(NOW + 60));
	tok = tok_sign_es256(signer->pkey, kid, c);
	cJSON_Delete(c);
	if (tok == NULL || tok_open(tok, &p) != TOK_OK) {
		free(tok);
		return NULL;
	}
	snprintf(got, 100, "%s", p.kid);
	if ((k = keyring_find(r, p.kid)) != NULL)
		*st = tok_check(tok, &p, "ES256", k->verifier, NULL, 0, NOW);
	tok_close(&p);
	free(tok);
	return k;
}

static void
rmdir_all(void)
{
	char path[512];	/* dir and a d_name of up to 255 */
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}

int
main(void)
{
	struct keyring own = { 0 }, theirs = { 0 };
	const struct key *signer, *k;
	struct buf err, jwks;
	char kid[KID_MAX + 1], k64[100], k65[100], got[100];
	enum tok_status st;

	buf_init(&err);
	buf_init(&jwks);
	if (mkdtemp(dir) == NULL) {
		t_fail(__FILE__, __LINE__, "mkdtemp %s", dir);
		T_DONE("keyring");
	}
	T_CHECK(keyring_generate(dir, kid, &err) == 0 &&
	    keyring_load_dir(&own, dir, &err) == 0, "own key: %s",
	    buf_cstr(&err));
	if ((signer = keyring_signer(&own)) == NULL)
		goto out;

	/* Their JWKS: our public key twice, named at and past the limit. */
	kid_of(k64, KID_MAX);
	kid_of(k65, KID_MAX + 1);
	buf_printf(&jwks, "{\"keys\":["
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\","
	    "\"kid\":\"%s\"},"
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\","
	    "\"kid\":\"%s\"}]}",
	    signer->x, signer->y, k64, signer->x, signer->y, k65);
	T_CHECK(keyring_load_jwks(&theirs, jwks.ptr, jwks.len, &err) == 0,
	    "load JWKS: %s", buf_cstr(&err));
	T_CHECK(theirs.n == 2, "two keys loaded, %zu", theirs.n);
	if (theirs.n != 2)
		goto out;
	T_STREQ(theirs.k[0].kid, k64, "kid of KID_MAX characters kept");
	/* The same public key as ours, so the same thumbprint kid. */
	T_STREQ(theirs.k[1].kid, signer->kid,
	    "kid of KID_MAX + 1 characters ignored");
	T_CHECK(keyring_find(&theirs, k64) == &theirs.k[0], "find 64");
	T_CHECK(keyring_find(&theirs, k65) == NULL, "find 65: none");
	T_CHECK(keyring_find(&theirs, "") == NULL, "no key named \"\"");

	/* The token side reads the same limit. */
	k = find_for(&theirs, signer, k64, got, &st);
	T_STREQ(got, k64, "token's kid of KID_MAX characters read");
	T_CHECK(k == &theirs.k[0] && st == TOK_OK,
	    "token with a 64-character kid finds its key and verifies (%s)",
	    tok_status_name(st));
	k = find_for(&theirs, signer, k65, got, &st);
	T_STREQ(got, "", "token's kid of KID_MAX + 1 characters not read");
	T_CHECK(k == NULL, "token with a 65-character kid finds no key");
	/* And a short kid still works, of course. */
	T_CHECK(find_for(&own, signer, signer->kid, got, &st) == signer &&
	    st == TOK_OK, "own kid finds own key (%s)", tok_status_name(st));
out:
	keyring_free(&own);
	keyring_free(&theirs);
	buf_free(&err);
	buf_free(&jwks);
	rmdir_all();
	T_DONE("keyring");
}
