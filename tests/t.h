/*
 * The unit tests' harness: count checks, print one line per failure,
 * "FAIL file:line: message" (the lines tests/run.sh shows), and end
 * with "name: N passed, N failed".
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

__attribute__((format(printf, 3, 0), unused)) static void
t_vfail(const char *file, int line, const char *fmt, va_list ap)
{
	t_failed++;
	printf("FAIL %s:%d: ", file, line);
	vprintf(fmt, ap);
}

__attribute__((format(printf, 3, 4), unused)) static void
t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	t_vfail(file, line, fmt, ap);
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

/* Counts got == want (NULL equals only NULL); on failure shows both. */
__attribute__((format(printf, 5, 6), unused)) static void
t_streq(const char *file, int line, const char *got, const char *want,
    const char *fmt, ...)
{
	va_list ap;

	if (got == want || (got != NULL && want != NULL &&
	    strcmp(got, want) == 0)) {
		t_passed++;
		return;
	}
	va_start(ap, fmt);
	t_vfail(file, line, fmt, ap);
	va_end(ap);
	fputs(": got ", stdout);
	t_put(got);
	fputs(" want ", stdout);
	t_put(want);
	putchar('\n');
}

#define T_CHECK(cond, ...) do {						\
	if (cond)							\
		t_passed++;						\
	else								\
		t_fail(__FILE__, __LINE__, __VA_ARGS__);		\
} while (0)

#define T_STREQ(got, want, ...)						\
	t_streq(__FILE__, __LINE__, (got), (want), __VA_ARGS__)

#define T_DONE(name) do {						\
	printf("%s: %d passed, %d failed\n", (name), t_passed,	\
	    t_failed);							\
	return t_failed ? 1 : 0;					\
} while (0)

#endif
