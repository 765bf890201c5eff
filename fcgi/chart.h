/*
 * Charts as inline SVG, drawn on the server: vertical bars, horizontal
 * bars and lines over counts.  Presentation attributes only (no style=,
 * which the Content-Security-Policy forbids), no script.  Each chart is
 * an <svg role="img"> labelled by its <title>, with every number written
 * as text beside its bar or in its point's <title>; the page shows the
 * numbers in a table as well.  Every text is escaped.
 */
#ifndef HC_CHART_H
#define HC_CHART_H

#include <stddef.h>

#include "util.h"

struct chart_bar {
	const char	*label;
	long long	 value;		/* below 0 is drawn as 0 */
	const char	*fill;		/* a colour, "#1a9f55" */
};

struct chart_series {
	const char		*name;
	const long long		*values;	/* one per x label */
	const char		*stroke;
};

/*
 * Appends <svg id="id"> with one column per bar (its number above it,
 * its label below), scaled to the largest; title is the <title>.
 */
void chart_columns(struct buf *out, const char *id, const char *title,
    const struct chart_bar *bars, size_t n);
/* Appends <svg id="id"> with one row per bar: label, bar, number. */
void chart_hbars(struct buf *out, const char *id, const char *title,
    const struct chart_bar *bars, size_t n);
/*
 * Appends <svg id="id"> with one line per series over the nx labels x
 * (a legend above, 0 and the largest value on the axis, each point's
 * value in its <title>).
 */
void chart_lines(struct buf *out, const char *id, const char *title,
    const char *const *x, size_t nx, const struct chart_series *series,
    size_t ns);

#endif
