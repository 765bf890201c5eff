/*
 * Tests for the template renderer: golden files (NN-what.tmpl rendered
 * with NN-what.json must give NN-what.expected, where a compile or
 * render error gives "error: MESSAGE\n"; partial-NAME.tmpl files are
 * the partials), then table-driven cases for limits and API edges.
 *
 * usage: test_tmpl [dir]	(dir defaults to tests/tmpl)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../fcgi/util.h"
#include "../fcgi/tmpl.h"

static int passed, failed;

/* Prints s on one line with newlines and control bytes escaped. */
static void
put_escaped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			fputs("\\n", stdout);
		else if ((unsigned char)s[i] < ' ' || s[i] == '\\')
			printf("\\x%02x", (unsigned char)s[i]);
		else
			putchar(s[i]);
	}
}

static void
check(const char *what, const struct buf *got, const char *want, size_t wantlen)
{
	if (got->len == wantlen && memcmp(got->ptr, want, wantlen) == 0) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got \"", what);
	put_escaped(got->ptr, got->len);
	fputs("\" want \"", stdout);
	put_escaped(want, wantlen);
	puts("\"");
}

/*
 * Compiles src into set as name and renders it with json (NULL for no
 * data); res gets the output, or "error: MESSAGE\n".
 */
static void
run(struct tmpl_set *set, const char *name, const char *src, size_t len,
    const char *json, struct buf *res)
{
	struct buf err;
	cJSON *data = NULL;

	buf_init(&err);
	buf_reset(res);
	buf_cstr(res);
	if (json != NULL && (data = cJSON_Parse(json)) == NULL) {
		buf_printf(res, "bad test json: %s\n", json);
		goto out;
	}
	if (tmpl_set_add(set, name, src, len, &err) == -1 ||
	    tmpl_render(set, name, data, res, &err) == -1) {
		buf_reset(res);
		buf_printf(res, "error: %s\n", buf_cstr(&err));
	}
out:
	cJSON_Delete(data);
	buf_free(&err);
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
endswith(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Loads partial-NAME.tmpl files into set under NAME; returns 0 or -1. */
static int
load_partials(struct tmpl_set *set, const char *dir, char **names, size_t n)
{
	struct buf path, src, err;
	char *pname;
	size_t i;
	int rc = 0;

	buf_init(&path);
	buf_init(&src);
	buf_init(&err);
	for (i = 0; i < n; i++) {
		if (strncmp(names[i], "partial-", 8) != 0)
			continue;
		buf_reset(&path);
		buf_reset(&src);
		buf_printf(&path, "%s/%s", dir, names[i]);
		pname = ck_strndup(names[i] + 8, strlen(names[i]) - 8 - 5);
		if (read_file(buf_cstr(&path), &src) == -1 ||
		    tmpl_set_add(set, pname, buf_cstr(&src), src.len,
		    &err) == -1) {
			printf("FAIL %s: cannot load: %s\n", names[i],
			    err.len ? buf_cstr(&err) : "read error");
			failed++;
			rc = -1;
		}
		free(pname);
	}
	buf_free(&path);
	buf_free(&src);
	buf_free(&err);
	return rc;
}

static void
golden(const char *dir)
{
	DIR *d;
	struct dirent *de;
	struct tmpl_set *set = tmpl_set_new();
	struct buf path, src, json, want, res;
	char **names = NULL, *base;
	size_t n = 0, cap = 0, i, cases = 0;

	buf_init(&path);
	buf_init(&src);
	buf_init(&json);
	buf_init(&want);
	buf_init(&res);
	if ((d = opendir(dir)) == NULL) {
		printf("FAIL golden: cannot open %s\n", dir);
		failed++;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (!endswith(de->d_name, ".tmpl"))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = ck_realloc(names, cap * sizeof(*names));
		}
		names[n++] = ck_strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmpstr);
	if (load_partials(set, dir, names, n) == -1)
		goto out;

	for (i = 0; i < n; i++) {
		if (strncmp(names[i], "partial-", 8) == 0)
			continue;
		cases++;
		base = ck_strndup(names[i], strlen(names[i]) - 5);
		buf_reset(&src);
		buf_reset(&json);
		buf_reset(&want);
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, names[i]);
		if (read_file(buf_cstr(&path), &src) == -1)
			goto missing;
		buf_reset(&path);
		buf_printf(&path, "%s/%s.expected", dir, base);
		if (read_file(buf_cstr(&path), &want) == -1)
			goto missing;
		buf_reset(&path);
		buf_printf(&path, "%s/%s.json", dir, base);
		if (read_file(buf_cstr(&path), &json) == -1)
			buf_reset(&json);
		run(set, names[i], buf_cstr(&src), src.len,
		    json.len ? buf_cstr(&json) : NULL, &res);
		check(names[i], &res, buf_cstr(&want), want.len);
		free(base);
		continue;
missing:
		printf("FAIL %s: cannot read %s\n", names[i], buf_cstr(&path));
		failed++;
		free(base);
	}
	if (cases == 0) {
		printf("FAIL golden: no cases in %s\n", dir);
		failed++;
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&path);
	buf_free(&src);
	buf_free(&json);
	buf_free(&want);
	buf_free(&res);
	tmpl_set_free(set);
}

/* Template "t" rendered with json must give want (or "error: ...\n"). */
static const struct tcase {
	const char	*tmpl;
	const char	*json;
	const char	*want;
} table[] = {
	{ "", "{}", "" },
	{ "{{a}}{{^a}}none{{/a}}", NULL, "none" },
	{ "{{.}}|{{#.}}[{{.}}]{{/.}}", "\"root\"", "root|[root]" },
	{ "{{#a}}<{{.}}>{{/a}}", "{\"a\":{\"k\":1}}", "<>" },
	/* Numbers: integers exactly while they fit in long long. */
	{ "{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	  "{\"a\":9007199254740992,\"b\":9.3e18,\"c\":-9223372036854775808,"
	  "\"d\":9223372036854775807,\"e\":1.5e-7,\"f\":-2.5}",
	  "9007199254740992 9.3e+18 -9223372036854775808 9.22337e+18 "
	  "1.5e-07 -2.5" },
	/* Tag syntax edges. */
	{ "abc{", "{}", "abc{" },
	{ "{{{a}}}}", "{\"a\":\"x\"}", "x}" },
	{ "{{a}}}", "{\"a\":\"x\"}", "x}" },
	{ "{{ # a }}x{{ / a }}", "{\"a\":1}", "x" },
	{ "{{#a}}x{{/a }}", "{\"a\":1}", "x" },
	{ "{{ ! c }}y", "{}", "y" },
	{ "{{\ta\n}}", "{\"a\":\"x\"}", "x" },
	{ "{{>x.html}}", "{}", "error: t:1: unknown partial \"x.html\"\n" },
	{ "abc{{", "{}", "error: t:1: unclosed tag\n" },
	{ "{{{a}}", "{}", "error: t:1: unclosed tag\n" },
	{ "\n{{! never closed }", "{}", "error: t:2: unclosed tag\n" },
	{ "{{!\n\n}}\n{{/x}}", "{}",
	  "error: t:4: close tag \"x\" without open section\n" },
	{ "{{a b}}", "{}", "error: t:1: bad character in tag\n" },
	{ "{{ {a} }}", "{}", "error: t:1: bad character in tag\n" },
	{ "{{}}", "{}", "error: t:1: empty tag\n" },
	{ "{{{ }}}", "{}", "error: t:1: empty tag\n" },
	{ "{{& }}", "{}", "error: t:1: empty tag\n" },
	{ "{{>}}", "{}", "error: t:1: empty tag\n" },
	{ "{{.a}}", "{}", "error: t:1: bad name \".a\"\n" },
	{ "{{#a.}}{{/a.}}", "{}", "error: t:1: bad name \"a.\"\n" },
	{ "{{^a}}\n{{#b}}\n{{/b}}", "{}",
	  "error: t:1: unclosed section \"a\"\n" },
};

static void
table_cases(void)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf res;
	char what[64];
	size_t i;

	buf_init(&res);
	for (i = 0; i < NELEM(table); i++) {
		run(set, "t", table[i].tmpl, strlen(table[i].tmpl),
		    table[i].json, &res);
		snprintf(what, sizeof(what), "table[%zu]", i);
		check(what, &res, table[i].want, strlen(table[i].want));
	}
	buf_free(&res);
	tmpl_set_free(set);
}

static void
ok(const char *what, int cond)
{
	if (cond) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s\n", what);
}

static void
expect(const char *what, struct buf *got, const char *want)
{
	check(what, got, want, strlen(want));
}

/* Nesting and partial depth limits, exactly at and just over. */
static void
limits(void)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf src, res;
	const char *big = "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{s}}"
	    "{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}";
	char name[16];
	int i;

	buf_init(&src);
	buf_init(&res);

	for (i = 0; i < TMPL_DEPTH_MAX; i++)
		buf_puts(&src, "{{#a}}");
	buf_puts(&src, "{{x}}");
	for (i = 0; i < TMPL_DEPTH_MAX; i++)
		buf_puts(&src, "{{/a}}");
	run(set, "deep", src.ptr, src.len, "{\"a\":[{\"x\":1}],\"x\":2}", &res);
	expect("nesting at limit", &res, "1");
	buf_reset(&src);
	for (i = 0; i <= TMPL_DEPTH_MAX; i++)
		buf_puts(&src, "{{#a}}\n");
	run(set, "deep", src.ptr, src.len, "{}", &res);
	expect("nesting over limit", &res,
	    "error: deep:33: sections nested deeper than 32\n");

	/* Rendering p1 reaches p17 as the 16th nested partial: allowed. */
	for (i = TMPL_PARTIAL_MAX + 1; i >= 0; i--) {
		buf_reset(&src);
		if (i <= TMPL_PARTIAL_MAX)
			buf_printf(&src, "%d{{#a}}{{>p%d}}{{/a}}", i, i + 1);
		else
			buf_puts(&src, "!");
		snprintf(name, sizeof(name), "p%d", i);
		run(set, name, src.ptr, src.len, "{\"a\":[1]}", &res);
	}
	run(set, "p1", "[{{>p1}}]", 9, "{\"a\":[1]}", &res);
	expect("partial depth over limit", &res,
	    "error: p1:1: partial \"p1\" nested deeper than 16\n");
	run(set, "p1", "1{{#a}}{{>p2}}{{/a}}", 20, "{\"a\":[1]}", &res);
	expect("partial depth at limit", &res, "12345678910111213141516!");

	/* Full section depth in every partial: the deepest context stack. */
	for (i = TMPL_PARTIAL_MAX; i >= 0; i--) {
		int k;

		buf_reset(&src);
		for (k = 0; k < TMPL_DEPTH_MAX; k++)
			buf_puts(&src, "{{#a}}");
		if (i < TMPL_PARTIAL_MAX)
			buf_printf(&src, "{{>d%d}}", i + 1);
		else
			buf_puts(&src, "{{.}}");
		for (k = 0; k < TMPL_DEPTH_MAX; k++)
			buf_puts(&src, "{{/a}}");
		snprintf(name, sizeof(name), "d%d", i);
		run(set, name, src.ptr, src.len, "{\"a\":[7]}", &res);
	}
	expect("deepest context stack", &res, "7");

	/* 10^8 node visits: stopped by the step budget. */
	buf_reset(&src);
	for (i = 0; i < 8; i++)
		buf_puts(&src, "{{#a}}");
	for (i = 0; i < 8; i++)
		buf_puts(&src, "{{/a}}");
	run(set, "slow", src.ptr, src.len, "{\"a\":[1,2,3,4,5,6,7,8,9,10]}",
	    &res);
	ok("step budget", strncmp(buf_cstr(&res),
	    "error: slow: render exceeds limits", 34) == 0);

	/* 10^5 copies of a 1 MB string: stopped by the output limit. */
	buf_reset(&src);
	buf_puts(&src, "{\"s\":\"");
	for (i = 0; i < 100000; i++)
		buf_puts(&src, "xxxxxxxxxx");
	buf_puts(&src, "\",\"a\":[1,2,3,4,5,6,7,8,9,10]}");
	run(set, "big", big, strlen(big), buf_cstr(&src), &res);
	ok("output limit", strncmp(buf_cstr(&res),
	    "error: big: render exceeds limits", 33) == 0);

	buf_free(&src);
	buf_free(&res);
	tmpl_set_free(set);
}

/* The public API around rendering: names, replacement, buffers. */
static void
api(void)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf out, err;
	char *src = ck_malloc(7);	/* exact size: ASan sees over-reads */
	cJSON *data = cJSON_Parse("{\"x\":\"<X>\"}");
	int rc;

	buf_init(&out);
	buf_init(&err);

	ok("has before add", !tmpl_set_has(set, "t"));
	ok("unknown template", tmpl_render(set, "t", data, &out, &err) == -1);
	expect("unknown template message", &err, "unknown template \"t\"");

	/* src need not be NUL-terminated: only len bytes are read. */
	memcpy(src, "ab{{x}}", 7);
	ok("add", tmpl_set_add(set, "t", src, 7, &err) == 0);
	ok("has after add", tmpl_set_has(set, "t"));
	buf_reset(&out);
	buf_puts(&out, "keep:");
	rc = tmpl_render(set, "t", data, &out, &err);
	expect("length-bounded source, appends", &out,
	    rc == 0 ? "keep:ab&lt;X&gt;" : "render failed");
	ok("cut inside a tag", tmpl_set_add(set, "t", src, 4, &err) == -1);
	expect("cut inside a tag message", &err, "t:1: unclosed tag");

	/* A failed compile keeps the old one; a good one replaces it. */
	buf_reset(&out);
	rc = tmpl_render(set, "t", data, &out, &err);
	expect("failed add keeps old", &out, rc == 0 ? "ab&lt;X&gt;" : "");
	ok("replace", tmpl_set_add(set, "t", "new{{{x}}}", 10, &err) == 0);
	buf_reset(&out);
	ok("render replaced", tmpl_render(set, "t", data, &out, &err) == 0);
	expect("add replaces", &out, "new<X>");

	/* On a render error out is left as it was on entry. */
	ok("add u", tmpl_set_add(set, "u", "text{{>nope}}", 13, &err) == 0);
	buf_reset(&out);
	buf_puts(&out, "keep:");
	ok("render error", tmpl_render(set, "u", data, &out, &err) == -1);
	expect("error restores out", &out, "keep:");
	expect("error message", &err, "u:1: unknown partial \"nope\"");

	buf_free(&out);
	buf_free(&err);
	free(src);
	cJSON_Delete(data);
	tmpl_set_free(set);
}

int
main(int argc, char *argv[])
{
	golden(argc > 1 ? argv[1] : "tests/tmpl");
	table_cases();
	limits();
	api();
	printf("tmpl: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
