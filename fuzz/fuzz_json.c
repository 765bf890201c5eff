/*
 * libFuzzer harness for request bodies: json_parse_body over the input
 * (an accepted body is an object of valid UTF-8), and ctype_parse of
 * the first line as a Content-Type header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/request.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *nl;
	char *line;
	cJSON *j;
	enum ctype t;

	if (size > 65536)
		return 0;
	if ((j = json_parse_body(s, size)) != NULL &&
	    (!cJSON_IsObject(j) || !utf8_valid(s, size)))
		abort();
	cJSON_Delete(j);

	nl = memchr(s, '\n', size);
	line = ck_strndup(s, nl != NULL ? (size_t)(nl - s) : size);
	t = ctype_parse(line);
	if (t > CTYPE_OTHER || (t == CTYPE_NONE && line[0] != '\0'))
		abort();
	free(line);
	return 0;
}
