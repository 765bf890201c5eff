#!/bin/bash
# The authority's statistics at a million people: a scratch database with
# PERSONS persons (70% with a colour cached today: 90% green, 7% yellow,
# 3% red), their accounts, and for each of the 14 days of the trend
# DECLS declarations, CHECKINS check-ins at 2,000 venues in 20 regions
# and CHECKS verifications.  Times GET /api/v1/admin/stats through
# lighttpd: the first request (which counts the 13 days before today
# once, into stats_days), then RUNS more (today only), and the page.
# Usage: bench/stats.sh [BUILD]
#   (env: PERSONS=1000000 DECLS=500000 CHECKINS=500000 CHECKS=200000 RUNS=5,
#    KEEP=1 keeps the scratch directory)
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
PERSONS=${PERSONS:-1000000}
DECLS=${DECLS:-500000}
CHECKINS=${CHECKINS:-500000}
CHECKS=${CHECKS:-200000}
RUNS=${RUNS:-5}

T=$(mktemp -d "${TMPDIR:-/tmp}/hc-stats.XXXXXX")
LPID=""
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	"$TOP/spawn.sh" stop -s "$T/app.sock" -P "$T/app.pid" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

export HC_CONFIG="$TOP/conf/healthcode.conf" HC_DATA_DIR="$T/data"
export HC_DEVELOPMENT=on	# codes to the outbox: a development server
export HC_LOG_FILE="$T/healthcode.log" HC_OTP_IP_HOURLY=1000
PORT=$((10000 + RANDOM % 22000))	# below the outgoing connections' ports
BASE="http://127.0.0.1:$PORT"
export HC_PUBLIC_BASE_URL="$BASE"
DB="$HC_DATA_DIR/healthcode.db"
"$BUILD/healthcodectl" init >/dev/null
"$BUILD/healthcodectl" migrate >/dev/null
NOW=$(date +%s)
# Today's start and the next cutoff in Shanghai (day_cutoff 00:00).
START=$(( (NOW + 8 * 3600) / 86400 * 86400 - 8 * 3600 ))
NEXT=$((START + 86400))

t0=$(date +%s.%N)
sqlite3 "$DB" >/dev/null <<EOF
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $PERSONS)
INSERT INTO accounts (id, phone_mac, phone_masked, phone_enc, created_at,
    last_seen_at)
    SELECT x, printf('%064d', x), printf('138****%04d', x % 10000), 'bench',
    $NOW, $NOW FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $PERSONS)
INSERT INTO persons (id, id_hash, id_type, id_masked, name, created_at, ref,
    color, color_until, color_rules, color_gen, color_gen_cached)
    SELECT x, printf('%064d', x), 'resident_id',
	substr('11013301330242014403', (x % 5) * 4 + 1, 4) || '**********0000', '某某', $NOW,
	printf('%016x', x),
	CASE WHEN x % 100 < 3 THEN 'red' WHEN x % 100 < 10 THEN 'yellow' ELSE 'green' END,
	CASE WHEN x % 10 < 7 THEN $NEXT ELSE $START END, 'bench', 0, 0 FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $PERSONS)
INSERT INTO account_persons (account_id, person_id, relation, created_at)
    SELECT x, x, 'self', $NOW FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000),
    r AS (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k FROM regions
	WHERE level = 3 LIMIT 20)
INSERT INTO venues (id, owner_id, name, address, region, token, token_at, created_at)
    SELECT x, 1, 'venue ' || x, 'street', r.code, printf('%022d', x), $NOW, $NOW
    FROM n JOIN r ON r.k = x % 20;
COMMIT;
EOF
for d in $(seq 0 13); do
	day=$(TZ=Asia/Shanghai date -d "@$((START - d * 86400))" +%F)
	t=$((START - d * 86400))
	sqlite3 "$DB" <<EOF
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $DECLS)
INSERT INTO declarations (person_id, day, temp_tenths, symptoms, contact, declared_at)
    SELECT x, '$day', 365, 0, 0, $t + x % 86400 FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $CHECKINS)
INSERT INTO checkins (account_id, person_id, venue_id, color, checked_in_at)
    SELECT x, x, 1 + x % 2000, 'green', $t + x % 86400 FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $CHECKS)
INSERT INTO verifications (checker_id, method, issuer, code_id, person_id, valid, color, checked_at)
    SELECT 1, 'scan', CASE WHEN x % 10 = 0 THEN '440300' ELSE '330100' END,
	printf('c%07d', x), x, 1, 'green', $t + x % 86400 FROM n;
COMMIT;
EOF
done
# The colours cached after the declarations (as a declaration computes
# one), so that the triggers' marks do not make them all stale.
sqlite3 "$DB" "UPDATE persons SET color_gen_cached = color_gen;" >/dev/null
# No ANALYZE: the service never runs it, so the plans are those without statistics.
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
echo "stats bench: $PERSONS persons, 14 days of $DECLS declarations, $CHECKINS check-ins, $CHECKS checks written in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s; database $(du -h "$DB" | cut -f1)"

"$BUILD/healthcodectl" grant 13900000001 admin >/dev/null
"$TOP/spawn.sh" start -n 1 -s "$T/app.sock" -P "$T/app.pid" \
    -b "$BUILD/healthcode.fcgi" -l "$HC_LOG_FILE"
sed -e "s|@BIND@|127.0.0.1|" -e "s|@PORT@|$PORT|" \
    -e "s|@SOCKET@|$T/app.sock|" -e "s|@STATIC@|$TOP/static|" \
    -e "s|@LOGDIR@|$T|" "$TOP/conf/lighttpd.conf" > "$T/lighttpd.conf"
lighttpd -D -f "$T/lighttpd.conf" &
LPID=$!
sleep 0.5
curl -s -X POST -H 'Content-Type: application/json' -d '{"phone":"13900000001"}' "$BASE/api/v1/auth/otp" >/dev/null
code=$(grep '^13900000001 ' "$HC_DATA_DIR/sms-outbox.log" | tail -1 | cut -d' ' -f2)
TOK=$(curl -s -X POST -H 'Content-Type: application/json' \
    -d "{\"phone\":\"13900000001\",\"code\":\"$code\"}" "$BASE/api/v1/auth/login" | jq -r .token)
timed() {	# timed LABEL PATH: one request's time, and a check of its answer
	out=$(curl -s -o "$T/out" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $TOK" "$BASE$2")
	printf '  %-28s %s ms (status %s)\n' "$1" \
	    "$(echo "${out#* } * 1000" | bc | cut -d. -f1)" "${out%% *}"
}
timed "first (13 days counted)" /api/v1/admin/stats
jq -c '{people, today, trend: (.trend | map(.declarations) | .[0:3])}' "$T/out" | sed 's/^/    /'
for i in $(seq "$RUNS"); do
	timed "again ($i)" /api/v1/admin/stats
done
timed "the CSV" /api/v1/admin/stats.csv
timed "the page (/admin)" /admin
