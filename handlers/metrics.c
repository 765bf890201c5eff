/*
 * GET /metrics: what every worker counted (fcgi/metrics.c), in the
 * Prometheus text format, for the addresses of metrics_allow only.  The
 * series are laid out by routes.c (app_metrics), the product's counters
 * by the files that count them (code.c, checklog.c, retention.c); no
 * label holds anything of a request but its route pattern and status.
 */
#include "../fcgi/metrics.h"
#include "ctx.h"

/*
 * GET /metrics: 200 text/plain (version 0.0.4) to an address on
 * metrics_allow; to any other, the 404 of an unknown path.
 */
void
api_metrics(struct ctx *c)
{
	if (!acl_match(&c->app->metrics_allow, c->req->remote_addr)) {
		page_error(c, 404, "not_found");
		return;
	}
	c->resp->status = 200;
	c->resp->ctype = "text/plain; version=0.0.4; charset=utf-8";
	metrics_render(&c->resp->body);
}
