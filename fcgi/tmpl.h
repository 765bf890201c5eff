/*
 * A small mustache-style template renderer over cJSON data.
 *
 * Templates are compiled once into a flat node list; rendering walks it
 * without re-parsing and without allocating beyond the output buffer.
 *
 * Tags:
 *	{{name}}		value, HTML-escaped (buf_html)
 *	{{{name}}} {{& name}}	value, raw: only for trusted markup
 *	{{#name}}...{{/name}}	section
 *	{{^name}}...{{/name}}	inverted section
 *	{{>name}}		partial: template "name" of the same set,
 *				looked up at render time, current context
 *	{{! comment }}		ignored; may span lines
 * Whitespace inside tags is allowed ({{ name }}, {{# list }}).
 * There are no delimiter changes and no lambdas, and no way to write a
 * literal "{{" other than through a variable.  Output whitespace is
 * exactly the template's: standalone tag lines are not stripped.
 *
 * Names: "." is the current context item.  In "a.b.c" the first part
 * is looked up in the context stack, innermost first; the rest descend
 * into objects (no walking up again once "a" is found).
 *
 * Values: strings as is; integral numbers as integers, other numbers
 * with %g; true as "true"; false, null, missing, objects and arrays as
 * nothing.
 *
 * Sections: missing, null, false, [] and "" are falsy (section skipped,
 * inverted section shown); everything else, including 0 and {}, is
 * truthy.  An array renders the section once per element with that
 * element as context; any other truthy value renders it once with the
 * value as context.
 *
 * Limits: sections nest at most TMPL_DEPTH_MAX deep per template
 * (compile error), partials at most TMPL_PARTIAL_MAX deep, and one
 * render visits at most TMPL_MAX_STEPS nodes and produces at most
 * TMPL_MAX_OUTPUT bytes (render errors), so no template can turn into
 * an exponential loop or an unbounded page.
 */
#ifndef HC_TMPL_H
#define HC_TMPL_H

#include <stddef.h>

#include <cJSON.h>

#include "util.h"

#define TMPL_DEPTH_MAX		32
#define TMPL_PARTIAL_MAX	16
#ifndef TMPL_MAX_STEPS
#define TMPL_MAX_STEPS		(1UL << 20)	/* node visits per render */
#endif
#ifndef TMPL_MAX_OUTPUT
#define TMPL_MAX_OUTPUT		(1UL << 23)	/* bytes per render */
#endif

struct tmpl_set;			/* a named set of compiled templates */

/* Returns a new empty set; never NULL. */
struct tmpl_set *tmpl_set_new(void);
void tmpl_set_free(struct tmpl_set *);

/*
 * Compiles src (len bytes, need not be NUL-terminated) under name;
 * returns 0, or -1 with a message naming the template and line in err
 * ("login.html:12: unclosed section \"error\"").  Adding a name twice
 * replaces; a failed compile leaves the set unchanged.
 */
int tmpl_set_add(struct tmpl_set *, const char *name, const char *src,
    size_t len, struct buf *err);

/* Returns 1 if a template of that name is in the set, else 0. */
int tmpl_set_has(const struct tmpl_set *, const char *name);

/*
 * Renders template name with data (may be NULL) appended to out;
 * returns 0, or -1 (unknown template, unknown partial, partial depth
 * over TMPL_PARTIAL_MAX, a render limit) with a message in err and out
 * restored to its length on entry.  Error messages replace err.
 */
int tmpl_render(const struct tmpl_set *, const char *name,
    const cJSON *data, struct buf *out, struct buf *err);

#endif
