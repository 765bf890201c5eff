/*
 * libFuzzer harness for the CSV reader (fcgi/csv.c): reads the input
 * whole and checks that it ends at the end of the input, that line
 * numbers only grow and stay within the input's line breaks, that the
 * fields of a good record are well-formed UTF-8 within the limits, and
 * that good records written back out (every field quoted) read back as
 * the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/csv.h"
#include "../fcgi/request.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Appends rec's fields as a quoted CSV record ending in CRLF. */
static void
write_record(struct buf *b, const struct csv_record *rec)
{
	const char *f;
	size_t i;

	for (i = 0; i < rec->nfields; i++) {
		buf_puts(b, i ? ",\"" : "\"");
		for (f = rec->field[i]; *f != '\0'; f++) {
			if (*f == '"')
				buf_putc(b, '"');
			buf_putc(b, *f);
		}
		buf_putc(b, '"');
	}
	buf_puts(b, "\r\n");
}

/* Returns 1 if the n bytes at f are UTF-8 (controls allowed, not NUL). */
static int
utf8_ok(const char *f, size_t n)
{
	char *c = malloc(n + 1);
	size_t i;
	int ok;

	if (c == NULL)
		abort();
	/* utf8_valid refuses controls, which a field may hold: mask them. */
	for (i = 0; i < n; i++)
		c[i] = ((unsigned char)f[i] < 0x20 || f[i] == 0x7f) ? 'x' :
		    f[i];
	ok = utf8_valid(c, n);
	free(c);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct csv r, back;
	struct csv_record rec, rec2;
	struct buf out, fields;
	size_t i, breaks = 0, prev = 0, len, n = 0;

	if (size > 65536)
		return 0;
	for (i = 0; i < size; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == size ||
		    s[i + 1] != '\n')))
			breaks++;
	buf_init(&out);
	buf_init(&fields);
	csv_init(&r, s, size);
	while (csv_next(&r, &rec)) {
		if (rec.line < prev || rec.line > breaks + 1 ||
		    rec.nfields == 0 || rec.nfields > CSV_FIELDS_MAX ||
		    csv_offset(&r) > size || ++n > size)
			abort();
		prev = rec.line;
		if (rec.err != CSV_OK)
			continue;
		for (i = 0; i < rec.nfields; i++) {
			len = strlen(rec.field[i]);
			if (len > CSV_FIELD_MAX || len > size)
				abort();
			if (!utf8_ok(rec.field[i], len))
				abort();
			buf_append(&fields, rec.field[i], len + 1);
		}
		write_record(&out, &rec);
	}
	if (csv_offset(&r) != size)
		abort();
	csv_free(&r);

	/* The good records read back field for field. */
	csv_init(&back, out.ptr ? out.ptr : "", out.len);
	len = 0;
	while (csv_next(&back, &rec2)) {
		if (rec2.err != CSV_OK)
			abort();
		for (i = 0; i < rec2.nfields; i++) {
			size_t fl = strlen(rec2.field[i]) + 1;
			if (len + fl > fields.len ||
			    memcmp(fields.ptr + len, rec2.field[i], fl) != 0)
				abort();
			len += fl;
		}
	}
	if (len != fields.len)
		abort();
	csv_free(&back);
	buf_free(&out);
	buf_free(&fields);
	return 0;
}
