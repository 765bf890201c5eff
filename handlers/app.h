/*
 * The health-code application: configuration, shared state of a worker,
 * the per-request context, prepared statements and the handlers.
 */
#ifndef HC_APP_H
#define HC_APP_H

#include <stdint.h>
#include <time.h>

#include <cJSON.h>

#include "../fcgi/db.h"
#include "../fcgi/keyring.h"
#include "../fcgi/embed.h"
#include "../fcgi/request.h"
#include "../fcgi/response.h"
#include "../fcgi/server.h"
#include "../fcgi/tmpl.h"
#include "../fcgi/util.h"
#include "rules.h"

enum cfg {
	CFG_DATA_DIR,
	CFG_DB_PATH,
	CFG_SESSION_KEY_FILE,
	CFG_ID_KEY_FILE,
	CFG_PUBLIC_BASE_URL,
	CFG_REGION,
	CFG_TIMEZONE,
	CFG_DAY_CUTOFF,
	CFG_BODY_LIMIT,
	CFG_OTP_TTL,
	CFG_OTP_MAX_ATTEMPTS,
	CFG_OTP_RESEND_INTERVAL,
	CFG_OTP_IP_HOURLY,
	CFG_SMS_COMMAND,
	CFG_SMS_OUTBOX,
	CFG_LOG_FILE,
	CFG_KEYS_DIR,
	CFG_CODE_TTL,
	CFG_FEVER_THRESHOLD,
	CFG_RULES_WINDOW_DAYS,
	CFG_RED_CLEAR_DAYS,
	CFG_YELLOW_CLEAR_DAYS,
	CFG_TRUSTED_ISSUERS,
	CFG_LOOKUP_HOURLY,
	CFG_RETENTION_OTP_MINUTES,
	CFG_RETENTION_DECLARATIONS_DAYS,
	CFG_RETENTION_CHECKINS_DAYS,
	CFG_RETENTION_VERIFICATIONS_DAYS,
	CFG_RETENTION_CASES_DAYS,
	CFG_RETENTION_INACTIVE_DAYS,
	CFG__MAX
};

/* Roles are a bit set, read from the database on every request. */
enum role {
	ROLE_CHECKER = 1 << 0,
	ROLE_ADMIN = 1 << 1
};

/* Prepared statements, SQL in sql.c. */
enum stmt {
	SQL_SESSION_GET,
	SQL_SESSION_INSERT,
	SQL_SESSION_DELETE,
	SQL_ACCOUNT_UPSERT,
	SQL_ACCOUNT_BY_PHONE,
	SQL_OTP_LATEST,
	SQL_OTP_INSERT,
	SQL_OTP_DELETE_PHONE,
	SQL_OTP_EXPIRE,
	SQL_OTP_DELETE,
	SQL_OTP_ATTEMPT,
	SQL_RATE_COUNT,
	SQL_RATE_INSERT,
	SQL_REGION_EXISTS,
	SQL_COUNTRY_EXISTS,
	SQL_SELF_PERSON,
	SQL_PERSON_BY_HASH,
	SQL_PERSON_INSERT,
	SQL_PERSON_SELF_TAKEN,
	SQL_LINK_SELF,
	SQL_DECL_UPSERT,
	SQL_TRAVEL_CLEAR,
	SQL_TRAVEL_INSERT,
	SQL_DECLS_SINCE,
	SQL_TRAVEL_SINCE,
	SQL_CASES_OF,
	SQL_RISK_FOR,
	SQL_DECL_ON_DAY,
	SQL_DAILY_CODE_GET,
	SQL_DAILY_CODE_INSERT,
	SQL_DAILY_CODE_KEEP,
	SQL_CODE_PERSON,
	SQL_VERIFY_INSERT,
	SQL_PERSON_LOOKUP,
	SQL_REGION_NAME,
	SQL_COLOUR_CACHED,
	SQL_COLOUR_STORE,
	/* account.c: add new statements below this line */
	SQL_ACCOUNT_DELETE_PERSONS,
	SQL_ACCOUNT_DELETE,
	SQL_ACCOUNT_DELETE_RATE,
	/* venues.c: add new statements below this line */
	SQL_VENUE_INSERT,
	SQL_VENUE_COUNT_OWNED,
	SQL_VENUES_OWNED,
	SQL_VENUE_OWNED,
	SQL_VENUE_ROTATE,
	SQL_VENUE_BY_TOKEN,
	SQL_CHECKIN_PERSON,
	SQL_CHECKIN_INSERT,
	SQL_ITINERARY,
	SQL__MAX
};

extern const char *const sql_stmts[SQL__MAX];
extern const struct embed_file migrations[];
extern const size_t migrations_count;
extern const struct embed_file templates[];
extern const size_t templates_count;

/* Another region's issuer: its GB/T 2260 code and public keys. */
struct issuer {
	char		region[7];
	struct keyring	keys;
};

struct app {
	char		*cfg[CFG__MAX];
	long long	 body_limit;
	long long	 otp_ttl, otp_max_attempts, otp_resend, otp_ip_hourly;
	unsigned char	 session_key[32];
	unsigned char	 id_key[32];
	int		 cookie_secure;
	int		 schema;
	long long	 code_ttl;
	struct rules_cfg rules;
	char		 rules_id[48];	/* the rules configuration, for the colour cache */
	struct keyring	 keys;		/* ours: the newest signs */
	char		*jwks;		/* our public keys, served as is */
	cJSON		*region_options;	/* for the declaration form */
	cJSON		*country_options;
	struct issuer	*trusted;	/* other regions whose codes we accept */
	size_t		 ntrusted;
	long long	 lookup_hourly;
	long long	 keep[6];	/* retention, in the order of CFG_RETENTION_* */
	struct db	*db;
	struct tmpl_set	*tmpl;
	cJSON		*i18n[2];	/* zh, en */
};

enum lang {
	LANG_ZH,
	LANG_EN
};

struct ctx {
	struct app	*app;
	struct request	*req;
	struct response	*resp;
	time_t		 now;
	/* Session, when signed in. */
	int		 authed;
	int64_t		 account_id;
	char		 phone[16];
	unsigned	 roles;
	char		 sid[32];
	enum lang	 lang;
};

/* app.c */
/* Loads configuration, clock and secrets; 0 or -1 with err. */
int app_config(struct app *a, struct buf *err);
/* Opens the database (and, for the server, prepares statements and templates). */
int app_open(struct app *a, int server, struct buf *err);
void app_close(struct app *a);
/* Reads a 32-byte hex secret file; 0 or -1 with err. */
int app_read_secret(const char *path, unsigned char key[32], struct buf *err);
/* The server's request entry point (server_fn). */
void app_serve(void *app, struct request *req, struct response *resp,
    struct server_io *io, const char **route);
/* The server's idle hook (server_idle_fn): deferred writes. */
int app_idle(void *app, int now);
/* HMAC-SHA256 of "domain:value" with key, as hex (65 bytes). */
void app_mac(const unsigned char key[32], const char *domain,
    const char *value, char out[65]);

/* Answers with a JSON error and the matching status. */
void api_error(struct ctx *c, int status, const char *code,
    const char *message);
/*
 * Answers an input error: "missing_field" and "wrong_type" name the field,
 * other codes get the message of msg_key (or of the code itself).
 */
void api_input_error(struct ctx *c, int status, const char *code,
    const char *field, const char *msg_key);
/* Answers a field error from req_str: missing, wrong type or invalid. */
void api_field_error(struct ctx *c, int why, const char *field);
/* Answers with a JSON body. */
void api_json(struct ctx *c, int status, const cJSON *body);

/* pages.c */
/* Renders page name with data (consumed); title_key names its title in the catalogue. */
void page_render(struct ctx *c, int status, const char *name,
    const char *title_key, cJSON *data);
/* Renders the error page for status with the message of code. */
void page_error(struct ctx *c, int status, const char *code);
/* Returns the catalogue string key (top level) in the request's language. */
const char *page_text(struct ctx *c, const char *key);
/* Returns the message for an error code in the request's language. */
const char *page_msg(struct ctx *c, const char *code);
/* Returns (setting it if missing) the CSRF token of the browser. */
const char *page_csrf(struct ctx *c);
/* Returns 1 if the form's _csrf matches the browser's cookie. */
int page_csrf_ok(struct ctx *c);
void page_not_found(struct ctx *c);
void page_home(struct ctx *c);
void page_login(struct ctx *c);
void page_login_post(struct ctx *c);
void page_logout_post(struct ctx *c);

/* auth.c */
/* Looks up the session of the request (Bearer or cookie); 1 if signed in. */
int auth_session(struct ctx *c);
/* Core of sending a code: status and error code for the caller to show. */
int auth_send_otp(struct ctx *c, const char *phone, const char **err,
    long *retry_after);
/* Core of login: on success fills token/expiry and returns 200. */
int auth_login(struct ctx *c, const char *phone, const char *code,
    const char **err, char **token, time_t *expires);
/* Ends the current session server-side. */
void auth_logout(struct ctx *c);
void api_otp(struct ctx *c);
void api_login(struct ctx *c);
void api_logout(struct ctx *c);
void api_me(struct ctx *c);
void api_healthz(struct ctx *c);

/* health.c */
/* Computes the current colour of a person; 0, or -1 on a database error. */
int health_colour(struct ctx *c, int64_t person_id, const char *id_hash,
    struct rules_result *out);
/*
 * Validates an identity (as on the first declaration) and computes the
 * keyed hash naming its person.  0, or -1 with the error code in *err.
 */
int health_identity_hash(struct ctx *c, const char *name, const char *type,
    const char *number, const char *nationality, char hash[65],
    const char **err);
void api_declare(struct ctx *c);
void api_code(struct ctx *c);
void api_code_svg(struct ctx *c);
void api_code_png(struct ctx *c);
void api_jwks(struct ctx *c);
void page_declare(struct ctx *c);
void page_declare_post(struct ctx *c);
void page_code(struct ctx *c);

/* verify.c */
/* Writes the queued check records now. */
void verify_flush(struct app *a);
/* server_idle_fn for the queue: ms until a flush is due, or -1. */
int verify_idle(struct app *a, int now);
void api_verify(struct ctx *c);
void api_verify_lookup(struct ctx *c);
void page_verify(struct ctx *c);

/* account.c: add prototypes below this line */
/*
 * Deletes the signed-in account and everything only it holds, in one
 * transaction, then checkpoints the WAL.  0, or -1 (nothing deleted).
 */
int account_delete(struct ctx *c);
void api_me_delete(struct ctx *c);
void page_account_delete(struct ctx *c);
void page_account_delete_post(struct ctx *c);

/* venues.c: add prototypes below this line */
/* Returns 1 for a venue name: 1-60 characters of one-line text, not blank. */
int venue_name_valid(const char *s);
/* Returns 1 for a venue address: 1-120 characters, as the name. */
int venue_address_valid(const char *s);
/* Returns 1 if s has the form of a venue token: 22 base64url characters. */
int venue_token_valid(const char *s);
void api_venue_create(struct ctx *c);
void api_venues(struct ctx *c);
void api_venue(struct ctx *c);
void api_venue_rotate(struct ctx *c);
void api_venue_svg(struct ctx *c);
void api_venue_png(struct ctx *c);
void api_checkin(struct ctx *c);
void api_itinerary(struct ctx *c);
void page_venues(struct ctx *c);
void page_venues_post(struct ctx *c);
void page_venue_rotate_post(struct ctx *c);
void page_poster(struct ctx *c);
void page_checkin(struct ctx *c);
void page_checkin_post(struct ctx *c);
void page_itinerary(struct ctx *c);

/* retention.c */
/* Per request, cheap: claims the day's purge if this worker is first. */
void retention_check(struct ctx *c);
/* Runs a batch of a claimed purge (between requests); 1 if more to do. */
int retention_step(struct app *a);
/*
 * Purges everything expired at now in one go (the CLI); dry_run only
 * counts.  Prints one "class count" line per class to out.  0 or -1.
 */
int retention_purge_all(struct app *a, time_t now, int dry_run,
    struct buf *out);

/* ratelimit.c */
/*
 * Counts a hit for key in a sliding window.  Returns 0 if allowed (and
 * records it), else the seconds until the next hit is allowed; -1 on a
 * database error.  Call inside a write transaction.
 */
long ratelimit_hit(struct ctx *c, const char *bucket, const char *what,
    long limit, long window);

#endif
