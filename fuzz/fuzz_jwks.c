/*
 * libFuzzer harness for other regions' key sets: keyring_load_jwks over
 * the input (a JWKS document, as a trusted issuer publishes it).  Every
 * key it accepts must be found again by its kid, and the set written back
 * out (keyring_jwks) must load again to as many keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/keyring.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keyring r = { 0 }, again = { 0 };
	struct buf err, out;
	size_t i;

	if (size > 65536)
		return 0;
	buf_init(&err);
	buf_init(&out);
	if (keyring_load_jwks(&r, (const char *)data, size, &err) == 0) {
		for (i = 0; i < r.n; i++)
			if (keyring_find(&r, r.k[i].kid) == NULL)
				abort();
		keyring_jwks(&r, &out);
		if (keyring_load_jwks(&again, out.ptr, out.len, &err) == -1 ||
		    again.n != r.n)
			abort();
	} else if (err.len == 0)
		abort();	/* a refusal says why */
	keyring_free(&r);
	keyring_free(&again);
	buf_free(&err);
	buf_free(&out);
	return 0;
}
