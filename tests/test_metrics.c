/*
 * Tests for fcgi/metrics.c and fcgi/acl.c: counts from two processes
 * land in one mapped file; the text format of counters and histograms,
 * label escaping; a file of another layout is replaced, and one missing
 * is made only when asked; allow lists parsed and matched, table-driven.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fcgi/acl.h"
#include "../fcgi/metrics.h"
#include "t.h"

static const char *const routes[] = {
	"route=\"/a\"", "route=\"/b/{id}\""
};
static const char *const codes[] = { "status=\"200\"", "status=\"404\"" };

static int c_req, h_dur, c_one;

static void
declare(const char *extra)
{
	metrics_begin("t_");
	c_req = metrics_declare("requests_total", "Requests.", METRIC_COUNTER,
	    routes, 2, codes, 2);
	h_dur = metrics_declare("duration_seconds", "Durations.",
	    METRIC_HISTOGRAM, routes, 2, NULL, 0);
	c_one = metrics_declare("one_total", "One series.", METRIC_COUNTER,
	    NULL, 0, NULL, 0);
	if (extra != NULL)
		(void)metrics_declare(extra, "Another.", METRIC_COUNTER, NULL,
		    0, NULL, 0);
}

static void
test_shared(const char *path)
{
	struct buf err, out;
	pid_t pid[2];
	int i, k, st;

	buf_init(&err);
	declare(NULL);
	T_CHECK(metrics_open(path, 0, &err) == -1, "missing file, no create");
	buf_reset(&err);
	T_CHECK(metrics_open(path, 1, &err) == 0, "open: %s", buf_cstr(&err));
	metrics_add(c_one, 0, 0, 0);	/* nothing, but a valid call */
	for (i = 0; i < 2; i++) {
		if ((pid[i] = fork()) == 0) {
			/* A worker of its own: opens the same file. */
			declare(NULL);
			if (metrics_open(path, 1, &err) == -1)
				_exit(2);
			for (k = 0; k < 20000; k++)
				metrics_add(c_req, 1, 0, 1);
			metrics_observe(h_dur, 0, 300);
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++) {
		waitpid(pid[i], &st, 0);
		T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d", i);
	}
	T_CHECK(metrics_get(c_req, 1, 0) == 40000, "two processes' adds: %llu",
	    (unsigned long long)metrics_get(c_req, 1, 0));
	metrics_add(c_req, 0, 1, 3);
	metrics_add(c_req, 9, 0, 1);		/* out of range: ignored */
	metrics_observe(h_dur, 0, 1000);	/* at a bound: that bucket */
	metrics_observe(h_dur, 0, 20000000);	/* past the last: +Inf */
	buf_init(&out);
	metrics_render(&out);
	T_CHECK(strstr(out.ptr, "# HELP t_requests_total Requests.\n"
	    "# TYPE t_requests_total counter\n"
	    "t_requests_total{route=\"/a\",status=\"404\"} 3\n"
	    "t_requests_total{route=\"/b/{id}\",status=\"200\"} 40000\n"
	    "# HELP") != NULL, "counters, zero series left out:\n%s", out.ptr);
	T_CHECK(strstr(out.ptr,
	    "t_duration_seconds_bucket{route=\"/a\",le=\"0.00025\"} 0\n"
	    "t_duration_seconds_bucket{route=\"/a\",le=\"0.0005\"} 2\n"
	    "t_duration_seconds_bucket{route=\"/a\",le=\"0.001\"} 3\n") != NULL,
	    "cumulative buckets:\n%s", out.ptr);
	T_CHECK(strstr(out.ptr,
	    "t_duration_seconds_bucket{route=\"/a\",le=\"10\"} 3\n"
	    "t_duration_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
	    "t_duration_seconds_sum{route=\"/a\"} 20.001600\n"
	    "t_duration_seconds_count{route=\"/a\"} 4\n") != NULL,
	    "+Inf, sum, count:\n%s", out.ptr);
	T_CHECK(strstr(out.ptr, "route=\"/b/{id}\",le") == NULL,
	    "a histogram series with no count is left out");
	T_CHECK(strstr(out.ptr, "\nt_one_total 0\n") != NULL,
	    "a series without labels is always there");
	buf_free(&out);
	metrics_close();
	metrics_add(c_req, 0, 0, 1);	/* closed: counts nothing */
	T_CHECK(metrics_get(c_req, 0, 0) == 0, "closed");

	/* Another layout: replaced by a fresh file, unless not creating. */
	declare("extra_total");
	buf_reset(&err);
	T_CHECK(metrics_open(path, 0, &err) == -1 && strstr(err.ptr,
	    "another version") != NULL, "no create: %s", buf_cstr(&err));
	T_CHECK(metrics_open(path, 1, &err) == 0, "replaced");
	T_CHECK(metrics_get(c_req, 1, 0) == 0, "fresh counts");
	metrics_close();
	declare(NULL);
	T_CHECK(metrics_open(path, 1, &err) == 0, "back to the first layout");
	T_CHECK(metrics_get(c_req, 1, 0) == 0, "fresh again");
	metrics_close();
	buf_free(&err);
}

static void
test_labels(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "/v/{token}", "r=\"/v/{token}\"" },
		{ "a\"b", "r=\"a\\\"b\"" },
		{ "a\\b", "r=\"a\\\\b\"" },
		{ "a\nb", "r=\"a\\nb\"" },
		{ "", "r=\"\"" },
	};
	struct buf b;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b);
		metrics_label_set(&b, "r", cases[i].in);
		T_STREQ(buf_cstr(&b), cases[i].out, "label %zu", i);
		buf_free(&b);
	}
}

static void
test_acl(void)
{
	static const struct { const char *list, *addr; int in; } match[] = {
		{ "127.0.0.0/8 ::1", "127.0.0.1", 1 },
		{ "127.0.0.0/8 ::1", "127.255.1.2", 1 },
		{ "127.0.0.0/8 ::1", "::1", 1 },
		{ "127.0.0.0/8 ::1", "::ffff:127.0.0.1", 1 },
		{ "127.0.0.0/8 ::1", "128.0.0.1", 0 },
		{ "127.0.0.0/8 ::1", "::2", 0 },
		{ "127.0.0.0/8 ::1", "", 0 },
		{ "127.0.0.0/8 ::1", "localhost", 0 },
		{ "", "127.0.0.1", 0 },
		{ "10.1.2.3", "10.1.2.3", 1 },
		{ "10.1.2.3", "10.1.2.4", 0 },
		{ "10.1.2.3/31", "10.1.2.2", 1 },
		{ "10.1.2.3/31", "10.1.2.4", 0 },
		{ "192.168.0.0/20", "192.168.15.255", 1 },
		{ "192.168.0.0/20", "192.168.16.0", 0 },
		{ "0.0.0.0/0", "203.0.113.9", 1 },
		{ "0.0.0.0/0", "2001:db8::1", 0 },
		{ "2001:db8::/32, 10.0.0.0/8", "2001:db8:ffff::1", 1 },
		{ "2001:db8::/32, 10.0.0.0/8", "2001:db9::1", 0 },
		{ "fe80::/10", "fe80::1%eth0", 1 },
		{ "::ffff:10.0.0.0/104", "10.9.9.9", 0 },	/* mapped: as IPv4 /104 is bad */
	};
	static const char *const bad[] = {
		"10.0.0.0/33", "::1/129", "localhost", "127.0.0.1/", "1.2.3",
		"10.0.0.0/8x", "10.0.0.0/-1", "::1/ 64", "/8",
		"::ffff:10.0.0.0/104",
	};
	struct acl acl;
	struct buf err;
	size_t i;
	int rc;

	buf_init(&err);
	for (i = 0; i < NELEM(match); i++) {
		buf_reset(&err);
		rc = acl_parse(&acl, match[i].list, &err);
		if (strcmp(match[i].list, "::ffff:10.0.0.0/104") == 0) {
			T_CHECK(rc == -1, "mapped with an IPv6 prefix");
			continue;
		}
		T_CHECK(rc == 0, "parse %s: %s", match[i].list, buf_cstr(&err));
		T_CHECK(acl_match(&acl, match[i].addr) == match[i].in,
		    "%s in %s: want %d", match[i].addr, match[i].list,
		    match[i].in);
	}
	for (i = 0; i < NELEM(bad); i++) {
		buf_reset(&err);
		T_CHECK(acl_parse(&acl, bad[i], &err) == -1 &&
		    strstr(buf_cstr(&err), "is not an address") != NULL,
		    "bad %s: %s", bad[i], buf_cstr(&err));
	}
	T_CHECK(acl_match(&acl, NULL) == 0, "NULL address");
	buf_reset(&err);
	T_CHECK(acl_parse(&acl, "1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 1.1.1.5 "
	    "1.1.1.6 1.1.1.7 1.1.1.8 1.1.1.9 1.1.1.10 1.1.1.11 1.1.1.12 "
	    "1.1.1.13 1.1.1.14 1.1.1.15 1.1.1.16 1.1.1.17 1.1.1.18 1.1.1.19 "
	    "1.1.1.20 1.1.1.21 1.1.1.22 1.1.1.23 1.1.1.24 1.1.1.25 1.1.1.26 "
	    "1.1.1.27 1.1.1.28 1.1.1.29 1.1.1.30 1.1.1.31 1.1.1.32 1.1.1.33",
	    &err) == -1, "too many entries");
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/hc-metrics.XXXXXX", path[64];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/metrics", dir);
	test_shared(path);
	{
		struct stat st;
		T_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
		    "mode 0600");
	}
	test_labels();
	test_acl();
	unlink(path);
	rmdir(dir);
	T_DONE("metrics");
}
