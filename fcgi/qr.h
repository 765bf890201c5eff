/*
 * QR code images over libqrencode: SVG (for pages and printing) and PNG
 * (libpng).  Error correction level M, 8-bit mode, quiet zone of 4
 * modules, black on white.
 */
#ifndef HC_QR_H
#define HC_QR_H

#include "util.h"

/* Appends a standalone SVG document encoding text to out.  0 or -1. */
int qr_svg(const char *text, struct buf *out);

/* Appends a PNG (8-bit greyscale, scale pixels per module) to out.  0 or -1. */
int qr_png(const char *text, int scale, struct buf *out);

#endif
