#!/bin/bash
# The daily purge under load: 1,000,000 expired check records, the first
# request of the day claims the purge, and wrk keeps requesting /healthz
# through lighttpd while the workers purge in batches between requests.
# Prints how long the purge took and the latencies seen during it, and
# the same latencies with no purge running, for comparison.
# Usage: bench/purge.sh [BUILD]   (env: ROWS=1000000 CONNECTIONS=16)
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
ROWS=${ROWS:-1000000}
CONNECTIONS=${CONNECTIONS:-16}
WORKERS=${WORKERS:-$(nproc)}

T=$(mktemp -d "${TMPDIR:-/tmp}/hc-purge.XXXXXX")
LPID=""
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	"$TOP/spawn.sh" stop -s "$T/app.sock" -P "$T/app.pid"
	rm -rf "$T"
}
trap cleanup EXIT

export HC_CONFIG="$TOP/conf/healthcode.conf" HC_DATA_DIR="$T/data"
export HC_DEVELOPMENT=on	# codes to the outbox: a development server
export HC_LOG_FILE="$T/healthcode.log"
PORT=$((10000 + RANDOM % 22000))	# below the outgoing connections' ports
BASE="http://127.0.0.1:$PORT"
"$BUILD/healthcodectl" init >/dev/null
"$BUILD/healthcodectl" migrate >/dev/null
OLD=$(( $(date +%s) - 30 * 86400 ))
t0=$(date +%s.%N)
sqlite3 "$HC_DATA_DIR/healthcode.db" "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $ROWS)
    INSERT INTO verifications (method, issuer, code_id, place, valid, color, checked_at)
    SELECT 'scan', '330100', printf('code%07d', x), 'gate ' || (x % 50), 1, 'green', $OLD + x % 86400 FROM n;"
echo "purge bench: $ROWS expired check records written in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s; database $(du -h "$HC_DATA_DIR/healthcode.db" | cut -f1)"

"$TOP/spawn.sh" start -n "$WORKERS" -s "$T/app.sock" -P "$T/app.pid" \
    -b "$BUILD/healthcode.fcgi" -l "$HC_LOG_FILE"
sed -e "s|@BIND@|127.0.0.1|" -e "s|@PORT@|$PORT|" \
    -e "s|@SOCKET@|$T/app.sock|" -e "s|@STATIC@|$TOP/static|" \
    -e "s|@LOGDIR@|$T|" "$TOP/conf/lighttpd.conf" > "$T/lighttpd.conf"
lighttpd -D -f "$T/lighttpd.conf" &
LPID=$!
sleep 0.5

latency() {	# latency LABEL: wrk for the given seconds, p50/p99/max
	out=$(wrk -t2 -c"$CONNECTIONS" -d"$2" --latency "$BASE/healthz")
	printf '%-16s %7s req/s  p50 %-8s p99 %-8s max %s\n' "$1" \
	    "$(printf '%s\n' "$out" | awk '/^Requests\/sec/ { printf "%.0f", $2 }')" \
	    "$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')" \
	    "$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')" \
	    "$(printf '%s\n' "$out" | awk '$1 == "Latency" { print $4 }')"
}

# The first request claims today's purge; wrk runs until it is done.
latency "during purge" 30s &
WPID=$!
for _ in $(seq 600); do
	grep -q 'purge .* done in' "$HC_LOG_FILE" && break
	sleep 0.1
done
wait "$WPID"
grep -o 'purge .* done in [0-9]* ms' "$HC_LOG_FILE" | sed 's/^/  /'
echo "  left: $(sqlite3 "$HC_DATA_DIR/healthcode.db" 'SELECT count(*) FROM verifications') rows"
latency "no purge" 10s
