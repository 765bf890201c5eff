/*
 * Pure validators for input fields, and typed access to the fields of a
 * form or JSON body.  Handlers read values only through these, so every
 * value they see has passed a length and range check.
 */
#ifndef HC_VALIDATE_H
#define HC_VALIDATE_H

#include <stddef.h>

#include "request.h"

enum field {
	FIELD_OK,
	FIELD_MISSING,
	FIELD_TYPE,	/* present but not a string (JSON) */
	FIELD_INVALID	/* failed the validator */
};

/* Returns 1 if s is minlen..maxlen ASCII digits. */
int v_digits(const char *s, size_t minlen, size_t maxlen);
/* Returns 1 if s is valid UTF-8 text of minlen..maxlen bytes, no control characters. */
int v_text(const char *s, size_t minlen, size_t maxlen);
/* Returns the number of characters (code points) in valid UTF-8 s. */
size_t utf8_chars(const char *s);
/*
 * Returns 1 for one line of text: 1..max characters (not bytes) of valid
 * UTF-8 without control characters, not only spaces (ASCII or U+3000).
 */
int v_line(const char *s, size_t max);
/*
 * Returns 1 for free text of one or more lines: 1..max characters of
 * valid UTF-8 whose only control characters are line breaks (LF, CR;
 * no tab, no C1), not only white space.
 */
int v_lines(const char *s, size_t max);
/* Returns 1 and sets *out if s is a decimal integer in [min, max]. */
int v_int(const char *s, long long min, long long max, long long *out);

/*
 * Returns a string field from the JSON or form body (JSON: must be a
 * string) in *out, checked by valid (may be NULL).  FIELD_OK or why not.
 */
enum field req_str(const struct request *r, const char *name,
    int (*valid)(const char *), const char **out);

#endif
