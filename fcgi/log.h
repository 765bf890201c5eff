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
/*
 * From now on lines are held and written together by log_flush (and at
 * the latest a second later, or at exit): for a serving loop, which calls
 * log_flush before it waits.  A crash loses what is held.
 */
void log_hold(void);
void log_flush(void);

#define LOG(...) log_msg(__func__, __VA_ARGS__)

#endif
