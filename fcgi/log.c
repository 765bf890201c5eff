/*
 * Log lines to stderr: "prog[pid]: func: message".  Each write is whole
 * lines, so lines from several workers never interleave; a serving worker
 * holds its lines back (log_hold) and writes them in one go when it has
 * nothing else to do, when a second has passed, or when PIPE_BUF bytes
 * have gathered: one write per busy moment instead of one per request.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define HOLD_MAX	PIPE_BUF	/* one write stays atomic on a pipe too */
#define HOLD_SECONDS	1

static const char *progname = "";	/* the caller names it: log_init */
static int pid;
static int holding;
static char held[HOLD_MAX];
static size_t nheld;
static time_t held_since;

void
log_init(const char *prog)
{
	progname = prog;
	pid = 0;
}

void
log_flush(void)
{
	if (nheld > 0)
		(void)!write(STDERR_FILENO, held, nheld);
	nheld = 0;
}

static void
flush_at_exit(void)
{
	log_flush();
}

void
log_hold(void)
{
	if (!holding)
		atexit(flush_at_exit);
	holding = 1;
}

static time_t
coarse_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return t.tv_sec;
}

void
log_msg(const char *func, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	time_t now;
	int n, m;

	if (pid == 0)	/* once per process */
		pid = (int)getpid();
	n = snprintf(line, sizeof(line), "%s[%d]: %s: ", progname, pid, func);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (!holding) {
		(void)!write(STDERR_FILENO, line, (size_t)n);
		return;
	}
	now = coarse_now();
	if (nheld + (size_t)n > sizeof(held))
		log_flush();
	if (nheld == 0)
		held_since = now;
	memcpy(held + nheld, line, (size_t)n);
	nheld += (size_t)n;
	if (now - held_since >= HOLD_SECONDS)
		log_flush();
}
