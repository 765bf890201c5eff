#!/bin/bash
# The benchmark at provincial scale, through lighttpd, side by side with
# the ceiling: a hello-world FastCGI program behind the same lighttpd,
# with as many workers, measured in the same rounds.
#
# A database of PERSONS_DB people (bench/gen.c: accounts, persons keyed
# as the service keys them, DAYS days of everyone's declarations before
# today, CHECKINS check-ins at VENUES venues over the same days), SAMPLE
# of them signed in, declared today and holding a code; then wrk against
# each endpoint, each request another person's; then the daily purge of
# that database (its oldest day has expired) while checkpoints verify.
#
# Usage: bench/run.sh [BUILD]
#   env: PERSONS_DB=1000000 DAYS=14 CHECKINS=5000000 VENUES=2000
#        SAMPLE=10000 DURATION=10s CONNECTIONS=64 THREADS=2 ROUNDS=3
#        WORKERS=$(nproc) ONLY="verify code" (some endpoints; the ceilings
#        always run; healthz only when named)
#        PURGE=0 (no purge phase) PURGE_SLICE=5s PURGE_MAX=600 (seconds)
#        KEEP=1 (keep the scratch directory)
# Prints per endpoint requests/s, p50 and p99 latency, the ratio to the
# ceiling and the target, worker CPU per request, the workers' memory
# before and after; then the purge's duration and the latency during it.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
PERSONS_DB=${PERSONS_DB:-1000000}
DAYS=${DAYS:-14}
CHECKINS=${CHECKINS:-5000000}
VENUES=${VENUES:-2000}
SAMPLE=${SAMPLE:-10000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
WORKERS=${WORKERS:-$(nproc)}
PURGE=${PURGE:-1}
PURGE_SLICE=${PURGE_SLICE:-5s}
PURGE_MAX=${PURGE_MAX:-600}
command -v wrk >/dev/null || { echo "bench: wrk not installed (make deps)"; exit 1; }
[ "$SAMPLE" -le "$PERSONS_DB" ] || { echo "bench: SAMPLE > PERSONS_DB"; exit 1; }
started=$(date +%s)

T=$(mktemp -d "${TMPDIR:-/tmp}/hc-bench.XXXXXX")
LPID=""
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	"$TOP/spawn.sh" stop -s "$T/app.sock" -P "$T/app.pid" 2>/dev/null
	"$TOP/spawn.sh" stop -s "$T/hello.sock" -P "$T/hello.pid" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

export HC_CONFIG="$TOP/conf/healthcode.conf" HC_DATA_DIR="$T/data"
export HC_DEVELOPMENT=on	# codes to the outbox: a development server
export HC_LOG_FILE="$T/healthcode.log" HC_OTP_IP_HOURLY=1000000
# An hour, so that no code is renewed during the run.
export HC_CODE_TTL=3600
PORT=$((10000 + RANDOM % 22000))	# below the outgoing connections' ports
BASE="http://127.0.0.1:$PORT"
export HC_PUBLIC_BASE_URL="$BASE"
DB="$HC_DATA_DIR/healthcode.db"

# secs T0: seconds since T0 (date +%s.%N), one decimal.
secs() { awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.1f", t1 - t0 }'; }

"$BUILD/healthcodectl" init >/dev/null
"$BUILD/healthcodectl" migrate >/dev/null
echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) before the data"
t0=$(date +%s.%N)
"$BUILD/bench-gen" -p "$PERSONS_DB" -d "$DAYS" -c "$CHECKINS" -v "$VENUES" \
    -s "$SAMPLE" "$T/sample" 2>"$T/gen.log" ||
    { cat "$T/gen.log"; exit 1; }
TODAY=$(TZ=Asia/Shanghai date +%F)
# Today's purge marked done, for the endpoints; the purge phase undoes it.
sqlite3 "$DB" "INSERT INTO purge_runs (day, started_at, finished_at, counts)
    VALUES ('$TODAY', $(date +%s), $(date +%s), '{}')"
sqlite3 "$DB" 'SELECT token FROM venues' > "$T/venues"
# In the page cache, as on a server that has been serving for a while.
cat "$DB" > /dev/null
echo "bench: $PERSONS_DB people, $DAYS days of their declarations, $CHECKINS" \
    "check-ins at $VENUES venues, $SAMPLE signed in: written in $(secs "$t0") s," \
    "database $(du -h "$DB" | cut -f1)"

app_start() {
	"$TOP/spawn.sh" start -n "$WORKERS" -s "$T/app.sock" -P "$T/app.pid" \
	    -b "$BUILD/healthcode.fcgi" -l "$HC_LOG_FILE"
}
app_start
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

signin() {	# signin PHONE: prints a session token
	curl -s -X POST -H 'Content-Type: application/json' \
	    -d "{\"phone\":\"$1\"}" "$BASE/api/v1/auth/otp" >/dev/null
	code=$(grep "^$1 " "$HC_DATA_DIR/sms-outbox.log" | tail -1 | cut -d' ' -f2)
	curl -s -X POST -H 'Content-Type: application/json' \
	    -d "{\"phone\":\"$1\",\"code\":\"$code\"}" \
	    "$BASE/api/v1/auth/login" | jq -r .token
}

# codes OUT: each signed-in person's code token (GET /api/v1/code), in
# the sample's order; two curl processes, each on one connection.
codes() {
	rm -f "$T"/part.*
	split -n l/2 "$T/sample" "$T/part."
	cpids=""
	for p in "$T"/part.??; do
		awk -v base="$BASE" '{
			if (NR > 1) print "next"
			printf "url = \"%s/api/v1/code\"\n", base
			printf "header = \"Authorization: Bearer %s\"\n", $1
		}' "$p" > "$p.cfg"
		curl -s -K "$p.cfg" > "$p.out" &
		cpids="$cpids $!"
	done
	wait $cpids
	cat "$T"/part.??.out | jq -r .token > "$1"
}
# Each person has two valid code tokens: the kept one, the newest under
# the person's code id (what a checkpoint scans when the code is shown:
# no P-256 check), and an older one, valid but not kept (checked in full,
# as another region's codes are).
t0=$(date +%s.%N)
codes "$T/codes-older"
sqlite3 "$DB" 'UPDATE daily_codes SET url = NULL, qr = NULL'
codes "$T/codes-kept"
[ "$(sort -u "$T/codes-kept" "$T/codes-older" | grep -c '^ey')" = $((2 * SAMPLE)) ] ||
    { echo "bench: not $((2 * SAMPLE)) distinct code tokens"; exit 1; }
echo "bench: $((2 * SAMPLE)) codes issued in $(secs "$t0") s"

# A checker.
C=13900139000
"$BUILD/healthcodectl" grant $C checker >/dev/null
CHECKER_TOKEN=$(signin $C)
export CHECKER_TOKEN
EACH=$TOP/bench/each.lua
for f in kept older; do
	[ "$(curl -s -X POST -H 'Content-Type: application/json' \
	    -H "Authorization: Bearer $CHECKER_TOKEN" \
	    -d "{\"token\":\"$(tail -1 "$T/codes-$f")\"}" \
	    "$BASE/api/v1/verify" | jq -r .valid)" = true ] ||
	    { echo "bench: verify does not answer valid ($f token)"; exit 1; }
done

pids() { tr '\n' ',' < "$T/app.pid" | sed 's/,$//'; }
mem() {	# the workers' RSS: the largest, its private part, and the total
	for p in $(cat "$T/app.pid"); do
		awk '/^VmRSS|^RssAnon/ { printf "%s ", $2 } END { print "" }' "/proc/$p/status"
	done | awk '{ t += $1; if ($1 > m) { m = $1; a = $2 } }
	    END { printf "%.1f MiB max per worker (%.1f MiB of it private heap and stack; the rest mapped database pages and code), %.1f MiB total", m / 1024, a / 1024, t / 1024 }'
}

cpu() {	# cpu PIDFILE: user+system clock ticks of those workers so far
	for p in $(cat "$1"); do cat "/proc/$p/stat"; done |
	    awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t }'
}

# wrk's latency ("850.00us", "1.23ms", "2.01s") in milliseconds.
ms() { awk -v x="$1" 'BEGIN {
	u = x; sub(/[0-9.]+/, "", u); v = x + 0
	printf "%.2f", u == "us" ? v / 1000 : u == "s" ? v * 1000 : u == "m" ? v * 60000 : v }'; }

# wrk_run OUT PATH [wrk args]: one wrk run, its report in OUT.
wrk_run() {
	out=$1 path=$2
	shift 2
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" \
	    "$BASE$path" > "$out"
}
field() {	# field OUT NAME: rps, reqs, p50, p99 (ms), non2xx of a report
	case $2 in
	rps) awk '/^Requests\/sec/ { print $2 }' "$1" ;;
	reqs) awk '/requests in/ { print $1 }' "$1" ;;
	p50) ms "$(awk '$1 == "50%" { print $2 }' "$1")" ;;
	p99) ms "$(awk '$1 == "99%" { print $2 }' "$1")" ;;
	non2xx) awk '/Non-2xx|Socket errors/ { sub(/^ +/, ""); printf "%s; ", $0 }' "$1" ;;
	esac
}

run() {	# run LABEL PATH [wrk args]: one wrk run, a line, a row in $T/runs
	label=$1
	path=$2
	shift 2
	pids=$T/app.pid
	case $label in hello*) pids=$T/hello.pid ;; esac
	c0=$(cpu "$pids")
	wrk_run "$T/wrk.out" "$path" "$@"
	c1=$(cpu "$pids")
	rps=$(field "$T/wrk.out" rps)
	p50=$(field "$T/wrk.out" p50)
	p99=$(field "$T/wrk.out" p99)
	bad=$(field "$T/wrk.out" non2xx)
	# Worker CPU per request, in microseconds (user + system).
	us=$(awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" \
	    -v n="$(field "$T/wrk.out" reqs)" 'BEGIN { printf "%.0f", d * 1e6 / hz / n }')
	printf '  %-12s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  worker CPU %4s us/req%s\n' \
	    "$label" "$rps" "$p50" "$p99" "$us" "${bad:+  ERRORS: $bad}"
	echo "$label $rps $us $p50 $p99 ${bad:+1}${bad:-0} $ROUND" >> "$T/runs"
}

want() {	# want LABEL: in $ONLY (by default all but healthz)
	if [ -z "${ONLY:-}" ]; then
		case $1 in healthz) return 1 ;; esac
		return 0
	fi
	case " $ONLY " in *" $1 "*) ;; *) return 1 ;; esac
}

# The machine is shared and its speed drifts: each round measures the
# ceiling and then every endpoint, and the summary takes the median of the
# rounds, so that a ratio compares runs made close together.
echo "bench: $WORKERS workers each, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, $(nproc) cores"
echo "worker memory before: $(mem)"
: > "$T/runs"
for ROUND in $(seq "$ROUNDS"); do
	echo "round $ROUND (load average $(cut -d' ' -f1-3 /proc/loadavg))"
	run hello /hello
	# The ceiling again, driven as the endpoints are: wrk's script making
	# each request (a GET with a person's token; verify's POST with its
	# body).  The script alone takes a third of plain hello's rate: an
	# endpoint's ratio is to the ceiling driven the same way.
	AS=session FROM=$T/sample run hello-get /hello -s "$EACH"
	AS=code FROM=$T/codes-kept run hello-post /hello -s "$EACH"
	want healthz && run healthz /healthz
	want verify && AS=code FROM=$T/codes-kept run verify /api/v1/verify -s "$EACH"
	want verify-sig && AS=code FROM=$T/codes-older run verify-sig /api/v1/verify -s "$EACH"
	want code && FROM=$T/sample run code /api/v1/code -s "$EACH"
	want code.svg && FROM=$T/sample run code.svg /api/v1/code.svg -s "$EACH"
	want code-page && FROM=$T/sample run code-page /code -s "$EACH"
	want declare && AS=declare FROM=$T/sample run declare /api/v1/declarations -s "$EACH"
	want checkin && AS=checkin FROM=$T/sample VENUES=$T/venues run checkin /api/v1/checkins -s "$EACH"
	echo "  worker memory: $(mem)"
done
echo "worker memory after: $(mem)"
# "verify" measures kept codes only while they are still the kept ones (a
# run near the daily cutoff renews them: code_ttl is capped there).
sqlite3 "$DB" "SELECT url FROM daily_codes WHERE day = '$TODAY'" |
    sed 's|.*/v/||' | sort > "$T/kept-now"
sort "$T/codes-kept" | comm -23 - "$T/kept-now" | grep -q . &&
    echo "bench: WARNING: codes were renewed during the run; the verify row includes full checks"
echo
echo "median of $ROUNDS rounds (ratios to the ceiling of the same round; the worst round's p99 too):"
awk -v target_p99=25 '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
BEGIN {
	target["verify"] = 0.7; target["code"] = 0.6
	target["code.svg"] = 0.4; target["code-page"] = 0.4
	target["declare"] = 0.4; target["checkin"] = 0.4
	# The ceiling each is measured against: driven the same way.
	base["verify"] = base["verify-sig"] = base["declare"] = \
	    base["checkin"] = "hello-post"
	base["code"] = base["code.svg"] = base["code-page"] = "hello-get"
}
{
	if (!($1 in rps)) order[++n] = $1
	rps[$1] = rps[$1] " " $2
	us[$1] = us[$1] " " $3
	p50[$1] = p50[$1] " " $4
	p99s[$1] = p99s[$1] " " $5
	if ($5 + 0 > p99[$1] + 0) p99[$1] = $5
	bad[$1] += $6
	at[$1, $7] = $2
}
END {
	for (i = 1; i <= n; i++) {
		l = order[i]
		b = (l in base) ? base[l] : "hello"
		r = plain = ""
		for (k = 1; (l, k) in at; k++) {
			r = r " " at[l, k] / at[b, k]
			plain = plain " " at[l, k] / at["hello", k]
		}
		ratio = median(r)
		of = b == "hello" ? "" : sprintf(" (%s; of plain hello %.2f)", b,
		    median(plain))
		t = ""
		if (l in target)
			t = sprintf("  target %.1f: %s", target[l],
			    (ratio >= target[l]) ? "met" : "MISSED")
		if (l != "hello")
			t = t sprintf("%sp99 %s", (t == "") ? "  " : ", ",
			    (median(p99s[l]) <= target_p99) ? "met" : "MISSED")
		printf "  %-12s %8.0f req/s  ratio %.2f%s  p50 %6.2f ms  p99 %6.2f ms (worst %6.2f)  CPU %4.0f us/req%s%s\n",
		    l, median(rps[l]), ratio, of, median(p50[l]), median(p99s[l]),
		    p99[l], median(us[l]), t, bad[l] ? "  ERRORS in " bad[l] " rounds" : ""
	}
}' "$T/runs"

[ "$PURGE" = 0 ] && { echo "bench: done in $(( $(date +%s) - started )) s"; exit 0; }

# The daily purge: the workers start afresh with today's purge not done,
# and the first verification claims it; checkpoints keep verifying (in
# slices of PURGE_SLICE) until the log says it is done.
echo
TH=$(TZ=Asia/Shanghai date -d "$TODAY - 13 days" +%F)
THT=$(TZ=Asia/Shanghai date -d "$TH 00:00" +%s)
echo "purge: $(sqlite3 "$DB" "SELECT count(*) FROM declarations WHERE day < '$TH'") declarations," \
    "$(sqlite3 "$DB" "SELECT count(*) FROM checkins WHERE checked_in_at < $THT") check-ins," \
    "$(sqlite3 "$DB" "SELECT count(*) FROM sessions WHERE expires_at <= $(date +%s)") sessions expired;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$TOP/spawn.sh" stop -s "$T/app.sock" -P "$T/app.pid"
sqlite3 "$DB" "DELETE FROM purge_runs WHERE day = '$TODAY'"
: > "$HC_LOG_FILE"
app_start
echo "  worker memory at the start: $(mem)"
t0=$(date +%s)
slice=0
while :; do
	slice=$((slice + 1))
	DURATION=$PURGE_SLICE AS=code FROM=$T/codes-kept wrk_run "$T/purge.$slice" \
	    /api/v1/verify -s "$EACH"
	printf '  verify during the purge, slice %2d: %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms%s\n' \
	    "$slice" "$(field "$T/purge.$slice" rps)" "$(field "$T/purge.$slice" p50)" \
	    "$(field "$T/purge.$slice" p99)" \
	    "$(bad=$(field "$T/purge.$slice" non2xx); echo "${bad:+  ERRORS: $bad}")"
	grep -q 'purge .* done in' "$HC_LOG_FILE" && break
	[ $(($(date +%s) - t0)) -lt "$PURGE_MAX" ] ||
	    { echo "purge: not done after $PURGE_MAX s"; break; }
done
echo "  worker memory after: $(mem)"
done_ms=$(grep -o 'purge .* done in [0-9]* ms' "$HC_LOG_FILE" | sed 's/.* in \([0-9]*\) ms/\1/')
worst=$(for f in "$T"/purge.*; do field "$f" p99; echo; done | sort -n | tail -1)
grep -o 'purge .* done in [0-9]* ms.*' "$HC_LOG_FILE" | sed 's/^/  /'
grep -q 'WAL checkpoint after the purge did not complete' "$HC_LOG_FILE" &&
    echo "  (its WAL checkpoint did not complete under the load: the next one completes it)"
awk -v ms="${done_ms:-0}" -v p99="$worst" 'BEGIN {
	printf "purge: %.1f s (target 60 s: %s), worst p99 of verify during it %.2f ms (target 50 ms: %s)\n",
	    ms / 1000, (ms > 0 && ms <= 60000) ? "met" : "MISSED", p99,
	    (p99 <= 50) ? "met" : "MISSED" }'
echo "bench: done in $(( $(date +%s) - started )) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
