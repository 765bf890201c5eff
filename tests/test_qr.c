/*
 * Tests for the QR images: every code is written to a temporary
 * directory and read back with a real decoder, zbarimg (zbar-tools).
 * The SVG is rasterised first with rsvg-convert (librsvg2-bin): zbarimg
 * loads SVG through ImageMagick, which draws a viewBox-only document
 * at one pixel per module, too small for zbar to find.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fcgi/qr.h"
#include "t.h"

#define PREFIX	"kept"		/* what out holds on entry */
#define SCALE	4
#define SVG_START "<svg xmlns=\"http://www.w3.org/2000/svg\" "

static char dir[] = "/tmp/test_qr.XXXXXX";

/* Writes n bytes at p to dir/name; returns 0 or -1. */
static int
write_to(const char *name, const void *p, size_t n)
{
	char path[128];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	rc = fwrite(p, 1, n, f) == n ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* Runs cmd and returns its whole stdout (caller frees), NULL on failure. */
static char *
run(const char *cmd)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *p;

	if ((p = popen(cmd, "r")) == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&b, chunk, n);
	if (pclose(p) != 0) {
		buf_free(&b);
		return NULL;
	}
	buf_cstr(&b);
	return b.ptr;
}

/* Returns what zbarimg reads from dir/name, without its final newline. */
static char *
zbar(const char *name)
{
	char cmd[256], *s;
	size_t n;

	snprintf(cmd, sizeof(cmd), "zbarimg --raw -q '%s/%s' 2>/dev/null",
	    dir, name);
	if ((s = run(cmd)) != NULL && (n = strlen(s)) > 0 && s[n - 1] == '\n')
		s[n - 1] = '\0';
	return s;
}

static int
have(const char *prog)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

static unsigned long
be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (unsigned long)u[0] << 24 | (unsigned long)u[1] << 16 |
	    (unsigned long)u[2] << 8 | u[3];
}

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

/* Encodes text both ways, checks the files' shape and decodes them. */
static void
roundtrip(size_t i, const char *text)
{
	struct buf b;
	const char *png, *svg;
	char name[32], cmd[256], *got;
	int w;

	buf_init(&b);
	buf_puts(&b, PREFIX);
	T_CHECK(qr_png(text, SCALE, &b) == 0, "qr_png[%zu]", i);
	T_CHECK(b.len > sizeof(PREFIX) - 1 + 33 &&
	    memcmp(b.ptr, PREFIX, sizeof(PREFIX) - 1) == 0,
	    "qr_png[%zu] appends", i);
	png = b.ptr + sizeof(PREFIX) - 1;
	T_CHECK(memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0,
	    "qr_png[%zu] signature", i);
	T_CHECK(memcmp(png + 12, "IHDR", 4) == 0 && png[24] == 8 &&
	    png[25] == 0, "qr_png[%zu] is 8-bit greyscale", i);
	w = (int)(be32(png + 16) / SCALE);
	T_CHECK(be32(png + 16) == be32(png + 20) &&
	    be32(png + 16) % SCALE == 0 && w >= 21 + 8,
	    "qr_png[%zu] size %lu", i, be32(png + 16));
	snprintf(name, sizeof(name), "%zu.png", i);
	T_CHECK(write_to(name, png, b.len - (sizeof(PREFIX) - 1)) == 0,
	    "write %s", name);
	got = zbar(name);
	T_STREQ(got, text, "zbarimg %s", name);
	free(got);

	buf_reset(&b);
	buf_puts(&b, PREFIX);
	T_CHECK(qr_svg(text, &b) == 0, "qr_svg[%zu]", i);
	svg = buf_cstr(&b) + sizeof(PREFIX) - 1;
	T_CHECK(strncmp(svg, SVG_START, strlen(SVG_START)) == 0 &&
	    strncmp(b.ptr, PREFIX, strlen(PREFIX)) == 0, "qr_svg[%zu] start",
	    i);
	snprintf(cmd, sizeof(cmd), "viewBox=\"0 0 %d %d\"", w, w);
	T_CHECK(strstr(svg, cmd) != NULL, "qr_svg[%zu] has %s", i, cmd);
	T_CHECK(strstr(svg, "style=") == NULL, "qr_svg[%zu] has style=", i);
	T_CHECK(count(svg, "<path") == 1, "qr_svg[%zu] one path", i);
	T_CHECK(strlen(svg) > 6 && strcmp(svg + strlen(svg) - 7,
	    "</svg>\n") == 0, "qr_svg[%zu] end", i);
	snprintf(name, sizeof(name), "%zu.svg", i);
	T_CHECK(write_to(name, svg, strlen(svg)) == 0, "write %s", name);
	snprintf(cmd, sizeof(cmd), "rsvg-convert -z %d -o '%s/%zu-svg.png' "
	    "'%s/%s'", SCALE, dir, i, dir, name);
	T_CHECK(system(cmd) == 0, "%s", cmd);
	snprintf(name, sizeof(name), "%zu-svg.png", i);
	got = zbar(name);
	T_STREQ(got, text, "zbarimg %s", name);
	free(got);
	buf_free(&b);
}

/* Failures return -1 and leave out exactly as it was. */
static void
rejects(void)
{
	static const int scales[] = { 0, 33, -1 };
	struct buf b;
	char *big;
	size_t i;

	buf_init(&b);
	buf_puts(&b, PREFIX);
	for (i = 0; i < NELEM(scales); i++) {
		T_CHECK(qr_png("https://hc.example.cn/", scales[i], &b) == -1,
		    "qr_png scale %d", scales[i]);
		T_STREQ(buf_cstr(&b), PREFIX, "scale %d untouched", scales[i]);
	}
	T_CHECK(qr_png("https://hc.example.cn/", 1, &b) == 0, "scale 1");
	buf_reset(&b);
	buf_puts(&b, PREFIX);
	T_CHECK(qr_png("https://hc.example.cn/", 32, &b) == 0, "scale 32");

	big = ck_malloc(2002);
	memset(big, 'A', 2001);
	big[2001] = '\0';
	buf_reset(&b);
	buf_puts(&b, PREFIX);
	T_CHECK(qr_png(big, SCALE, &b) == -1, "qr_png 2001 bytes");
	T_STREQ(buf_cstr(&b), PREFIX, "qr_png 2001 bytes untouched");
	T_CHECK(qr_svg(big, &b) == -1, "qr_svg 2001 bytes");
	T_STREQ(buf_cstr(&b), PREFIX, "qr_svg 2001 bytes untouched");
	T_CHECK(qr_png("", SCALE, &b) == -1, "qr_png empty");
	T_CHECK(qr_svg("", &b) == -1, "qr_svg empty");
	T_STREQ(buf_cstr(&b), PREFIX, "empty untouched");

	/*
	 * Kept modules: the same drawing as from the text; anything that
	 * is not a symbol's modules is refused and draws nothing.
	 */
	{
		struct buf m, svg;
		unsigned char *u;
		buf_init(&m);
		buf_init(&svg);
		T_CHECK(qr_modules("https://hc.example.cn/v/Zm9v", &m) == 0 &&
		    m.len == 1 + (29 * 29 + 7) / 8 && (unsigned char)m.ptr[0] ==
		    29, "qr_modules: version 3, 29 x 29 in %zu bytes", m.len);
		u = (unsigned char *)m.ptr;
		/*
		 * The kept form, pinned: row by row, high bit first, so the
		 * first byte of modules is the top-left finder pattern's
		 * seven dark modules and its white separator.
		 */
		T_CHECK(u[1] == 0xFE, "first row starts 1111111 0, not %02x",
		    u[1]);
		T_CHECK(qr_modules_ok(u, m.len), "qr_modules_ok");
		T_CHECK(qr_svg("https://hc.example.cn/v/Zm9v", &svg) == 0,
		    "qr_svg");
		buf_reset(&b);
		T_CHECK(qr_svg_modules(u, m.len, &b) == 0 &&
		    strcmp(b.ptr, svg.ptr) == 0, "kept modules draw the same");
		buf_reset(&b);
		buf_puts(&b, PREFIX);
		T_CHECK(qr_svg_modules(u, m.len - 1, &b) == -1 &&
		    qr_png_modules(u, m.len + 1, SCALE, &b) == -1 &&
		    qr_svg_modules(NULL, 0, &b) == -1, "wrong lengths refused");
		u[0] = 24;	/* 24 x 24 is no symbol's size */
		T_CHECK(qr_png_modules(u, 1 + (24 * 24 + 7) / 8, SCALE, &b) ==
		    -1, "a width of no version refused");
		T_STREQ(buf_cstr(&b), PREFIX, "refused modules draw nothing");
		{
			/* Widths: versions 1-40 are 21-177 modules. */
			static const int widths[] = { 17, 21, 24, 177, 181 };
			static const int ok[] = { 0, 1, 0, 1, 0 };
			static unsigned char sym[1 + (181 * 181 + 7) / 8];
			size_t k, n;
			for (k = 0; k < NELEM(widths); k++) {
				sym[0] = (unsigned char)widths[k];
				n = 1 + ((size_t)(widths[k] * widths[k]) + 7) / 8;
				T_CHECK(qr_modules_ok(sym, n) == ok[k],
				    "width %d", widths[k]);
			}
		}
		buf_free(&m);
		buf_free(&svg);
	}

	/* An empty buffer stays empty (and unallocated). */
	buf_free(&b);
	T_CHECK(qr_png(big, SCALE, &b) == -1 && b.len == 0 && b.ptr == NULL,
	    "qr_png on empty buffer");
	free(big);
}

int
main(void)
{
	static const char *const fixed[] = {
		"https://hc.example.cn/v/Zm9v",
		"\xe5\x81\xa5\xe5\xba\xb7\xe7\xa0\x81\xef\xbc\x9a"
		    "\xe7\xbb\xbf\xe7\xa0\x81 \xe5\xbc\xa0*\xe4\xb8\x89 "
		    "2024-05-01 08:00 \xe5\x8c\x97\xe4\xba\xac\xe5\xb8\x82",
		    /* 健康码：绿码 张*三 2024-05-01 08:00 北京市 */
	};
	struct buf url, token, max;
	unsigned char raw[512];
	const char *texts[NELEM(fixed) + 2];
	char cmd[64];
	size_t i, n = 0;

	if (!have("zbarimg"))
		t_fail(__FILE__, __LINE__, "zbarimg missing: apt-get install "
		    "zbar-tools");
	if (!have("rsvg-convert"))
		t_fail(__FILE__, __LINE__, "rsvg-convert missing: apt-get "
		    "install librsvg2-bin");
	if (mkdtemp(dir) == NULL) {
		t_fail(__FILE__, __LINE__, "mkdtemp %s", dir);
		T_DONE("qr");
	}

	/* A verification link exactly 500 bytes long, token in base64url. */
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(i * 37 + 11);
	buf_init(&token);
	b64url_encode(&token, raw, sizeof(raw));
	buf_init(&url);
	buf_puts(&url, "https://hc.example.cn/v/");
	buf_append(&url, token.ptr, 500 - url.len);
	T_CHECK(url.len == 500, "url length %zu", url.len);

	/* The longest text accepted: 2000 bytes, version 40. */
	buf_init(&max);
	buf_puts(&max, "https://hc.example.cn/v/");
	while (max.len < 2000)
		buf_append(&max, token.ptr,
		    token.len < 2000 - max.len ? token.len : 2000 - max.len);

	for (i = 0; i < NELEM(fixed); i++)
		texts[n++] = fixed[i];
	texts[n++] = url.ptr;
	texts[n++] = max.ptr;
	for (i = 0; i < n; i++)
		roundtrip(i, texts[i]);
	rejects();

	buf_free(&token);
	buf_free(&url);
	buf_free(&max);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		t_fail(__FILE__, __LINE__, "%s", cmd);
	T_DONE("qr");
}
