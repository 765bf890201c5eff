#!/bin/bash
# A full disk (issue 14, failure paths): the data directory on a small
# tmpfs of its own, filled with a file while the service runs.  Writes
# (sign-in, a declaration, a check-in) answer 503 storage_full with a
# Retry-After and store nothing; reads (a code already held, a
# verification) still answer; what was acknowledged stays, the
# verifications answered meanwhile included; once the file is gone,
# writes work again without a restart.  The log names the problem, and
# the database's integrity check is ok at the end.  Then the workers and
# healthcodectl migrate, started on the full disk, refuse with a message
# that says so.  Mounting needs root (CI runs as root): without it the
# test says why and counts nothing.
. "$(dirname "$0")/lib.sh"

DISK="$T/disk"
mkdir -p "$DISK"
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=16m,mode=0700 tmpfs "$DISK" 2>"$T/mount.err"; then
	echo "$NAME: skipped: cannot mount a tmpfs here ($( [ "$(id -u)" != 0 ] && echo "not root" || cat "$T/mount.err"))"
	echo "$NAME: 0 passed, 0 failed"
	exit 0
fi
# The workers first (they hold the files open), then the mount, then the
# rest; the data directory copied out first, for the scan of the logs
# (lib.sh, archive_logs: the phones, codes and secrets it must not find).
unmount() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
	LPID=""
	"$TOP/spawn.sh" stop -s "$T/fcgi.sock" -P "$T/fcgi.pid" 2>/dev/null
	rm -f "$DISK/filler"
	cp -a "$HC_DATA_DIR" "$T/data-copy" 2>/dev/null
	umount "$DISK" 2>/dev/null || umount -l "$DISK"
}
trap 'unmount; cleanup' EXIT

export HC_NOW=2026-11-29T02:00:00Z
export HC_DATA_DIR="$DISK/data"
export HC_OTP_IP_HOURLY=1000
export HC_OTP_RESEND_INTERVAL=0
DB="$HC_DATA_DIR/healthcode.db"
start_stack

CLEAN='"temperature":36.5,"symptoms":[],"travel":[],"contact":false'
ID=$(idcheck 11010519491231002)
A=$(login 13800000001)
K=$(login 13800000002)
"$CTL" grant 13800000002 checker >/dev/null
ADM=$(login 13800000004)
"$CTL" grant 13800000004 admin >/dev/null
X=$(login 13800000005)
api "$A" POST /api/v1/declarations "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"$ID\",$CLEAN}"
eq "before: a declaration" "$STATUS" 201
api "$A" GET /api/v1/code
eq "before: a code" "$STATUS,$(j .color)" "200,green"
CODE=$(j .token)
api "$A" POST /api/v1/venues '{"name":"店","address":"路 1 号","region":"330102"}'
eq "before: a venue" "$STATUS" 201
VT=$(urltok "$(j .url)")
api "$A" POST /api/v1/checkins "{\"venue_token\":\"$VT\"}"
eq "before: a check-in" "$STATUS" 201
api "$K" POST /api/v1/verify "{\"token\":\"$CODE\",\"place\":\"before\"}"
eq "before: a verification" "$STATUS,$(j .valid)" "200,true"
eventually "before: the verification recorded" 1 "SELECT count(*) FROM verifications"
# What was acknowledged, to find again at the end.
acked() {
	sql "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM
	    declarations), (SELECT count(*) FROM checkins), (SELECT count(*)
	    FROM venues), (SELECT count(*) FROM sessions)" | tr '\n' ' '
}
ACKED=$(acked)
# The WAL copied into the file and emptied: a write must grow it.
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null

# alive PID: the process runs (a zombie, dead but not reaped, does not).
alive() { kill -0 "$1" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# fill: the disk full to the last block.
fill() {
	fallocate -l "$(df --output=avail -B1 "$DISK" | tail -1)" "$DISK/filler" 2>/dev/null
	dd if=/dev/zero of="$DISK/filler" bs=4096 oflag=append conv=notrunc 2>/dev/null
	eq "${1:-}the disk is full" "$(df --output=avail -B1 "$DISK" | tail -1 | tr -d ' ')" 0
}
fill
PIDS=$(sort "$T/fcgi.pid" | tr '\n' ' ')

# --- writes: 503 storage_full, nothing stored ---------------------------------
full() {	# full DESCRIPTION: the last answer is the full disk's
	eq "$1: 503 storage_full" "$STATUS,$(j .error.code)" "503,storage_full"
	check "$1: that says so" test -n "$(j .error.message)"
	check "$1: with a Retry-After" test "$(hdr Retry-After)" -gt 0 2>/dev/null
}
req POST /api/v1/auth/otp '{"phone":"13800000003"}'
full "a one-time code"
req POST /api/v1/auth/otp '{"phone":"13800000003"}' -- -H 'Accept-Language: en'
eq "in English when asked" "$(j .error.message)" \
    "The service's storage is full, so nothing can be saved right now. Nothing was saved; please try again later."
api "$A" POST /api/v1/declarations "{\"temperature\":38.5,\"symptoms\":[],\"travel\":[],\"contact\":false}"
full "a declaration"
api "$A" POST /api/v1/checkins "{\"venue_token\":\"$VT\"}"
full "a check-in"
JAR="$T/jar"
jar_as "$A"
page POST /c/"$VT" "_csrf=$(jar_csrf)"
eq "a check-in on the page: 503" "$STATUS" 503
check "the page says so" grep -q '存储空间已满' "$T/body"

# --- reads: answered ------------------------------------------------------------
api "$A" GET /api/v1/code
eq "the code held: still shown" "$STATUS,$(j .color),$(j .token)" "200,green,$CODE"
api "$A" GET /api/v1/me
eq "the account: still read" "$STATUS" 200
api "$A" GET /api/v1/itinerary
eq "the itinerary: still read" "$STATUS,$(j '.checkins|length')" "200,1"
for n in 1 2 3; do
	api "$K" POST /api/v1/verify "{\"token\":\"$CODE\",\"place\":\"full $n\"}"
	eq "a verification on the full disk $n: answered" "$STATUS,$(j .valid),$(j .color)" "200,true,green"
done
req GET /healthz
eq "healthz" "$STATUS" 200
# Routes not asked for yet: counters the workers' shared file (metrics_file,
# on the same disk) has not counted yet, in pages it had not written.
n=0
for p in /admin /admin/cases /admin/risk-areas /admin/audit /admin/appeals \
    /admin/disputes /admin/trace /admin/checkers /api/v1/admin/stats \
    /api/v1/admin/stats.csv /api/v1/admin/checkers /api/v1/admin/exposures \
    /api/v1/admin/disputes /api/v1/admin/appeals /api/v1/admin/audit \
    /api/v1/admin/risk-areas /api/v1/admin/cases /metrics /dispute /appeal \
    /.well-known/jwks.json /api/v1/disputes /api/v1/appeals /venues /login; do
	for _ in 1 2; do
		STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$p")
		case $STATUS in 2??|3??|401|403|404) n=$((n + 1)) ;; esac
	done
done
eq "50 requests of 25 routes not asked for yet: answered" "$n" 50
eq "no worker died" "$(sort "$T/fcgi.pid" | tr '\n' ' ')" "$PIDS"
for p in $PIDS; do check "worker $p alive" alive "$p"; done
eq "nothing stored meanwhile, nothing lost" "$(acked)" "$ACKED"
log_settled
check "the log names the problem" grep -q 'database full: answered 503' "$HC_LOG_FILE"

# --- the filler gone: writes again, no restart --------------------------------------
rm -f "$DISK/filler"
req POST /api/v1/auth/otp '{"phone":"13800000003"}'
eq "a code again" "$STATUS" 202
api "$A" POST /api/v1/declarations "{\"temperature\":36.6,\"symptoms\":[],\"travel\":[],\"contact\":false}"
eq "a declaration again" "$STATUS,$(j .color)" "201,green"
api "$A" POST /api/v1/checkins "{\"venue_token\":\"$VT\"}"
eq "a check-in again" "$STATUS" 201
eventually "the verifications answered meanwhile: recorded" "before,full 1,full 2,full 3" \
    "SELECT group_concat(place, ',') FROM (SELECT place FROM verifications ORDER BY place)"
eq "the same workers" "$(sort "$T/fcgi.pid" | tr '\n' ' ')" "$PIDS"
eq "integrity" "$(sql 'PRAGMA integrity_check')" ok

log_settled
n=$(grep -c 'cannot record .* verification(s) yet' "$HC_LOG_FILE")
check "the verifications' failures: a line for each worker that held some, not one a try ($n)" \
    test "$n" -ge 1 -a "$n" -le 2
check "and their end" grep -q 'recorded .* verification(s) after .* failed tries' "$HC_LOG_FILE"

# --- a checkpoint that cannot grow the database file -----------------------
# A long WAL, all of it copied into the file: the next writes take its
# room again, so they are stored though the disk is full; copying their
# new pages into the file, which must grow for them, cannot be done.
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
    INSERT INTO rate_hits (key, at) SELECT 'filler-' || i, 0 FROM n"
sqlite3 "$DB" 'PRAGMA wal_checkpoint(PASSIVE)' >/dev/null
fill "for the checkpoint: "
{
	echo 'id_type,id_number,name,category,listed_on,nationality'
	for i in $(seq 1000 2999); do echo "passport,E100$i,John Smith,close_contact,2026-11-29,USA"; done
} > "$T/cases.csv"
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $ADM" \
    -H 'Content-Type: text/csv' --data-binary @"$T/cases.csv" "$BASE/api/v1/admin/cases")
eq "2000 case entries into the WAL's room" "$STATUS,$(j .imported)" "200,2000"
api "$X" DELETE /api/v1/me
eq "an account deleted, then its checkpoint" "$STATUS" 200
log_settled
check "the checkpoint that failed is logged" grep -q 'WAL checkpoint after an account deletion did not' "$HC_LOG_FILE"
for p in $PIDS; do check "worker $p alive after it" alive "$p"; done
api "$A" GET /api/v1/code
eq "reads after it" "$STATUS,$(j .token)" "200,$CODE"
eq "the entries there" "$(sql "SELECT count(*) FROM case_entries")" 2000
eq "the account gone" "$(sql "SELECT count(*) FROM accounts WHERE phone_mac = '$(phone_mac 13800000005)'")" 0
rm -f "$DISK/filler"
api "$A" POST /api/v1/checkins "{\"venue_token\":\"$VT\"}"
eq "room again: a write" "$STATUS" 201
eq "integrity" "$(sql 'PRAGMA integrity_check')" ok
sql "DELETE FROM rate_hits WHERE key LIKE 'filler-%'"

# --- starting on a full disk: refused, saying why ------------------------------------
"$TOP/spawn.sh" stop -s "$T/fcgi.sock" -P "$T/fcgi.pid"
fill "again: "
: > "$HC_LOG_FILE"
"$BUILD/healthcode.fcgi" < /dev/null 2>/dev/null; rc=$?
eq "a worker on a full disk: start refused" "$rc" 1
check "the log says why" grep -q "no space left" "$HC_LOG_FILE"
"$CTL" migrate > "$T/out" 2>&1; rc=$?
eq "migrate on a full disk: refused" "$rc" 1
check "saying why" grep -q "no space left" "$T/out"
rm -f "$DISK/filler"
restart_workers
api "$A" GET /api/v1/me
eq "room again: it starts" "$STATUS" 200
eq "integrity at the end" "$(sql 'PRAGMA integrity_check')" ok

finish
