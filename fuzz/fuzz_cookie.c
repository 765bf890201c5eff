/*
 * libFuzzer harness for the Cookie header parser: the pair limit holds
 * and every stored key is non-empty and can be looked up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/request.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvlist l = { 0 };
	size_t i;

	if (size > 65536)
		return 0;
	(void)kv_parse_cookies(&l, (const char *)data, size);
	if (l.n > KV_MAX)
		abort();
	for (i = 0; i < l.n; i++)
		if (l.v[i].key[0] == '\0' || kv_get(&l, l.v[i].key) == NULL ||
		    strlen(l.v[i].key) + strlen(l.v[i].val) >= size)
			abort();
	kv_free(&l);
	return 0;
}
