/*
 * The application: configuration, opening the database, and the one
 * fixed sequence every request follows:
 * route (404/405) -> body (413/415/400) -> session (401/403) -> CSRF
 * (403) -> handler -> response.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/hmac.h>

#include "../fcgi/clock.h"
#include "../fcgi/config.h"
#include "../fcgi/log.h"
#include "../fcgi/migrate.h"
#include "../fcgi/router.h"
#include "../fcgi/validate.h"
#include "app.h"

static const struct cfg_def cfg_defs[CFG__MAX] = {
	[CFG_DATA_DIR] = { "data_dir", "var" },
	[CFG_DB_PATH] = { "db_path", "${data_dir}/healthcode.db" },
	[CFG_SESSION_KEY_FILE] = { "session_key_file",
	    "${data_dir}/session.key" },
	[CFG_ID_KEY_FILE] = { "id_key_file", "${data_dir}/id-hmac.key" },
	[CFG_PUBLIC_BASE_URL] = { "public_base_url", "http://127.0.0.1:8080" },
	[CFG_REGION] = { "region", "330100" },
	[CFG_TIMEZONE] = { "timezone", "Asia/Shanghai" },
	[CFG_DAY_CUTOFF] = { "day_cutoff", "00:00" },
	[CFG_BODY_LIMIT] = { "body_limit", "65536" },
	[CFG_OTP_TTL] = { "otp_ttl", "300" },
	[CFG_OTP_MAX_ATTEMPTS] = { "otp_max_attempts", "5" },
	[CFG_OTP_RESEND_INTERVAL] = { "otp_resend_interval", "60" },
	[CFG_OTP_IP_HOURLY] = { "otp_ip_hourly", "10" },
	[CFG_SMS_COMMAND] = { "sms_command", "" },
	[CFG_SMS_OUTBOX] = { "sms_outbox", "${data_dir}/sms-outbox.log" },
	[CFG_LOG_FILE] = { "log_file", "" },
	[CFG_KEYS_DIR] = { "keys_dir", "${data_dir}/keys" },
	[CFG_CODE_TTL] = { "code_ttl", "300" },
	[CFG_FEVER_THRESHOLD] = { "fever_threshold", "37.3" },
	[CFG_RULES_WINDOW_DAYS] = { "rules_window_days", "14" },
	[CFG_RED_CLEAR_DAYS] = { "red_clear_days", "14" },
	[CFG_YELLOW_CLEAR_DAYS] = { "yellow_clear_days", "7" },
	[CFG_TRUSTED_ISSUERS] = { "trusted_issuers", "" },
	[CFG_LOOKUP_HOURLY] = { "lookup_hourly", "60" },
	[CFG_RETENTION_OTP_MINUTES] = { "retention_otp_minutes", "10" },
	[CFG_RETENTION_DECLARATIONS_DAYS] = { "retention_declarations_days",
	    "14" },
	[CFG_RETENTION_CHECKINS_DAYS] = { "retention_checkins_days", "14" },
	[CFG_RETENTION_VERIFICATIONS_DAYS] = { "retention_verifications_days",
	    "14" },
	[CFG_RETENTION_CASES_DAYS] = { "retention_cases_days", "28" },
	[CFG_RETENTION_INACTIVE_DAYS] = { "retention_inactive_days", "90" },
};

/* Route requirements. */
enum need {
	NEED_NONE,	/* anyone */
	NEED_USER,	/* a session */
	NEED_CHECKER,	/* a session with role checker */
	NEED_ADMIN	/* a session with role admin */
};

enum rflag {
	R_PAGE = 1 << 0,	/* HTML page: form bodies, CSRF, redirects */
	R_SESSION = 1 << 1	/* look up the session even if not needed */
};

struct handler {
	struct route	  r;	/* first: the router reads it */
	void		(*fn)(struct ctx *);
	enum need	  need;
	unsigned	  flags;
};

static const struct handler routes[] = {
	{ { METHOD_GET, "/healthz" }, api_healthz, NEED_NONE, 0 },
	{ { METHOD_POST, "/api/v1/auth/otp" }, api_otp, NEED_NONE, 0 },
	{ { METHOD_POST, "/api/v1/auth/login" }, api_login, NEED_NONE, 0 },
	{ { METHOD_POST, "/api/v1/auth/logout" }, api_logout, NEED_USER, 0 },
	{ { METHOD_GET, "/api/v1/me" }, api_me, NEED_USER, 0 },
	{ { METHOD_POST, "/api/v1/declarations" }, api_declare, NEED_USER, 0 },
	{ { METHOD_GET, "/api/v1/code" }, api_code, NEED_USER, 0 },
	{ { METHOD_GET, "/api/v1/code.svg" }, api_code_svg, NEED_USER, 0 },
	{ { METHOD_GET, "/api/v1/code.png" }, api_code_png, NEED_USER, 0 },
	{ { METHOD_GET, "/.well-known/jwks.json" }, api_jwks, NEED_NONE, 0 },
	{ { METHOD_GET, "/declare" }, page_declare, NEED_USER, R_PAGE },
	{ { METHOD_POST, "/declare" }, page_declare_post, NEED_USER, R_PAGE },
	{ { METHOD_GET, "/code" }, page_code, NEED_USER, R_PAGE },
	{ { METHOD_POST, "/api/v1/verify" }, api_verify, NEED_CHECKER, 0 },
	{ { METHOD_POST, "/api/v1/verify/lookup" }, api_verify_lookup,
	    NEED_CHECKER, 0 },
	{ { METHOD_GET, "/v/{token}" }, page_verify, NEED_NONE,
	    R_PAGE | R_SESSION },
	/* account.c: add routes below this line */
	{ { METHOD_DELETE, "/api/v1/me" }, api_me_delete, NEED_USER, 0 },
	{ { METHOD_GET, "/account/delete" }, page_account_delete, NEED_USER,
	    R_PAGE },
	{ { METHOD_POST, "/account/delete" }, page_account_delete_post,
	    NEED_USER, R_PAGE },
	/* venues.c: add routes below this line */
	{ { METHOD_POST, "/api/v1/venues" }, api_venue_create, NEED_USER, 0 },
	{ { METHOD_GET, "/api/v1/venues" }, api_venues, NEED_USER, 0 },
	{ { METHOD_GET, "/api/v1/venues/{id}" }, api_venue, NEED_USER, 0 },
	{ { METHOD_POST, "/api/v1/venues/{id}/rotate" }, api_venue_rotate,
	    NEED_USER, 0 },
	{ { METHOD_GET, "/api/v1/venues/{id}/qr.svg" }, api_venue_svg,
	    NEED_USER, 0 },
	{ { METHOD_GET, "/api/v1/venues/{id}/qr.png" }, api_venue_png,
	    NEED_USER, 0 },
	{ { METHOD_POST, "/api/v1/checkins" }, api_checkin, NEED_USER, 0 },
	{ { METHOD_GET, "/api/v1/itinerary" }, api_itinerary, NEED_USER, 0 },
	{ { METHOD_GET, "/venues" }, page_venues, NEED_USER, R_PAGE },
	{ { METHOD_POST, "/venues" }, page_venues_post, NEED_USER, R_PAGE },
	{ { METHOD_GET, "/venues/{id}/poster" }, page_poster, NEED_USER,
	    R_PAGE },
	{ { METHOD_POST, "/venues/{id}/rotate" }, page_venue_rotate_post,
	    NEED_USER, R_PAGE },
	/* Anonymous visitors are sent to sign in and back (the handler). */
	{ { METHOD_GET, "/c/{token}" }, page_checkin, NEED_NONE,
	    R_PAGE | R_SESSION },
	{ { METHOD_POST, "/c/{token}" }, page_checkin_post, NEED_USER, R_PAGE },
	{ { METHOD_GET, "/itinerary" }, page_itinerary, NEED_USER, R_PAGE },
	{ { METHOD_GET, "/" }, page_home, NEED_NONE, R_PAGE | R_SESSION },
	{ { METHOD_GET, "/login" }, page_login, NEED_NONE, R_PAGE | R_SESSION },
	{ { METHOD_POST, "/login" }, page_login_post, NEED_NONE, R_PAGE },
	{ { METHOD_POST, "/logout" }, page_logout_post, NEED_NONE,
	    R_PAGE | R_SESSION },
};

void
app_mac(const unsigned char key[32], const char *domain, const char *value,
    char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = sizeof(md);
	struct buf in, hex;

	/* Domain-separated, so one key serves several purposes safely. */
	buf_init(&in);
	buf_printf(&in, "%s:%s", domain, value);
	if (HMAC(EVP_sha256(), key, 32, (const unsigned char *)in.ptr, in.len,
	    md, &mdlen) == NULL) {
		fputs("fatal: HMAC failed\n", stderr);
		abort();
	}
	explicit_bzero(in.ptr, in.len);
	buf_free(&in);
	buf_init(&hex);
	hex_encode(&hex, md, sizeof(md));
	memcpy(out, hex.ptr, 65);
	buf_free(&hex);
}

int
app_read_secret(const char *path, unsigned char key[32], struct buf *err)
{
	struct buf b;
	size_t i, n;
	int hi, lo;

	buf_init(&b);
	if (read_file(path, &b) == -1) {
		buf_printf(err, "%s: %s (run \"healthcodectl init\" to create "
		    "the secrets)", path, strerror(errno));
		buf_free(&b);
		return -1;
	}
	for (n = b.len; n > 0 && (b.ptr[n - 1] == '\n' || b.ptr[n - 1] ==
	    '\r'); n--)
		;
	if (n != 64)
		goto bad;
	for (i = 0; i < 32; i++) {
		hi = b.ptr[2 * i];
		lo = b.ptr[2 * i + 1];
#define HX(c) ((c) >= '0' && (c) <= '9' ? (c) - '0' : \
	(c) >= 'a' && (c) <= 'f' ? (c) - 'a' + 10 : -1)
		if (HX(hi) < 0 || HX(lo) < 0)
			goto bad;
		key[i] = (unsigned char)(HX(hi) << 4 | HX(lo));
#undef HX
	}
	explicit_bzero(b.ptr, b.len);
	buf_free(&b);
	return 0;
bad:
	explicit_bzero(b.ptr, b.len);
	buf_free(&b);
	buf_printf(err, "%s: expected 64 hex digits", path);
	return -1;
}

static int
cfg_num(struct app *a, enum cfg k, long long min, long long max,
    long long *out, struct buf *err)
{
	if (config_int(a->cfg[k], min, max, out) == -1) {
		buf_printf(err, "config: %s must be an integer in %lld..%lld",
		    cfg_defs[k].key, min, max);
		return -1;
	}
	return 0;
}

/* Reads the colour rules' thresholds and day counts. */
static int
rules_config(struct app *a, struct buf *err)
{
	const char *f = a->cfg[CFG_FEVER_THRESHOLD];
	long long v;
	char *end;
	double t;

	a->rules = rules_default();
	t = strtod(f, &end);
	if (*f == '\0' || *end != '\0' || !(t >= 35.0 && t <= 42.0)) {
		buf_puts(err, "config: fever_threshold must be 35.0..42.0");
		return -1;
	}
	a->rules.fever_tenths = (int)(t * 10.0 + 0.5);
	if (cfg_num(a, CFG_RULES_WINDOW_DAYS, 1, 60, &v, err))
		return -1;
	a->rules.window_days = (int)v;
	if (cfg_num(a, CFG_RED_CLEAR_DAYS, 1, 60, &v, err))
		return -1;
	a->rules.red_clear_days = (int)v;
	if (cfg_num(a, CFG_YELLOW_CLEAR_DAYS, 1, 60, &v, err))
		return -1;
	a->rules.yellow_clear_days = (int)v;
	snprintf(a->rules_id, sizeof(a->rules_id), "%d/%d/%d/%d",
	    a->rules.fever_tenths, a->rules.window_days,
	    a->rules.red_clear_days, a->rules.yellow_clear_days);
	return 0;
}

int
app_config(struct app *a, struct buf *err)
{
	if (config_load(cfg_defs, CFG__MAX, getenv("HC_CONFIG"), a->cfg,
	    err) == -1)
		return -1;
	if (clock_init(a->cfg[CFG_TIMEZONE], a->cfg[CFG_DAY_CUTOFF], err) ||
	    cfg_num(a, CFG_BODY_LIMIT, 1024, 16 << 20, &a->body_limit, err) ||
	    cfg_num(a, CFG_OTP_TTL, 30, 600, &a->otp_ttl, err) ||
	    cfg_num(a, CFG_OTP_MAX_ATTEMPTS, 1, 20, &a->otp_max_attempts,
	    err) ||
	    cfg_num(a, CFG_OTP_RESEND_INTERVAL, 0, 3600, &a->otp_resend, err) ||
	    cfg_num(a, CFG_OTP_IP_HOURLY, 1, 1000000, &a->otp_ip_hourly, err))
		return -1;
	for (int i = 0; i < 6; i++)
		if (cfg_num(a, CFG_RETENTION_OTP_MINUTES + i, 1, 3650,
		    &a->keep[i], err))
			return -1;
	if (cfg_num(a, CFG_CODE_TTL, 30, 3600, &a->code_ttl, err) ||
	    cfg_num(a, CFG_LOOKUP_HOURLY, 1, 100000, &a->lookup_hourly, err) ||
	    rules_config(a, err))
		return -1;
	if (!v_digits(a->cfg[CFG_REGION], 6, 6)) {
		buf_puts(err, "config: region must be a six-digit GB/T 2260 "
		    "code");
		return -1;
	}
	a->cookie_secure = strncmp(a->cfg[CFG_PUBLIC_BASE_URL], "https://",
	    8) == 0;
	return 0;
}

/*
 * Loads the trust list: "REGION=JWKS-FILE" entries separated by commas or
 * spaces.  Their codes verify here offline with these keys.
 */
static int
load_trusted(struct app *a, struct buf *err)
{
	char *list = ck_strdup(a->cfg[CFG_TRUSTED_ISSUERS]), *tok, *save, *eq;
	struct buf json;
	struct issuer *is;
	int rc = -1;

	buf_init(&json);
	for (tok = strtok_r(list, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if ((eq = strchr(tok, '=')) == NULL || eq - tok != 6 ||
		    (*eq = '\0', !v_digits(tok, 6, 6))) {
			buf_printf(err, "config: trusted_issuers: expected "
			    "REGION=JWKS-FILE, not \"%s\"", tok);
			goto out;
		}
		if (strcmp(tok, a->cfg[CFG_REGION]) == 0) {
			buf_puts(err, "config: trusted_issuers names our own "
			    "region");
			goto out;
		}
		buf_reset(&json);
		if (read_file(eq + 1, &json) == -1) {
			buf_printf(err, "config: trusted_issuers: %s: %s",
			    eq + 1, strerror(errno));
			goto out;
		}
		a->trusted = ck_realloc(a->trusted, (a->ntrusted + 1) *
		    sizeof(*a->trusted));
		is = &a->trusted[a->ntrusted++];
		memset(is, 0, sizeof(*is));
		memcpy(is->region, tok, 7);
		if (keyring_load_jwks(&is->keys, json.ptr, json.len, err) == -1) {
			buf_printf(err, " in %s", eq + 1);
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&json);
	free(list);
	return rc;
}

/* Reads the region and country lists the forms offer, once per worker. */
static int
load_options(struct app *a, struct buf *err)
{
	struct db_stmt *s;
	const char *name;
	cJSON *o;
	struct buf label;
	int rc;

	/* Cities (level 2) with their province; placeholders keep the province. */
	s = db_prepare(a->db, "SELECT c.code, p.name, c.name FROM regions c "
	    "JOIN regions p ON p.code = c.parent WHERE c.level = 2 "
	    "ORDER BY c.code", err);
	if (s == NULL)
		return -1;
	a->region_options = cJSON_CreateArray();
	buf_init(&label);
	while ((rc = db_step(s)) == DB_ROW) {
		name = db_col_text(s, 2);
		buf_reset(&label);
		buf_puts(&label, db_col_text(s, 1));
		if (strcmp(name, "市辖区") != 0 && strcmp(name, "县") != 0 &&
		    strstr(name, "直辖") == NULL) {
			buf_putc(&label, ' ');
			buf_puts(&label, name);
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", db_col_text(s, 0));
		cJSON_AddStringToObject(o, "label", label.ptr);
		cJSON_AddItemToArray(a->region_options, o);
	}
	buf_free(&label);
	db_finalize(s);
	if (rc == DB_ERR)
		return -1;
	s = db_prepare(a->db, "SELECT alpha3, name FROM countries ORDER BY "
	    "name", err);
	if (s == NULL)
		return -1;
	a->country_options = cJSON_CreateArray();
	while ((rc = db_step(s)) == DB_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", db_col_text(s, 0));
		cJSON_AddStringToObject(o, "label", db_col_text(s, 1));
		cJSON_AddItemToArray(a->country_options, o);
	}
	db_finalize(s);
	return rc == DB_ERR ? -1 : 0;
}

int
app_open(struct app *a, int server, struct buf *err)
{
	struct buf pending;
	const struct embed_file *t;
	size_t i;
	int n;

	if ((a->db = db_open(a->cfg[CFG_DB_PATH], err)) == NULL)
		return -1;
	if (!server)
		return 0;
	if (app_read_secret(a->cfg[CFG_SESSION_KEY_FILE], a->session_key,
	    err) == -1 || app_read_secret(a->cfg[CFG_ID_KEY_FILE], a->id_key,
	    err) == -1)
		return -1;
	if (keyring_load_dir(&a->keys, a->cfg[CFG_KEYS_DIR], err) == -1)
		return -1;
	if (load_trusted(a, err) == -1)
		return -1;
	if (keyring_signer(&a->keys) == NULL) {
		buf_printf(err, "keys: no signing key in %s (run \"healthcodectl "
		    "keygen\")", a->cfg[CFG_KEYS_DIR]);
		return -1;
	}
	buf_init(&pending);
	keyring_jwks(&a->keys, &pending);
	a->jwks = ck_strdup(pending.ptr);
	buf_free(&pending);
	buf_init(&pending);
	n = migrate_check(a->db, migrations, migrations_count, &pending, err);
	if (n != 0) {
		if (n > 0)
			buf_printf(err, "database %s has %d pending "
			    "migration(s): %s; run \"healthcodectl migrate\"",
			    a->cfg[CFG_DB_PATH], n, pending.ptr);
		buf_free(&pending);
		return -1;
	}
	buf_free(&pending);
	a->schema = migrate_version(a->db);
	if (db_prepare_all(a->db, sql_stmts, SQL__MAX, err) == -1 ||
	    load_options(a, err) == -1)
		return -1;

	a->tmpl = tmpl_set_new();
	for (i = 0; i < templates_count; i++) {
		t = &templates[i];
		if (strcmp(t->name, "zh.json") == 0 ||
		    strcmp(t->name, "en.json") == 0) {
			cJSON **slot = &a->i18n[t->name[0] == 'e' ? LANG_EN :
			    LANG_ZH];
			if ((*slot = cJSON_ParseWithLength(t->data, t->len)) ==
			    NULL) {
				buf_printf(err, "templates: %s: bad JSON",
				    t->name);
				return -1;
			}
			continue;
		}
		if (tmpl_set_add(a->tmpl, t->name, t->data, t->len, err) == -1)
			return -1;
	}
	if (a->i18n[LANG_ZH] == NULL || a->i18n[LANG_EN] == NULL) {
		buf_puts(err, "templates: zh.json and en.json are required");
		return -1;
	}
	return 0;
}

int
app_idle(void *app, int now)
{
	/* A claimed purge goes on between requests, one small batch each. */
	if (retention_step(app))
		return 0;
	return verify_idle(app, now);
}

void
app_close(struct app *a)
{
	if (a->db != NULL)
		verify_flush(a);
	db_close(a->db);
	tmpl_set_free(a->tmpl);
	cJSON_Delete(a->i18n[LANG_ZH]);
	cJSON_Delete(a->i18n[LANG_EN]);
	cJSON_Delete(a->region_options);
	cJSON_Delete(a->country_options);
	keyring_free(&a->keys);
	free(a->jwks);
	for (size_t i = 0; i < a->ntrusted; i++)
		keyring_free(&a->trusted[i].keys);
	free(a->trusted);
	config_free(a->cfg, CFG__MAX);
	explicit_bzero(a->session_key, sizeof(a->session_key));
	explicit_bzero(a->id_key, sizeof(a->id_key));
}

void
api_error(struct ctx *c, int status, const char *code, const char *message)
{
	resp_error(c->resp, status, code, message);
}

void
api_input_error(struct ctx *c, int status, const char *code,
    const char *field, const char *msg_key)
{
	struct buf m;

	buf_init(&m);
	if (strcmp(code, "missing_field") == 0)
		buf_printf(&m, "%s is required", field);
	else if (strcmp(code, "wrong_type") == 0)
		buf_printf(&m, "%s has the wrong type", field);
	else
		buf_puts(&m, page_msg(c, msg_key != NULL ? msg_key : code));
	resp_error(c->resp, status, code, m.ptr);
	buf_free(&m);
}

void
api_field_error(struct ctx *c, int why, const char *field)
{
	struct buf code;

	switch (why) {
	case FIELD_MISSING:
		api_input_error(c, 400, "missing_field", field, NULL);
		break;
	case FIELD_TYPE:
		api_input_error(c, 400, "wrong_type", field, NULL);
		break;
	default:
		buf_init(&code);
		buf_printf(&code, "invalid_%s", field);
		api_input_error(c, 400, code.ptr, field, NULL);
		/* err_code must outlive the buffer: the log gets the kind. */
		c->resp->err_code = "invalid_field";
		buf_free(&code);
		break;
	}
}

void
api_json(struct ctx *c, int status, const cJSON *body)
{
	char *s = cJSON_PrintUnformatted(body);

	resp_json(c->resp, status, s ? s : "{}");
	cJSON_free(s);
}

/* Picks the language: hc_lang cookie, else Accept-Language, else Chinese. */
static enum lang
pick_lang(const struct request *r)
{
	const char *l = kv_get(&r->cookies, "hc_lang");

	if (l != NULL)
		return strcmp(l, "en") == 0 ? LANG_EN : LANG_ZH;
	l = r->accept_language;
	if (l != NULL && strncasecmp(l, "en", 2) == 0)
		return LANG_EN;
	return LANG_ZH;
}

static void
not_found(struct ctx *c)
{
	if (strncmp(c->req->path, "/api/", 5) == 0)
		resp_error(c->resp, 404, "not_found", "no such resource");
	else
		page_not_found(c);
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
	int i;
	struct buf ab;

	memset(&c, 0, sizeof(c));
	c.app = a;
	c.req = req;
	c.resp = resp;
	c.now = clock_now();
	c.lang = pick_lang(req);

	if (req->method == METHOD__MAX) {
		resp_error(resp, 405, "method_not_allowed", "unknown method");
		return;
	}
	params = ck_malloc(strlen(req->path) + 1);
	i = router_match(routes, NELEM(routes), sizeof(routes[0]),
	    req->method, req->path, params, req->params, &allow);
	if (i == ROUTE_NOT_FOUND) {
		not_found(&c);
		goto out;
	}
	if (i == ROUTE_BAD_METHOD) {
		buf_init(&ab);
		router_allow(allow, &ab);
		resp_error(resp, 405, "method_not_allowed",
		    "method not allowed here");
		resp_header(resp, "Allow", "%s", ab.ptr);
		buf_free(&ab);
		goto out;
	}
	h = &routes[i];
	*route = h->r.pattern;

	if (h->r.method == METHOD_POST || h->r.method == METHOD_PUT ||
	    h->r.method == METHOD_DELETE) {
		/* Pages take forms, the API takes JSON: no cross-site JSON posts. */
		ct = ctype_parse(req->content_type);
		if (ct != CTYPE_NONE && ct != ((h->flags & R_PAGE) ?
		    CTYPE_FORM : CTYPE_JSON)) {
			if (h->flags & R_PAGE)
				page_error(&c, 415, "unsupported_media_type");
			else
				resp_error(resp, 415, "unsupported_media_type",
				    "send application/json");
			goto out;
		}
		if (server_read_body(io, req, resp, (size_t)a->body_limit))
			goto out;
	}

	/* One snapshot for the request's reads, one WAL read lock. */
	db_read_begin(a->db);
	retention_check(&c);
	if (h->need != NEED_NONE || (h->flags & R_SESSION))
		auth_session(&c);
	if (h->need != NEED_NONE && !c.authed) {
		if (h->flags & R_PAGE)
			resp_redirect(resp, 302, "/login");
		else
			resp_error(resp, 401, "unauthenticated",
			    "sign in first");
		goto out;
	}
	if ((h->need == NEED_CHECKER && !(c.roles & ROLE_CHECKER)) ||
	    (h->need == NEED_ADMIN && !(c.roles & ROLE_ADMIN))) {
		resp_error(resp, 403, "forbidden", "your role does not allow "
		    "this");
		goto out;
	}
	if ((h->flags & R_PAGE) && h->r.method == METHOD_POST &&
	    !page_csrf_ok(&c)) {
		page_error(&c, 403, "csrf");
		goto out;
	}
	h->fn(&c);
out:
	db_read_end(a->db);
	free(params);
}
