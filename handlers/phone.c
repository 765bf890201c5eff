/* Phone numbers as accounts keep them: hash, mask, sealed (phone.h). */
#include <string.h>

#include "../fcgi/seal.h"
#include "phone.h"
#include "valid.h"

void
phone_mac(struct app *a, const char *phone, char mac[65])
{
	hmac_hex(a->session_key, "phone", phone, mac);
}

int
phone_rec(struct app *a, const char *phone, struct phone_rec *r)
{
	struct buf b;
	int rc = -1;

	phone_mac(a, phone, r->mac);
	mask_phone(phone, r->masked);
	buf_init(&b);
	if (seal_text(a->phone_key, phone, r->mac, &b) == 0 &&
	    b.len <= PHONE_ENC_MAX) {
		memcpy(r->enc, b.ptr, b.len + 1);
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

int
phone_open(struct app *a, const char *enc, const char *mac, char out[12])
{
	struct buf b;
	int rc = -1;

	buf_init(&b);
	if (seal_open_text(a->phone_key, enc, mac, &b) == 0 &&
	    valid_phone(b.ptr)) {
		memcpy(out, b.ptr, 12);
		rc = 0;
	}
	if (b.ptr != NULL)
		explicit_bzero(b.ptr, b.len);
	buf_free(&b);
	return rc;
}
