#!/bin/bash
# What one risk-area change costs with a province's people: PERSONS rows
# in persons (1,000,000 by default, written with sqlite3), then ROUNDS
# changes through lighttpd as an admin (PUT, alternating high and medium,
# then DELETE), each timed by curl.  Prints every time and the median.
# OLD_TRIGGERS=1 first puts back the triggers of migration 0007 that
# rewrote every person on each change (what migration 0011 replaced with
# one generation), to measure what a change cost before.
# Usage: bench/riskarea.sh [BUILD]   (env: PERSONS=1000000 ROUNDS=7)
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
PERSONS=${PERSONS:-1000000}
ROUNDS=${ROUNDS:-7}

T=$(mktemp -d "${TMPDIR:-/tmp}/hc-risk.XXXXXX")
LPID=""
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	"$TOP/spawn.sh" stop -s "$T/app.sock" -P "$T/app.pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

export HC_CONFIG="$TOP/conf/healthcode.conf" HC_DATA_DIR="$T/data"
export HC_LOG_FILE="$T/healthcode.log" HC_OTP_IP_HOURLY=1000
PORT=$((30000 + RANDOM % 20000))
BASE="http://127.0.0.1:$PORT"
export HC_PUBLIC_BASE_URL="$BASE"
DB="$HC_DATA_DIR/healthcode.db"
"$BUILD/healthcodectl" init >/dev/null
"$BUILD/healthcodectl" migrate >/dev/null
t0=$(date +%s.%N)
sqlite3 "$DB" "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $PERSONS)
    INSERT INTO persons (id_hash, id_type, id_masked, name, created_at, ref)
    SELECT printf('%064x', x), 'resident_id', '3301**********0000', '王*华',
        1795917600, printf('%016x', x) FROM n;"
# The persons have no account: today's purge would delete them as
# orphans, between the timed requests.  It has run today.
sqlite3 "$DB" "INSERT INTO purge_runs (day, started_at, finished_at, counts)
    VALUES ('$(TZ=Asia/Shanghai date +%F)', $(date +%s), $(date +%s), '{}')"
# Into the database file: the workers' first commits would otherwise
# checkpoint the bulk insert's WAL and be timed doing it.
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
echo "riskarea bench: $PERSONS persons written in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s; database $(du -h "$DB" | cut -f1)"
if [ -n "${OLD_TRIGGERS:-}" ]; then
	sqlite3 "$DB" "
	    CREATE TRIGGER risk_colour_ins AFTER INSERT ON risk_areas BEGIN
		UPDATE persons SET color_gen = color_gen + 1; END;
	    CREATE TRIGGER risk_colour_upd AFTER UPDATE ON risk_areas BEGIN
		UPDATE persons SET color_gen = color_gen + 1; END;
	    CREATE TRIGGER risk_colour_del AFTER DELETE ON risk_areas BEGIN
		UPDATE persons SET color_gen = color_gen + 1; END;"
	echo "  with migration 0007's triggers: every change rewrites every person"
fi
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

# change METHOD [BODY]: one change, prints "status seconds".
change() {
	if [ $# -gt 1 ]; then
		set -- "$1" -H 'Content-Type: application/json' --data-binary "$2"
	else
		set -- "$1" -H 'Content-Length: 0'
	fi
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X "$@" \
	    -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/admin/risk-areas/330100"
}
times=()
for i in $(seq "$ROUNDS"); do
	level=high
	[ $((i % 2)) = 0 ] && level=medium
	set -- $(change PUT "{\"level\":\"$level\"}")
	[ "$1" = 200 ] || { echo "PUT answered $1" >&2; exit 1; }
	echo "  PUT $level: ${2}s"
	times+=("$2")
done
set -- $(change DELETE)
echo "  DELETE: ${2}s ($1)"
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")
echo "riskarea bench: median PUT ${median}s with $PERSONS persons;" \
    "$(sqlite3 "$DB" 'SELECT count(*) FROM persons WHERE color_gen > 0') persons" \
    "rewritten, colour_epoch $(sqlite3 "$DB" 'SELECT gen FROM colour_epoch')"
