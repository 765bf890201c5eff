/*
 * Counters and histograms shared by every worker process, for a
 * Prometheus text exposition.  The families are declared at start, in
 * the same order by every process: their names, kinds and label sets are
 * the layout's fingerprint.  metrics_open then maps one file MAP_SHARED
 * (workers started by spawn-fcgi or systemd are separate processes, and
 * this is what they share), and a count is one relaxed atomic add into
 * it: no lock, no system call.  A process that did not open the file
 * counts nothing and says so in no answer.
 *
 * A family has up to two label dimensions, each a list of label sets
 * already written as `name="value"` (metrics_label_set writes one); a
 * series is a pair of indexes into them.  Values come from fixed lists
 * (a route pattern, a status, a result), never from a request.
 */
#ifndef HC_METRICS_H
#define HC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum metric_kind {
	METRIC_COUNTER,
	METRIC_HISTOGRAM	/* of durations: buckets, sum and count */
};

/* Forgets every family; names are written with prefix before them. */
void metrics_begin(const char *prefix);
/*
 * Declares a family before metrics_open: its series are a[0..na) x
 * b[0..nb) (b NULL: one dimension; a NULL too: a single series).  The
 * strings must outlive the process's use of it.  Returns its id, the
 * first argument of metrics_add and metrics_observe.
 */
int metrics_declare(const char *name, const char *help,
    enum metric_kind kind, const char *const *a, size_t na,
    const char *const *b, size_t nb);
/* Appends name="value" to out, the value escaped for the text format. */
void metrics_label_set(struct buf *out, const char *name, const char *value);

/*
 * Maps the file at path (create: make it, mode 0600, if missing), laid
 * out for the families declared; a file of another layout is replaced.
 * Returns 0, or -1 with err.
 */
int metrics_open(const char *path, int create, struct buf *err);
void metrics_close(void);

/* Adds n to series (i, j) of counter family fam. */
void metrics_add(int fam, size_t i, size_t j, uint64_t n);
/* Counts a duration of us microseconds in series i of histogram fam. */
void metrics_observe(int fam, size_t i, uint64_t us);
/* Returns the value of series (i, j) of counter fam (0 when not open). */
uint64_t metrics_get(int fam, size_t i, size_t j);
/*
 * Writes every family in the Prometheus text format 0.0.4: a series
 * without labels always, a labelled one once it is not zero.
 */
void metrics_render(struct buf *out);

#endif
