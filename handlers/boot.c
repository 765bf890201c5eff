/*
 * Start-up: the configuration table (docs/config.md) read into typed
 * fields, the secrets, keys and trust list, the database with every
 * statement of sql.def prepared once, the templates and catalogues, and
 * the region and country options the forms offer.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/clock.h"
#include "../fcgi/acl.h"
#include "../fcgi/config.h"
#include "../fcgi/log.h"
#include "../fcgi/migrate.h"
#include "boot.h"
#include "checklog.h"
#include "phone.h"
#include "valid.h"
#include "wxparse.h"

enum cfg {
	CFG_DATA_DIR,
	CFG_DB_PATH,
	CFG_SESSION_KEY_FILE,
	CFG_ID_KEY_FILE,
	CFG_PHONE_KEY_FILE,
	CFG_PUBLIC_BASE_URL,
	CFG_REGION,
	CFG_TIMEZONE,
	CFG_DAY_CUTOFF,
	CFG_BODY_LIMIT,
	CFG_BODY_TIMEOUT,
	CFG_OTP_TTL,
	CFG_OTP_MAX_ATTEMPTS,
	CFG_OTP_RESEND_INTERVAL,
	CFG_OTP_IP_HOURLY,
	CFG_OTP_PHONE_HOURLY,
	CFG_OTP_PHONE_DAILY,
	CFG_OTP_FAIL_DAILY,
	CFG_LOGIN_IP_HOURLY,
	CFG_SMS_COMMAND,
	CFG_SMS_OUTBOX,
	CFG_DEVELOPMENT,
	CFG_LOG_FILE,
	CFG_KEYS_DIR,
	CFG_CODE_TTL,
	CFG_FEVER_THRESHOLD,
	CFG_RULES_WINDOW_DAYS,
	CFG_RED_CLEAR_DAYS,
	CFG_YELLOW_CLEAR_DAYS,
	CFG_TRUSTED_ISSUERS,
	CFG_LOOKUP_HOURLY,
	CFG_LOOKUP_IP_HOURLY,
	CFG_RETENTION_OTP_MINUTES,
	CFG_RETENTION_DECLARATIONS_DAYS,
	CFG_RETENTION_CHECKINS_DAYS,
	CFG_RETENTION_VERIFICATIONS_DAYS,
	CFG_RETENTION_CASES_DAYS,
	CFG_RETENTION_INACTIVE_DAYS,
	CFG_RETENTION_AUDIT_DAYS,
	CFG_RETENTION_APPEALS_DAYS,
	CFG_IMPORT_LIMIT,
	CFG_IMPORT_ROWS_MAX,
	CFG_TRACE_WINDOW_MINUTES,
	CFG_TRACE_DAYS,
	CFG_APPEAL_OVERRIDE_DAYS,
	CFG_WECHAT_APPID,
	CFG_WECHAT_SECRET_FILE,
	CFG_WECHAT_API_BASE,
	CFG_WECHAT_TIMEOUT_MS,
	CFG_METRICS_ALLOW,
	CFG_METRICS_FILE,
	CFG_IDENTITY_DAILY,
	CFG__MAX
};

static const struct cfg_def cfg_defs[CFG__MAX] = {
	[CFG_DATA_DIR] = { "data_dir", "var" },
	[CFG_DB_PATH] = { "db_path", "${data_dir}/healthcode.db" },
	[CFG_SESSION_KEY_FILE] = { "session_key_file",
	    "${data_dir}/session.key" },
	[CFG_ID_KEY_FILE] = { "id_key_file", "${data_dir}/id-hmac.key" },
	[CFG_PHONE_KEY_FILE] = { "phone_key_file", "${data_dir}/phone.key" },
	[CFG_PUBLIC_BASE_URL] = { "public_base_url", "http://127.0.0.1:8080" },
	[CFG_REGION] = { "region", "330100" },
	[CFG_TIMEZONE] = { "timezone", "Asia/Shanghai" },
	[CFG_DAY_CUTOFF] = { "day_cutoff", "00:00" },
	[CFG_BODY_LIMIT] = { "body_limit", "65536" },
	[CFG_BODY_TIMEOUT] = { "body_timeout", "30" },
	[CFG_OTP_TTL] = { "otp_ttl", "300" },
	[CFG_OTP_MAX_ATTEMPTS] = { "otp_max_attempts", "5" },
	[CFG_OTP_RESEND_INTERVAL] = { "otp_resend_interval", "60" },
	[CFG_OTP_IP_HOURLY] = { "otp_ip_hourly", "10" },
	[CFG_OTP_PHONE_HOURLY] = { "otp_phone_hourly", "5" },
	[CFG_OTP_PHONE_DAILY] = { "otp_phone_daily", "10" },
	[CFG_OTP_FAIL_DAILY] = { "otp_fail_daily", "10" },
	[CFG_LOGIN_IP_HOURLY] = { "login_ip_hourly", "60" },
	[CFG_SMS_COMMAND] = { "sms_command", "" },
	[CFG_SMS_OUTBOX] = { "sms_outbox", "${data_dir}/sms-outbox.log" },
	[CFG_DEVELOPMENT] = { "development", "off" },
	[CFG_LOG_FILE] = { "log_file", "" },
	[CFG_KEYS_DIR] = { "keys_dir", "${data_dir}/keys" },
	[CFG_CODE_TTL] = { "code_ttl", "300" },
	[CFG_FEVER_THRESHOLD] = { "fever_threshold", "37.3" },
	[CFG_RULES_WINDOW_DAYS] = { "rules_window_days", "14" },
	[CFG_RED_CLEAR_DAYS] = { "red_clear_days", "14" },
	[CFG_YELLOW_CLEAR_DAYS] = { "yellow_clear_days", "7" },
	[CFG_TRUSTED_ISSUERS] = { "trusted_issuers", "" },
	[CFG_LOOKUP_HOURLY] = { "lookup_hourly", "60" },
	[CFG_LOOKUP_IP_HOURLY] = { "lookup_ip_hourly", "240" },
	[CFG_RETENTION_OTP_MINUTES] = { "retention_otp_minutes", "10" },
	[CFG_RETENTION_DECLARATIONS_DAYS] = { "retention_declarations_days",
	    "14" },
	[CFG_RETENTION_CHECKINS_DAYS] = { "retention_checkins_days", "14" },
	[CFG_RETENTION_VERIFICATIONS_DAYS] = { "retention_verifications_days",
	    "14" },
	[CFG_RETENTION_CASES_DAYS] = { "retention_cases_days", "28" },
	[CFG_RETENTION_INACTIVE_DAYS] = { "retention_inactive_days", "90" },
	[CFG_RETENTION_AUDIT_DAYS] = { "retention_audit_days", "180" },
	[CFG_RETENTION_APPEALS_DAYS] = { "retention_appeals_days", "90" },
	[CFG_IMPORT_LIMIT] = { "import_limit", "16777216" },
	[CFG_IMPORT_ROWS_MAX] = { "import_rows_max", "100000" },
	[CFG_TRACE_WINDOW_MINUTES] = { "trace_window_minutes", "120" },
	[CFG_TRACE_DAYS] = { "trace_days", "14" },
	[CFG_APPEAL_OVERRIDE_DAYS] = { "appeal_override_days", "30" },
	[CFG_WECHAT_APPID] = { "wechat_appid", "" },
	[CFG_WECHAT_SECRET_FILE] = { "wechat_secret_file",
	    "${data_dir}/wechat.secret" },
	[CFG_WECHAT_API_BASE] = { "wechat_api_base",
	    "https://api.weixin.qq.com" },
	[CFG_WECHAT_TIMEOUT_MS] = { "wechat_timeout_ms", "3000" },
	[CFG_METRICS_ALLOW] = { "metrics_allow", "127.0.0.0/8 ::1" },
	[CFG_METRICS_FILE] = { "metrics_file", "${data_dir}/metrics" },
	[CFG_IDENTITY_DAILY] = { "identity_daily", "5" },
};

/* Reads an integer key in min..max into *out; 0 or -1 with err. */
static int
cfg_num(char **raw, enum cfg k, long long min, long long max,
    long long *out, struct buf *err)
{
	if (config_int(raw[k], min, max, out) == -1) {
		buf_printf(err, "config: %s must be an integer in %lld..%lld",
		    cfg_defs[k].key, min, max);
		return -1;
	}
	return 0;
}

/*
 * A secret must be a regular file that neither group nor others can
 * read (mode 0600 or stricter); 0, or -1 with err naming the file.  A
 * missing file is left to the reader's own message.
 */
static int
secret_mode_ok(const char *what, const char *path, struct buf *err)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return 0;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		buf_printf(err, "%s%s: a secret must be a file of mode 0600 (it "
		    "is %s%04o): chmod 600 it", what, path,
		    S_ISREG(st.st_mode) ? "" : "not a file, ",
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Reads the colour rules' thresholds and day counts. */
static int
rules_config(char **raw, struct conf *cf, struct buf *err)
{
	const char *f = raw[CFG_FEVER_THRESHOLD];
	long long w, r, y;
	char *end;
	double t;

	cf->rules = rules_default();
	t = strtod(f, &end);
	if (*f == '\0' || *end != '\0' || !(t >= 35.0 && t <= 42.0)) {
		buf_puts(err, "config: fever_threshold must be 35.0..42.0");
		return -1;
	}
	if (cfg_num(raw, CFG_RULES_WINDOW_DAYS, 1, 60, &w, err) ||
	    cfg_num(raw, CFG_RED_CLEAR_DAYS, 1, 60, &r, err) ||
	    cfg_num(raw, CFG_YELLOW_CLEAR_DAYS, 1, 60, &y, err))
		return -1;
	cf->rules.fever_tenths = (int)(t * 10.0 + 0.5);
	cf->rules.window_days = (int)w;
	cf->rules.red_clear_days = (int)r;
	cf->rules.yellow_clear_days = (int)y;
	snprintf(cf->rules_id, sizeof(cf->rules_id), "%d/%d/%d/%d",
	    cf->rules.fever_tenths, cf->rules.window_days,
	    cf->rules.red_clear_days, cf->rules.yellow_clear_days);
	return 0;
}

int
boot_config(struct app *a, struct buf *err)
{
	struct conf *cf = &a->conf;
	struct buf why;
	char **raw;

	raw = a->conf_raw = ck_calloc(CFG__MAX, sizeof(*raw));
	if (config_load(cfg_defs, CFG__MAX, getenv("HC_CONFIG"), raw,
	    err) == -1)
		return -1;
	cf->data_dir = raw[CFG_DATA_DIR];
	cf->db_path = raw[CFG_DB_PATH];
	cf->session_key_file = raw[CFG_SESSION_KEY_FILE];
	cf->id_key_file = raw[CFG_ID_KEY_FILE];
	cf->phone_key_file = raw[CFG_PHONE_KEY_FILE];
	cf->public_base_url = raw[CFG_PUBLIC_BASE_URL];
	cf->timezone = raw[CFG_TIMEZONE];
	cf->day_cutoff = raw[CFG_DAY_CUTOFF];
	cf->sms_command = raw[CFG_SMS_COMMAND];
	cf->sms_outbox = raw[CFG_SMS_OUTBOX];
	if (strcmp(raw[CFG_DEVELOPMENT], "on") != 0 &&
	    strcmp(raw[CFG_DEVELOPMENT], "off") != 0) {
		buf_puts(err, "config: development must be on or off");
		return -1;
	}
	cf->development = strcmp(raw[CFG_DEVELOPMENT], "on") == 0;
	cf->log_file = raw[CFG_LOG_FILE];
	cf->keys_dir = raw[CFG_KEYS_DIR];
	cf->trusted_issuers = raw[CFG_TRUSTED_ISSUERS];
	cf->wechat_appid = raw[CFG_WECHAT_APPID];
	cf->wechat_secret_file = raw[CFG_WECHAT_SECRET_FILE];
	cf->wechat_api_base = raw[CFG_WECHAT_API_BASE];
	if (clock_init(cf->timezone, cf->day_cutoff, err) ||
	    cfg_num(raw, CFG_BODY_LIMIT, 1024, 16 << 20, &cf->body_limit,
	    err) ||
	    cfg_num(raw, CFG_BODY_TIMEOUT, 1, 3600, &cf->body_timeout, err) ||
	    cfg_num(raw, CFG_OTP_TTL, 30, 600, &cf->otp_ttl, err) ||
	    cfg_num(raw, CFG_OTP_MAX_ATTEMPTS, 1, 20, &cf->otp_max_attempts,
	    err) ||
	    cfg_num(raw, CFG_OTP_RESEND_INTERVAL, 0, 3600, &cf->otp_resend,
	    err) ||
	    cfg_num(raw, CFG_OTP_IP_HOURLY, 1, 1000000, &cf->otp_ip_hourly,
	    err) ||
	    cfg_num(raw, CFG_OTP_PHONE_HOURLY, 1, 1000000,
	    &cf->otp_phone_hourly, err) ||
	    cfg_num(raw, CFG_OTP_PHONE_DAILY, 1, 1000000, &cf->otp_phone_daily,
	    err) ||
	    cfg_num(raw, CFG_OTP_FAIL_DAILY, 1, 1000000, &cf->otp_fail_daily,
	    err) ||
	    cfg_num(raw, CFG_LOGIN_IP_HOURLY, 1, 1000000, &cf->login_ip_hourly,
	    err) ||
	    cfg_num(raw, CFG_RETENTION_OTP_MINUTES, 1, 3650,
	    &cf->keep.otp_minutes, err) ||
	    cfg_num(raw, CFG_RETENTION_DECLARATIONS_DAYS, 1, 3650,
	    &cf->keep.declarations_days, err) ||
	    cfg_num(raw, CFG_RETENTION_CHECKINS_DAYS, 1, 3650,
	    &cf->keep.checkins_days, err) ||
	    cfg_num(raw, CFG_RETENTION_VERIFICATIONS_DAYS, 1, 3650,
	    &cf->keep.verifications_days, err) ||
	    cfg_num(raw, CFG_RETENTION_CASES_DAYS, 1, 3650,
	    &cf->keep.cases_days, err) ||
	    cfg_num(raw, CFG_RETENTION_INACTIVE_DAYS, 1, 3650,
	    &cf->keep.inactive_days, err) ||
	    cfg_num(raw, CFG_RETENTION_AUDIT_DAYS, 1, 3650,
	    &cf->keep.audit_days, err) ||
	    cfg_num(raw, CFG_RETENTION_APPEALS_DAYS, 1, 3650,
	    &cf->keep.appeals_days, err) ||
	    cfg_num(raw, CFG_IMPORT_LIMIT, 1024, 256 << 20, &cf->import_limit,
	    err) ||
	    cfg_num(raw, CFG_IMPORT_ROWS_MAX, 1, 10000000,
	    &cf->import_rows_max, err) ||
	    cfg_num(raw, CFG_TRACE_WINDOW_MINUTES, 1, 24 * 60,
	    &cf->trace_window_minutes, err) ||
	    cfg_num(raw, CFG_TRACE_DAYS, 1, 60, &cf->trace_days, err) ||
	    cfg_num(raw, CFG_APPEAL_OVERRIDE_DAYS, 0, 365,
	    &cf->appeal_override_days, err) ||
	    cfg_num(raw, CFG_CODE_TTL, 30, 3600, &cf->code_ttl, err) ||
	    cfg_num(raw, CFG_WECHAT_TIMEOUT_MS, 100, 60000,
	    &cf->wechat_timeout_ms, err) ||
	    cfg_num(raw, CFG_LOOKUP_HOURLY, 1, 100000, &cf->lookup_hourly,
	    err) ||
	    cfg_num(raw, CFG_LOOKUP_IP_HOURLY, 1, 1000000,
	    &cf->lookup_ip_hourly, err) ||
	    cfg_num(raw, CFG_IDENTITY_DAILY, 1, 1000, &cf->identity_daily,
	    err) ||
	    rules_config(raw, cf, err))
		return -1;
	if (!valid_region_code(raw[CFG_REGION])) {
		buf_puts(err, "config: region must be a six-digit GB/T 2260 "
		    "code");
		return -1;
	}
	memcpy(cf->region, raw[CFG_REGION], sizeof(cf->region));
	if (*cf->wechat_appid != '\0' && !wx_code_valid(cf->wechat_appid)) {
		buf_puts(err, "config: wechat_appid must be letters and digits");
		return -1;
	}
	if (strncmp(cf->wechat_api_base, "https://", 8) != 0 &&
	    strncmp(cf->wechat_api_base, "http://", 7) != 0) {
		buf_puts(err, "config: wechat_api_base must be an http(s) URL");
		return -1;
	}
	cf->cookie_secure = strncmp(cf->public_base_url, "https://", 8) == 0;
	cf->metrics_file = raw[CFG_METRICS_FILE];
	buf_init(&why);
	if (acl_parse(&a->metrics_allow, raw[CFG_METRICS_ALLOW], &why) == -1) {
		buf_printf(err, "config: metrics_allow: %s", buf_cstr(&why));
		buf_free(&why);
		return -1;
	}
	buf_free(&why);
	return 0;
}

int
boot_read_secret(const char *path, unsigned char key[32], struct buf *err)
{
	struct buf b;
	size_t i, n;
	int hi, lo;

	if (secret_mode_ok("", path, err) == -1)
		return -1;
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

/*
 * Reads WeChat's app secret when an app id is configured: a file of mode
 * 0600 (no access for group or others) holding 1..128 letters and digits.
 * The secret goes nowhere but a->wechat_secret (and the requests).
 */
static int
load_wechat_secret(struct app *a, struct buf *err)
{
	const char *path = a->conf.wechat_secret_file;
	struct stat st;
	struct buf b;
	size_t n;

	if (*a->conf.wechat_appid == '\0')
		return 0;
	if (stat(path, &st) == -1) {
		buf_printf(err, "wechat_secret_file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (secret_mode_ok("wechat_secret_file ", path, err) == -1)
		return -1;
	buf_init(&b);
	if (read_file(path, &b) == -1) {
		buf_printf(err, "wechat_secret_file %s: %s", path,
		    strerror(errno));
		buf_free(&b);
		return -1;
	}
	for (n = b.len; n > 0 && (b.ptr[n - 1] == '\n' || b.ptr[n - 1] ==
	    '\r'); n--)
		;
	if (n > 0)
		b.ptr[n] = '\0';
	if (n == 0 || n >= sizeof(a->wechat_secret) ||
	    !wx_code_valid(b.ptr)) {
		explicit_bzero(b.ptr, b.len);
		buf_free(&b);
		buf_printf(err, "wechat_secret_file %s: expected the app "
		    "secret (letters and digits)", path);
		return -1;
	}
	memcpy(a->wechat_secret, b.ptr, n + 1);
	explicit_bzero(b.ptr, b.len);
	buf_free(&b);
	return 0;
}

/*
 * Loads the trust list: "REGION=JWKS-FILE" entries separated by commas or
 * spaces.  Their codes verify here offline with these keys.
 */
static int
load_trusted(struct app *a, struct buf *err)
{
	char *list = ck_strdup(a->conf.trusted_issuers), *tok, *save, *eq;
	struct buf json;
	struct issuer *is;
	int rc = -1;

	buf_init(&json);
	for (tok = strtok_r(list, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if ((eq = strchr(tok, '=')) == NULL || eq - tok != 6 ||
		    (*eq = '\0', !valid_region_code(tok))) {
			buf_printf(err, "config: trusted_issuers: expected "
			    "REGION=JWKS-FILE, not \"%s\"", tok);
			goto out;
		}
		if (strcmp(tok, a->conf.region) == 0) {
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
load_options(struct app *a)
{
	struct db_stmt *s;
	const char *name;
	cJSON *o;
	struct buf label;
	int rc;

	s = db_stmt(a->db, SQL_OPTION_REGIONS);
	a->region_options = cJSON_CreateArray();
	buf_init(&label);
	while ((rc = db_step(s)) == DB_ROW) {
		/* Placeholders ("市辖区", "县", "...直辖...") keep the province. */
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
	db_reset(s);
	if (rc == DB_ERR)
		return -1;
	s = db_stmt(a->db, SQL_OPTION_COUNTRIES);
	a->country_options = cJSON_CreateArray();
	while ((rc = db_step(s)) == DB_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", db_col_text(s, 0));
		cJSON_AddStringToObject(o, "label", db_col_text(s, 1));
		cJSON_AddItemToArray(a->country_options, o);
	}
	db_reset(s);
	return rc == DB_ERR ? -1 : 0;
}

/* Compiles the templates and parses the catalogues. */
static int
load_templates(struct app *a, struct buf *err)
{
	const struct embed_file *t;
	size_t i;

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
boot_space(struct app *a, struct buf *err)
{
	long long n = disk_free(a->conf.db_path);

	/* Unknown (statvfs failed): opening the database will say why. */
	if (n == -1 || n >= BOOT_SPACE_MIN)
		return 0;
	buf_printf(err, "%s: no space left on its disk (%lld KiB free, at "
	    "least %d KiB needed): free some, then start again",
	    a->conf.db_path, n >> 10, BOOT_SPACE_MIN >> 10);
	return -1;
}

int
boot_db(struct app *a, struct buf *err)
{
	return (a->db = db_open(a->conf.db_path, err)) == NULL ? -1 : 0;
}

int
boot_prepare(struct app *a, struct buf *err)
{
	struct buf pending;
	int n;

	buf_init(&pending);
	n = migrate_check(a->db, migrations, migrations_count, &pending, err);
	if (n > 0)
		buf_printf(err, "database %s has %d pending migration(s): %s; "
		    "run \"healthcodectl migrate\"", a->conf.db_path, n,
		    pending.ptr);
	buf_free(&pending);
	if (n != 0)
		return -1;
	a->schema = migrate_version(a->db);
	return db_prepare_all(a->db, sql_stmts, SQL__MAX, err);
}

int
boot_server(struct app *a, struct buf *err)
{
	struct buf jwks;

	/*
	 * The outbox writes every phone and code in clear and is never
	 * purged: a development server's delivery, never a deployment's.
	 */
	if (*a->conf.sms_command == '\0' && !a->conf.development) {
		buf_printf(err, "sms_command is empty, so one-time codes would be "
		    "written in clear to %s: configure the SMS gateway's "
		    "command, or set development = on for a development "
		    "server", a->conf.sms_outbox);
		return -1;
	}
	if (boot_space(a, err) == -1 || boot_db(a, err) == -1)
		return -1;
	if (boot_read_secret(a->conf.session_key_file, a->session_key,
	    err) == -1 || boot_read_secret(a->conf.id_key_file, a->id_key,
	    err) == -1 || boot_read_secret(a->conf.phone_key_file,
	    a->phone_key, err) == -1 || load_wechat_secret(a, err) == -1)
		return -1;
	if (keyring_load_dir(&a->keys, a->conf.keys_dir, err) == -1) {
		buf_puts(err, " (run \"healthcodectl init\")");
		return -1;
	}
	if (load_trusted(a, err) == -1)
		return -1;
	if (keyring_signer(&a->keys) == NULL) {
		buf_printf(err, "keys: no signing key in %s (run \"healthcodectl "
		    "keygen\")", a->conf.keys_dir);
		return -1;
	}
	buf_init(&jwks);
	keyring_jwks(&a->keys, &jwks);
	a->jwks = ck_strdup(jwks.ptr);
	buf_free(&jwks);
	if (boot_prepare(a, err) == -1)
		return -1;
	if (load_options(a) == -1) {
		buf_puts(err, "cannot read the region and country options");
		return -1;
	}
	return load_templates(a, err);
}

void
boot_close(struct app *a)
{
	if (a->db != NULL) {
		checklog_flush(a);
		if (checklog_pending() > 0)
			LOG("stopping with %zu verification record(s) not "
			    "written (the database is not writable): lost",
			    checklog_pending());
	}
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
	if (a->conf_raw != NULL)
		config_free(a->conf_raw, CFG__MAX);
	free(a->conf_raw);
	explicit_bzero(a->session_key, sizeof(a->session_key));
	explicit_bzero(a->id_key, sizeof(a->id_key));
	explicit_bzero(a->phone_key, sizeof(a->phone_key));
	explicit_bzero(a->wechat_secret, sizeof(a->wechat_secret));
}

/* ---- the SQL functions of the migrations (migrations/0015) --------- */

/* 0 for a phone number; else -1 with fn's error (naming no number). */
static int
fn_phone_arg(const char *phone, const char *fn, struct buf *out)
{
	if (valid_phone(phone))
		return 0;
	buf_printf(out, "%s: not a mainland mobile number", fn);
	return -1;
}

/* hc_phone_mac(phone): the keyed hash its account is found by. */
static int
fn_phone_mac(void *arg, const char *const *argv, struct buf *out)
{
	char mac[65];

	if (fn_phone_arg(argv[0], "hc_phone_mac", out) == -1)
		return -1;
	phone_mac(arg, argv[0], mac);
	buf_puts(out, mac);
	return 0;
}

/* hc_phone_masked(phone): 138****8000. */
static int
fn_phone_masked(void *arg, const char *const *argv, struct buf *out)
{
	char masked[12];

	(void)arg;
	if (fn_phone_arg(argv[0], "hc_phone_masked", out) == -1)
		return -1;
	mask_phone(argv[0], masked);
	buf_puts(out, masked);
	return 0;
}

/* hc_phone_enc(phone): the number sealed under the phone key. */
static int
fn_phone_enc(void *arg, const char *const *argv, struct buf *out)
{
	struct phone_rec r;
	int rc;

	if (fn_phone_arg(argv[0], "hc_phone_enc", out) == -1)
		return -1;
	if ((rc = phone_rec(arg, argv[0], &r)) == 0)
		buf_puts(out, r.enc);
	else
		buf_puts(out, "hc_phone_enc: cannot seal");
	explicit_bzero(&r, sizeof(r));
	return rc;
}

int
boot_functions(struct app *a, struct buf *err)
{
	return db_function(a->db, "hc_phone_mac", 1, fn_phone_mac, a, err) ||
	    db_function(a->db, "hc_phone_masked", 1, fn_phone_masked, a,
	    err) ||
	    db_function(a->db, "hc_phone_enc", 1, fn_phone_enc, a, err) ?
	    -1 : 0;
}
