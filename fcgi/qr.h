/*
 * QR code images over libqrencode: SVG (for pages and printing) and PNG
 * (libpng).  Error correction level M, 8-bit mode, quiet zone of 4
 * modules, black on white.
 */
#ifndef HC_QR_H
#define HC_QR_H

#include "util.h"

/*
 * Appends the symbol for text, kept to draw it again: one byte of width
 * (21-177 modules), then each module, dark 1, one bit, row by row, the
 * first in a byte's high bit.  0 or -1.
 */
int qr_modules(const char *text, struct buf *out);

/* Whether m (len bytes) has the form of a symbol's modules.  1 or 0. */
int qr_modules_ok(const unsigned char *m, size_t len);

/* Draw modules as qr_modules made them (len bytes).  0 or -1. */
int qr_svg_modules(const unsigned char *m, size_t len, struct buf *out);
int qr_png_modules(const unsigned char *m, size_t len, int scale,
    struct buf *out);

/* Appends a standalone SVG document encoding text to out.  0 or -1. */
int qr_svg(const char *text, struct buf *out);

/* Appends a PNG (8-bit greyscale, scale pixels per module) to out.  0 or -1. */
int qr_png(const char *text, int scale, struct buf *out);

#endif
