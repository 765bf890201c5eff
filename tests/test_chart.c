/*
 * Tests for the SVG charts: well-formed (every tag closed in order,
 * every '&' an entity), labelled by their title, text escaped, bars
 * scaled to the largest value (zeros and negatives drawn empty, an
 * all-zero chart without dividing by zero), one point per value.
 */
#include <stdlib.h>
#include <string.h>

#include "../fcgi/chart.h"
#include "t.h"

/* Returns the number of times needle occurs in s. */
static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* 1 if every tag of s is closed in order and every '&' starts an entity. */
static int
well_formed(const char *s)
{
	char stack[64][16];
	size_t depth = 0, len;
	const char *p, *end;

	for (p = s; *p; p++) {
		if (*p == '&' && strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) &&
		    strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6) &&
		    strncmp(p, "&#", 2))
			return 0;
		if (*p == '>')
			return 0;	/* outside a tag: escaped as &gt; */
		if (*p != '<')
			continue;
		if ((end = strchr(p, '>')) == NULL)
			return 0;
		if (p[1] == '/') {
			len = strcspn(p + 2, ">");
			if (depth == 0 || strlen(stack[depth - 1]) != len ||
			    strncmp(stack[depth - 1], p + 2, len) != 0)
				return 0;
			depth--;
		} else if (end[-1] != '/') {
			len = strcspn(p + 1, " >");
			if (depth == NELEM(stack) || len >= sizeof(stack[0]))
				return 0;
			memcpy(stack[depth], p + 1, len);
			stack[depth++][len] = '\0';
		}
		p = end;
	}
	return depth == 0;
}

/* The value of attribute name of the k-th element tag (0-based) in s, as a double. */
static double
attr(const char *s, const char *tag, size_t k, const char *name)
{
	char key[32];
	const char *p = s, *e;

	while ((p = strstr(p, tag)) != NULL && k > 0) {
		k--;
		p += strlen(tag);
	}
	if (p == NULL)
		return -1;
	e = strchr(p, '>');
	snprintf(key, sizeof(key), " %s=\"", name);
	if ((p = strstr(p, key)) == NULL || p > e)
		return -1;
	return strtod(p + strlen(key), NULL);
}

static void
columns(void)
{
	const struct chart_bar bars[] = {
		{ "绿码", 300, "#1a9f55" },
		{ "<b>&\"'", 150, "#e6b800" },
		{ "red", 0, "#d93025" },
		{ "minus", -5, NULL },
	};
	struct buf b;

	buf_init(&b);
	chart_columns(&b, "by-colour", "People <by> colour", bars,
	    NELEM(bars));
	T_CHECK(well_formed(buf_cstr(&b)), "columns not well formed: %s",
	    buf_cstr(&b));
	T_CHECK(strncmp(b.ptr, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "id=\"by-colour\"", 51) == 0, "columns: opening tag");
	T_CHECK(strstr(b.ptr, "aria-labelledby=\"by-colour-title\"><title "
	    "id=\"by-colour-title\">People &lt;by&gt; colour</title>") !=
	    NULL, "columns: labelled by the escaped title");
	T_CHECK(count(b.ptr, "<rect class=\"bar\"") == 4, "columns: 4 bars");
	T_CHECK(strstr(b.ptr, ">绿码</text>") != NULL, "columns: label");
	T_CHECK(strstr(b.ptr, ">&lt;b&gt;&amp;&quot;&#39;</text>") != NULL,
	    "columns: label escaped");
	T_CHECK(strstr(b.ptr, "class=\"value\">300</text>") != NULL &&
	    strstr(b.ptr, "class=\"value\">150</text>") != NULL,
	    "columns: the numbers as text");
	T_CHECK(strstr(b.ptr, "class=\"value\">0</text>") != NULL &&
	    strstr(b.ptr, "-5") == NULL, "columns: a negative drawn as 0");
	/* The largest is the full plot (220 - 24 - 28), half is half. */
	T_CHECK(attr(b.ptr, "<rect class=\"bar\"", 0, "height") == 168.0,
	    "columns: full bar %.1f", attr(b.ptr, "<rect class=\"bar\"", 0,
	    "height"));
	T_CHECK(attr(b.ptr, "<rect class=\"bar\"", 1, "height") == 84.0,
	    "columns: half bar");
	T_CHECK(attr(b.ptr, "<rect class=\"bar\"", 2, "height") == 0.0 &&
	    attr(b.ptr, "<rect class=\"bar\"", 3, "height") == 0.0,
	    "columns: empty bars");
	T_CHECK(strstr(b.ptr, "fill=\"#656d76\"") != NULL,
	    "columns: default fill");
	T_CHECK(strstr(b.ptr, "style=") == NULL && strstr(b.ptr, "<script")
	    == NULL, "columns: no style, no script");
	T_CHECK(strcmp(b.ptr + b.len - 6, "</svg>") == 0, "columns: closed");
	buf_free(&b);
}

static void
hbars(void)
{
	const struct chart_bar bars[] = {
		{ "西湖区", 40, "#1a9f55" },
		{ "上城区", 10, "#1a9f55" },
	};
	const struct chart_bar zeros[] = { { "a", 0, NULL }, { "b", 0, NULL } };
	struct buf b;

	buf_init(&b);
	chart_hbars(&b, "regions", "Top regions", bars, NELEM(bars));
	T_CHECK(well_formed(buf_cstr(&b)), "hbars not well formed");
	T_CHECK(count(b.ptr, "<rect class=\"bar\"") == 2, "hbars: 2 bars");
	T_CHECK(attr(b.ptr, "<rect class=\"bar\"", 0, "width") == 392.0,
	    "hbars: full width %.1f", attr(b.ptr, "<rect class=\"bar\"", 0,
	    "width"));
	T_CHECK(attr(b.ptr, "<rect class=\"bar\"", 1, "width") == 98.0,
	    "hbars: a quarter");
	T_CHECK(attr(b.ptr, "<svg", 0, "height") == 96.0, "hbars: height");
	T_CHECK(strstr(b.ptr, "<title>西湖区: 40</title>") != NULL,
	    "hbars: the bar's own title");
	buf_reset(&b);
	chart_hbars(&b, "zeros", "Nothing", zeros, NELEM(zeros));
	T_CHECK(well_formed(buf_cstr(&b)) && strstr(b.ptr, "nan") == NULL &&
	    strstr(b.ptr, "inf") == NULL, "hbars: all zero");
	buf_reset(&b);
	chart_hbars(&b, "none", "Empty", NULL, 0);
	T_CHECK(well_formed(buf_cstr(&b)) && count(b.ptr, "<rect") == 0,
	    "hbars: no bars");
	buf_free(&b);
}

static void
lines(void)
{
	const char *const x[] = { "11-18", "11-19", "11-20", "11-21",
	    "11-22", "11-23", "11-24", "11-25", "11-26", "11-27", "11-28",
	    "11-29", "11-30", "12-01" };
	const long long a[14] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	    20 }, z[14] = { 0 };
	const struct chart_series s[] = {
		{ "declarations", a, "#1a9f55" },
		{ "check-ins & <more>", z, "#d93025" },
	};
	struct buf b;

	buf_init(&b);
	chart_lines(&b, "trend", "14 days", x, NELEM(x), s, NELEM(s));
	T_CHECK(well_formed(buf_cstr(&b)), "lines not well formed: %s",
	    buf_cstr(&b));
	T_CHECK(count(b.ptr, "<polyline") == 2, "lines: one per series");
	T_CHECK(count(b.ptr, "<circle") == 28, "lines: one point per value");
	T_CHECK(strstr(b.ptr, "<title>declarations 12-01: 20</title>") !=
	    NULL, "lines: the point's value");
	T_CHECK(strstr(b.ptr, ">check-ins &amp; &lt;more&gt;</text>") != NULL,
	    "lines: legend escaped");
	T_CHECK(strstr(b.ptr, "class=\"axis\">20</text>") != NULL,
	    "lines: the axis maximum");
	/* Every other label and always the last: 7 of 14. */
	T_CHECK(count(b.ptr, "class=\"label\"") == 7, "lines: %zu labels",
	    count(b.ptr, "class=\"label\""));
	T_CHECK(strstr(b.ptr, ">12-01</text>") != NULL, "lines: last label");
	/* The highest point at the top of the plot (36), zero at its foot. */
	T_CHECK(attr(b.ptr, "<circle", 13, "cy") == 36.0, "lines: max at top "
	    "%.1f", attr(b.ptr, "<circle", 13, "cy"));
	T_CHECK(attr(b.ptr, "<circle", 0, "cy") == 212.0, "lines: zero at "
	    "the foot");
	buf_reset(&b);
	chart_lines(&b, "one", "one day", x, 1, s, 1);
	T_CHECK(well_formed(buf_cstr(&b)) && count(b.ptr, "<circle") == 1 &&
	    strstr(b.ptr, "nan") == NULL, "lines: a single point");
	buf_free(&b);
}

int
main(void)
{
	columns();
	hbars();
	lines();
	T_DONE("chart");
}
