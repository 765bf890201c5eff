/* Log lines to stderr: "prog[pid]: func: message". */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

static const char *progname = "healthcode";
static int pid;

void
log_init(const char *prog)
{
	progname = prog;
	pid = 0;
}

void
log_msg(const char *func, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
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
	/* One write per line so lines from several workers do not interleave. */
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
