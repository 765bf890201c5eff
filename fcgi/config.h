/*
 * Configuration: one "key = value" file (selected by HC_CONFIG) over
 * built-in defaults, with environment overrides HC_<KEY>.  The set of
 * keys is the caller's table; this file knows nothing of what they mean.
 */
#ifndef HC_CONFIG_H
#define HC_CONFIG_H

#include "util.h"

struct cfg_def {
	const char	*key;	/* lower case, [a-z0-9_] */
	const char	*dflt;	/* may refer to earlier keys as ${key} */
};

/*
 * Fills vals[n] (each malloc'd) from defaults, the file at path (NULL:
 * none) and the environment.  Returns 0, or -1 with a message in err
 * (unknown key, bad line, unreadable file).
 */
int config_load(const struct cfg_def *defs, size_t n, const char *path,
    char **vals, struct buf *err);
void config_free(char **vals, size_t n);

/* Parses a non-negative integer value; returns 0 or -1. */
int config_int(const char *s, long long min, long long max, long long *out);

#endif
