/*
 * Phone numbers as accounts keep them (migrations/0015): never in clear.
 * An account is found by the keyed hash of its number (HMAC-SHA256 of
 * "phone:<number>" with the session key), shows the masked form, and
 * keeps the number sealed (AES-256-GCM under phone_key_file, the hash as
 * associated data, so that a sealed number opens only in its own row)
 * for the two lists that must show it whole: the checkers, for admins,
 * and tracing's call-backs (both audited reads).
 */
#ifndef HC_PHONE_H
#define HC_PHONE_H

#include "ctx.h"

/* base64url of nonce, 11 digits and tag: 52 characters. */
#define PHONE_ENC_MAX	64

/* An account's phone as stored. */
struct phone_rec {
	char	mac[65];
	char	masked[12];
	char	enc[PHONE_ENC_MAX + 1];	/* sealed, base64url */
};

/* Writes the keyed hash an account is found by for phone. */
void phone_mac(struct app *a, const char *phone, char mac[65]);
/*
 * Fills r for phone (valid): its keyed hash, masked form, and the number
 * sealed with a fresh nonce.  0, or -1 if the sealing failed.
 */
int phone_rec(struct app *a, const char *phone, struct phone_rec *r);
/*
 * Opens enc, the sealed number of the account whose hash is mac into out:
 * 0, or -1 when it does not open (another phone_key_file, or changed).
 */
int phone_open(struct app *a, const char *enc, const char *mac,
    char out[12]);

#endif
