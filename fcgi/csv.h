/*
 * A reader of comma-separated values as RFC 4180 writes them, for
 * files from outside: records of fields separated by commas, a field
 * quoted with '"' when it holds a comma, a quote (written twice) or a
 * line break; lines end in CRLF, LF or a lone CR.  A UTF-8 byte order
 * mark at the start is skipped.  The text must be UTF-8 without NUL
 * bytes: a record that is not, or that breaks the quoting rules, says
 * why, with the line it starts on as an editor counts lines (the first
 * is 1), and reading goes on with the next record, so that a caller can
 * list every bad record of a file at once.  It knows nothing of what
 * the fields mean.
 */
#ifndef HC_CSV_H
#define HC_CSV_H

#include <stddef.h>

#include "util.h"

#define CSV_FIELDS_MAX	32	/* fields kept of one record */
#define CSV_FIELD_MAX	1024	/* bytes kept of one field */

enum csv_err {
	CSV_OK,
	CSV_BAD_UTF8,		/* "invalid_utf8" */
	CSV_NUL,		/* "nul_byte" */
	CSV_BAD_QUOTE,		/* "bad_quote": a quote inside an unquoted
				 * field, or text after a closing quote */
	CSV_UNTERMINATED,	/* "unterminated_quote": the input ends
				 * inside a quoted field */
	CSV_TOO_LONG,		/* "field_too_long": past CSV_FIELD_MAX */
	CSV_TOO_MANY_FIELDS,	/* "too_many_fields": past CSV_FIELDS_MAX */
	CSV__ERRMAX
};

struct csv {
	const char	*p, *end;
	size_t		 line;	/* the line p is on */
	const char	*start;
	struct buf	 data;	/* the record's fields, each NUL-terminated */
};

struct csv_record {
	size_t		 line;		/* the line the record starts on */
	size_t		 nfields;	/* at most CSV_FIELDS_MAX */
	/* NUL-terminated, unquoted; valid until the next csv_next. */
	const char	*field[CSV_FIELDS_MAX];
	/* CSV_OK, or the first thing wrong: the fields are then not to be used. */
	enum csv_err	 err;
};

/* Starts reading the len bytes at data (not copied: keep them). */
void csv_init(struct csv *r, const char *data, size_t len);
/* Reads the next record into rec: 1, or 0 at the end of the input. */
int csv_next(struct csv *r, struct csv_record *rec);
/* Returns the bytes read so far (for progress). */
size_t csv_offset(const struct csv *r);
void csv_free(struct csv *r);
/* Returns the stable name of an error ("invalid_utf8", ...). */
const char *csv_err_name(enum csv_err e);

#endif
