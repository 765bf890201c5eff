/*
 * libFuzzer harness for the template compiler and renderer.  The input
 * is template source, then optionally a NUL byte and JSON data; with
 * no NUL, or JSON that does not parse, a fixed data object is used.
 * The template is compiled as "t" beside two fixed partials, so {{>t}}
 * recurses and {{>p}}, {{>q}} are ordinary partials.  Besides the
 * sanitizers it checks that every failure leaves a message and that a
 * failed render leaves the output buffer as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../fcgi/util.h"
#include "../fcgi/tmpl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fixed_json[] =
    "{\"a\":\"<x&'\\\"y>\",\"b\":[1,2.5,{\"c\":true,\"d\":null}],"
    "\"o\":{\"p\":{\"q\":\"deep\"},\"n\":-3},\"e\":[],\"s\":\"\","
    "\"f\":false,\"z\":null,\"t\":true,\"list\":[\"x\",\"y\",\"z\"],"
    "\"people\":[{\"name\":\"Ann\",\"age\":31},{\"name\":\"Bob\"}]}";

static const char partial_p[] = "[{{a}}{{#b}}{{.}}{{/b}}]";
static const char partial_q[] = "{{#o}}{{>p}}{{p.q}}{{/o}}{{^e}}-{{/e}}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *fixed;
	struct tmpl_set *set;
	struct buf out, err;
	const char *src = (const char *)data, *nul;
	cJSON *json = NULL;
	size_t len = size;
	int rc;

	if (fixed == NULL && (fixed = cJSON_Parse(fixed_json)) == NULL)
		abort();
	if ((nul = memchr(src, '\0', size)) != NULL) {
		len = (size_t)(nul - src);
		json = cJSON_ParseWithLength(nul + 1, size - len - 1);
	}

	set = tmpl_set_new();
	buf_init(&out);
	buf_init(&err);
	if (tmpl_set_add(set, "p", partial_p, sizeof(partial_p) - 1,
	    &err) == -1 ||
	    tmpl_set_add(set, "q", partial_q, sizeof(partial_q) - 1,
	    &err) == -1)
		abort();

	if (tmpl_set_add(set, "t", src, len, &err) == -1) {
		if (err.len == 0 || tmpl_set_has(set, "t"))
			abort();
		goto out;
	}
	buf_puts(&out, "pre");
	rc = tmpl_render(set, "t", json != NULL ? json : fixed, &out, &err);
	if (rc == -1 && (err.len == 0 || strcmp(buf_cstr(&out), "pre") != 0))
		abort();
	if (rc == 0 && strncmp(buf_cstr(&out), "pre", 3) != 0)
		abort();
	buf_reset(&out);
	(void)tmpl_render(set, "t", NULL, &out, &err);
out:
	buf_free(&out);
	buf_free(&err);
	tmpl_set_free(set);
	cJSON_Delete(json);
	return 0;
}
