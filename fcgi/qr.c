/*
 * QR code images: libqrencode builds the module matrix, kept one bit a
 * module (qr_modules: what a code token keeps, drawn again without
 * libqrencode's mask search); this file draws it as a compact SVG (one path of horizontal runs, no inline style, so
 * the Content-Security-Policy holds) or as a greyscale PNG written
 * straight into a struct buf through libpng's write callback.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "log.h"
#include "qr.h"

#define QR_TEXT_MAX	2000	/* bytes; version 40-M holds 2331 */
#define QR_QUIET	4	/* modules of white border, ISO/IEC 18004 */
#define QR_SCALE_MAX	32

/* A symbol as kept: its width in modules and one bit a module. */
struct sym {
	int			 width;
	const unsigned char	*bits;
};

int
qr_modules(const char *text, struct buf *out)
{
	size_t len, i, n;
	unsigned char *p;
	QRcode *qr;

	if (text == NULL || (len = strnlen(text, QR_TEXT_MAX + 1)) == 0 ||
	    len > QR_TEXT_MAX)
		return -1;
	if ((qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M)) == NULL) {
		LOG("QRcode_encodeString8bit failed (%zu bytes)", len);
		return -1;
	}
	n = (size_t)qr->width * (size_t)qr->width;
	buf_reserve(out, 1 + (n + 7) / 8);
	p = (unsigned char *)out->ptr + out->len;
	memset(p, 0, 1 + (n + 7) / 8);
	p[0] = (unsigned char)qr->width;
	for (i = 0; i < n; i++)
		if (qr->data[i] & 1)
			p[1 + i / 8] |= (unsigned char)(0x80 >> (i % 8));
	out->len += 1 + (n + 7) / 8;
	out->ptr[out->len] = '\0';
	QRcode_free(qr);
	return 0;
}

/* Reads kept modules: 0, or -1 if they are not a symbol's. */
static int
sym_of(const unsigned char *m, size_t len, struct sym *y)
{
	size_t n;

	if (m == NULL || len < 1)
		return -1;
	y->width = m[0];
	y->bits = m + 1;
	n = (size_t)y->width * (size_t)y->width;
	/* Versions 1-40: 21 to 177 modules, in steps of 4. */
	if (y->width < 21 || y->width > 177 || (y->width - 17) % 4 != 0 ||
	    len != 1 + (n + 7) / 8)
		return -1;
	return 0;
}

int
qr_modules_ok(const unsigned char *m, size_t len)
{
	struct sym y;

	return sym_of(m, len, &y) == 0;
}

/* Drops whatever was appended since out had length len. */
static void
truncate_to(struct buf *out, size_t len)
{
	out->len = len;
	if (out->ptr != NULL)
		out->ptr[len] = '\0';
}

static int
dark(const struct sym *y, int x, int row)
{
	size_t i = (size_t)row * (size_t)y->width + (size_t)x;

	return (y->bits[i / 8] >> (7 - i % 8)) & 1;
}

/* Appends a decimal integer (printf is most of the cost of a page of runs). */
static void
put_int(char **p, int v)
{
	char tmp[12];
	int n = 0;

	if (v < 0) {
		*(*p)++ = '-';
		v = -v;
	}
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		*(*p)++ = tmp[--n];
}

/* Appends "m<dx> <dy>h<n>v1h-<n>z". */
static void
put_run(struct buf *out, int dx, int dy, int n)
{
	char tmp[64], *p = tmp;

	*p++ = 'm';
	put_int(&p, dx);
	*p++ = ' ';
	put_int(&p, dy);
	*p++ = 'h';
	put_int(&p, n);
	memcpy(p, "v1h-", 4);
	p += 4;
	put_int(&p, n);
	*p++ = 'z';
	buf_append(out, tmp, (size_t)(p - tmp));
}

int
qr_svg_modules(const unsigned char *m, size_t len, struct buf *out)
{
	struct sym qr;
	int x, y, n, w, px, py;

	if (sym_of(m, len, &qr) == -1) {
		LOG("QR modules are not a symbol's (%zu bytes)", len);
		return -1;
	}
	w = qr.width + 2 * QR_QUIET;
	/*
	 * stroke="none" is the SVG default, but ImageMagick's own renderer
	 * (print and conversion pipelines) outlines every shape without it
	 * and the fattened modules no longer scan.  No width or height:
	 * the page's stylesheet sizes the image.
	 */
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\" "
	    "stroke=\"none\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", w, w, w, w);

	/*
	 * Each run of dark modules is one closed rectangle "m dx dy h n v1
	 * h-n z".  After z the pen is back at the run's start, so every
	 * move is relative to the previous run (the first to the origin).
	 */
	px = py = 0;
	for (y = 0; y < qr.width; y++)
		for (x = 0; x < qr.width; x = n) {
			if (!dark(&qr, x, y)) {
				n = x + 1;
				continue;
			}
			for (n = x; n < qr.width && dark(&qr, n, y); n++)
				continue;
			put_run(out, x + QR_QUIET - px, y + QR_QUIET - py,
			    n - x);
			px = x + QR_QUIET;
			py = y + QR_QUIET;
		}
	buf_puts(out, "\"/></svg>\n");
	return 0;
}

int
qr_svg(const char *text, struct buf *out)
{
	struct buf m;
	int rc;

	buf_init(&m);
	rc = qr_modules(text, &m) == -1 ? -1 :
	    qr_svg_modules((unsigned char *)m.ptr, m.len, out);
	buf_free(&m);
	return rc;
}

static void
png_write_cb(png_structp png, png_bytep data, size_t len)
{
	buf_append(png_get_io_ptr(png), data, len);
}

static void
png_flush_cb(png_structp png)
{
	(void)png;
}

HC_COLD static void
png_error_cb(png_structp png, png_const_charp msg)
{
	LOG("libpng: %s", msg);
	png_longjmp(png, 1);
}

static void
png_warning_cb(png_structp png, png_const_charp msg)
{
	(void)png;
	LOG("libpng warning: %s", msg);
}

/*
 * Writes the image; the only function that calls setjmp.  Everything it
 * owns belongs to the caller, which frees it on either return, so no
 * local here is read after a longjmp and none needs to be volatile.
 */
static int
png_encode(png_structp png, png_infop info, const struct sym *qr, int scale,
    png_bytep row, struct buf *out)
{
	int x, y, i, w = (qr->width + 2 * QR_QUIET) * scale;

	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_set_write_fn(png, out, png_write_cb, png_flush_cb);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)w, 8,
	    PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);

	memset(row, 255, (size_t)w);
	for (y = 0; y < QR_QUIET * scale; y++)
		png_write_row(png, row);
	for (y = 0; y < qr->width; y++) {
		for (x = 0; x < qr->width; x++)
			memset(row + (size_t)(x + QR_QUIET) * scale,
			    dark(qr, x, y) ? 0 : 255, (size_t)scale);
		for (i = 0; i < scale; i++)
			png_write_row(png, row);
	}
	memset(row, 255, (size_t)w);
	for (y = 0; y < QR_QUIET * scale; y++)
		png_write_row(png, row);
	png_write_end(png, info);
	return 0;
}

int
qr_png_modules(const unsigned char *m, size_t len, int scale,
    struct buf *out)
{
	size_t entry = out->len;
	struct sym qr;
	png_structp png = NULL;
	png_infop info = NULL;
	png_bytep row = NULL;
	int rc = -1;

	if (scale < 1 || scale > QR_SCALE_MAX)
		return -1;
	if (sym_of(m, len, &qr) == -1) {
		LOG("QR modules are not a symbol's (%zu bytes)", len);
		return -1;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
	    png_error_cb, png_warning_cb);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		LOG("libpng: cannot create write structures");
		goto out;
	}
	row = ck_malloc((size_t)(qr.width + 2 * QR_QUIET) * scale);
	rc = png_encode(png, info, &qr, scale, row, out);
out:
	if (rc != 0)
		truncate_to(out, entry);
	free(row);
	png_destroy_write_struct(&png, &info);
	return rc;
}

int
qr_png(const char *text, int scale, struct buf *out)
{
	struct buf m;
	int rc;

	buf_init(&m);
	rc = qr_modules(text, &m) == -1 ? -1 :
	    qr_png_modules((unsigned char *)m.ptr, m.len, scale, out);
	buf_free(&m);
	return rc;
}
