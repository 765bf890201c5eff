/*
 * libFuzzer harness for the query and form parser: kv_parse_query over
 * the input, then path_decode of the same bytes.  Checks the pair limit
 * and that every decoded string is NUL-free within its length.
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
	const char *s = (const char *)data;
	char *path;
	size_t i;
	int rc;

	if (size > 65536)
		return 0;
	rc = kv_parse_query(&l, s, size);
	if (l.n > KV_MAX || (rc == 0 && memchr(s, '\0', size) != NULL))
		abort();
	for (i = 0; i < l.n; i++)
		if (kv_get(&l, l.v[i].key) == NULL ||
		    strlen(l.v[i].key) + strlen(l.v[i].val) > size)
			abort();
	kv_free(&l);

	if ((path = path_decode(s, size)) != NULL && strlen(path) > size)
		abort();
	free(path);
	return 0;
}
