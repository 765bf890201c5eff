/*
 * Mustache-style templates: compile source into a flat node list once,
 * then render it against cJSON data on every request.  See tmpl.h for
 * the language.
 *
 * A section node records the index just past its body, so rendering
 * is a loop over an index range that recurses only into sections and
 * partials, and a skipped section is a jump.  Names are split at
 * compile time into NUL-terminated parts kept in one string block per
 * template, ready for cJSON_GetObjectItemCaseSensitive.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "util.h"
#include "tmpl.h"

enum node_type {
	NODE_TEXT,		/* literal bytes */
	NODE_VAR,		/* {{name}}: escaped */
	NODE_RAW,		/* {{{name}}}, {{& name}}: not escaped */
	NODE_SECTION,		/* {{#name}} */
	NODE_INVERTED,		/* {{^name}} */
	NODE_PARTIAL,		/* {{>name}} */
	NODE__MAX
};

struct node {
	enum node_type	 type;
	unsigned	 line;	/* of the tag, for render errors */
	size_t		 off;	/* in strs: text, or NUL-separated name parts */
	size_t		 len;	/* text bytes, or name parts (0 for ".") */
	size_t		 end;	/* sections: index just past the body */
};

struct tmpl {
	char		*name;
	struct node	*nodes;
	size_t		 nnodes;
	char		*strs;
};

struct tmpl_set {
	struct tmpl	**v;
	size_t		  n;
	size_t		  cap;
};

/* An open section while compiling. */
struct open {
	size_t		 node;
	const char	*name;	/* points into the source */
	size_t		 namelen;
	unsigned	 line;
};

struct comp {
	const char	*name;	/* template name, for messages */
	const char	*src;
	size_t		 len;
	size_t		 pos;
	unsigned	 line;
	struct node	*nodes;
	size_t		 nnodes;
	size_t		 cap;
	struct buf	 strs;
	struct open	 open[TMPL_DEPTH_MAX];
	size_t		 nopen;
	size_t		 textnode;	/* 1 + node text may extend, or 0 */
	struct buf	*err;
};

/*
 * Every section pushes one context; each template level (the root and
 * up to TMPL_PARTIAL_MAX partials) nests at most TMPL_DEPTH_MAX.
 */
#define CTX_MAX	(1 + (TMPL_PARTIAL_MAX + 1) * TMPL_DEPTH_MAX)

struct render {
	const struct tmpl_set	*set;
	const char		*root;	/* name rendered, for messages */
	struct buf		*out;
	size_t			 start;	/* out->len on entry */
	struct buf		*err;
	const cJSON		*ctx[CTX_MAX];
	size_t			 depth;
	unsigned		 partials;
	unsigned long		 steps;
};

HC_COLD HC_PRINTF(2, 3) static void
seterr(struct buf *err, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_reset(err);
	buf_puts(err, msg);
}

/* Returns the offset of pat in s[from, len), or SIZE_MAX. */
static size_t
find(const char *s, size_t len, size_t from, const char *pat, size_t plen)
{
	const char *p;

	while (from + plen <= len) {
		p = memchr(s + from, pat[0], len - plen - from + 1);
		if (p == NULL)
			break;
		from = (size_t)(p - s);
		if (memcmp(p, pat, plen) == 0)
			return from;
		from++;
	}
	return SIZE_MAX;
}

static unsigned
count_lines(const char *s, size_t n)
{
	unsigned lines = 0;
	const char *p, *end = s + n;

	while (s < end && (p = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		lines++;
		s = p + 1;
	}
	return lines;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static struct node *
add_node(struct comp *c, enum node_type type, unsigned line)
{
	struct node *n;

	if (c->nnodes == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->nodes = ck_realloc(c->nodes, c->cap * sizeof(*c->nodes));
	}
	n = &c->nodes[c->nnodes++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = line;
	n->off = c->strs.len;
	return n;
}

/*
 * Appends literal text, extending the previous text node if only
 * comments came between.
 */
static void
add_text(struct comp *c, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (c->textnode == 0) {
		add_node(c, NODE_TEXT, c->line);
		c->textnode = c->nnodes;
	}
	buf_append(&c->strs, s, n);
	c->nodes[c->textnode - 1].len += n;
}

/* Stores the name of nd split at dots; returns 0 or -1 on an empty part. */
static int
add_name(struct comp *c, struct node *nd, const char *s, size_t n)
{
	size_t i, start = 0;

	nd->off = c->strs.len;
	nd->len = 0;
	if (n == 1 && s[0] == '.')
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (i == start)
			return -1;
		buf_append(&c->strs, s + start, i - start);
		buf_putc(&c->strs, '\0');
		nd->len++;
		start = i + 1;
	}
	return 0;
}

/* Compiles the tag at c->pos ("{{"); returns 0 or -1 with err set. */
static int
compile_tag(struct comp *c)
{
	const char *s = c->src, *name;
	size_t q = c->pos + 2, e, i, n, closer = 2;
	unsigned line = c->line;
	struct node *nd;
	struct open *o;
	enum node_type type;
	char sigil = '\0';

	if (q < c->len && s[q] == '{') {
		sigil = '{';
		closer = 3;
		e = find(s, c->len, ++q, "}}}", 3);
	} else {
		while (q < c->len && is_ws(s[q]))
			q++;
		if (q < c->len && s[q] != '\0' && strchr("#^/>!&", s[q]))
			sigil = s[q++];
		e = find(s, c->len, q, "}}", 2);
	}
	if (e == SIZE_MAX) {
		seterr(c->err, "%s:%u: unclosed tag", c->name, line);
		return -1;
	}
	c->line += count_lines(s + c->pos, e - c->pos);
	c->pos = e + closer;
	if (sigil == '!')
		return 0;
	c->textnode = 0;

	while (q < e && is_ws(s[q]))
		q++;
	while (e > q && is_ws(s[e - 1]))
		e--;
	name = s + q;
	n = e - q;
	if (n == 0) {
		seterr(c->err, "%s:%u: empty tag", c->name, line);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)name[i] <= ' ' || name[i] == 0x7f ||
		    name[i] == '{' || name[i] == '}') {
			seterr(c->err, "%s:%u: bad character in tag",
			    c->name, line);
			return -1;
		}
	}

	switch (sigil) {
	case '/':
		if (c->nopen == 0) {
			seterr(c->err, "%s:%u: close tag \"%.*s\" without "
			    "open section", c->name, line, (int)n, name);
			return -1;
		}
		o = &c->open[c->nopen - 1];
		if (o->namelen != n || memcmp(o->name, name, n) != 0) {
			seterr(c->err, "%s:%u: close tag \"%.*s\" does not "
			    "match section \"%.*s\" opened on line %u",
			    c->name, line, (int)n, name,
			    (int)o->namelen, o->name, o->line);
			return -1;
		}
		c->nodes[o->node].end = c->nnodes;
		c->nopen--;
		return 0;
	case '>':
		nd = add_node(c, NODE_PARTIAL, line);
		buf_append(&c->strs, name, n);
		buf_putc(&c->strs, '\0');
		nd->len = 1;
		return 0;
	case '#':
	case '^':
		if (c->nopen == TMPL_DEPTH_MAX) {
			seterr(c->err, "%s:%u: sections nested deeper "
			    "than %d", c->name, line, TMPL_DEPTH_MAX);
			return -1;
		}
		type = sigil == '#' ? NODE_SECTION : NODE_INVERTED;
		o = &c->open[c->nopen++];
		o->node = c->nnodes;
		o->name = name;
		o->namelen = n;
		o->line = line;
		break;
	case '&':
	case '{':
		type = NODE_RAW;
		break;
	default:
		type = NODE_VAR;
		break;
	}

	nd = add_node(c, type, line);
	if (add_name(c, nd, name, n) == -1) {
		seterr(c->err, "%s:%u: bad name \"%.*s\"",
		    c->name, line, (int)n, name);
		return -1;
	}
	return 0;
}

struct tmpl_set *
tmpl_set_new(void)
{
	return ck_calloc(1, sizeof(struct tmpl_set));
}

static void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->nodes);
	free(t->strs);
	free(t);
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_free(set->v[i]);
	free(set->v);
	free(set);
}

static struct tmpl *
tmpl_find(const struct tmpl_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i]->name, name) == 0)
			return set->v[i];
	return NULL;
}

int
tmpl_set_add(struct tmpl_set *set, const char *name, const char *src,
    size_t len, struct buf *err)
{
	struct comp c;
	struct tmpl *t;
	size_t i, tag;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.src = src;
	c.len = len;
	c.line = 1;
	c.err = err;
	buf_init(&c.strs);

	while (c.pos < len) {
		tag = find(src, len, c.pos, "{{", 2);
		if (tag == SIZE_MAX)
			tag = len;
		add_text(&c, src + c.pos, tag - c.pos);
		c.line += count_lines(src + c.pos, tag - c.pos);
		c.pos = tag;
		if (tag < len && compile_tag(&c) == -1)
			goto err;
	}
	if (c.nopen > 0) {
		seterr(err, "%s:%u: unclosed section \"%.*s\"", name,
		    c.open[c.nopen - 1].line, (int)c.open[c.nopen - 1].namelen,
		    c.open[c.nopen - 1].name);
		goto err;
	}

	buf_cstr(&c.strs);	/* never NULL, even with no names */
	t = ck_calloc(1, sizeof(*t));
	t->name = ck_strdup(name);
	t->nodes = c.nodes;
	t->nnodes = c.nnodes;
	t->strs = c.strs.ptr;
	c.nodes = NULL;
	buf_init(&c.strs);

	for (i = 0; i < set->n; i++) {
		if (strcmp(set->v[i]->name, name) == 0) {
			tmpl_free(set->v[i]);
			set->v[i] = t;
			break;
		}
	}
	if (i == set->n) {
		if (set->n == set->cap) {
			set->cap = set->cap ? set->cap * 2 : 8;
			set->v = ck_realloc(set->v,
			    set->cap * sizeof(*set->v));
		}
		set->v[set->n++] = t;
	}
	rc = 0;
err:
	free(c.nodes);
	buf_free(&c.strs);
	return rc;
}

int
tmpl_set_has(const struct tmpl_set *set, const char *name)
{
	return tmpl_find(set, name) != NULL;
}

/* Returns the value of the name of node n, or NULL if missing. */
static const cJSON *
lookup(const struct render *r, const struct tmpl *t, const struct node *n)
{
	const char *part = t->strs + n->off;
	const cJSON *v = NULL;
	size_t i, k;

	if (n->len == 0)
		return r->depth ? r->ctx[r->depth - 1] : NULL;
	for (i = r->depth; i > 0 && v == NULL; i--)
		if (cJSON_IsObject(r->ctx[i - 1]))
			v = cJSON_GetObjectItemCaseSensitive(r->ctx[i - 1],
			    part);
	for (k = 1; v != NULL && k < n->len; k++) {
		part += strlen(part) + 1;
		v = cJSON_IsObject(v) ?
		    cJSON_GetObjectItemCaseSensitive(v, part) : NULL;
	}
	return v;
}

static int
truthy(const cJSON *v)
{
	if (v == NULL || cJSON_IsInvalid(v) || cJSON_IsNull(v) ||
	    cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsArray(v))
		return v->child != NULL;
	if (cJSON_IsString(v))
		return v->valuestring != NULL && v->valuestring[0] != '\0';
	return 1;
}

static void
put_value(struct buf *out, const cJSON *v, int escape)
{
	char num[64];
	const char *s;
	double d;
	int n;

	if (cJSON_IsString(v) && v->valuestring != NULL)
		s = v->valuestring;
	else if (cJSON_IsTrue(v))
		s = "true";
	else if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
		/* The range test also rejects NaN; the cast is then defined. */
		if (d >= -9223372036854775808.0 &&
		    d < 9223372036854775808.0 && (double)(long long)d == d)
			n = snprintf(num, sizeof(num), "%lld", (long long)d);
		else
			n = snprintf(num, sizeof(num), "%g", d);
		if (n < 0)
			return;
		s = num;
	} else
		return;
	if (escape)
		buf_html(out, s, strlen(s));
	else
		buf_puts(out, s);
}

static int	render_range(struct render *, const struct tmpl *, size_t,
		    size_t);

/* Renders the body of section i once with v as context. */
static int
render_body(struct render *r, const struct tmpl *t, size_t i,
    const cJSON *v)
{
	int rc;

	if (r->depth == CTX_MAX) {
		seterr(r->err, "%s:%u: context stack overflow",
		    t->name, t->nodes[i].line);
		return -1;
	}
	r->ctx[r->depth++] = v;
	rc = render_range(r, t, i + 1, t->nodes[i].end);
	r->depth--;
	return rc;
}

static int
render_partial(struct render *r, const struct tmpl *t, const struct node *n)
{
	const char *name = t->strs + n->off;
	const struct tmpl *p;
	int rc;

	if ((p = tmpl_find(r->set, name)) == NULL) {
		seterr(r->err, "%s:%u: unknown partial \"%s\"",
		    t->name, n->line, name);
		return -1;
	}
	if (r->partials == TMPL_PARTIAL_MAX) {
		seterr(r->err, "%s:%u: partial \"%s\" nested deeper than %d",
		    t->name, n->line, name, TMPL_PARTIAL_MAX);
		return -1;
	}
	r->partials++;
	rc = render_range(r, p, 0, p->nnodes);
	r->partials--;
	return rc;
}

/* Renders nodes [i, end) of t; returns 0 or -1 with err set. */
static int
render_range(struct render *r, const struct tmpl *t, size_t i, size_t end)
{
	const struct node *n;
	const cJSON *v, *e;

	while (i < end) {
		n = &t->nodes[i];
		if (++r->steps > TMPL_MAX_STEPS ||
		    r->out->len - r->start > TMPL_MAX_OUTPUT) {
			seterr(r->err, "%s: render exceeds limits (%lu steps, "
			    "%lu bytes)", r->root, (unsigned long)TMPL_MAX_STEPS,
			    (unsigned long)TMPL_MAX_OUTPUT);
			return -1;
		}
		switch (n->type) {
		case NODE_TEXT:
			buf_append(r->out, t->strs + n->off, n->len);
			i++;
			break;
		case NODE_VAR:
		case NODE_RAW:
			if ((v = lookup(r, t, n)) != NULL)
				put_value(r->out, v, n->type == NODE_VAR);
			i++;
			break;
		case NODE_SECTION:
			v = lookup(r, t, n);
			if (!truthy(v)) {
				/* Falsy, skip. */
			} else if (cJSON_IsArray(v)) {
				for (e = v->child; e != NULL; e = e->next)
					if (render_body(r, t, i, e) == -1)
						return -1;
			} else if (render_body(r, t, i, v) == -1)
				return -1;
			i = n->end;
			break;
		case NODE_INVERTED:
			/* The body is rendered in place, in the same context. */
			i = truthy(lookup(r, t, n)) ? n->end : i + 1;
			break;
		case NODE_PARTIAL:
			if (render_partial(r, t, n) == -1)
				return -1;
			i++;
			break;
		default:
			abort();
		}
	}
	return 0;
}

int
tmpl_render(const struct tmpl_set *set, const char *name, const cJSON *data,
    struct buf *out, struct buf *err)
{
	struct render r;
	const struct tmpl *t;

	if ((t = tmpl_find(set, name)) == NULL) {
		seterr(err, "unknown template \"%s\"", name);
		return -1;
	}
	r.set = set;
	r.root = name;
	r.out = out;
	r.start = out->len;
	r.err = err;
	r.depth = 0;
	r.partials = 0;
	r.steps = 0;
	if (data != NULL)
		r.ctx[r.depth++] = data;
	buf_reserve(out, 0);
	if (render_range(&r, t, 0, t->nnodes) == -1) {
		out->len = r.start;
		out->ptr[out->len] = '\0';
		return -1;
	}
	return 0;
}
