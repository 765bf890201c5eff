/*
 * Shared counters and histograms in one mapped file; see metrics.h.
 * The file is a header (magic, the layout's fingerprint, the number of
 * slots) and then one 64-bit slot per counter series, or per histogram
 * bucket and sum.  Workers open it under an flock, so that the first
 * makes it and the others find it made; one of another layout (an older
 * build) is replaced by a new file renamed over it, which processes still
 * holding the old one keep until they exit.
 */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"

#define FAMILIES_MAX	24

/* The histograms' upper bounds, microseconds; +Inf follows. */
static const uint64_t bucket_us[] = {
	250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	500000, 1000000, 2500000, 10000000
};
#define NBUCKETS	NELEM(bucket_us)
#define HSLOTS		(NBUCKETS + 2)	/* the buckets, +Inf, the sum */

struct family {
	const char		 *name;
	const char		 *help;
	enum metric_kind	  kind;
	const char *const	 *a;
	size_t			  na;
	const char *const	 *b;
	size_t			  nb;
	size_t			  base;		/* first slot */
};

struct header {
	char		magic[8];
	uint64_t	layout;
	uint64_t	nslots;
	uint64_t	reserved;
};

static const char magic[8] = "hcmetr1";

static struct family	 fams[FAMILIES_MAX];
static int		 nfams;
static size_t		 nslots;
static const char	*prefix = "";
static uint64_t		*slots;		/* NULL: not open, nothing counted */
static void		*map;
static size_t		 maplen;

void
metrics_begin(const char *p)
{
	metrics_close();
	nfams = 0;
	nslots = 0;
	prefix = p != NULL ? p : "";
}

int
metrics_declare(const char *name, const char *help, enum metric_kind kind,
    const char *const *a, size_t na, const char *const *b, size_t nb)
{
	struct family *f;

	if (nfams == FAMILIES_MAX || slots != NULL)
		abort();	/* a programming error, found at start */
	f = &fams[nfams];
	f->name = name;
	f->help = help;
	f->kind = kind;
	f->a = a;
	f->na = a != NULL ? na : 0;
	/* A histogram has one dimension: its buckets are the other. */
	f->b = a != NULL && kind == METRIC_COUNTER ? b : NULL;
	f->nb = f->b != NULL ? nb : 0;
	f->base = nslots;
	nslots += (f->na ? f->na : 1) * (f->nb ? f->nb : 1) *
	    (kind == METRIC_HISTOGRAM ? HSLOTS : 1);
	return nfams++;
}

void
metrics_label_set(struct buf *out, const char *name, const char *value)
{
	buf_printf(out, "%s=\"", name);
	for (; *value != '\0'; value++)
		switch (*value) {
		case '\\':
			buf_puts(out, "\\\\");
			break;
		case '"':
			buf_puts(out, "\\\"");
			break;
		case '\n':
			buf_puts(out, "\\n");
			break;
		default:
			buf_putc(out, *value);
		}
	buf_putc(out, '"');
}

/* FNV-1a over s and a separator. */
static void
fp_str(uint64_t *h, const char *s)
{
	for (; *s != '\0'; s++) {
		*h ^= (unsigned char)*s;
		*h *= 1099511628211ULL;
	}
	*h ^= 0xff;
	*h *= 1099511628211ULL;
}

/* Returns the fingerprint of the declared layout. */
static uint64_t
fingerprint(void)
{
	uint64_t h = 14695981039346656037ULL;
	char n[32];
	size_t i, k;
	int f;

	fp_str(&h, prefix);
	for (k = 0; k < NBUCKETS; k++) {
		snprintf(n, sizeof(n), "%llu", (unsigned long long)bucket_us[k]);
		fp_str(&h, n);
	}
	for (f = 0; f < nfams; f++) {
		fp_str(&h, fams[f].name);
		fp_str(&h, fams[f].kind == METRIC_HISTOGRAM ? "h" : "c");
		for (i = 0; i < fams[f].na; i++)
			fp_str(&h, fams[f].a[i]);
		fp_str(&h, "|");
		for (i = 0; i < fams[f].nb; i++)
			fp_str(&h, fams[f].b[i]);
	}
	return h;
}

/* Writes a fresh header and sizes the file; 0 or -1 (errno). */
static int
lay_out(int fd, const struct header *want, size_t len)
{
	if (ftruncate(fd, 0) == -1 || ftruncate(fd, (off_t)len) == -1 ||
	    pwrite(fd, want, sizeof(*want), 0) != (ssize_t)sizeof(*want))
		return -1;
	return 0;
}

int
metrics_open(const char *path, int create, struct buf *err)
{
	struct header want, have;
	struct stat st, cur;
	struct buf tmp;
	size_t len;
	void *p;
	int fd, nfd, tries;

	metrics_close();
	memset(&want, 0, sizeof(want));
	memcpy(want.magic, magic, sizeof(magic));
	want.layout = fingerprint();
	want.nslots = nslots;
	len = sizeof(want) + nslots * sizeof(uint64_t);
	buf_init(&tmp);
	buf_printf(&tmp, "%s.new", path);
	for (tries = 0; tries < 8; tries++) {
		fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0),
		    0600);
		if (fd == -1)
			goto fail;
		if (flock(fd, LOCK_EX) == -1 || fstat(fd, &st) == -1)
			goto fail_fd;
		/* Replaced while we waited for the lock: open the new one. */
		if (stat(path, &cur) == -1 || cur.st_ino != st.st_ino ||
		    cur.st_dev != st.st_dev) {
			close(fd);
			continue;
		}
		if (st.st_size == 0) {
			if (lay_out(fd, &want, len) == -1)
				goto fail_fd;
		} else if ((size_t)st.st_size != len || pread(fd, &have,
		    sizeof(have), 0) != (ssize_t)sizeof(have) ||
		    memcmp(&have, &want, sizeof(want)) != 0) {
			if (!create) {
				buf_printf(err, "metrics: %s: laid out by "
				    "another version", path);
				close(fd);
				buf_free(&tmp);
				return -1;
			}
			/* Another layout: a new file in its place. */
			nfd = open(tmp.ptr, O_RDWR | O_CREAT | O_TRUNC |
			    O_CLOEXEC, 0600);
			if (nfd == -1 || lay_out(nfd, &want, len) == -1 ||
			    rename(tmp.ptr, path) == -1) {
				if (nfd != -1)
					close(nfd);
				goto fail_fd;
			}
			close(nfd);
			flock(fd, LOCK_UN);
			close(fd);
			continue;
		}
		/*
		 * Every block of the file given to it now: a page of the map
		 * with none behind it (ftruncate makes none) gets one when it
		 * is first written, and on a full disk that write is a SIGBUS,
		 * the end of the worker.  Here it is a refusal to start.
		 */
		if ((errno = posix_fallocate(fd, 0, (off_t)len)) != 0)
			goto fail_fd;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			goto fail_fd;
		/* The mapping holds the file open: unlock, or it stays locked. */
		flock(fd, LOCK_UN);
		close(fd);
		map = p;
		maplen = len;
		slots = (uint64_t *)((char *)p + sizeof(want));
		buf_free(&tmp);
		return 0;
	}
	buf_printf(err, "metrics: %s: replaced too often while opening", path);
	buf_free(&tmp);
	return -1;
fail_fd:
	{
		int e = errno;
		close(fd);
		errno = e;
	}
fail:
	buf_printf(err, "metrics: %s: %s", path, strerror(errno));
	buf_free(&tmp);
	return -1;
}

void
metrics_close(void)
{
	if (map != NULL)
		munmap(map, maplen);
	map = NULL;
	slots = NULL;
	maplen = 0;
}

/* Returns the slot of series (i, j) of fam, or NULL when not counted. */
static uint64_t *
slot(int fam, size_t i, size_t j)
{
	const struct family *f;

	if (slots == NULL || fam < 0 || fam >= nfams)
		return NULL;
	f = &fams[fam];
	if (i >= (f->na ? f->na : 1) || j >= (f->nb ? f->nb : 1))
		return NULL;
	return &slots[f->base + (i * (f->nb ? f->nb : 1) + j) *
	    (f->kind == METRIC_HISTOGRAM ? HSLOTS : 1)];
}

void
metrics_add(int fam, size_t i, size_t j, uint64_t n)
{
	uint64_t *s = slot(fam, i, j);

	if (s != NULL)
		__atomic_fetch_add(s, n, __ATOMIC_RELAXED);
}

void
metrics_observe(int fam, size_t i, uint64_t us)
{
	uint64_t *s = slot(fam, i, 0);
	size_t k;

	if (s == NULL || fams[fam].kind != METRIC_HISTOGRAM)
		return;
	for (k = 0; k < NBUCKETS && us > bucket_us[k]; k++)
		;
	__atomic_fetch_add(&s[k], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s[NBUCKETS + 1], us, __ATOMIC_RELAXED);
}

uint64_t
metrics_get(int fam, size_t i, size_t j)
{
	uint64_t *s = slot(fam, i, j);

	return s != NULL ? __atomic_load_n(s, __ATOMIC_RELAXED) : 0;
}

/* Writes {labels} of a series (with extra, e.g. le="1", last), or nothing. */
static void
labels(struct buf *out, const struct family *f, size_t i, size_t j,
    const char *extra)
{
	int n = 0;

	if (f->na == 0 && extra == NULL)
		return;
	buf_putc(out, '{');
	if (f->na) {
		buf_puts(out, f->a[i]);
		n++;
	}
	if (f->nb) {
		buf_printf(out, "%s%s", n ? "," : "", f->b[j]);
		n++;
	}
	if (extra != NULL)
		buf_printf(out, "%s%s", n ? "," : "", extra);
	buf_putc(out, '}');
}

/* Writes one histogram series. */
static void
render_histogram(struct buf *out, const struct family *f, size_t i,
    const uint64_t *s)
{
	uint64_t cum = 0, v[NBUCKETS + 1];
	char le[32];
	size_t k;

	for (k = 0; k <= NBUCKETS; k++)
		cum += v[k] = __atomic_load_n(&s[k], __ATOMIC_RELAXED);
	if (cum == 0 && f->na)
		return;
	cum = 0;
	for (k = 0; k <= NBUCKETS; k++) {
		cum += v[k];
		if (k < NBUCKETS)
			snprintf(le, sizeof(le), "le=\"%g\"",
			    (double)bucket_us[k] / 1e6);
		else
			snprintf(le, sizeof(le), "le=\"+Inf\"");
		buf_printf(out, "%s%s_bucket", prefix, f->name);
		labels(out, f, i, 0, le);
		buf_printf(out, " %llu\n", (unsigned long long)cum);
	}
	buf_printf(out, "%s%s_sum", prefix, f->name);
	labels(out, f, i, 0, NULL);
	buf_printf(out, " %.6f\n", (double)__atomic_load_n(&s[NBUCKETS + 1],
	    __ATOMIC_RELAXED) / 1e6);
	buf_printf(out, "%s%s_count", prefix, f->name);
	labels(out, f, i, 0, NULL);
	buf_printf(out, " %llu\n", (unsigned long long)cum);
}

void
metrics_render(struct buf *out)
{
	const struct family *f;
	uint64_t v;
	size_t i, j;
	int fam;

	for (fam = 0; fam < nfams; fam++) {
		f = &fams[fam];
		buf_printf(out, "# HELP %s%s %s\n# TYPE %s%s %s\n", prefix,
		    f->name, f->help, prefix, f->name,
		    f->kind == METRIC_HISTOGRAM ? "histogram" : "counter");
		for (i = 0; i < (f->na ? f->na : 1); i++)
			for (j = 0; j < (f->nb ? f->nb : 1); j++) {
				if (f->kind == METRIC_HISTOGRAM) {
					if (slot(fam, i, j) != NULL)
						render_histogram(out, f, i,
						    slot(fam, i, j));
					continue;
				}
				v = metrics_get(fam, i, j);
				if (v == 0 && f->na)
					continue;
				buf_printf(out, "%s%s", prefix, f->name);
				labels(out, f, i, j, NULL);
				buf_printf(out, " %llu\n", (unsigned long long)v);
			}
	}
}
