/*
 * Reads the configuration file.  Format: lines "key = value", "#"
 * comments, blank lines; surrounding whitespace trimmed.  Precedence:
 * environment HC_<KEY> over the file over the defaults; "${key}" in any
 * value expands to the final value of an earlier key.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static ssize_t
find_key(const struct cfg_def *defs, size_t n, const char *k, size_t klen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(defs[i].key) == klen &&
		    memcmp(defs[i].key, k, klen) == 0)
			return (ssize_t)i;
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Expands ${key} references to earlier keys. */
static int
expand(const struct cfg_def *defs, size_t n, size_t upto, char **vals,
    const char *in, char **out, struct buf *err)
{
	struct buf b;
	const char *p = in, *q, *e;
	ssize_t k;

	buf_init(&b);
	while ((q = strstr(p, "${")) != NULL) {
		buf_append(&b, p, (size_t)(q - p));
		if ((e = strchr(q, '}')) == NULL)
			goto bad;
		k = find_key(defs, n, q + 2, (size_t)(e - q - 2));
		if (k < 0 || (size_t)k >= upto)
			goto bad;
		buf_puts(&b, vals[k]);
		p = e + 1;
	}
	buf_puts(&b, p);
	*out = ck_strdup(buf_cstr(&b));
	buf_free(&b);
	return 0;
bad:
	buf_printf(err, "config: %s: bad ${...} reference", defs[upto].key);
	buf_free(&b);
	return -1;
}

int
config_load(const struct cfg_def *defs, size_t n, const char *path,
    char **vals, struct buf *err)
{
	char **raw = ck_calloc(n, sizeof(char *));
	struct buf file, envname;
	char *line, *next, *eq, *k, *v;
	const char *env;
	size_t i, lineno = 0;
	ssize_t idx;
	int rc = -1;

	buf_init(&file);
	buf_init(&envname);
	for (i = 0; i < n; i++)
		vals[i] = NULL;

	if (path != NULL && *path != '\0') {
		if (read_file(path, &file) == -1) {
			buf_printf(err, "config: %s: %s", path, strerror(errno));
			goto out;
		}
		/* A text file: a NUL would end it early, and silently. */
		if (memchr(file.ptr, '\0', file.len) != NULL) {
			buf_printf(err, "config: %s: not a text file (a NUL byte "
			    "at offset %zu)", path, (size_t)((char *)memchr(
			    file.ptr, '\0', file.len) - file.ptr));
			goto out;
		}
		for (line = file.ptr; line != NULL; line = next) {
			lineno++;
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			line = trim(line);
			if (*line == '\0' || *line == '#')
				continue;
			if ((eq = strchr(line, '=')) == NULL) {
				buf_printf(err, "config: %s:%zu: expected "
				    "\"key = value\"", path, lineno);
				goto out;
			}
			*eq = '\0';
			k = trim(line);
			v = trim(eq + 1);
			if ((idx = find_key(defs, n, k, strlen(k))) < 0) {
				buf_printf(err, "config: %s:%zu: unknown key "
				    "\"%s\"", path, lineno, k);
				goto out;
			}
			free(raw[idx]);
			raw[idx] = ck_strdup(v);
		}
	}

	for (i = 0; i < n; i++) {
		buf_reset(&envname);
		buf_puts(&envname, "HC_");
		for (k = (char *)defs[i].key; *k; k++)
			buf_putc(&envname, (char)toupper((unsigned char)*k));
		if ((env = getenv(envname.ptr)) != NULL) {
			free(raw[i]);
			raw[i] = ck_strdup(env);
		}
		if (expand(defs, n, i, vals, raw[i] ? raw[i] : defs[i].dflt,
		    &vals[i], err) == -1)
			goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		config_free(vals, n);
	for (i = 0; i < n; i++)
		free(raw[i]);
	free(raw);
	buf_free(&file);
	buf_free(&envname);
	return rc;
}

void
config_free(char **vals, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(vals[i]);
		vals[i] = NULL;
	}
}

int
config_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
