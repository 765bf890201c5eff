#!/bin/bash
# Benchmarks through lighttpd, side by side with the ceiling: a hello-world
# FastCGI program behind the same lighttpd, same worker count, same run.
# Usage: bench/run.sh [BUILD]   (env: DURATION=10s CONNECTIONS=64 THREADS=2
# ROUNDS=3, PERSONS=200, ONLY="verify code" to run some endpoints; hello
# always runs)
# Prints requests/s per endpoint, the ratio to hello, worker CPU time per
# request, and worker RSS.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
WORKERS=${WORKERS:-$(nproc)}
PERSONS=${PERSONS:-200}
command -v wrk >/dev/null || { echo "bench: wrk not installed (make deps)"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/hc-bench.XXXXXX")
LPID=""
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	"$TOP/spawn.sh" stop -s "$T/app.sock" -P "$T/app.pid"
	"$TOP/spawn.sh" stop -s "$T/hello.sock" -P "$T/hello.pid"
	rm -rf "$T"
}
trap cleanup EXIT

export HC_CONFIG="$TOP/conf/healthcode.conf" HC_DATA_DIR="$T/data"
export HC_DEVELOPMENT=on	# codes to the outbox: a development server
export HC_LOG_FILE="$T/healthcode.log" HC_OTP_IP_HOURLY=1000000
export HC_CODE_TTL=3600
PORT=$((30000 + RANDOM % 20000))
BASE="http://127.0.0.1:$PORT"
export HC_PUBLIC_BASE_URL="$BASE"
"$BUILD/healthcodectl" init >/dev/null
"$BUILD/healthcodectl" migrate >/dev/null
"$TOP/spawn.sh" start -n "$WORKERS" -s "$T/app.sock" -P "$T/app.pid" \
    -b "$BUILD/healthcode.fcgi" -l "$HC_LOG_FILE"
"$TOP/spawn.sh" start -n "$WORKERS" -s "$T/hello.sock" -P "$T/hello.pid" \
    -b "$BUILD/hello.fcgi"
{
	sed -e "s|@BIND@|127.0.0.1|" -e "s|@PORT@|$PORT|" \
	    -e "s|@SOCKET@|$T/app.sock|" -e "s|@STATIC@|$TOP/static|" \
	    -e "s|@LOGDIR@|$T|" "$TOP/conf/lighttpd.conf"
	# The ceiling: same server, same kind of socket, the smallest responder.
	printf '$HTTP["url"] =~ "^/hello" {\n\tfastcgi.server = ( "/" => (( "socket" => "%s", "check-local" => "disable" )) )\n}\n' "$T/hello.sock"
} > "$T/lighttpd.conf"
lighttpd -D -f "$T/lighttpd.conf" &
LPID=$!
for _ in $(seq 50); do
	curl -sf "$BASE/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -sf "$BASE/hello" >/dev/null || { echo "bench: hello not reachable"; exit 1; }

# PERSONS signed-in people with today's declaration and code, so that no
# endpoint is measured on one person's row (or one token) alone.  Each has
# two valid code tokens: the kept one, the newest under the person's code
# id (what a checkpoint scans when the code is shown: no P-256 check), and
# an older one, valid but not kept (checked in full, as another region's
# codes are).  code_ttl is an hour so that none is renewed during the run.
signin() {	# signin PHONE: prints a session token
	curl -s -X POST -H 'Content-Type: application/json' \
	    -d "{\"phone\":\"$1\"}" "$BASE/api/v1/auth/otp" >/dev/null
	code=$(grep "^$1 " "$HC_DATA_DIR/sms-outbox.log" | tail -1 | cut -d' ' -f2)
	curl -s -X POST -H 'Content-Type: application/json' \
	    -d "{\"phone\":\"$1\",\"code\":\"$code\"}" \
	    "$BASE/api/v1/auth/login" | jq -r .token
}
code_token() { curl -s -H "Authorization: Bearer $1" "$BASE/api/v1/code" | jq -r .token; }
: > "$T/sessions"
for i in $(seq "$PERSONS"); do
	s=$(signin "$((13800000000 + i))")
	curl -sf -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $s" \
	    -d "{\"name\":\"Bench Person\",\"id_type\":\"passport\",\"id_number\":\"$(printf 'E%07d' "$i")\",\"nationality\":\"USA\",\"temperature\":36.5,\"symptoms\":[],\"travel\":[],\"contact\":false}" \
	    "$BASE/api/v1/declarations" >/dev/null || { echo "bench: declaration failed"; exit 1; }
	echo "$s" >> "$T/sessions"
done
while read -r s; do code_token "$s"; done < "$T/sessions" > "$T/codes-older"
sqlite3 "$HC_DATA_DIR/healthcode.db" 'UPDATE daily_codes SET url = NULL, qr = NULL'
while read -r s; do code_token "$s"; done < "$T/sessions" > "$T/codes-kept"
TOKEN=$(head -1 "$T/sessions")
[ "$(sort -u "$T/codes-kept" "$T/codes-older" | grep -c '^ey')" = $((2 * PERSONS)) ] ||
    { echo "bench: not $((2 * PERSONS)) distinct code tokens"; exit 1; }

# A checker.
C=13900139000
"$BUILD/healthcodectl" grant $C checker >/dev/null
CHECKER_TOKEN=$(signin $C)
export CHECKER_TOKEN TOKEN
EACH=$TOP/bench/each.lua
for f in kept older; do
	[ "$(curl -s -X POST -H 'Content-Type: application/json' \
	    -H "Authorization: Bearer $CHECKER_TOKEN" \
	    -d "{\"token\":\"$(tail -1 "$T/codes-$f")\"}" \
	    "$BASE/api/v1/verify" | jq -r .valid)" = true ] ||
	    { echo "bench: verify does not answer valid ($f token)"; exit 1; }
done

rss() {	# total and largest worker RSS in KiB
	ps -o rss= -p "$(tr '\n' ',' < "$T/app.pid" | sed 's/,$//')" |
	    awk '{ t += $1; if ($1 > m) m = $1 } END { printf "%d KiB max per worker (%d KiB total)", m, t }'
}

cpu() {	# cpu PIDFILE: user+system clock ticks of those workers so far
	for p in $(cat "$1"); do cat "/proc/$p/stat"; done |
	    awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t }'
}

run() {	# run LABEL PATH [wrk args]: one wrk run, a line, a row in $T/runs
	label=$1
	path=$2
	shift 2
	pids=$T/app.pid
	case $label in hello*) pids=$T/hello.pid ;; esac
	c0=$(cpu "$pids")
	out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$BASE$path")
	c1=$(cpu "$pids")
	rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ { print $2 }')
	reqs=$(printf '%s\n' "$out" | awk '/requests in/ { print $1 }')
	p99=$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')
	non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx/ { print $NF }')
	# Worker CPU per request, in microseconds (user + system).
	us=$(awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$reqs" \
	    'BEGIN { printf "%.0f", d * 1e6 / hz / n }')
	printf '  %-12s %8.0f req/s  p99 %-8s worker CPU %4s us/req%s\n' \
	    "$label" "$rps" "$p99" "$us" "${non2xx:+  non-2xx: $non2xx}"
	echo "$label $rps $us ${non2xx:-0} $ROUND" >> "$T/runs"
}

want() {	# want LABEL: in $ONLY (all when empty)
	[ -z "${ONLY:-}" ] || case " $ONLY " in *" $1 "*) ;; *) return 1 ;; esac
}

# The machine is shared and its speed drifts: each round measures the
# ceiling and then every endpoint, and the summary takes the median of the
# rounds, so that a ratio compares runs made close together.
echo "bench: $WORKERS workers each, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, $(nproc) cores"
echo "worker RSS before: $(rss)"
: > "$T/runs"
for ROUND in $(seq "$ROUNDS"); do
	echo "round $ROUND"
	run hello /hello
	# The ceiling again, sent verify's request (a POST with its body).
	want hello-post && AS=code FROM=$T/codes-kept run hello-post /hello -s "$EACH"
	want healthz && run healthz /healthz
	want verify && AS=code FROM=$T/codes-kept run verify /api/v1/verify -s "$EACH"
	want verify-sig && AS=code FROM=$T/codes-older run verify-sig /api/v1/verify -s "$EACH"
	want code && AS=session FROM=$T/sessions run code /api/v1/code -s "$EACH"
	want code.svg && AS=session FROM=$T/sessions run code.svg /api/v1/code.svg -s "$EACH"
	want code-page && AS=session FROM=$T/sessions run code-page /code -s "$EACH"
	want declare && run declare /api/v1/declarations -s "$TOP/bench/declare.lua"
	echo "  worker RSS: $(rss)"
done
echo "worker RSS after: $(rss)"
# "verify" measures kept codes only while they are still the kept ones (a
# run near the daily cutoff renews them: code_ttl is capped there).
sqlite3 "$HC_DATA_DIR/healthcode.db" 'SELECT url FROM daily_codes' |
    sed 's|.*/v/||' | sort > "$T/kept-now"
sort "$T/codes-kept" | comm -23 - "$T/kept-now" | grep -q . &&
    echo "bench: WARNING: codes were renewed during the run; the verify row includes full checks"
echo "verifications recorded: $(sqlite3 "$HC_DATA_DIR/healthcode.db" 'SELECT count(*) FROM verifications')"
echo
echo "median of $ROUNDS rounds (ratios to the ceiling of the same round):"
awk '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	if (!($1 in rps)) order[++n] = $1
	rps[$1] = rps[$1] " " $2
	us[$1] = us[$1] " " $3
	bad[$1] += $4
	at[$1, $5] = $2
}
END {
	# Each ratio is to the ceiling of its own round, then the median.
	for (i = 1; i <= n; i++) {
		l = order[i]
		r = ""
		for (k = 1; (l, k) in at; k++)
			r = r " " at[l, k] / at["hello", k]
		printf "  %-12s %8.0f req/s  ratio %.2f  worker CPU %4.0f us/req%s%s\n",
		    l, median(rps[l]), median(r), median(us[l]),
		    l == "verify" ? "  (target: at least 0.50)" : "",
		    bad[l] ? "  NON-2XX: " bad[l] : ""
	}
}' "$T/runs"
