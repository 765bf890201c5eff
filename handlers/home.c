/* The home page, and the health check the web server and balancer poll. */
#include <stdio.h>

#include "notice.h"
#include "valid.h"

/* GET /: the home page (with the account's notices) when signed in, else 302 /login. */
void
page_home(struct ctx *c)
{
	cJSON *d, *notices;

	if (!c->authed) {
		page_to_login(c, 0);
		return;
	}
	if ((notices = notices_json(c, 1)) == NULL) {
		page_error(c, 500, "internal");
		return;
	}
	d = cJSON_CreateObject();
	cJSON_AddBoolToObject(d, "has_notices", cJSON_GetArraySize(notices) > 0);
	cJSON_AddItemToObject(d, "notices", notices);
	if (c->roles)
		cJSON_AddBoolToObject(d, "has_roles", 1);
	if (c->roles & ROLE_ADMIN)
		cJSON_AddBoolToObject(d, "is_admin", 1);
	cJSON_AddItemToObject(d, "roles", ctx_roles(c, 1));
	page_render(c, 200, "home.html", "home_title", d);
}

/* GET /healthz: 200 {"ok":true,"schema":N}. */
void
api_healthz(struct ctx *c)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"ok\":true,\"schema\":%d}",
	    c->app->schema);
	resp_json(c->resp, 200, body);
}
