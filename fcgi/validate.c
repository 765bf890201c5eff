/* Generic field validators; product rules live in handlers/. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

int
v_digits(const char *s, size_t minlen, size_t maxlen)
{
	size_t n;

	if (s == NULL)
		return 0;
	for (n = 0; s[n]; n++)
		if (!isdigit((unsigned char)s[n]) || n >= maxlen)
			return 0;
	return n >= minlen;
}

int
v_text(const char *s, size_t minlen, size_t maxlen)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	if (n < minlen || n > maxlen || !utf8_valid(s, n))
		return 0;
	/* utf8_valid allows \t \n \r; a one-line field does not. */
	return strpbrk(s, "\t\n\r") == NULL;
}

int
v_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || !(isdigit((unsigned char)*s) || (*s == '-' &&
	    isdigit((unsigned char)s[1]))))
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

enum field
req_str(const struct request *r, const char *name,
    int (*valid)(const char *), const char **out)
{
	const cJSON *j;
	const char *v = NULL;

	*out = NULL;
	if (r->body_kind == BODY_JSON) {
		j = cJSON_GetObjectItemCaseSensitive(r->json, name);
		if (j == NULL || cJSON_IsNull(j))
			return FIELD_MISSING;
		if (!cJSON_IsString(j))
			return FIELD_TYPE;
		v = j->valuestring;
	} else if (r->body_kind == BODY_FORM) {
		if ((v = kv_get(&r->form, name)) == NULL || *v == '\0')
			return FIELD_MISSING;
	} else
		return FIELD_MISSING;
	if (valid != NULL && !valid(v))
		return FIELD_INVALID;
	*out = v;
	return FIELD_OK;
}

size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

int
v_line(const char *s, size_t max)
{
	const char *p;

	if (!v_text(s, 1, max * 4) || utf8_chars(s) > max)
		return 0;
	for (p = s; *p == ' ' || strncmp(p, "\xe3\x80\x80", 3) == 0;
	    p += *p == ' ' ? 1 : 3)
		;
	return *p != '\0';
}

int
v_lines(const char *s, size_t max)
{
	const char *p;
	int blank = 1;

	if (s == NULL || strlen(s) > max * 4 || !utf8_valid(s, strlen(s)) ||
	    utf8_chars(s) > max)
		return 0;
	for (p = s; *p != '\0'; p++) {
		/* utf8_valid lets a tab through; C1 controls are U+0080..U+009F. */
		if (*p == '\t' || ((unsigned char)p[0] == 0xc2 &&
		    (unsigned char)p[1] <= 0x9f))
			return 0;
		if (strncmp(p, "\xe3\x80\x80", 3) == 0)
			p += 2;		/* the ideographic space */
		else if (*p != ' ' && *p != '\n' && *p != '\r')
			blank = 0;
	}
	return !blank;
}
