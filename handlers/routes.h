/* The request entry point and the idle hook the FastCGI loop calls. */
#ifndef HC_ROUTES_H
#define HC_ROUTES_H

#include "../fcgi/server.h"
#include "ctx.h"

/* The server's request entry point (server_fn): the fixed sequence. */
void app_serve(void *app, struct request *req, struct response *resp,
    struct server_io *io, const char **route);
/* The server's idle hook (server_idle_fn): the purge, the check records. */
int app_idle(void *app, int now);
/* The server's hook after each answer (server_done_fn): its metrics. */
void app_done(void *app, const char *route, int status, double ms);
/*
 * Declares every metric (the request sequence's, the database's, the
 * product's) and maps the shared file (create: make it if missing).
 * Returns 0 or -1 with err.
 */
int app_metrics(struct app *a, int create, struct buf *err);

#endif
