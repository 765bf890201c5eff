/*
 * The unit tests' harness: count checks, print one line per failure
 * with file:line, and end with "name: N passed, N failed".
 *
 *	T_CHECK(n == 3, "n = %d", n);
 *	T_STREQ(got, "want", "case %zu", i);
 *	T_DONE("request");	(returns from main: 0, or 1 on any failure)
 */
#ifndef HC_T_H
#define HC_T_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int t_passed, t_failed;

__attribute__((format(printf, 3, 4), unused)) static void
t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t_failed++;
	printf("%s:%d: FAIL ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Prints s quoted, control and non-ASCII bytes as \xNN; NULL as NULL. */
__attribute__((unused)) static void
t_put(const char *s)
{
	if (s == NULL) {
		fputs("NULL", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f ||
		    *s == '"' || *s == '\\')
			printf("\\x%02x", (unsigned char)*s);
		else
			putchar(*s);
	putchar('"');
}

/* Both NULL, or equal strings. */
__attribute__((unused)) static int
t_streq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

#define T_CHECK(cond, ...) do {						\
	if (cond)							\
		t_passed++;						\
	else								\
		t_fail(__FILE__, __LINE__, __VA_ARGS__);		\
} while (0)

/* Compares two strings (either may be NULL), printing both on failure. */
#define T_STREQ(got, want, ...) do {					\
	const char *t_g_ = (got), *t_w_ = (want);			\
	T_CHECK(t_streq(t_g_, t_w_), __VA_ARGS__);			\
	if (!t_streq(t_g_, t_w_)) {					\
		fputs("\tgot  ", stdout); t_put(t_g_);			\
		fputs("\n\twant ", stdout); t_put(t_w_);		\
		putchar('\n');						\
	}								\
} while (0)

#define T_DONE(name) do {						\
	printf("%s: %d passed, %d failed\n", (name), t_passed,	\
	    t_failed);							\
	return t_failed ? 1 : 0;					\
} while (0)

#endif
