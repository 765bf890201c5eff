#!/bin/bash
# Failure paths: what the service does when its setting is wrong or its
# storage fails.  Each case ends in a clear refusal to start that names
# the problem, or a 503 with a JSON error that says why, never a crash, a
# start on defaults, or a silent loss.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z
"$CTL" init >/dev/null
"$CTL" migrate >/dev/null

# refused WHAT PATTERN: the responder exits 1 and its log says why.
refused() {
	: > "$HC_LOG_FILE"
	"$BUILD/healthcode.fcgi" < /dev/null 2>/dev/null; rc=$?
	eq "$1: start refused" "$rc" 1
	check "$1: the log says why" grep -q "$2" "$HC_LOG_FILE"
}

# --- the development outbox only on a development server ------------------
HC_DEVELOPMENT=off refused "no SMS gateway on a deployment" \
    "sms_command is empty, so one-time codes would be written in clear"
HC_DEVELOPMENT=maybe refused "development neither on nor off" \
    "config: development must be on or off"

# --- configuration files --------------------------------------------------
printf '\0region = 440300\n' > "$T/nul.conf"
HC_CONFIG="$T/nul.conf" refused "a configuration that starts with a NUL byte" \
    "not a text file (a NUL byte at offset 0)"
HC_CONFIG="$T/nul.conf" "$CTL" migrate status > "$T/out" 2>&1; rc=$?
check "and the CLI refuses it too" test "$rc" -ne 0
check "saying why" grep -q "not a text file" "$T/out"
printf 'region = 440300\nthis is no setting\n' > "$T/bad.conf"
HC_CONFIG="$T/bad.conf" refused "a line that is no setting" \
    "bad.conf:2: expected \"key = value\""
printf 'regoin = 440300\n' > "$T/typo.conf"
HC_CONFIG="$T/typo.conf" refused "a misspelt key" 'unknown key "regoin"'
HC_OTP_TTL=soon refused "a number that is not" "config: otp_ttl must be an integer"
HC_CONFIG="$T/missing.conf" refused "a configuration file that is not there" \
    "missing.conf: No such file or directory"

# --- secrets ----------------------------------------------------------------
mv "$HC_DATA_DIR/session.key" "$T/session.key"
refused "no session key" "session.key: No such file or directory"
cp "$T/session.key" "$HC_DATA_DIR/session.key"
chmod 644 "$HC_DATA_DIR/session.key"
refused "a session key others can read" "a secret must be a file of mode 0600 (it is 0644)"
chmod 600 "$HC_DATA_DIR/session.key"
printf 'not hex\n' > "$HC_DATA_DIR/id-hmac.key.bad"
chmod 600 "$HC_DATA_DIR/id-hmac.key.bad"
HC_ID_KEY_FILE="$HC_DATA_DIR/id-hmac.key.bad" refused "a key that is not one" \
    "id-hmac.key.bad: expected 64 hex digits"
mkdir "$T/nokeys"
HC_KEYS_DIR="$T/nokeys" refused "no signing key" "no signing key in"

# --- a database from a newer program ------------------------------------------
sql "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, '9999_future.sql', '$(printf '%064d' 0)', 0)"
refused "a database with a migration this program does not know" \
    "9999_future.sql"
check "saying it is newer" grep -q "newer" "$HC_LOG_FILE"
"$CTL" migrate > "$T/out" 2>&1; rc=$?
check "and migrate will not touch it" test "$rc" -ne 0
sql "DELETE FROM schema_migrations WHERE version = 9999"

# --- the database read-only under a running service -------------------------
start_stack
TOK=$(login 13800138000)
req POST /api/v1/venues '{"name":"店","address":"路 1 号","region":"330102"}' -- -H "Authorization: Bearer $TOK"
eq "writes work" "$STATUS" 201
sqlite3 "$HC_DATA_DIR/healthcode.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
venues=$(sql "SELECT count(*) FROM venues")
DB="$HC_DATA_DIR/healthcode.db"
if chattr +i "$DB" "$DB-wal" "$DB-shm" 2>/dev/null; then
	req POST /api/v1/venues '{"name":"店二","address":"路 2 号","region":"330102"}' -- -H "Authorization: Bearer $TOK"
	eq "a write to a read-only database: 503" "$STATUS,$(j .error.code)" "503,storage_unavailable"
	check "that says why" test -n "$(j .error.message)"
	check "with a Retry-After" test -n "$(hdr Retry-After)"
	page GET /venues -- 2>/dev/null
	req GET /healthz
	check "no worker crashed: an answer" test "$STATUS" -gt 0
	log_settled
	check "the log names the cause" grep -qE "database (read-only|failing): answered 503" "$HC_LOG_FILE"
	chattr -i "$DB" "$DB-wal" "$DB-shm"
	req POST /api/v1/venues '{"name":"店三","address":"路 3 号","region":"330102"}' -- -H "Authorization: Bearer $TOK"
	eq "writable again: writes work" "$STATUS" 201
	eq "nothing half-written meanwhile" "$(sql "SELECT group_concat(name) FROM venues WHERE id > 0 AND name IN ('店二')")" ""
	eq "one venue more" "$(sql "SELECT count(*) FROM venues")" $((venues + 1))
else
	fail "cannot make the database read-only here (chattr +i)"
fi

finish
