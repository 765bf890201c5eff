# Shared by the end-to-end tests: starts a real lighttpd and real
# spawn-fcgi workers on a free port with a temporary data directory,
# drives them with curl, and counts passes and failures.
# Source it; call start_stack, then the checks, then finish.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
CTL="$BUILD/healthcodectl"
PASS=0
FAIL=0
NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/hc-e2e.XXXXXX")
LPID=""
WORKERS=${WORKERS:-2}

export HC_CONFIG="$TOP/conf/healthcode.conf"
export HC_DATA_DIR="$T/data"
export HC_LOG_FILE="$T/healthcode.log"
# One-time codes go to the outbox, which only a development server may use.
export HC_DEVELOPMENT=on
# The sign-in limits of a real deployment stop a test that signs the same
# phone in many times in one (pinned) hour; auth.sh tests them as set.
export HC_OTP_PHONE_HOURLY=${HC_OTP_PHONE_HOURLY:-100000}
export HC_OTP_PHONE_DAILY=${HC_OTP_PHONE_DAILY:-100000}
export HC_OTP_FAIL_DAILY=${HC_OTP_FAIL_DAILY:-100000}
export HC_LOGIN_IP_HOURLY=${HC_LOGIN_IP_HOURLY:-100000}
export TZ=UTC

EXTRA=()
# archive_logs: with HC_LOG_ARCHIVE set (tests/run.sh sets it), copies the
# run's logs there, and beside them what must never be in them: the
# phones and one-time codes sent, the session tokens given out, the code
# tokens signed, the secrets and private keys.  tests/logscan.sh looks.
archive_logs() {
	local a=${HC_LOG_ARCHIVE:-} n f
	[ -n "$a" ] && [ -d "$T" ] || return 0
	n="$a/$NAME.$$"
	find "$T" -name '*.log' ! -name 'sms-outbox.log' -type f | while read -r f; do
		cp "$f" "$n.$(printf '%s' "$f" | md5sum | cut -c1-8).log"
	done
	{
		find "$T" -name sms-outbox.log -exec cat {} + 2>/dev/null |
		    awk '{ print "phone " $1; print "otp " $1 " " $2 }'
		[ -f "$T/tokens" ] && sed 's/^/token /' "$T/tokens"
		find "$T" \( -name session.key -o -name id-hmac.key -o -name phone.key \
		    -o -name secret \) -type f -exec cat {} + 2>/dev/null | sed 's/^/secret /'
		find "$T" -path '*/keys/*.pem' -type f -exec grep -hv -- '-----' {} + \
		    2>/dev/null | sed 's/^/secret /'
		find "$T" -name healthcode.db -type f | while read -r f; do
			sqlite3 "$f" "SELECT url FROM daily_codes" 2>/dev/null |
			    sed 's|.*\.|token |'
		done
	} | awk 'length($0) > 9' | sort -u > "$n.needles"
}

cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
	[ -n "${WXPID:-}" ] && kill "$WXPID" 2>/dev/null && wait "$WXPID" 2>/dev/null
	"$TOP/spawn.sh" stop -s "$T/fcgi.sock" -P "$T/fcgi.pid" 2>/dev/null
	for name in "${EXTRA[@]}"; do
		kill "$(cat "$T/$name/lighttpd.pid")" 2>/dev/null
		"$TOP/spawn.sh" stop -s "$T/$name/fcgi.sock" -P "$T/$name/fcgi.pid" 2>/dev/null
	done
	archive_logs
	if [ -n "${KEEP:-}" ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

pass() { PASS=$((PASS + 1)); }
fail() { FAIL=$((FAIL + 1)); echo "FAIL [$NAME]: $*"; }

# check DESCRIPTION COMMAND...: passes if the command succeeds.
check() {
	d=$1
	shift
	if "$@"; then pass; else fail "$d"; fi
}

# eq DESCRIPTION ACTUAL EXPECTED
eq() {
	if [ "$2" = "$3" ]; then pass; else fail "$1: got '$2', want '$3'"; fi
}

# eventually DESCRIPTION EXPECTED SQL: the query reaches the value within
# 2 s (check records are written in groups, at most 50 ms behind).
eventually() {
	for _ in $(seq 40); do
		got=$(sql "$3")
		[ "$got" = "$2" ] && { pass; return; }
		sleep 0.05
	done
	fail "$1: got '$got', want '$2'"
}

# Waits until the workers have written out the log lines they hold (they
# write them when idle): the log stops growing for 0.1 s, at most 2 s.
log_settled() {
	prev=-1
	for _ in $(seq 20); do
		cur=$(stat -c %s "$HC_LOG_FILE" 2>/dev/null || echo 0)
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.1
	done
}

# An ID number: 17 digits and their GB 11643 check character.
idcheck() {
	w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2); s=0
	for i in $(seq 0 16); do s=$((s + ${1:$i:1} * ${w[$i]})); done
	c="10X98765432"; printf '%s%s' "$1" "${c:$((s % 11)):1}"
}

# HMAC-SHA256 in hex, keyed with a hex key file: how ID numbers are stored.
hmac_hex() {	# hmac_hex KEYFILE MESSAGE
	printf '%s' "$2" | openssl dgst -sha256 -mac HMAC \
	    -macopt "hexkey:$(tr -d '\n' < "$1")" | sed 's/.*= //'
}

# --- phone numbers as accounts keep them (handlers/phone.h) ------------
# The keyed hash an account is found by: HMAC-SHA256 of "phone:<number>"
# with the session key (as hmac_hex in fcgi/util.c writes it).
phone_mac() { hmac_hex "$HC_DATA_DIR/session.key" "phone:$1"; }
# Prints those of the numbers given that stand in clear in the database's
# files (the database, its WAL): nothing is the answer wanted.
clear_phones() {
	for p in "$@"; do
		grep -qaF -- "$p" "$HC_DATA_DIR"/healthcode.db* 2>/dev/null &&
		    printf '%s ' "$p"
	done
}
# Every test ends with it (finish): no phone number its script names (11
# digits, 1[3-9]...; a run.sh: with the Node scripts beside it) stands in
# clear in the database's files.
SCRIPT_PATH="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
check_no_clear_phones() {
	set -- "$SCRIPT_PATH"
	case $SCRIPT_PATH in
	*/run.sh) set -- "$@" "${SCRIPT_PATH%/run.sh}"/*.js "${SCRIPT_PATH%/run.sh}"/*.mjs ;;
	esac
	eq "no phone number of $NAME in clear in the database" "$(clear_phones \
	    $(cat -- "$@" 2>/dev/null | grep -oE '\b1[3-9][0-9]{9}\b' | sort -u))" ""
}
# ------------------------------------------------------------------------

# A page request as a browser would send it, with the cookie jar $JAR (set
# by the test); a third argument is sent as a form.  Sets STATUS, $T/body
# and $T/headers.
page() {	# page METHOD PATH [form-body]
	if [ $# -gt 2 ]; then
		STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		    -b "$JAR" -c "$JAR" -X "$1" --data-binary "$3" \
		    -H 'Content-Type: application/x-www-form-urlencoded' "$BASE$2")
	else
		STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		    -b "$JAR" -c "$JAR" -X "$1" "$BASE$2")
	fi
}
csrf() { sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' "$T/body" | head -1; }
# jar_csrf: the form token the jar's browser is given, as a page's form
# carries it (derived from its session when signed in; the hc_csrf
# cookie's when not), read from the home page without touching $T/body.
jar_csrf() {
	curl -sL -b "$JAR" -c "$JAR" "$BASE/" |
	    sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1
}

# Epoch seconds of an ISO 8601 time (GNU date).
epoch() { date -u -d "$1" +%s; }

# Sets the clock the workers see and restarts them (lighttpd stays up).
set_now() {
	export HC_NOW="$1"
	restart_workers
}

restart_workers() {
	"$TOP/spawn.sh" stop -s "$T/fcgi.sock" -P "$T/fcgi.pid"
	"$TOP/spawn.sh" start -n "$WORKERS" -s "$T/fcgi.sock" \
	    -P "$T/fcgi.pid" -b "$BUILD/healthcode.fcgi" -l "$HC_LOG_FILE"
	wait_ready
}

wait_ready() {
	i=0
	while [ $i -lt 100 ]; do
		if [ "$(curl -s -o /dev/null -w '%{http_code}' \
		    "$BASE/healthz")" = 200 ]; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "stack did not come up; log:" >&2
	tail -n 20 "$HC_LOG_FILE" "$T/lighttpd-error.log" >&2
	exit 1
}

# A port nothing listens on, below the kernel's range for outgoing
# connections (ip_local_port_range, 32768 up by default): a port in that
# range can be taken at any moment by some client's connection, and then
# a server cannot bind it.
free_port() {
	local lo
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${lo:-0}" -gt 12000 ] 2>/dev/null || lo=32768
	while :; do
		p=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % (lo - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# fill_conf NAME FILE PORT SOCKET LOGDIR: conf/NAME.conf with its
# placeholders filled in (the same in every server's configuration), as
# FILE; the responder is the build's.
fill_conf() {
	sed -e "s|@BIND@|127.0.0.1|g" -e "s|@PORT@|$3|g" -e "s|@SOCKET@|$4|g" \
	    -e "s|@STATIC@|$TOP/static|g" -e "s|@LOGDIR@|$5|g" \
	    -e "s|@RESPONDER@|$BUILD/healthcode.fcgi|g" "$TOP/conf/$1.conf" > "$2"
}

start_stack() {
	"$CTL" init >/dev/null || { echo "init failed" >&2; exit 1; }
	"$CTL" migrate >/dev/null || { echo "migrate failed" >&2; exit 1; }
	tries=0
	while :; do
		PORT=$(free_port)
		BASE="http://127.0.0.1:$PORT"
		export HC_PUBLIC_BASE_URL="$BASE"
		fill_conf lighttpd "$T/lighttpd.conf" "$PORT" "$T/fcgi.sock" "$T"
		lighttpd -D -f "$T/lighttpd.conf" &
		LPID=$!
		sleep 0.2
		kill -0 "$LPID" 2>/dev/null && break
		LPID=""
		tries=$((tries + 1))
		[ $tries -lt 5 ] || { echo "lighttpd would not start" >&2; exit 1; }
	done
	restart_workers
}

# req METHOD PATH [BODY [CONTENT-TYPE]] [-- curl args...]
# Sets STATUS; the body is in $T/body, headers in $T/headers.
req() {
	m=$1
	path=$2
	shift 2
	body=""
	ctype="application/json"
	hasbody=0
	if [ $# -gt 0 ] && [ "$1" != "--" ]; then
		body=$1; hasbody=1; shift
		if [ $# -gt 0 ] && [ "$1" != "--" ]; then ctype=$1; shift; fi
	fi
	[ $# -gt 0 ] && [ "$1" = "--" ] && shift
	if [ $hasbody = 1 ]; then
		printf '%s' "$body" > "$T/reqbody"
		STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		    -X "$m" -H "Content-Type: $ctype" --data-binary @"$T/reqbody" \
		    "$@" "$BASE$path")
	else
		# A bodiless POST, PUT or DELETE still names its type (the API
		# refuses one that does not).
		set -- -H "Content-Length: 0" "$@"
		[ "$m" = GET ] || set -- -H "Content-Type: $ctype" "$@"
		STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		    -X "$m" "$@" "$BASE$path")
	fi
}

# api TOKEN METHOD PATH [BODY [CONTENT-TYPE]]: req with the token as a bearer.
api() {
	tok=$1
	shift
	req "$@" -- -H "Authorization: Bearer $tok"
}

# jar_as TOKEN: the cookie jar $JAR holds that session (for page()).
jar_as() {
	rm -f "$JAR"
	printf '127.0.0.1\tFALSE\t/\tFALSE\t0\thc_session\t%s\n' "$1" > "$JAR"
}

# The token of a venue's check-in URL (<base>/c/<token>).
urltok() { printf '%s' "${1##*/c/}"; }

# Reads a jq path from the last response body.
j() { jq -r "$1" < "$T/body" 2>/dev/null; }

# Prints a response header's value (case-insensitive name).
hdr() {
	grep -i "^$1:" "$T/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'
}

# Runs SQL against the test database, waiting for a worker's write (a
# check record is written up to 50 ms after its answer) rather than
# failing with "database is locked".
sql() { sqlite3 -cmd '.timeout 5000' "$HC_DATA_DIR/healthcode.db" "$1"; }

# The last one-time code sent to a phone.
otp_of() { grep "^$1 " "$HC_DATA_DIR/sms-outbox.log" | tail -1 | cut -d' ' -f2; }

# A snapshot of every user table's rows, to prove a request changed nothing.
db_snapshot() {
	sqlite3 "$HC_DATA_DIR/healthcode.db" \
	    "SELECT 'accounts', count(*) FROM accounts UNION ALL
	     SELECT 'roles', count(*) FROM account_roles UNION ALL
	     SELECT 'otp', count(*) || ':' || coalesce(sum(attempts), 0) FROM otp_codes UNION ALL
	     SELECT 'sessions', count(*) FROM sessions UNION ALL
	     SELECT 'rate', count(*) FROM rate_hits;" | tr '\n' ' '
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# The payload of a compact JWS, not checked.
claims() {
	p=${1#*.}
	p=$(printf '%s' "${p%%.*}" | tr '_-' '/+')
	while [ $(( ${#p} % 4 )) != 0 ]; do p="$p="; done
	printf '%s' "$p" | openssl base64 -d -A
}

# Signs header and payload JSON with the server's session key: alg is
# the openssl digest (sha256, sha384).
forge() {
	h=$(printf '%s' "$1" | b64url)
	p=$(printf '%s' "$2" | b64url)
	key=$(tr -d '\n' < "$HC_DATA_DIR/session.key")
	s=$(printf '%s.%s' "$h" "$p" | openssl dgst "-$3" -mac HMAC \
	    -macopt "hexkey:$key" -binary | b64url)
	printf '%s.%s.%s' "$h" "$p" "$s"
}

# Full login for a phone; prints the token.
login() {
	req POST /api/v1/auth/otp "{\"phone\":\"$1\"}"
	[ "$STATUS" = 202 ] || { echo "otp for login failed: $STATUS" >&2; return 1; }
	req POST /api/v1/auth/login "{\"phone\":\"$1\",\"code\":\"$(otp_of "$1")\"}"
	[ "$STATUS" = 200 ] || { echo "login failed: $STATUS" >&2; return 1; }
	j .token | tee -a "$T/tokens"
}

finish() {
	check_no_clear_phones
	echo "$NAME: $PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
}

# Decodes the QR code in an SVG with zbarimg (rendered by rsvg-convert,
# since ImageMagick's own SVG reader here does not draw it scannably).
svg_decode() {
	rsvg-convert -z 4 -b white "$1" > "$1.png" && zbarimg -q --raw "$1.png" 2>/dev/null
}

# start_instance NAME REGION: another instance of the service (its own
# data, keys, region, port, lighttpd and worker) for mutual recognition.
# Its address is in BASE_<NAME>; "on NAME cmd..." runs cmd against it.
start_instance() {
	name=$1
	dir="$T/$1"
	mkdir -p "$dir"
	port=$(free_port)
	eval "BASE_$name=http://127.0.0.1:$port"
	(
		export HC_DATA_DIR="$dir/data" HC_REGION="$2" \
		    HC_LOG_FILE="$dir/healthcode.log" HC_TRUSTED_ISSUERS= \
		    HC_PUBLIC_BASE_URL="http://127.0.0.1:$port"
		"$CTL" init >/dev/null && "$CTL" migrate >/dev/null &&
		"$TOP/spawn.sh" start -n 1 -s "$dir/fcgi.sock" \
		    -P "$dir/fcgi.pid" -b "$BUILD/healthcode.fcgi" \
		    -l "$dir/healthcode.log"
	) || { echo "instance $name would not start" >&2; exit 1; }
	fill_conf lighttpd "$dir/lighttpd.conf" "$port" "$dir/fcgi.sock" "$dir"
	lighttpd -D -f "$dir/lighttpd.conf" &
	echo $! > "$dir/lighttpd.pid"
	EXTRA+=("$name")
	sleep 0.2
	kill -0 "$(cat "$dir/lighttpd.pid")" 2>/dev/null ||
	    { echo "instance $name: lighttpd would not start (port $port)" >&2; exit 1; }
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0
		sleep 0.05
	done
	echo "instance $name did not come up" >&2
	exit 1
}

on() {
	name=$1
	shift
	eval "BASE=\$BASE_$name HC_DATA_DIR=\$T/$name/data \"\$@\""
}

# start_wechat APPID SECRET SESSION-KEY-PREFIX: the WeChat stand-in
# (tests/wechat-standin.py) on a free port, at $WX, with the app secret in
# $T/wx/secret (mode 0600), and the service's wechat_* keys pointing at it
# (export them before start_stack).  cleanup stops it.
start_wechat() {
	mkdir -p "$T/wx"
	printf '%s\n' "$2" > "$T/wx/secret"
	chmod 600 "$T/wx/secret"
	local tries
	for tries in 1 2 3 4 5; do
		WXPORT=$(free_port)
		python3 "$TOP/tests/wechat-standin.py" "$WXPORT" "$1" \
		    "$T/wx/secret" "$3" > "$T/standin.log" 2>&1 &
		WXPID=$!
		WX="http://127.0.0.1:$WXPORT"
		for _ in $(seq 400); do
			curl -sf "$WX/control/stats" >/dev/null && break
			kill -0 "$WXPID" 2>/dev/null || break	# the port was taken
			sleep 0.05
		done
		curl -sf "$WX/control/stats" >/dev/null && break
		kill "$WXPID" 2>/dev/null
		wait "$WXPID" 2>/dev/null
		WXPID=""
	done
	[ -n "$WXPID" ] ||
	    { echo "the WeChat stand-in would not start" >&2; exit 1; }
	export HC_WECHAT_APPID=$1
	export HC_WECHAT_SECRET_FILE="$T/wx/secret"
	export HC_WECHAT_API_BASE=$WX
}

# wechat_logs_clean SECRET SESSION-KEY-PREFIX: the run's logs (the
# workers', lighttpd's, the stand-in's) hold neither WeChat's app secret
# nor a session_key it handed out.
wechat_logs_clean() {
	log_settled
	logs=("$HC_LOG_FILE" "$T"/lighttpd-error.log "$T/standin.log")
	check "the worker log is there" test -s "$HC_LOG_FILE"
	check "the app secret in no log" bash -c '! grep -qF "$0" "$@"' "$1" "${logs[@]}"
	check "no session_key in any log" bash -c '! grep -qF "$0" "$@"' "$2" "${logs[@]}"
}

# npm_ready MODULE: the npm packages of the current directory's
# package-lock.json, installed unless MODULE is there already.
npm_ready() {
	[ -d "node_modules/$1" ] && return 0
	npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 ||
	    { echo "$NAME: npm ci failed"; exit 1; }
}

# node_result SCRIPT-OUTPUT: prints a Node test's failures and adds its
# last "NAME: N passed, N failed" line to PASS and FAIL.
node_result() {
	printf '%s\n' "$1" | grep -v ' passed, '
	line=$(printf '%s\n' "$1" | grep -E ': [0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$line" ]; then
		fail "the test printed no result"
		return
	fi
	PASS=$((PASS + $(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
	FAIL=$((FAIL + $(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')))
}
