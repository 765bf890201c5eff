/*
 * The CSV reader (fcgi/csv.c), table-driven: each input against the
 * records it reads, written as "line:err:field|field|..." one a line
 * (err is "ok" or the error's name; a record with an error shows no
 * fields).  Valid and invalid inputs side by side, then the limits.
 */
#include <stdio.h>
#include <string.h>

#include "../fcgi/csv.h"
#include "t.h"

/* Reads data whole into the "line:err:fields" form. */
static void
dump(const char *data, size_t len, struct buf *out)
{
	struct csv r;
	struct csv_record rec;
	size_t i;

	buf_reset(out);
	csv_init(&r, data, len);
	while (csv_next(&r, &rec)) {
		buf_printf(out, "%zu:%s:", rec.line, csv_err_name(rec.err));
		for (i = 0; rec.err == CSV_OK && i < rec.nfields; i++)
			buf_printf(out, "%s%s", i ? "|" : "", rec.field[i]);
		buf_putc(out, '\n');
	}
	if (csv_offset(&r) != len)
		buf_printf(out, "stopped at %zu of %zu\n", csv_offset(&r), len);
	csv_free(&r);
}

static const struct {
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	const char	*want;
} cases[] = {
	/* Valid. */
	{ "", 0, "" },
	{ "a,b,c\n", 0, "1:ok:a|b|c\n" },
	{ "a,b,c", 0, "1:ok:a|b|c\n" },
	{ "a,b\r\nc,d\r\n", 0, "1:ok:a|b\n2:ok:c|d\n" },
	{ "a\rb\r", 0, "1:ok:a\n2:ok:b\n" },
	{ "a,\n,b\n,\n", 0, "1:ok:a|\n2:ok:|b\n3:ok:|\n" },
	{ "\n\na\n", 0, "1:ok:\n2:ok:\n3:ok:a\n" },
	{ "a,", 0, "1:ok:a|\n" },
	{ "\"a,b\",c\n", 0, "1:ok:a,b|c\n" },
	{ "\"say \"\"hi\"\"\",x\n", 0, "1:ok:say \"hi\"|x\n" },
	{ "\"\"\n", 0, "1:ok:\n" },
	{ "\"\"\"\"\n", 0, "1:ok:\"\n" },
	/* A quoted line break is data, and counts as a line. */
	{ "\"one\ntwo\",x\nnext\n", 0, "1:ok:one\ntwo|x\n3:ok:next\n" },
	{ "\"one\r\ntwo\"\r\nnext\r\n", 0, "1:ok:one\r\ntwo\n3:ok:next\n" },
	/* A byte order mark at the start only. */
	{ "\xef\xbb\xbfid,name\n", 0, "1:ok:id|name\n" },
	{ "a\n\xef\xbb\xbf" "b\n", 0, "1:ok:a\n2:ok:\xef\xbb\xbf" "b\n" },
	/* UTF-8 of every length, quoted and not. */
	{ "王小华,\"José\",\xf0\xa0\x80\x80\n", 0,
	  "1:ok:王小华|José|\xf0\xa0\x80\x80\n" },
	/* Spaces are data. */
	{ " a , b \n", 0, "1:ok: a | b \n" },

	/* Invalid: the record says why, the next one is read. */
	{ "a,\xff,c\nok\n", 0, "1:invalid_utf8:\n2:ok:ok\n" },
	{ "\xc0\xaf\n", 0, "1:invalid_utf8:\n" },		/* overlong */
	{ "\xed\xa0\x80\n", 0, "1:invalid_utf8:\n" },		/* surrogate */
	{ "\xf4\x90\x80\x80\n", 0, "1:invalid_utf8:\n" },	/* > U+10FFFF */
	{ "\xe7\x8e\n", 0, "1:invalid_utf8:\n" },		/* truncated */
	{ "\xe7\x8e", 0, "1:invalid_utf8:\n" },		/* at the end */
	{ "\"\xff\"\nok\n", 0, "1:invalid_utf8:\n2:ok:ok\n" },
	{ "a\0b\nok\n", 7, "1:nul_byte:\n2:ok:ok\n" },
	{ "a\"b,c\nok\n", 0, "1:bad_quote:\n2:ok:ok\n" },
	{ "\"a\"b,c\nok\n", 0, "1:bad_quote:\n2:ok:ok\n" },
	{ "\"a\" ,c\n", 0, "1:bad_quote:\n" },
	{ "ok\n\"open,\nmore\n", 0, "1:ok:ok\n2:unterminated_quote:\n" },
	/* A quote opened on line 2 swallows line 3; line 4 is itself. */
	{ "h\n\"a\nb\",c\nd\n", 0, "1:ok:h\n2:ok:a\nb|c\n4:ok:d\n" },
};

int
main(void)
{
	struct buf out, big;
	struct csv r;
	struct csv_record rec;
	size_t i, len;

	buf_init(&out);
	for (i = 0; i < NELEM(cases); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		dump(cases[i].in, len, &out);
		T_STREQ(buf_cstr(&out), cases[i].want, "case %zu", i);
	}

	/* The limits: a field of CSV_FIELD_MAX bytes, and one more. */
	buf_init(&big);
	for (i = 0; i < CSV_FIELD_MAX; i++)
		buf_putc(&big, 'x');
	buf_puts(&big, "\nnext\n");
	csv_init(&r, big.ptr, big.len);
	T_CHECK(csv_next(&r, &rec) == 1 && rec.err == CSV_OK &&
	    strlen(rec.field[0]) == CSV_FIELD_MAX, "a field at the limit");
	csv_free(&r);
	buf_reset(&big);
	for (i = 0; i <= CSV_FIELD_MAX; i++)
		buf_putc(&big, 'x');
	buf_puts(&big, ",y\nnext\n");
	dump(big.ptr, big.len, &out);
	T_STREQ(buf_cstr(&out), "1:field_too_long:\n2:ok:next\n",
	    "a field past the limit");

	/* CSV_FIELDS_MAX fields, and one more. */
	buf_reset(&big);
	for (i = 0; i < CSV_FIELDS_MAX; i++)
		buf_puts(&big, i ? ",f" : "f");
	buf_puts(&big, "\n");
	csv_init(&r, big.ptr, big.len);
	T_CHECK(csv_next(&r, &rec) == 1 && rec.err == CSV_OK &&
	    rec.nfields == CSV_FIELDS_MAX, "fields at the limit");
	T_CHECK(csv_next(&r, &rec) == 0, "and nothing after");
	csv_free(&r);
	buf_reset(&big);
	for (i = 0; i <= CSV_FIELDS_MAX; i++)
		buf_puts(&big, i ? ",f" : "f");
	buf_puts(&big, "\nnext\n");
	csv_init(&r, big.ptr, big.len);
	T_CHECK(csv_next(&r, &rec) == 1 && rec.err == CSV_TOO_MANY_FIELDS &&
	    rec.nfields == CSV_FIELDS_MAX, "too many fields: %s, %zu",
	    csv_err_name(rec.err), rec.nfields);
	T_CHECK(csv_next(&r, &rec) == 1 && rec.err == CSV_OK &&
	    rec.line == 2 && strcmp(rec.field[0], "next") == 0,
	    "the next record after too many fields");
	csv_free(&r);

	/* Progress: the offset moves record by record to the end. */
	csv_init(&r, "ab,c\nd\n", 7);
	T_CHECK(csv_offset(&r) == 0, "offset at the start");
	csv_next(&r, &rec);
	T_CHECK(csv_offset(&r) == 5, "offset after the first record: %zu",
	    csv_offset(&r));
	csv_next(&r, &rec);
	T_CHECK(csv_offset(&r) == 7 && csv_next(&r, &rec) == 0,
	    "offset at the end");
	csv_free(&r);

	T_STREQ(csv_err_name(CSV__ERRMAX), "?", "an unknown error's name");
	buf_free(&big);
	buf_free(&out);
	T_DONE("test_csv");
}
