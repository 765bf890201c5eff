/*
 * Where a newcomer starts reading.  The route table, grouped by feature
 * (one file of handlers/ each), then the one fixed sequence every
 * request follows:
 *
 *   route (404/405) -> body (415/413/400) -> session (401) -> role (403)
 *   -> CSRF (403) -> handler -> response
 *
 * Every answer of the sequence speaks through the catalogue, like the
 * handlers' own.  A new feature adds its file, its rows here (with the
 * prototypes of its handlers) and its statements in sql.def.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../fcgi/clock.h"
#include "../fcgi/log.h"
#include "../fcgi/metrics.h"
#include "../fcgi/router.h"
#include "checklog.h"
#include "retention.h"
#include "routes.h"
#include "session.h"
#include "valid.h"

/* Who may call a route. */
enum need {
	NEED_NONE,	/* anyone */
	NEED_USER,	/* a session */
	NEED_CHECKER,	/* a session with role checker */
	NEED_ADMIN	/* a session with role admin */
};

enum rflag {
	R_PAGE = 1 << 0,	/* HTML page: form bodies, CSRF, redirects */
	R_SESSION = 1 << 1,	/* look up the session even if not needed */
	R_CSV = 1 << 2		/* takes a text/csv body up to import_limit */
};

struct handler {
	struct route	  r;	/* first: the router reads it */
	void		(*fn)(struct ctx *);
	enum need	  need;
	unsigned	  flags;
};

#define GET(path, fn, need, flags)	{ { METHOD_GET, path }, fn, need, flags }
#define POST(path, fn, need, flags)	{ { METHOD_POST, path }, fn, need, flags }
#define PUT(path, fn, need, flags)	{ { METHOD_PUT, path }, fn, need, flags }
#define DELETE(path, fn, need, flags)	{ { METHOD_DELETE, path }, fn, need, flags }

/* home.c */
void page_home(struct ctx *);
void api_healthz(struct ctx *);
/* auth.c */
void api_otp(struct ctx *);
void api_login(struct ctx *);
void api_logout(struct ctx *);
void page_login(struct ctx *);
void page_login_post(struct ctx *);
void page_logout_post(struct ctx *);
/* wechat.c */
void api_auth_wechat(struct ctx *);
/* account.c */
void api_me(struct ctx *);
void api_me_delete(struct ctx *);
void page_account_delete(struct ctx *);
void page_account_delete_post(struct ctx *);
/* declare.c */
void api_declare(struct ctx *);
void api_declare_form(struct ctx *);
void page_declare(struct ctx *);
void page_declare_post(struct ctx *);
/* code.c */
void api_code(struct ctx *);
void api_code_svg(struct ctx *);
void api_code_png(struct ctx *);
void api_jwks(struct ctx *);
void page_code(struct ctx *);
void code_declare_metrics(void);
/* verify.c */
void api_verify(struct ctx *);
void api_verify_lookup(struct ctx *);
void page_verify(struct ctx *);
void page_verify_post(struct ctx *);
/* venues.c */
void api_venue_create(struct ctx *);
void api_venues(struct ctx *);
void api_venue(struct ctx *);
void api_venue_rotate(struct ctx *);
void api_venue_svg(struct ctx *);
void api_venue_png(struct ctx *);
void page_venues(struct ctx *);
void page_venues_post(struct ctx *);
void page_poster(struct ctx *);
void page_venue_rotate_post(struct ctx *);
/* checkin.c */
void api_checkin(struct ctx *);
void api_itinerary(struct ctx *);
void page_checkin(struct ctx *);
void page_checkin_post(struct ctx *);
void page_itinerary(struct ctx *);
/* cases.c */
void api_cases_import(struct ctx *);
void api_cases(struct ctx *);
void api_case_withdraw(struct ctx *);
void page_admin_cases(struct ctx *);
void page_admin_case_withdraw(struct ctx *);
/* riskareas.c */
void api_risk_areas(struct ctx *);
void api_risk_set(struct ctx *);
void api_risk_clear(struct ctx *);
void page_admin_risk(struct ctx *);
void page_admin_risk_post(struct ctx *);
void page_admin_risk_clear(struct ctx *);
/* auditlog.c */
void api_audit_verify(struct ctx *);
void api_audit_list(struct ctx *);
void page_admin_audit(struct ctx *);
/* appeals.c */
void api_appeal_create(struct ctx *);
void api_appeals(struct ctx *);
void api_admin_appeals(struct ctx *);
void api_admin_appeal_decide(struct ctx *);
void page_appeal(struct ctx *);
void page_appeal_post(struct ctx *);
void page_admin_appeals(struct ctx *);
void page_admin_appeal_decide(struct ctx *);
/* disputes.c */
void api_dispute_create(struct ctx *);
void api_disputes(struct ctx *);
void api_admin_disputes(struct ctx *);
void api_admin_dispute_decide(struct ctx *);
void api_notices_seen(struct ctx *);
void page_dispute(struct ctx *);
void page_dispute_post(struct ctx *);
void page_admin_disputes(struct ctx *);
void page_admin_dispute_decide(struct ctx *);
void page_notices_seen_post(struct ctx *);
/* trace.c */
void api_exposures(struct ctx *);
void api_case_exposures(struct ctx *);
void api_exposures_mark(struct ctx *);
void page_trace(struct ctx *);
void page_trace_mark(struct ctx *);
/* staff.c */
void api_checkers(struct ctx *);
void api_checker_put(struct ctx *);
void api_checker_delete(struct ctx *);
void page_checkers(struct ctx *);
void page_checkers_post(struct ctx *);
void page_checker_revoke_post(struct ctx *);
/* stats.c */
void api_stats(struct ctx *);
void api_stats_csv(struct ctx *);
void page_stats(struct ctx *);
/* metrics.c */
void api_metrics(struct ctx *);

static const struct handler routes[] = {
	/* home.c */
	GET("/healthz", api_healthz, NEED_NONE, 0),
	GET("/", page_home, NEED_NONE, R_PAGE | R_SESSION),
	/* auth.c */
	POST("/api/v1/auth/otp", api_otp, NEED_NONE, 0),
	POST("/api/v1/auth/login", api_login, NEED_NONE, 0),
	POST("/api/v1/auth/logout", api_logout, NEED_USER, 0),
	GET("/login", page_login, NEED_NONE, R_PAGE | R_SESSION),
	POST("/login", page_login_post, NEED_NONE, R_PAGE),
	POST("/logout", page_logout_post, NEED_NONE, R_PAGE | R_SESSION),
	/* wechat.c: 404 unless wechat_appid is set */
	POST("/api/v1/auth/wechat", api_auth_wechat, NEED_NONE, 0),
	/* account.c */
	GET("/api/v1/me", api_me, NEED_USER, 0),
	DELETE("/api/v1/me", api_me_delete, NEED_USER, 0),
	GET("/account/delete", page_account_delete, NEED_USER, R_PAGE),
	POST("/account/delete", page_account_delete_post, NEED_USER, R_PAGE),
	/* declare.c */
	POST("/api/v1/declarations", api_declare, NEED_USER, 0),
	GET("/api/v1/declarations/form", api_declare_form, NEED_USER, 0),
	GET("/declare", page_declare, NEED_USER, R_PAGE),
	POST("/declare", page_declare_post, NEED_USER, R_PAGE),
	/* code.c */
	GET("/api/v1/code", api_code, NEED_USER, 0),
	GET("/api/v1/code.svg", api_code_svg, NEED_USER, 0),
	GET("/api/v1/code.png", api_code_png, NEED_USER, 0),
	GET("/.well-known/jwks.json", api_jwks, NEED_NONE, 0),
	GET("/code", page_code, NEED_USER, R_PAGE),
	/* verify.c */
	POST("/api/v1/verify", api_verify, NEED_CHECKER, 0),
	POST("/api/v1/verify/lookup", api_verify_lookup, NEED_CHECKER, 0),
	GET("/v/{token}", page_verify, NEED_NONE, R_PAGE | R_SESSION),
	POST("/v/{token}", page_verify_post, NEED_CHECKER, R_PAGE),
	/* venues.c */
	POST("/api/v1/venues", api_venue_create, NEED_USER, 0),
	GET("/api/v1/venues", api_venues, NEED_USER, 0),
	GET("/api/v1/venues/{id}", api_venue, NEED_USER, 0),
	POST("/api/v1/venues/{id}/rotate", api_venue_rotate, NEED_USER, 0),
	GET("/api/v1/venues/{id}/qr.svg", api_venue_svg, NEED_USER, 0),
	GET("/api/v1/venues/{id}/qr.png", api_venue_png, NEED_USER, 0),
	GET("/venues", page_venues, NEED_USER, R_PAGE),
	POST("/venues", page_venues_post, NEED_USER, R_PAGE),
	GET("/venues/{id}/poster", page_poster, NEED_USER, R_PAGE),
	POST("/venues/{id}/rotate", page_venue_rotate_post, NEED_USER, R_PAGE),
	/* checkin.c; anonymous visitors are sent to sign in and back */
	POST("/api/v1/checkins", api_checkin, NEED_USER, 0),
	GET("/api/v1/itinerary", api_itinerary, NEED_USER, 0),
	GET("/c/{token}", page_checkin, NEED_NONE, R_PAGE | R_SESSION),
	POST("/c/{token}", page_checkin_post, NEED_USER, R_PAGE),
	GET("/itinerary", page_itinerary, NEED_USER, R_PAGE),
	/* cases.c; the import's page posts the file to the API */
	POST("/api/v1/admin/cases", api_cases_import, NEED_ADMIN, R_CSV),
	GET("/api/v1/admin/cases", api_cases, NEED_ADMIN, 0),
	DELETE("/api/v1/admin/cases/{id}", api_case_withdraw, NEED_ADMIN, 0),
	GET("/admin/cases", page_admin_cases, NEED_ADMIN, R_PAGE),
	POST("/admin/cases/{id}/withdraw", page_admin_case_withdraw, NEED_ADMIN, R_PAGE),
	/* riskareas.c */
	GET("/api/v1/admin/risk-areas", api_risk_areas, NEED_ADMIN, 0),
	PUT("/api/v1/admin/risk-areas/{region}", api_risk_set, NEED_ADMIN, 0),
	DELETE("/api/v1/admin/risk-areas/{region}", api_risk_clear, NEED_ADMIN, 0),
	GET("/admin/risk-areas", page_admin_risk, NEED_ADMIN, R_PAGE),
	POST("/admin/risk-areas", page_admin_risk_post, NEED_ADMIN, R_PAGE),
	POST("/admin/risk-areas/{region}/clear", page_admin_risk_clear, NEED_ADMIN, R_PAGE),
	/* auditlog.c */
	GET("/api/v1/admin/audit/verify", api_audit_verify, NEED_ADMIN, 0),
	GET("/api/v1/admin/audit", api_audit_list, NEED_ADMIN, 0),
	GET("/admin/audit", page_admin_audit, NEED_ADMIN, R_PAGE),
	/* appeals.c */
	POST("/api/v1/appeals", api_appeal_create, NEED_USER, 0),
	GET("/api/v1/appeals", api_appeals, NEED_USER, 0),
	GET("/api/v1/admin/appeals", api_admin_appeals, NEED_ADMIN, 0),
	POST("/api/v1/admin/appeals/{id}/decision", api_admin_appeal_decide, NEED_ADMIN, 0),
	GET("/appeal", page_appeal, NEED_USER, R_PAGE),
	POST("/appeal", page_appeal_post, NEED_USER, R_PAGE),
	GET("/admin/appeals", page_admin_appeals, NEED_ADMIN, R_PAGE),
	POST("/admin/appeals/{id}/decision", page_admin_appeal_decide, NEED_ADMIN, R_PAGE),
	/* disputes.c; notices are of moved identities */
	POST("/api/v1/disputes", api_dispute_create, NEED_USER, 0),
	GET("/api/v1/disputes", api_disputes, NEED_USER, 0),
	GET("/api/v1/admin/disputes", api_admin_disputes, NEED_ADMIN, 0),
	POST("/api/v1/admin/disputes/{id}/decision", api_admin_dispute_decide, NEED_ADMIN, 0),
	POST("/api/v1/notices/seen", api_notices_seen, NEED_USER, 0),
	GET("/dispute", page_dispute, NEED_USER, R_PAGE),
	POST("/dispute", page_dispute_post, NEED_USER, R_PAGE),
	GET("/admin/disputes", page_admin_disputes, NEED_ADMIN, R_PAGE),
	POST("/admin/disputes/{id}/decision", page_admin_dispute_decide, NEED_ADMIN, R_PAGE),
	POST("/notices/seen", page_notices_seen_post, NEED_USER, R_PAGE),
	/* trace.c */
	GET("/api/v1/admin/exposures", api_exposures, NEED_ADMIN, 0),
	GET("/api/v1/admin/cases/{id}/exposures", api_case_exposures, NEED_ADMIN, 0),
	POST("/api/v1/admin/exposures/mark", api_exposures_mark, NEED_ADMIN, 0),
	GET("/admin/trace", page_trace, NEED_ADMIN, R_PAGE),
	POST("/admin/trace/mark", page_trace_mark, NEED_ADMIN, R_PAGE),
	/* staff.c: checker is the only role given here */
	GET("/api/v1/admin/checkers", api_checkers, NEED_ADMIN, 0),
	PUT("/api/v1/admin/checkers/{phone}", api_checker_put, NEED_ADMIN, 0),
	DELETE("/api/v1/admin/checkers/{phone}", api_checker_delete, NEED_ADMIN, 0),
	GET("/admin/checkers", page_checkers, NEED_ADMIN, R_PAGE),
	POST("/admin/checkers", page_checkers_post, NEED_ADMIN, R_PAGE),
	POST("/admin/checkers/{phone}/revoke", page_checker_revoke_post, NEED_ADMIN, R_PAGE),
	/* stats.c */
	GET("/api/v1/admin/stats", api_stats, NEED_ADMIN, 0),
	GET("/api/v1/admin/stats.csv", api_stats_csv, NEED_ADMIN, 0),
	GET("/admin", page_stats, NEED_ADMIN, R_PAGE),
	/* metrics.c: metrics_allow only, 404 to anyone else */
	GET("/metrics", api_metrics, NEED_NONE, 0),
};

static int served = -1;	/* the row app_serve matched: for app_done */

/* An error of the sequence: the error page for pages, JSON for the API. */
static void
refuse(struct ctx *c, int page, int status, const char *code)
{
	if (page)
		page_error(c, status, code);
	else
		api_err(c, status, code);
}

/*
 * Whether a browser says another site made it send this request: its
 * Sec-Fetch-Site is not same-origin or none (a sibling subdomain is
 * same-site, and refused too), or its Origin is not public_base_url's.
 * Clients that send neither (the mini-program, curl) are not browsers.
 */
static int
cross_site(const struct ctx *c)
{
	const char *site = c->req->sec_fetch_site, *o = c->req->origin;
	const char *base = c->app->conf.public_base_url, *p;
	size_t n;

	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return 1;
	if (o == NULL)
		return 0;
	/* The origin of the base URL: up to the path, if any. */
	p = strstr(base, "://");
	p = p != NULL ? strchr(p + 3, '/') : NULL;
	n = p != NULL ? (size_t)(p - base) : strlen(base);
	return strlen(o) != n || strncasecmp(o, base, n) != 0;
}

/*
 * A 500 that came of the database being busy, read-only, full or failing
 * is the service being unavailable, not broken: 503 saying so (nothing was
 * saved: every write is one transaction), with a Retry-After.
 */
static void
storage_failure(struct ctx *c, int page)
{
	enum db_failure f;

	if (c->resp->status != 500 || (f = db_failure()) == DB_FAIL_NONE ||
	    f == DB_FAIL_OTHER)
		return;
	LOG("database %s: answered 503", f == DB_FAIL_BUSY ? "busy" :
	    f == DB_FAIL_READONLY ? "read-only" : f == DB_FAIL_FULL ?
	    "full" : "failing");
	refuse(c, page, 503, f == DB_FAIL_BUSY ? "busy" : f == DB_FAIL_FULL ?
	    "storage_full" : "storage_unavailable");
	resp_header(c->resp, "Retry-After", "%d", f == DB_FAIL_BUSY ? 1 : 60);
}

void
app_serve(void *arg, struct request *req, struct response *resp,
    struct server_io *io, const char **route)
{
	struct app *a = arg;
	struct ctx c;
	const struct handler *h;
	char *params;
	unsigned allow;
	enum ctype ct;
	int i, st;
	struct buf ab;

	memset(&c, 0, sizeof(c));
	c.app = a;
	c.req = req;
	c.resp = resp;
	c.now = clock_now();
	c.lang = ctx_lang(req);

	/* Its head refused (fcgi/server.c): the same answer, in our words. */
	if (req->refused) {
		api_err(&c, req->refused, resp->err_code);
		return;
	}
	if (req->method == METHOD__MAX) {
		api_err(&c, 405, "method_not_allowed");
		return;
	}
	params = ck_malloc(strlen(req->path) + 1);
	i = router_match(routes, NELEM(routes), sizeof(routes[0]),
	    req->method, req->path, params, req->params, &allow);
	if (i == ROUTE_NOT_FOUND) {
		refuse(&c, strncmp(req->path, "/api/", 5) != 0, 404,
		    "not_found");
		goto out;
	}
	if (i == ROUTE_BAD_METHOD) {
		buf_init(&ab);
		router_allow(allow, &ab);
		api_err(&c, 405, "method_not_allowed");
		resp_header(resp, "Allow", "%s", ab.ptr);
		buf_free(&ab);
		goto out;
	}
	h = &routes[i];
	*route = h->r.pattern;
	served = i;

	if (h->r.method == METHOD_POST || h->r.method == METHOD_PUT ||
	    h->r.method == METHOD_DELETE) {
		if (cross_site(&c)) {
			refuse(&c, h->flags & R_PAGE, 403, "cross_site");
			goto out;
		}
		/*
		 * Pages take forms; the API takes JSON (or a CSV), named even
		 * with no body, so that no form of another site can post to it.
		 */
		ct = ctype_parse(req->content_type);
		if ((h->flags & R_PAGE) ? ct != CTYPE_NONE && ct != CTYPE_FORM :
		    ct != ((h->flags & R_CSV) ? CTYPE_CSV : CTYPE_JSON)) {
			refuse(&c, h->flags & R_PAGE, 415,
			    "unsupported_media_type");
			goto out;
		}
		if ((st = server_read_body(io, req, resp, (size_t)((h->flags &
		    R_CSV) ? a->conf.import_limit : a->conf.body_limit))) != 0) {
			/* The same answer, in the request's language. */
			api_err(&c, st, resp->err_code);
			goto out;
		}
	}

	/* One snapshot for the request's reads, one WAL read lock. */
	db_read_begin(a->db);
	retention_check(&c);
	if (h->need != NEED_NONE || (h->flags & R_SESSION))
		session_read(&c);
	if (h->need != NEED_NONE && !c.authed) {
		if (h->flags & R_PAGE)
			page_to_login(&c, 0);
		else
			api_err(&c, 401, "unauthenticated");
		goto out;
	}
	if ((h->need == NEED_CHECKER && !(c.roles & ROLE_CHECKER)) ||
	    (h->need == NEED_ADMIN && !(c.roles & ROLE_ADMIN))) {
		refuse(&c, h->flags & R_PAGE, 403, "forbidden");
		goto out;
	}
	if ((h->flags & R_PAGE) && h->r.method == METHOD_POST &&
	    !page_csrf_ok(&c)) {
		page_error(&c, 403, "csrf");
		goto out;
	}
	db_failure_clear();
	h->fn(&c);
	storage_failure(&c, h->flags & R_PAGE);
out:
	db_read_end(a->db);
	free(params);
}

int
app_idle(void *arg, int now)
{
	struct app *a = arg;

	/* The WAL copied into the file here, not in a request's commit. */
	if (db_checkpoint_due(a->db))
		return 0;
	/* A claimed purge goes on between requests, one small batch each. */
	if (retention_step(a))
		return 0;
	return checklog_idle(a, now);
}

/*
 * The metrics of the request sequence (GET /metrics): requests by route
 * row and status, and their durations by route row.  A request that
 * matched no row counts as method and route "-".
 */
static const int statuses[] = {
	200, 201, 202, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405,
	409, 410, 413, 414, 415, 422, 429, 431, 500, 502, 503, 504
};
#define NSTATUSES	(NELEM(statuses) + 1)	/* and "other" */
static int m_requests = -1, m_duration = -1;

int
app_metrics(struct app *a, int create, struct buf *err)
{
	static const char **rows, *codes[NSTATUSES];
	struct buf b;
	size_t i;

	if (rows == NULL) {
		/* Made once, kept for the life of the process. */
		rows = ck_calloc(NELEM(routes) + 1, sizeof(*rows));
		for (i = 0; i <= NELEM(routes); i++) {
			buf_init(&b);
			metrics_label_set(&b, "method", i < NELEM(routes) ?
			    method_name(routes[i].r.method) : "-");
			buf_putc(&b, ',');
			metrics_label_set(&b, "route", i < NELEM(routes) ?
			    routes[i].r.pattern : "-");
			rows[i] = b.ptr;
		}
		for (i = 0; i < NSTATUSES; i++) {
			buf_init(&b);
			if (i < NELEM(statuses))
				buf_printf(&b, "status=\"%d\"", statuses[i]);
			else
				buf_puts(&b, "status=\"other\"");
			codes[i] = b.ptr;
		}
	}
	metrics_begin("healthcode_");
	m_requests = metrics_declare("requests_total", "Requests answered, "
	    "by route pattern and status.", METRIC_COUNTER, rows,
	    NELEM(routes) + 1, codes, NSTATUSES);
	m_duration = metrics_declare("request_duration_seconds", "Time from "
	    "accepting a request to having answered it, by route pattern.",
	    METRIC_HISTOGRAM, rows, NELEM(routes) + 1, NULL, 0);
	db_declare_metrics();
	code_declare_metrics();
	checklog_declare_metrics();
	retention_declare_metrics();
	return metrics_open(a->conf.metrics_file, create, err);
}

void
app_done(void *arg, const char *route, int status, double ms)
{
	size_t row = NELEM(routes), k;

	(void)arg;
	if (served >= 0 && route == routes[served].r.pattern)
		row = (size_t)served;
	served = -1;
	for (k = 0; k < NELEM(statuses) && statuses[k] != status; k++)
		;
	metrics_add(m_requests, row, k, 1);
	metrics_observe(m_duration, row, (uint64_t)(ms * 1000.0));
}
