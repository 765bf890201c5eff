/*
 * Inline SVG charts (chart.h).  Fixed drawing sizes in a viewBox, so a
 * stylesheet can scale them to the page; coordinates with one decimal.
 */
#include <stdio.h>
#include <string.h>

#include "chart.h"

#define W		480	/* every chart's width */
#define FONT		"font-family=\"sans-serif\""

static void
esc(struct buf *out, const char *s)
{
	if (s != NULL)
		buf_html(out, s, strlen(s));
}

static long long
clamp(long long v)
{
	return v < 0 ? 0 : v;
}

/* The largest value, at least 1 (so that zeros draw as empty bars). */
static long long
max_of(const struct chart_bar *bars, size_t n)
{
	long long m = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (clamp(bars[i].value) > m)
			m = clamp(bars[i].value);
	return m;
}

/* The opening tag and the title, for a chart h high. */
static void
open_svg(struct buf *out, const char *id, const char *title, int h)
{
	buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"");
	esc(out, id);
	buf_printf(out, "\" class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" aria-labelledby=\"", W, h, W, h);
	esc(out, id);
	buf_puts(out, "-title\"><title id=\"");
	esc(out, id);
	buf_puts(out, "-title\">");
	esc(out, title);
	buf_puts(out, "</title>");
}

/* A text element: anchor start, middle or end; cls its class. */
static void
text(struct buf *out, double x, double y, const char *anchor, int size,
    const char *cls, const char *s)
{
	buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
	    "font-size=\"%d\" " FONT " fill=\"#1f2328\" class=\"%s\">", x, y,
	    anchor, size, cls);
	esc(out, s);
	buf_puts(out, "</text>");
}

/* A bar with its label and value in its own <title>. */
static void
bar(struct buf *out, double x, double y, double w, double h,
    const struct chart_bar *b)
{
	buf_printf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
	    "width=\"%.1f\" height=\"%.1f\" fill=\"", x, y, w, h);
	esc(out, b->fill != NULL ? b->fill : "#656d76");
	buf_puts(out, "\"><title>");
	esc(out, b->label);
	buf_printf(out, ": %lld</title></rect>", clamp(b->value));
}

void
chart_columns(struct buf *out, const char *id, const char *title,
    const struct chart_bar *bars, size_t n)
{
	const int h = 220, top = 24, bottom = 28, pad = 16;
	const double plot = h - top - bottom;
	double slot, bw, bh, x;
	long long max = max_of(bars, n);
	char num[24];
	size_t i;

	open_svg(out, id, title, h);
	buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#c9ced6\"/>", pad, h - bottom, W - pad, h - bottom);
	slot = n > 0 ? (double)(W - 2 * pad) / (double)n : 0;
	bw = slot * 0.6;
	for (i = 0; i < n; i++) {
		bh = plot * (double)clamp(bars[i].value) / (double)max;
		x = pad + slot * (double)i + (slot - bw) / 2;
		bar(out, x, h - bottom - bh, bw, bh, &bars[i]);
		snprintf(num, sizeof(num), "%lld", clamp(bars[i].value));
		text(out, x + bw / 2, h - bottom - bh - 6, "middle", 14,
		    "value", num);
		text(out, x + bw / 2, h - 10, "middle", 13, "label",
		    bars[i].label);
	}
	buf_puts(out, "</svg>");
}

void
chart_hbars(struct buf *out, const char *id, const char *title,
    const struct chart_bar *bars, size_t n)
{
	const int row = 44, pad = 8, room = 72;	/* room: for the number */
	const double full = W - 2 * pad - room;
	long long max = max_of(bars, n);
	double y, bw;
	char num[24];
	size_t i;

	open_svg(out, id, title, (int)n * row + pad);
	for (i = 0; i < n; i++) {
		y = (double)(pad + (int)i * row);
		bw = full * (double)clamp(bars[i].value) / (double)max;
		text(out, pad, y + 14, "start", 13, "label", bars[i].label);
		bar(out, pad, y + 20, bw, 16, &bars[i]);
		snprintf(num, sizeof(num), "%lld", clamp(bars[i].value));
		text(out, pad + bw + 6, y + 33, "start", 13, "value", num);
	}
	buf_puts(out, "</svg>");
}

void
chart_lines(struct buf *out, const char *id, const char *title,
    const char *const *x, size_t nx, const struct chart_series *series,
    size_t ns)
{
	const int h = 240, left = 44, right = 16, top = 36, bottom = 28;
	const double pw = W - left - right, ph = h - top - bottom;
	long long max = 1, v;
	double px, py, step;
	char num[24];
	size_t i, k;

	for (k = 0; k < ns; k++)
		for (i = 0; i < nx; i++)
			if (clamp(series[k].values[i]) > max)
				max = clamp(series[k].values[i]);
	open_svg(out, id, title, h);
	/* The legend: a swatch and the name of each series. */
	for (k = 0; k < ns; k++) {
		buf_printf(out, "<rect class=\"swatch\" x=\"%d\" y=\"8\" "
		    "width=\"14\" height=\"4\" fill=\"", left + (int)k * 140);
		esc(out, series[k].stroke);
		buf_puts(out, "\"/>");
		text(out, left + (int)k * 140 + 20, 15, "start", 12, "legend",
		    series[k].name);
	}
	/* The axis: 0 and the largest value. */
	snprintf(num, sizeof(num), "%lld", max);
	buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#c9ced6\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\" stroke=\"#eeeeee\"/>", left, h - bottom, W - right,
	    h - bottom, left, top, W - right, top);
	text(out, left - 6, h - bottom + 4, "end", 11, "axis", "0");
	text(out, left - 6, top + 4, "end", 11, "axis", num);
	step = nx > 1 ? pw / (double)(nx - 1) : 0;
	/* Every label while they fit, else every other one and the last. */
	for (i = 0; i < nx; i++) {
		if (nx > 7 && i % 2 != (nx - 1) % 2)
			continue;
		px = nx > 1 ? left + step * (double)i : left + pw / 2;
		text(out, px, h - 8, "middle", 10, "label", x[i]);
	}
	for (k = 0; k < ns; k++) {
		buf_puts(out, "<polyline class=\"line\" fill=\"none\" "
		    "stroke-width=\"2\" stroke=\"");
		esc(out, series[k].stroke);
		buf_puts(out, "\" points=\"");
		for (i = 0; i < nx; i++) {
			v = clamp(series[k].values[i]);
			px = nx > 1 ? left + step * (double)i : left + pw / 2;
			py = top + ph - ph * (double)v / (double)max;
			buf_printf(out, "%s%.1f,%.1f", i ? " " : "", px, py);
		}
		buf_puts(out, "\"/>");
		for (i = 0; i < nx; i++) {
			v = clamp(series[k].values[i]);
			px = nx > 1 ? left + step * (double)i : left + pw / 2;
			py = top + ph - ph * (double)v / (double)max;
			buf_printf(out, "<circle class=\"point\" cx=\"%.1f\" "
			    "cy=\"%.1f\" r=\"3\" fill=\"", px, py);
			esc(out, series[k].stroke);
			buf_puts(out, "\"><title>");
			esc(out, series[k].name);
			buf_putc(out, ' ');
			esc(out, x[i]);
			buf_printf(out, ": %lld</title></circle>", v);
		}
	}
	buf_puts(out, "</svg>");
}
