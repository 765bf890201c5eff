/*
 * libFuzzer harness for request bodies as the server takes them
 * (request_parse_body, fcgi/server.c): the first line of the input is
 * the Content-Type header (an empty line: none sent), the rest the body,
 * in a buffer of exactly its size.  Form bodies
 * (application/x-www-form-urlencoded), JSON objects and CSV uploads go
 * through the same dispatch as a request's, then every field is read
 * the way handlers read them (req_str, with and without a validator).
 * Checks that a refusal is a 400 or 415 with its error code and a JSON
 * error body, that an accepted body has the kind its type names (and
 * a CSV body is kept byte for byte), and that req_str gives what the
 * form or the JSON holds and nothing else.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/request.h"
#include "../fcgi/response.h"
#include "../fcgi/server.h"
#include "../fcgi/validate.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Returns 1 for one line of at most 60 characters (a venue's name, say). */
static int
short_line(const char *s)
{
	return v_line(s, 60);
}

/*
 * Aborts unless req_str reads name as the body holds it: want, or
 * missing (want NULL), or of another type than a string (type_err).
 */
static void
field(const struct request *req, const char *name, const char *want,
    int type_err)
{
	const char *v;
	enum field f;

	f = req_str(req, name, NULL, &v);
	if (type_err) {
		if (f != FIELD_TYPE || v != NULL)
			abort();
		return;
	}
	if (want == NULL) {
		if (f != FIELD_MISSING || v != NULL)
			abort();
		return;
	}
	if (f != FIELD_OK || v == NULL || strcmp(v, want) != 0)
		abort();
	f = req_str(req, name, short_line, &v);
	if ((f == FIELD_OK) != (short_line(want) != 0) ||
	    (f == FIELD_OK ? v == NULL : v != NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *nl;
	struct request req;
	struct response resp;
	const struct kv *first;
	const cJSON *it;
	char *ctype, *body;
	enum ctype t;
	size_t hlen, blen, i;
	cJSON *err;
	int rc;

	if (size > 65536)
		return 0;
	nl = memchr(s, '\n', size);
	hlen = nl != NULL ? (size_t)(nl - s) : size;
	ctype = hlen > 0 ? ck_strndup(s, hlen) : NULL;
	blen = nl != NULL ? size - hlen - 1 : 0;
	body = malloc(blen ? blen : 1);
	if (body == NULL)
		abort();
	memcpy(body, nl != NULL ? nl + 1 : "", blen);

	memset(&req, 0, sizeof(req));
	resp_init(&resp);
	t = ctype_parse(ctype);
	rc = request_parse_body(&req, ctype, body, blen, &resp);
	if (rc != 0) {
		if ((rc != 400 && rc != 415) || resp.status != rc ||
		    resp.err_code == NULL || req.body_kind != BODY_NONE ||
		    (rc == 415) != (t == CTYPE_OTHER || t == CTYPE_NONE) ||
		    (err = cJSON_ParseWithLength(resp.body.ptr,
		    resp.body.len)) == NULL)
			abort();
		if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(err,
		    "error")))
			abort();
		cJSON_Delete(err);
		goto out;
	}
	switch (req.body_kind) {
	case BODY_NONE:
		if ((t != CTYPE_NONE && t != CTYPE_JSON) || blen != 0)
			abort();
		field(&req, "venue_token", NULL, 0);
		break;
	case BODY_FORM:
		if (t != CTYPE_FORM || req.form.n > KV_MAX)
			abort();
		/* The first pair of a name is the one read; "a=" is missing. */
		for (i = 0; i < req.form.n; i++) {
			first = &req.form.v[i];
			if (kv_get(&req.form, first->key) == first->val)
				field(&req, first->key, first->val[0] != '\0' ?
				    first->val : NULL, 0);
		}
		break;
	case BODY_JSON:
		if (t != CTYPE_JSON || !cJSON_IsObject(req.json) ||
		    !utf8_valid(body, blen))
			abort();
		cJSON_ArrayForEach(it, req.json) {
			if (it->string == NULL)
				abort();
			/* The first member of a name is the one read. */
			if (cJSON_GetObjectItemCaseSensitive(req.json,
			    it->string) != it)
				continue;
			if (cJSON_IsString(it))
				field(&req, it->string, it->valuestring, 0);
			else if (cJSON_IsNull(it))
				field(&req, it->string, NULL, 0);
			else
				field(&req, it->string, NULL, 1);
		}
		break;
	case BODY_CSV:
		if (t != CTYPE_CSV || req.raw == NULL || req.raw_len != blen ||
		    memcmp(req.raw, body, blen) != 0 || req.raw[blen] != '\0')
			abort();
		break;
	default:
		abort();
	}
out:
	request_free(&req);
	resp_free(&resp);
	free(body);
	free(ctype);
	return 0;
}
