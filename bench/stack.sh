# Shared by bench/riskarea.sh and bench/cases.sh (source it): a data
# directory in $T with PERSONS rows in persons written by sqlite3
# (registered people: today's purge is marked done, so that it does not
# delete them as persons of no account between the timed requests),
# lighttpd and two workers on a free port ($BASE), and an admin's
# session ($TOKEN).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
PERSONS=${PERSONS:-1000000}

T=$(mktemp -d "${TMPDIR:-/tmp}/hc-bench.XXXXXX")
LPID=""
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	"$TOP/spawn.sh" stop -s "$T/app.sock" -P "$T/app.pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

export HC_CONFIG="$TOP/conf/healthcode.conf" HC_DATA_DIR="$T/data"
export HC_DEVELOPMENT=on	# codes to the outbox: a development server
export HC_LOG_FILE="$T/healthcode.log" HC_OTP_IP_HOURLY=1000
PORT=$((10000 + RANDOM % 22000))	# below the outgoing connections' ports
BASE="http://127.0.0.1:$PORT"
export HC_PUBLIC_BASE_URL="$BASE"
DB="$HC_DATA_DIR/healthcode.db"

# secs T0: seconds since T0 (date +%s.%N), three decimals.
secs() { echo "$(date +%s.%N) - $1" | bc | awk '{ printf "%.3f", $1 }'; }

stack_start() {
	"$BUILD/healthcodectl" init >/dev/null
	"$BUILD/healthcodectl" migrate >/dev/null
	t0=$(date +%s.%N)
	sqlite3 "$DB" "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $PERSONS)
	    INSERT INTO persons (id_hash, id_type, id_masked, name, created_at, ref)
	    SELECT printf('%064x', x), 'resident_id', '3301**********0000', '王*华',
		1795917600, printf('%016x', x) FROM n;
	    INSERT INTO purge_runs (day, started_at, finished_at, counts)
	    VALUES ('$(TZ=Asia/Shanghai date +%F)', $(date +%s), $(date +%s), '{}');"
	# Into the database file: the workers' first commits would otherwise
	# checkpoint the bulk insert's WAL and be timed doing it.
	sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	echo "$(basename "$0" .sh) bench: $PERSONS persons written in $(secs "$t0") s; database $(du -h "$DB" | cut -f1)"
}

stack_serve() {
	"$BUILD/healthcodectl" grant 13900000001 admin >/dev/null
	"$TOP/spawn.sh" start -n 2 -s "$T/app.sock" -P "$T/app.pid" \
	    -b "$BUILD/healthcode.fcgi" -l "$HC_LOG_FILE"
	sed -e "s|@BIND@|127.0.0.1|" -e "s|@PORT@|$PORT|" \
	    -e "s|@SOCKET@|$T/app.sock|" -e "s|@STATIC@|$TOP/static|" \
	    -e "s|@LOGDIR@|$T|" "$TOP/conf/lighttpd.conf" > "$T/lighttpd.conf"
	lighttpd -D -f "$T/lighttpd.conf" &
	LPID=$!
	for _ in $(seq 100); do
		curl -sf -o /dev/null "$BASE/healthz" && break
		sleep 0.05
	done
	curl -sf -o /dev/null -H 'Content-Type: application/json' \
	    -d '{"phone":"13900000001"}' "$BASE/api/v1/auth/otp"
	code=$(grep '^13900000001 ' "$HC_DATA_DIR/sms-outbox.log" | tail -1 | cut -d' ' -f2)
	TOKEN=$(curl -sf -H 'Content-Type: application/json' \
	    -d "{\"phone\":\"13900000001\",\"code\":\"$code\"}" \
	    "$BASE/api/v1/auth/login" | jq -r .token)
}
