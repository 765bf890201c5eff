/*
 * Exposure tracing (docs/console.md): who was at a venue in a time
 * window, and from a listed person, everyone at the places they visited
 * around the times they were there; then marking the people found as
 * close or secondary contacts (case-list entries of source "trace"),
 * which changes their colour at once.  Every read of such a list and
 * every mark is an audit entry, committed before the answer goes out.
 * The console's pages walk through it: a case or a venue and window,
 * the visits, the people with checkboxes, the mark.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "audit.h"
#include "colour.h"
#include "ident.h"
#include "phone.h"
#include "valid.h"

#define ROWS_MAX	5000	/* people in one answer: a bound, not a view */
#define VISITS_MAX	200	/* a listed person's visits traced */
#define MARK_MAX	1000	/* people in one mark */
#define WINDOW_MAX	(31 * 86400)	/* a venue's window, at most */
#define RECENT_CASES	30	/* case entries the page offers */
#define REF_MAX		32	/* persons.ref: 16 hex digits */

/* One check-in of someone at a venue. */
struct seen {
	time_t	 at;
	char	 phone[12];	/* for the call-back; "" if it does not open */
	int64_t	 person;	/* 0: the account has no identity bound */
	char	 hash[65];
	char	 ref[REF_MAX + 1];
	char	 name_masked[NAME_MASKED_BYTES];
	int	 has_color;
	enum color color;
};

struct seen_list {
	struct seen	*v;
	size_t		 n, cap;
	int		 truncated;	/* more than ROWS_MAX */
};

/* A visit of a listed person, and its co-visitors v[first .. first+n). */
struct visit {
	int64_t	 venue;
	char	 name[VENUE_NAME_CHARS * 4 + 1];
	time_t	 at;
	size_t	 first, n;
};

/* A case-list entry traced. */
struct trace {
	int64_t		 id;
	char		 kind[24];
	char		 listed_day[11];
	char		 name_masked[NAME_MASKED_BYTES];
	char		 hash[65];
	int64_t		 person;	/* 0: never registered */
	struct visit	*v;
	size_t		 nv;
	struct seen_list l;
};

/* A venue's window. */
struct window {
	int64_t	 venue;
	char	 name[VENUE_NAME_CHARS * 4 + 1];
	time_t	 from, to;	/* [from, to) */
};

static void
seen_free(struct seen_list *l)
{
	if (l->v != NULL)
		explicit_bzero(l->v, l->cap * sizeof(*l->v));	/* phones */
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Reads a venue's name: 1, 0 unknown, -1. */
static int
venue_name(struct ctx *c, int64_t id, char *out, size_t outlen)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_TRACE_VENUE);
	int rc;

	db_bind_int(s, 1, id);
	if ((rc = db_step(s)) == DB_ROW)
		snprintf(out, outlen, "%s", db_col_text(s, 0));
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/*
 * Appends the check-ins at venue in [from, to) of everyone but person
 * except (0: of everyone), oldest first, up to ROWS_MAX in the list in
 * all (truncated beyond), each with the account's phone opened for the
 * call-back (phone.h; one that does not open is logged).  0 or -1.
 */
static int
at_venue(struct ctx *c, int64_t venue, time_t from, time_t to,
    int64_t except, struct seen_list *l)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_TRACE_AT_VENUE);
	struct seen *k;
	int rc, closed = 0;

	db_bind_int(s, 1, venue);
	db_bind_int(s, 2, from);
	db_bind_int(s, 3, to);
	db_bind_int(s, 4, except);
	db_bind_int(s, 5, (int64_t)(ROWS_MAX - l->n) + 1);
	while ((rc = db_step(s)) == DB_ROW) {
		if (l->n == ROWS_MAX) {
			l->truncated = 1;
			break;
		}
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 64;
			l->v = ck_realloc(l->v, l->cap * sizeof(*l->v));
		}
		k = &l->v[l->n++];
		memset(k, 0, sizeof(*k));
		k->at = (time_t)db_col_int(s, 0);
		if (phone_open(c->app, db_col_text(s, 1), db_col_text(s, 6),
		    k->phone) == -1)
			closed++;
		k->person = db_col_int(s, 2);
		snprintf(k->hash, sizeof(k->hash), "%s", db_col_text(s, 3));
		snprintf(k->ref, sizeof(k->ref), "%s", db_col_text(s, 4));
		if (k->person != 0)
			name_mask(db_col_text(s, 5), k->name_masked,
			    sizeof(k->name_masked));
	}
	db_reset(s);
	if (closed > 0)
		LOG("trace: %d phone(s) do not open with phone_key_file",
		    closed);
	return rc == DB_ERR ? -1 : 0;
}

/* Each person's colour now (read after the rows: it may write the cache). */
static int
colours(struct ctx *c, struct seen_list *l)
{
	struct rules_result res;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].person == 0)
			continue;
		if (colour_of(c, l->v[i].person, l->v[i].hash, &res) == -1)
			return -1;
		l->v[i].has_color = 1;
		l->v[i].color = res.color;
	}
	return 0;
}

/* Writes "2026-11-29 10:00" (local time) for display. */
static void
shown(time_t t, char out[20])
{
	char iso[26];

	clock_iso(t, iso);
	snprintf(out, 20, "%.10s %.5s", iso, iso + 11);
}

/* One person seen, as the API (or, page, the template) shows it. */
static cJSON *
seen_json(struct ctx *c, const struct seen *k, int page)
{
	cJSON *o = cJSON_CreateObject();
	const char *col = k->has_color ? color_name(k->color) : NULL;
	char iso[26], when[20];

	clock_iso(k->at, iso);
	if (k->person != 0) {
		cJSON_AddStringToObject(o, "person", k->ref);
		cJSON_AddStringToObject(o, "name_masked", k->name_masked);
	} else {
		cJSON_AddNullToObject(o, "person");
		cJSON_AddNullToObject(o, "name_masked");
	}
	if (*k->phone != '\0')
		cJSON_AddStringToObject(o, "phone", k->phone);
	else
		cJSON_AddNullToObject(o, "phone");
	cJSON_AddStringToObject(o, "checked_in_at", iso);
	if (col != NULL)
		cJSON_AddStringToObject(o, "color", col);
	else
		cJSON_AddNullToObject(o, "color");
	if (page) {
		shown(k->at, when);
		cJSON_AddStringToObject(o, "time", when);
		cJSON_AddStringToObject(o, "color_class", col ? col : "none");
		cJSON_AddStringToObject(o, "color_label",
		    page_colour_label(c, col));
	}
	return o;
}

/* The people of l[first .. first+n) as an array. */
static cJSON *
seen_array(struct ctx *c, const struct seen_list *l, size_t first, size_t n,
    int page)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	for (i = first; i < first + n; i++)
		cJSON_AddItemToArray(arr, seen_json(c, &l->v[i], page));
	return arr;
}

/*
 * Reads a time of the window: ISO 8601 with an offset; the page also
 * takes a datetime-local value, on the configured zone's clock.  An
 * offset's "+" sent unencoded in a query arrives as a space: it is
 * read as the "+" it was.  0 or 400 with e.
 */
static int
window_time(struct ctx *c, const char *name, int page, time_t *out,
    struct in_err *e)
{
	const char *s = kv_get(&c->req->query, name);
	char fixed[26];

	if (s == NULL || *s == '\0')
		return in_err(e, 400, "missing_field", name, NULL);
	if (strlen(s) == 25 && s[19] == ' ') {
		memcpy(fixed, s, 26);
		fixed[19] = '+';
		s = fixed;
	}
	if (clock_parse_iso(s, out) == 0 || (page &&
	    clock_parse_local(s, out) == 0))
		return 0;
	return in_err(e, 400, "invalid_time", name, NULL);
}

/*
 * The people at a venue in a window, from the query (venue, from, to),
 * with their colours now, audited (exposures.read).  0, 400
 * (missing_field, invalid_venue, invalid_time, invalid_window), 404
 * venue_not_found, or 500, with e.
 */
static int
exposures(struct ctx *c, int page, struct window *w, struct seen_list *l,
    struct in_err *e)
{
	const char *v = kv_get(&c->req->query, "venue");
	char subject[65], id[24], iso[26];
	long long venue;
	cJSON *d;
	int rc;

	memset(w, 0, sizeof(*w));
	memset(l, 0, sizeof(*l));
	if (v == NULL || *v == '\0')
		return in_err(e, 400, "missing_field", "venue", NULL);
	if (!v_int(v, 1, INT64_MAX, &venue))
		return in_err(e, 400, "invalid_venue", "venue", NULL);
	if (window_time(c, "from", page, &w->from, e) ||
	    window_time(c, "to", page, &w->to, e))
		return e->status;
	if (w->from >= w->to || w->to - w->from > WINDOW_MAX)
		return in_err(e, 400, "invalid_window", "to", NULL);
	w->venue = venue;
	if ((rc = venue_name(c, w->venue, w->name, sizeof(w->name))) != 1)
		return rc == 0 ? in_err(e, 404, "venue_not_found", "venue",
		    NULL) : in_err(e, 500, "internal", NULL, NULL);
	if (at_venue(c, w->venue, w->from, w->to, 0, l) == -1 ||
	    colours(c, l) == -1)
		goto fail;
	snprintf(id, sizeof(id), "%" PRId64, w->venue);
	audit_subject(c->app, "venue", id, subject);
	d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "venue", (double)w->venue);
	clock_iso(w->from, iso);
	cJSON_AddStringToObject(d, "from", iso);
	clock_iso(w->to, iso);
	cJSON_AddStringToObject(d, "to", iso);
	cJSON_AddNumberToObject(d, "count", (double)l->n);
	rc = audit_read(c, "exposures.read", subject, d);
	cJSON_Delete(d);
	if (rc == 0)
		return 0;
fail:
	seen_free(l);
	return in_err(e, 500, "internal", NULL, NULL);
}

/*
 * From a case-list entry (id, from the path or the query): the listed
 * person's check-ins of the last trace_days days and, for each, everyone
 * at the venue within trace_window_minutes of it (the person excluded),
 * with their colours now, audited (exposures.trace).  0, 404
 * case_not_found, or 500, with e.
 */
static int
case_trace(struct ctx *c, const char *id, struct trace *t, struct in_err *e)
{
	struct db_stmt *s;
	struct visit *v;
	long long n;
	time_t win = (time_t)c->app->conf.trace_window_minutes * 60;
	size_t i, co = 0;
	cJSON *d;
	int rc;

	memset(t, 0, sizeof(*t));
	if (id == NULL || !v_int(id, 1, INT64_MAX, &n))
		return in_err(e, 404, "case_not_found", "case", NULL);
	t->id = n;
	s = db_stmt(c->app->db, SQL_TRACE_CASE);
	db_bind_int(s, 1, t->id);
	if ((rc = db_step(s)) == DB_ROW) {
		snprintf(t->hash, sizeof(t->hash), "%s", db_col_text(s, 0));
		snprintf(t->kind, sizeof(t->kind), "%s", db_col_text(s, 1));
		snprintf(t->listed_day, sizeof(t->listed_day), "%s",
		    db_col_text(s, 2));
		snprintf(t->name_masked, sizeof(t->name_masked), "%s",
		    db_col_text(s, 3));
		t->person = db_col_int(s, 4);
	}
	db_reset(s);
	if (rc != DB_ROW)
		return rc == DB_DONE ? in_err(e, 404, "case_not_found", "case",
		    NULL) : in_err(e, 500, "internal", NULL, NULL);
	if (t->person != 0) {
		s = db_stmt(c->app->db, SQL_TRACE_VISITS);
		db_bind_int(s, 1, t->person);
		db_bind_int(s, 2, c->now -
		    (time_t)c->app->conf.trace_days * 86400);
		db_bind_int(s, 3, VISITS_MAX);
		t->v = ck_calloc(VISITS_MAX, sizeof(*t->v));
		while ((rc = db_step(s)) == DB_ROW && t->nv < VISITS_MAX) {
			v = &t->v[t->nv++];
			v->venue = db_col_int(s, 0);
			snprintf(v->name, sizeof(v->name), "%s",
			    db_col_text(s, 1));
			v->at = (time_t)db_col_int(s, 2);
		}
		db_reset(s);
		if (rc == DB_ERR)
			goto fail;
	}
	for (i = 0; i < t->nv; i++) {
		v = &t->v[i];
		v->first = t->l.n;
		if (at_venue(c, v->venue, v->at - win, v->at + win + 1,
		    t->person, &t->l) == -1)
			goto fail;
		v->n = t->l.n - v->first;
		co += v->n;
	}
	if (colours(c, &t->l) == -1)
		goto fail;
	d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "case", (double)t->id);
	cJSON_AddNumberToObject(d, "visits", (double)t->nv);
	cJSON_AddNumberToObject(d, "co_visitors", (double)co);
	rc = audit_read(c, "exposures.trace", t->hash, d);
	cJSON_Delete(d);
	if (rc == 0)
		return 0;
fail:
	free(t->v);
	seen_free(&t->l);
	return in_err(e, 500, "internal", NULL, NULL);
}

static void
trace_free(struct trace *t)
{
	free(t->v);
	seen_free(&t->l);
}

/* Returns 1 for a person's reference as persons.ref holds it. */
static int
ref_valid(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n > 0 && n <= REF_MAX && s[n] == '\0';
}

/*
 * Marks the people of refs (n, duplicates once) as category
 * (close_contact, secondary_contact) contacts found at venue, traced
 * from case (0: none), listed today by the signed-in admin, in one
 * transaction with one audit entry each (exposures.mark): all or
 * nothing.  0 with *marked, 400 (invalid_category, invalid_persons),
 * 404 (venue_not_found, case_not_found, person_not_found) or 500.
 */
static int
mark(struct ctx *c, const char *const *refs, size_t n, const char *category,
    int64_t venue, int64_t case_id, int *marked, struct in_err *e)
{
	struct app *a = c->app;
	struct db_stmt *s;
	char name[VENUE_NAME_CHARS * 4 + 1], hash[65], masked[NAME_MASKED_BYTES];
	char today[11];
	enum case_kind k = case_kind_parse(category ? category : "");
	size_t i, j;
	cJSON *d;
	int rc;

	*marked = 0;
	if (k != CASE_CLOSE_CONTACT && k != CASE_SECONDARY_CONTACT)
		return in_err(e, 400, "invalid_category", "category", NULL);
	if (n == 0 || n > MARK_MAX)
		return in_err(e, 400, "invalid_persons", "persons", NULL);
	for (i = 0; i < n; i++)
		if (refs[i] == NULL || !ref_valid(refs[i]))
			return in_err(e, 404, "person_not_found", "persons",
			    NULL);
	if (db_begin(a->db) == -1)
		return in_err(e, 500, "internal", NULL, NULL);
	if ((rc = venue_name(c, venue, name, sizeof(name))) != 1) {
		db_rollback(a->db);
		return rc == 0 ? in_err(e, 404, "venue_not_found", "venue",
		    NULL) : in_err(e, 500, "internal", NULL, NULL);
	}
	if (case_id != 0) {
		s = db_stmt(a->db, SQL_TRACE_CASE);
		db_bind_int(s, 1, case_id);
		rc = db_step(s);
		db_reset(s);
		if (rc != DB_ROW) {
			db_rollback(a->db);
			return rc == DB_DONE ? in_err(e, 404, "case_not_found",
			    "case", NULL) : in_err(e, 500, "internal", NULL,
			    NULL);
		}
	}
	clock_day(c->now, today);
	d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "venue", (double)venue);
	if (case_id != 0)
		cJSON_AddNumberToObject(d, "case", (double)case_id);
	else
		cJSON_AddNullToObject(d, "case");
	cJSON_AddStringToObject(d, "category", case_kind_name(k));
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(refs[j], refs[i]) != 0; j++)
			;
		if (j < i)
			continue;	/* named twice: marked once */
		s = db_stmt(a->db, SQL_TRACE_PERSON_BY_REF);
		db_bind_text(s, 1, refs[i]);
		if ((rc = db_step(s)) == DB_ROW) {
			snprintf(hash, sizeof(hash), "%s", db_col_text(s, 0));
			name_mask(db_col_text(s, 1), masked, sizeof(masked));
		}
		db_reset(s);
		if (rc != DB_ROW) {
			cJSON_Delete(d);
			db_rollback(a->db);
			*marked = 0;
			return rc == DB_DONE ? in_err(e, 404, "person_not_found",
			    "persons", NULL) : in_err(e, 500, "internal", NULL,
			    NULL);
		}
		s = db_stmt(a->db, SQL_TRACE_MARK);
		db_bind_text(s, 1, hash);
		db_bind_text(s, 2, case_kind_name(k));
		db_bind_text(s, 3, today);
		db_bind_int(s, 4, c->now);
		db_bind_text(s, 5, masked);
		db_bind_int(s, 6, venue);
		if (case_id != 0)
			db_bind_int(s, 7, case_id);
		else
			db_bind_text(s, 7, NULL);
		db_bind_int(s, 8, c->account_id);
		if (db_run(s) == DB_ERR ||
		    audit_ctx(c, "exposures.mark", hash, d) == -1) {
			cJSON_Delete(d);
			db_rollback(a->db);
			*marked = 0;
			return in_err(e, 500, "internal", NULL, NULL);
		}
		(*marked)++;
	}
	cJSON_Delete(d);
	if (db_commit(a->db) == -1) {
		*marked = 0;
		return in_err(e, 500, "internal", NULL, NULL);
	}
	return 0;
}

/* A JSON id: a whole number 1..2^53; 1, or 0 for anything else. */
static int
json_id(const cJSON *v, int64_t *out)
{
	if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
	    v->valuedouble > 9007199254740992.0 ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return 0;
	*out = (int64_t)v->valuedouble;
	return 1;
}

/*
 * GET /api/v1/admin/exposures?venue=ID&from=ISO&to=ISO (admin): 200
 * {"venue":{"id","name"},"from","to","exposures":[{"person","name_masked",
 * "phone","checked_in_at","color"}],"truncated"}, oldest first, one entry
 * per check-in in [from, to) (person and name_masked null for an account
 * without an identity; color the person's now); 400 missing_field,
 * invalid_venue, invalid_time, invalid_window (from >= to, or more than
 * 31 days); 401; 403; 404 venue_not_found.
 */
void
api_exposures(struct ctx *c)
{
	struct window w;
	struct seen_list l;
	struct in_err e;
	char iso[26];
	cJSON *o, *v;

	if (exposures(c, 0, &w, &l, &e) != 0) {
		api_in_error(c, &e);
		return;
	}
	o = cJSON_CreateObject();
	v = cJSON_AddObjectToObject(o, "venue");
	cJSON_AddNumberToObject(v, "id", (double)w.venue);
	cJSON_AddStringToObject(v, "name", w.name);
	clock_iso(w.from, iso);
	cJSON_AddStringToObject(o, "from", iso);
	clock_iso(w.to, iso);
	cJSON_AddStringToObject(o, "to", iso);
	cJSON_AddBoolToObject(o, "truncated", l.truncated);
	api_object(c, o, "exposures", seen_array(c, &l, 0, l.n, 0));
	seen_free(&l);
}

/* The visits of t as an array (page: with display fields and indexes). */
static cJSON *
visits_json(struct ctx *c, const struct trace *t, int page)
{
	cJSON *arr = cJSON_CreateArray(), *o, *v;
	const struct visit *x;
	time_t win = (time_t)c->app->conf.trace_window_minutes * 60;
	char iso[26], when[20];
	struct buf href;
	size_t i;

	for (i = 0; i < t->nv; i++) {
		x = &t->v[i];
		o = cJSON_CreateObject();
		v = cJSON_AddObjectToObject(o, "venue");
		cJSON_AddNumberToObject(v, "id", (double)x->venue);
		cJSON_AddStringToObject(v, "name", x->name);
		clock_iso(x->at, iso);
		cJSON_AddStringToObject(o, "checked_in_at", iso);
		/* The page's rows: the template the venue's window shares. */
		cJSON_AddItemToObject(o, page ? "rows" : "co_visitors",
		    seen_array(c, &t->l, x->first, x->n, page));
		if (page) {
			cJSON_AddNumberToObject(o, "k", (double)(i + 1));
			shown(x->at, when);
			cJSON_AddStringToObject(o, "time", when);
			cJSON_AddBoolToObject(o, "has_co", x->n > 0);
			/* The venue's own window around the visit. */
			buf_init(&href);
			buf_printf(&href, "/admin/trace?venue=%" PRId64 "&from=",
			    x->venue);
			clock_iso(x->at - win, iso);
			buf_url_escape(&href, iso);
			buf_puts(&href, "&to=");
			clock_iso(x->at + win + 1, iso);
			buf_url_escape(&href, iso);
			cJSON_AddStringToObject(o, "venue_href", href.ptr);
			buf_free(&href);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/*
 * GET /api/v1/admin/cases/{id}/exposures (admin): 200 {"case":ID,"kind",
 * "name_masked","listed_day","visits":[{"venue":{"id","name"},
 * "checked_in_at","co_visitors":[as /exposures]}],"truncated"}: the
 * listed person's check-ins of the last trace_days days, oldest first,
 * and everyone at the same venue within trace_window_minutes (the
 * person excluded; someone seen at several visits is under each);
 * "visits":[] when the person never registered; 401; 403; 404
 * case_not_found.
 */
void
api_case_exposures(struct ctx *c)
{
	struct trace t;
	struct in_err e;
	cJSON *o;

	if (case_trace(c, c->req->params[0], &t, &e) != 0) {
		api_in_error(c, &e);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "case", (double)t.id);
	cJSON_AddStringToObject(o, "kind", t.kind);
	cJSON_AddStringToObject(o, "name_masked", t.name_masked);
	cJSON_AddStringToObject(o, "listed_day", t.listed_day);
	cJSON_AddBoolToObject(o, "truncated", t.l.truncated);
	api_object(c, o, "visits", visits_json(c, &t, 0));
	trace_free(&t);
}

/*
 * POST /api/v1/admin/exposures/mark {"persons":[ref...],"category":
 * "close_contact"|"secondary_contact","venue":ID,"case":ID?} (admin):
 * 200 {"marked":N}; all or nothing: 400 missing_field, wrong_type,
 * invalid_category, invalid_persons (none, or more than 1000); 401; 403;
 * 404 venue_not_found, case_not_found, person_not_found.
 */
void
api_exposures_mark(struct ctx *c)
{
	const cJSON *j = c->req->json, *p, *v, *cs, *item;
	const char **refs = NULL;
	const char *category;
	int64_t venue, case_id = 0;
	struct in_err e;
	size_t n = 0;
	int marked;
	char out[32];

	if (in_str(c, "category", NULL, "invalid_category", &category, &e))
		goto bad;
	p = cJSON_GetObjectItemCaseSensitive(j, "persons");
	v = cJSON_GetObjectItemCaseSensitive(j, "venue");
	cs = cJSON_GetObjectItemCaseSensitive(j, "case");
	if (p == NULL || cJSON_IsNull(p) || v == NULL || cJSON_IsNull(v)) {
		in_err(&e, 400, "missing_field", p == NULL || cJSON_IsNull(p) ?
		    "persons" : "venue", NULL);
		goto bad;
	}
	if (!cJSON_IsArray(p)) {
		in_err(&e, 400, "wrong_type", "persons", NULL);
		goto bad;
	}
	if (!json_id(v, &venue)) {
		in_err(&e, 400, cJSON_IsNumber(v) ? "invalid_venue" :
		    "wrong_type", "venue", NULL);
		goto bad;
	}
	if (cs != NULL && !cJSON_IsNull(cs) && !json_id(cs, &case_id)) {
		in_err(&e, 400, cJSON_IsNumber(cs) ? "invalid_case" :
		    "wrong_type", "case", NULL);
		goto bad;
	}
	if (cJSON_GetArraySize(p) > MARK_MAX) {
		in_err(&e, 400, "invalid_persons", "persons", NULL);
		goto bad;
	}
	refs = ck_calloc((size_t)cJSON_GetArraySize(p) + 1, sizeof(*refs));
	cJSON_ArrayForEach(item, p) {
		if (!cJSON_IsString(item)) {
			in_err(&e, 400, "invalid_persons", "persons", NULL);
			goto bad;
		}
		refs[n++] = item->valuestring;
	}
	if (mark(c, refs, n, category, venue, case_id, &marked, &e) != 0)
		goto bad;
	free(refs);
	snprintf(out, sizeof(out), "{\"marked\":%d}", marked);
	resp_json(c->resp, 200, out);
	return;
bad:
	free(refs);
	api_in_error(c, &e);
}

/* The datetime-local value of t ("2026-12-01T08:00"). */
static void
local_value(time_t t, char out[17])
{
	char iso[26];

	clock_iso(t, iso);
	snprintf(out, 17, "%.16s", iso);
}

/* The recent case-list entries the page offers; NULL on error. */
static cJSON *
recent_cases(struct ctx *c)
{
	struct db_stmt *s = db_stmt(c->app->db, SQL_TRACE_RECENT_CASES);
	cJSON *arr = cJSON_CreateArray(), *o, *det = cJSON_CreateObject();
	cJSON *ids = cJSON_AddArrayToObject(det, "cases");
	char key[40];
	int rc;

	db_bind_int(s, 1, RECENT_CASES);
	while ((rc = db_step(s)) == DB_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)db_col_int(s, 0));
		cJSON_AddItemToArray(ids, cJSON_CreateNumber(
		    (double)db_col_int(s, 0)));
		snprintf(key, sizeof(key), "reason_case_%s", db_col_text(s, 1));
		cJSON_AddStringToObject(o, "kind_label", page_text(c, key));
		cJSON_AddStringToObject(o, "listed_day", db_col_text(s, 2));
		cJSON_AddStringToObject(o, "name_masked", db_col_text(s, 3));
		cJSON_AddBoolToObject(o, "traced",
		    strcmp(db_col_text(s, 4), "trace") == 0);
		cJSON_AddItemToArray(arr, o);
	}
	arr = rows_done(s, rc, arr);
	/* Masked names of listed people: a read of the case list. */
	if (arr != NULL && cJSON_GetArraySize(ids) > 0 &&
	    audit_read(c, "cases.list", "", det) == -1) {
		cJSON_Delete(arr);
		arr = NULL;
	}
	cJSON_Delete(det);
	return arr;
}

/*
 * Renders the tracing page: the choices (recent cases, a case id, a
 * venue and window), and d's result or error; d consumed.
 */
static void
trace_page(struct ctx *c, int status, cJSON *d)
{
	cJSON *cases = recent_cases(c);
	char val[20];

	if (cases == NULL) {
		cJSON_Delete(d);
		page_error(c, 500, "internal");
		return;
	}
	cJSON_AddBoolToObject(d, "has_cases", cJSON_GetArraySize(cases) > 0);
	cJSON_AddItemToObject(d, "cases", cases);
	/* The window's inputs: as asked, else the last 24 hours. */
	if (!cJSON_HasObjectItem(d, "from_value")) {
		local_value(c->now - 86400, val);
		cJSON_AddStringToObject(d, "from_value", val);
		local_value(c->now, val);
		cJSON_AddStringToObject(d, "to_value", val);
	}
	cJSON_AddNumberToObject(d, "window_minutes",
	    (double)c->app->conf.trace_window_minutes);
	cJSON_AddNumberToObject(d, "trace_days",
	    (double)c->app->conf.trace_days);
	page_render(c, status, "admin_trace.html", "admin_nav_trace", d);
}

/* The catalogue label of a case kind ("close_contact"). */
static const char *
kind_label(struct ctx *c, const char *kind)
{
	char key[40];

	snprintf(key, sizeof(key), "reason_case_%s", kind);
	return page_text(c, key);
}

/*
 * GET /admin/trace[?case=ID | ?venue=ID&from=&to=][&marked=N] (admin):
 * the walk-through; a case or a venue window shows its people (each read
 * audited, as the API's); 200, 400 or 404 with the error in place; 302
 * /login signed out; 403.
 */
void
page_trace(struct ctx *c)
{
	const char *cs = kv_get(&c->req->query, "case");
	const char *vs = kv_get(&c->req->query, "venue");
	const char *m = kv_get(&c->req->query, "marked");
	cJSON *d = cJSON_CreateObject(), *r, *one;
	struct in_err e;
	struct trace t;
	struct window w;
	struct seen_list l;
	long long marked;
	char val[20];

	if (m != NULL && v_int(m, 0, MARK_MAX, &marked))
		cJSON_AddNumberToObject(d, "marked", (double)marked);
	if (cs != NULL && *cs != '\0') {
		cJSON_AddStringToObject(d, "case_value", cs);
		if (case_trace(c, cs, &t, &e) != 0) {
			page_in_error(c, d, &e);
			trace_page(c, e.status, d);
			return;
		}
		r = cJSON_AddObjectToObject(d, "result_case");
		cJSON_AddNumberToObject(r, "id", (double)t.id);
		cJSON_AddStringToObject(r, "kind_label", kind_label(c, t.kind));
		cJSON_AddStringToObject(r, "name_masked", t.name_masked);
		cJSON_AddStringToObject(r, "listed_day", t.listed_day);
		cJSON_AddBoolToObject(r, "has_visits", t.nv > 0);
		cJSON_AddBoolToObject(r, "truncated", t.l.truncated);
		cJSON_AddItemToObject(r, "visits", visits_json(c, &t, 1));
		trace_free(&t);
		trace_page(c, 200, d);
		return;
	}
	if (vs != NULL) {
		cJSON_AddStringToObject(d, "venue_value", vs);
		if (exposures(c, 1, &w, &l, &e) != 0) {
			/* The inputs as sent, to correct them. */
			cJSON_AddStringToObject(d, "from_value",
			    kv_get(&c->req->query, "from") ?
			    kv_get(&c->req->query, "from") : "");
			cJSON_AddStringToObject(d, "to_value",
			    kv_get(&c->req->query, "to") ?
			    kv_get(&c->req->query, "to") : "");
			page_in_error(c, d, &e);
			trace_page(c, e.status, d);
			return;
		}
		local_value(w.from, val);
		cJSON_AddStringToObject(d, "from_value", val);
		local_value(w.to, val);
		cJSON_AddStringToObject(d, "to_value", val);
		r = cJSON_AddObjectToObject(d, "result_venue");
		cJSON_AddNumberToObject(r, "id", (double)w.venue);
		cJSON_AddStringToObject(r, "name", w.name);
		one = cJSON_CreateObject();
		shown(w.from, val);
		cJSON_AddStringToObject(r, "from", val);
		shown(w.to, val);
		cJSON_AddStringToObject(r, "to", val);
		cJSON_AddBoolToObject(r, "has_people", l.n > 0);
		cJSON_AddBoolToObject(r, "truncated", l.truncated);
		cJSON_AddNumberToObject(r, "k", 1);
		cJSON_AddItemToObject(r, "rows", seen_array(c, &l, 0, l.n, 1));
		/* The mark form's way back: the same window. */
		cJSON_AddStringToObject(one, "from",
		    kv_get(&c->req->query, "from"));
		cJSON_AddStringToObject(one, "to", kv_get(&c->req->query, "to"));
		cJSON_AddItemToObject(r, "back", one);
		seen_free(&l);
	}
	trace_page(c, 200, d);
}

/*
 * POST /admin/trace/mark (admin; form: persons (repeated), category,
 * venue, case?, and the page to return to: back_case, or back_venue,
 * back_from, back_to): marks as the API does; 303 back to the page with
 * marked=N; 400 or 404 with the error on the page; 403 without CSRF.
 */
void
page_trace_mark(struct ctx *c)
{
	const struct kvlist *f = &c->req->form;
	const char **refs = ck_calloc(f->n + 1, sizeof(*refs));
	const char *vs = kv_get(f, "venue"), *cs = kv_get(f, "case");
	const char *bc = kv_get(f, "back_case"), *bv = kv_get(f, "back_venue");
	long long venue, case_id = 0;
	struct in_err e;
	struct buf loc;
	size_t i, n = 0;
	int marked;
	cJSON *d;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].key, "persons") == 0)
			refs[n++] = f->v[i].val;
	if (vs == NULL || !v_int(vs, 1, INT64_MAX, &venue))
		in_err(&e, 400, "invalid_venue", "venue", NULL);
	else if (cs != NULL && *cs != '\0' && !v_int(cs, 1, INT64_MAX,
	    &case_id))
		in_err(&e, 400, "invalid_case", "case", NULL);
	else if (mark(c, refs, n, kv_get(f, "category"), venue, case_id,
	    &marked, &e) == 0) {
		free(refs);
		buf_init(&loc);
		buf_puts(&loc, "/admin/trace?");
		if (bc != NULL && v_int(bc, 1, INT64_MAX, &case_id))
			buf_printf(&loc, "case=%lld&", case_id);
		else if (bv != NULL && v_int(bv, 1, INT64_MAX, &venue)) {
			buf_printf(&loc, "venue=%lld&from=", venue);
			buf_url_escape(&loc, kv_get(f, "back_from") ?
			    kv_get(f, "back_from") : "");
			buf_puts(&loc, "&to=");
			buf_url_escape(&loc, kv_get(f, "back_to") ?
			    kv_get(f, "back_to") : "");
			buf_putc(&loc, '&');
		}
		buf_printf(&loc, "marked=%d", marked);
		resp_redirect(c->resp, 303, loc.ptr);
		buf_free(&loc);
		return;
	}
	free(refs);
	d = cJSON_CreateObject();
	page_in_error(c, d, &e);
	trace_page(c, e.status, d);
}
