/*
 * Logging to stderr, one line per event.  Callers never pass codes,
 * tokens, ID numbers, phone numbers or secrets: the log is not a place
 * for personal data.
 */
#ifndef HC_LOG_H
#define HC_LOG_H

#include "util.h"

/* Sets the program name printed on each line. */
void log_init(const char *prog);
void log_msg(const char *func, const char *fmt, ...) HC_PRINTF(2, 3);

#define LOG(...) log_msg(__func__, __VA_ARGS__)

#endif
