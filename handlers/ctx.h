/*
 * The bottom floor of handlers/: what every file of the product shares.
 * The configuration as typed fields (struct conf), the state of a worker
 * (struct app), the request being served (struct ctx), and the answers:
 * JSON, pages, input errors, the message catalogue, CSRF, language, and
 * the URLs we hand out.  It calls only fcgi/ and the pure files.
 *
 * The floors (docs/architecture.md), each calling only those below it:
 *   main.c ctl.c               the programs
 *   routes.c boot.c            the request sequence; start-up
 *   auth.c home.c declare.c code.c verify.c venues.c checkin.c account.c
 *   the console's cases.c riskareas.c trace.c staff.c stats.c appeals.c
 *   disputes.c auditlog.c wechat.c metrics.c
 *                              features: the api_* and page_* of one thing
 *   session.c person.c colour.c checklog.c ratelimit.c retention.c audit.c
 *   notice.c roles.c           services: no handlers in them
 *   ctx.c phone.c              this file; phone numbers as accounts keep them
 *   rules.c ident.c valid.c sql.c wxparse.c   pure rules, statement
 *                              texts, WeChat's answers parsed
 *
 * Return conventions, one per floor:
 * - pure files: 1/0 for a test (valid_*, *_valid), an enum for a parse
 *   (..._parse returns the __MAX sentinel or -1 for "not one").
 * - services: a lookup returns 1 found, 0 not found, -1 database error
 *   (logged by db.c); an operation that may refuse its input returns 0 or
 *   the HTTP status to answer with, and fills a struct in_err (status 500
 *   is a database or internal error, already logged).
 * - features (api_*, page_*): return nothing; they answer through
 *   api_json / api_err / api_in_error or page_render / page_error /
 *   resp_redirect, every status listed in the comment above each.
 */
#ifndef HC_CTX_H
#define HC_CTX_H

#include <stdint.h>
#include <time.h>

#include <cJSON.h>

#include "../fcgi/acl.h"
#include "../fcgi/db.h"
#include "../fcgi/embed.h"
#include "../fcgi/keyring.h"
#include "../fcgi/request.h"
#include "../fcgi/response.h"
#include "../fcgi/tmpl.h"
#include "../fcgi/util.h"
#include "../fcgi/validate.h"
#include "rules.h"
#include "sql.h"

/* The configuration, read and checked once by boot.c (docs/config.md). */
struct conf {
	const char	*data_dir;
	const char	*db_path;
	const char	*session_key_file;
	const char	*id_key_file;
	const char	*phone_key_file;	/* seals the accounts' phones */
	const char	*public_base_url;
	char		 region[7];	/* our GB/T 2260 code */
	const char	*timezone;
	const char	*day_cutoff;
	long long	 body_limit;
	long long	 body_timeout;	/* seconds a request's body may take */
	long long	 otp_ttl;
	long long	 otp_max_attempts;
	long long	 otp_resend;
	long long	 otp_ip_hourly;
	long long	 otp_phone_hourly;	/* codes to one phone an hour */
	long long	 otp_phone_daily;	/* and a day */
	long long	 otp_fail_daily;	/* wrong codes for one phone a day */
	long long	 login_ip_hourly;	/* sign-in tries per address an hour */
	const char	*sms_command;
	const char	*sms_outbox;
	int		 development;	/* a development server: the outbox */
	const char	*log_file;
	const char	*keys_dir;
	long long	 code_ttl;
	struct rules_cfg rules;
	char		 rules_id[48];	/* the rules configuration, for the colour cache */
	const char	*trusted_issuers;
	long long	 lookup_hourly;
	long long	 lookup_ip_hourly;	/* lookups per address an hour */
	long long	 identity_daily;	/* identity tries per account a day */
	long long	 import_limit;	/* bytes of a case-list body */
	long long	 import_rows_max;
	long long	 trace_window_minutes;	/* co-visit: +- around a visit */
	long long	 trace_days;	/* a case's visits traced back */
	long long	 appeal_override_days;	/* an override ends by today + this */
	const char	*wechat_appid;	/* empty: no sign-in with WeChat */
	const char	*wechat_secret_file;
	const char	*wechat_api_base;
	long long	 wechat_timeout_ms;
	const char	*metrics_file;	/* the counters all workers share */
	struct {
		long long otp_minutes;
		long long declarations_days;
		long long checkins_days;
		long long verifications_days;
		long long cases_days;
		long long inactive_days;
		long long audit_days;
		long long appeals_days;	/* decided appeals and disputes */
	} keep;				/* retention (docs/retention.md) */
	int		 cookie_secure;	/* public_base_url is https */
};

/* Another region's issuer: its GB/T 2260 code and public keys. */
struct issuer {
	char		region[7];
	struct keyring	keys;
};

enum lang {
	LANG_ZH,
	LANG_EN,
	LANG__MAX
};

/* A worker: filled by boot.c at start, read-only while serving. */
struct app {
	struct conf	 conf;
	char		**conf_raw;	/* the strings conf points into */
	unsigned char	 session_key[32];
	unsigned char	 id_key[32];
	unsigned char	 phone_key[32];	/* phone.h */
	char		 wechat_secret[129];	/* the app secret; never logged */
	int		 schema;
	struct keyring	 keys;		/* ours: the newest signs */
	char		*jwks;		/* our public keys, served as is */
	cJSON		*region_options;	/* for the forms */
	cJSON		*country_options;
	struct issuer	*trusted;	/* other regions whose codes we accept */
	size_t		 ntrusted;
	struct db	*db;
	struct tmpl_set	*tmpl;
	cJSON		*i18n[LANG__MAX];	/* the catalogues: zh.json, en.json */
	struct acl	 metrics_allow;	/* who may read GET /metrics */
};

/* The request being served. */
struct ctx {
	struct app	*app;
	struct request	*req;
	struct response	*resp;
	time_t		 now;
	enum lang	 lang;
	/* The session, when signed in (session.c). */
	int		 authed;
	int64_t		 account_id;
	char		 phone_masked[12];	/* 138****8000 */
	char		 phone_mac[65];	/* what the account is found by (phone.h) */
	unsigned	 roles;		/* enum role bits */
	char		 sid[32];
};

/* Compiled into the program (build/migrations.c, build/templates.c). */
extern const struct embed_file migrations[];
extern const size_t migrations_count;
extern const struct embed_file templates[];
extern const size_t templates_count;

/*
 * An input error: the status to answer with, the stable code, the field
 * it concerns (or NULL), and the catalogue key of its message (NULL: the
 * code's own).  The one way every file reports bad input.
 */
struct in_err {
	int		 status;
	const char	*code;
	const char	*field;
	const char	*msg;
};

/* Fills e and returns status. */
int in_err(struct in_err *e, int status, const char *code,
    const char *field, const char *msg);
/*
 * Maps req_str's answer for field: FIELD_OK returns 0; missing and wrong
 * type give missing_field and wrong_type, FIELD_INVALID invalid_code
 * (message msg, NULL for the code's); each returns 400.
 */
int in_field(struct in_err *e, enum field why, const char *field,
    const char *invalid_code, const char *msg);
/* Reads string field name (JSON or form) checked by valid: 0 or 400 with e. */
int in_str(struct ctx *c, const char *name, int (*valid)(const char *),
    const char *invalid_code, const char **out, struct in_err *e);

/*
 * A page of a long list, ordered by id: the rows after the id ?after=
 * (0, the default: from the first), at most ?limit= of them (1..
 * PAGING_MAX, default PAGING_DEFAULT).
 */
#define PAGING_DEFAULT	50
#define PAGING_MAX	100
struct paging {
	int64_t	after;
	int	limit;
};
/* Reads ?after= and ?limit=: 0, or 400 bad_query with e. */
int in_paging(struct ctx *c, struct paging *p, struct in_err *e);
/*
 * Reads a list's ?status=, one of names[0..n) (names[0] when absent),
 * into *st, then the page: 0, or 400 invalid_status or bad_query with e.
 */
int in_status_page(struct ctx *c, const char *const *names, int n, int *st,
    struct paging *p, struct in_err *e);
/* Adds "next" to o: the last id of a full page (ask after it), else null. */
void paging_next(cJSON *o, const struct paging *p, int rows, int64_t last);

/* Answers with a JSON body. */
void api_json(struct ctx *c, int status, const cJSON *body);
/*
 * Answers 200 {"key": item, extra...} (item consumed; extra, may be
 * NULL, is an object whose members are added first), or 500 when item is
 * NULL: the tail of every list endpoint.
 */
void api_object(struct ctx *c, cJSON *extra, const char *key, cJSON *item);
/* Adds key to o: the text of column col of s, or null for SQL NULL. */
void json_col_text(cJSON *o, const char *key, struct db_stmt *s, int col);
/* Adds key to o: the time (epoch) of column col in ISO 8601, or null. */
void json_col_time(cJSON *o, const char *key, struct db_stmt *s, int col);
/* Ends a loop of rows into arr: resets s; arr, or NULL (arr freed) if rc is DB_ERR. */
cJSON *rows_done(struct db_stmt *s, int rc, cJSON *arr);
/* Answers a JSON error with the catalogue's message for code. */
void api_err(struct ctx *c, int status, const char *code);
/* Answers an input error (500: internal). */
void api_in_error(struct ctx *c, const struct in_err *e);

/* Returns the catalogue string key (top level) in the request's language. */
const char *page_text(struct ctx *c, const char *key);
/* Returns the message for an error code in the request's language. */
const char *page_msg(struct ctx *c, const char *code);
/* Returns the label of a colour name ("green", ...; NULL: no code today). */
const char *page_colour_label(struct ctx *c, const char *colour);
/* Returns the account's roles as a JSON array: names, or labels (pages). */
cJSON *ctx_roles(struct ctx *c, int labels);
/* Picks the language: hc_lang cookie, else Accept-Language, else Chinese. */
enum lang ctx_lang(const struct request *r);

/* Renders page name with data (consumed); title_key names its title. */
void page_render(struct ctx *c, int status, const char *name,
    const char *title_key, cJSON *data);
/* Renders the error page for status with the message of code. */
void page_error(struct ctx *c, int status, const char *code);
/*
 * Adds error (the message), error_<field> and err_<code> (for a page
 * that says more about one error) to page data d, and e's code to the log.
 */
void page_in_error(struct ctx *c, cJSON *d, const struct in_err *e);
/* Returns (setting it if missing) the CSRF token of the browser. */
const char *page_csrf(struct ctx *c);
/* Returns 1 if the form's _csrf matches the browser's cookie. */
int page_csrf_ok(struct ctx *c);
/* Redirects (302) to /login, with next= the request's path when asked. */
void page_to_login(struct ctx *c, int with_next);

/* The URL a health-code QR holds: <public_base_url>/v/<token>. */
void url_code(struct ctx *c, const char *token, struct buf *out);
/* Returns the token of url if it is one of url_code's, else NULL. */
const char *url_code_token(struct app *a, const char *url);
/* The URL a venue poster's QR holds: <public_base_url>/c/<token>. */
void url_checkin(struct ctx *c, const char *token, struct buf *out);

/* Keyed hashes: HMAC-SHA256 of "domain:value" with the session key. */
void ctx_mac(struct app *a, const char *domain, const char *value,
    char out[65]);

#endif
