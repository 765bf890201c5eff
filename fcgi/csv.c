/*
 * The CSV reader (csv.h).  One pass over the bytes, a field at a time:
 * runs of plain bytes are copied at once, and a multi-byte UTF-8
 * sequence never holds a comma, quote or line break (its bytes are all
 * 0x80 and above), so the quoting rules read ASCII only.  An error marks
 * the record and the bytes are read on as the rules say, so that the
 * next record starts where an editor would see it start.
 */
#include <string.h>

#include "csv.h"

static const char *const err_names[CSV__ERRMAX] = {
	"ok",
	"invalid_utf8",
	"nul_byte",
	"bad_quote",
	"unterminated_quote",
	"field_too_long",
	"too_many_fields"
};

const char *
csv_err_name(enum csv_err e)
{
	return (unsigned)e < CSV__ERRMAX ? err_names[e] : "?";
}

void
csv_init(struct csv *r, const char *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->start = r->p = data;
	r->end = data + len;
	r->line = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
	buf_init(&r->data);
}

void
csv_free(struct csv *r)
{
	buf_free(&r->data);
}

size_t
csv_offset(const struct csv *r)
{
	return (size_t)(r->p - r->start);
}

/* Marks the record with its first error. */
static void
mark(struct csv_record *rec, enum csv_err e)
{
	if (rec->err == CSV_OK)
		rec->err = e;
}

/* Appends n bytes to the field being read, unless it would be too long. */
static void
put(struct csv *r, struct csv_record *rec, const unsigned char *p, size_t n,
    size_t *flen)
{
	if (*flen + n > CSV_FIELD_MAX) {
		mark(rec, CSV_TOO_LONG);
		return;
	}
	buf_append(&r->data, p, n);
	*flen += n;
}

/* Returns the bytes of the line break at p (CRLF, LF or CR), 0 if none. */
static size_t
line_break(const unsigned char *p, const unsigned char *end)
{
	if (*p == '\n')
		return 1;
	if (*p == '\r')
		return p + 1 < end && p[1] == '\n' ? 2 : 1;
	return 0;
}

/* Returns 1 for a byte the quoting rules look at. */
static int
special(unsigned char c, int quoted)
{
	return c == '"' || c == '\r' || c == '\n' || c == '\0' ||
	    c >= 0x80 || (!quoted && c == ',');
}

int
csv_next(struct csv *r, struct csv_record *rec)
{
	const unsigned char *p = (const unsigned char *)r->p;
	const unsigned char *end = (const unsigned char *)r->end, *q;
	size_t offs[CSV_FIELDS_MAX], fstart, flen, n, i;
	int quoted, closed, last = 0;

	if (p >= end)
		return 0;
	memset(rec, 0, sizeof(*rec));
	rec->line = r->line;
	buf_reset(&r->data);
	while (!last) {
		/* One field: quoted if it starts with a quote. */
		fstart = r->data.len;
		flen = 0;
		closed = 0;
		if ((quoted = p < end && *p == '"'))
			p++;
		for (;;) {
			if (p >= end) {
				if (quoted)
					mark(rec, CSV_UNTERMINATED);
				last = 1;
				break;
			}
			if (quoted && *p == '"') {
				if (p + 1 < end && p[1] == '"') {
					put(r, rec, p, 1, &flen);
					p += 2;
				} else {
					p++;
					quoted = 0;
					closed = 1;
				}
				continue;
			}
			if ((n = line_break(p, end)) > 0) {
				p += n;
				r->line++;
				if (!quoted) {
					last = 1;
					break;
				}
				put(r, rec, p - n, n, &flen);
				continue;
			}
			if (!quoted && *p == ',') {
				p++;
				break;
			}
			/* Text after a closing quote, or a quote in plain text. */
			if (!quoted && (closed || *p == '"'))
				mark(rec, CSV_BAD_QUOTE);
			if (*p == '\0') {
				mark(rec, CSV_NUL);
				p++;
			} else if (*p >= 0x80) {
				if ((n = utf8_seq((const char *)p,
				    (size_t)(end - p))) == 0) {
					mark(rec, CSV_BAD_UTF8);
					p++;
				} else {
					put(r, rec, p, n, &flen);
					p += n;
				}
			} else {
				/* A run of plain bytes at once. */
				for (q = p + 1; q < end && !special(*q, quoted);
				    q++)
					;
				put(r, rec, p, (size_t)(q - p), &flen);
				p = q;
			}
		}
		if (rec->nfields < CSV_FIELDS_MAX) {
			offs[rec->nfields++] = fstart;
			buf_append(&r->data, "", 1);
		} else {
			mark(rec, CSV_TOO_MANY_FIELDS);
			r->data.len = fstart;
		}
	}
	for (i = 0; i < rec->nfields; i++)
		rec->field[i] = r->data.ptr + offs[i];
	r->p = (const char *)p;
	return 1;
}
