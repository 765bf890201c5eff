#!/bin/bash
# End to end: healthcodectl backup under write load.  Two workers serve
# through lighttpd while a client loop declares (one new person each
# time) and checks in, noting every write answered 201; a backup taken
# meanwhile must open, pass integrity_check and foreign_key_check, carry
# the schema version, and hold every write acknowledged before it began.
# Then: mode 0600, no temporary file left, an existing file refused
# (unchanged) unless --force, clear errors for paths that cannot be
# written, and a restore that serves the copied data.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z
export HC_OTP_IP_HOURLY=100000
start_stack
NOW=$(epoch $HC_NOW)
HEALTHY='"temperature":36.5,"symptoms":[],"travel":[],"contact":false'

OWNER=$(login 13800000001)
api "$OWNER" POST /api/v1/venues '{"name":"图书馆","address":"文三路 1 号","region":"330106"}'
eq "venue registered" "$STATUS" 201
VTOK=$(urltok "$(j .url)")
VISITOR=$(login 13800000002)
VID=$(sql "SELECT id FROM accounts WHERE phone_mac = '$(phone_mac 13800000002)'")

# Bulk, so that the copy takes a while: 300,000 earlier check-ins of the
# visitor (today's, so no purge takes them), written with sqlite3.
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
    WHERE i < 300000) INSERT INTO checkins (account_id, venue_id,
    checked_in_at) SELECT $VID, (SELECT id FROM venues), $NOW - i % 3600
    FROM n"
BULK=$(sql "SELECT count(*) FROM checkins")
eq "bulk check-ins" "$BULK" 300000

# Accounts that will each declare once during the load.
NDECL=40
for i in $(seq $NDECL); do
	p=$(printf '1390000%04d' "$i")
	echo "$p $(login "$p")" >> "$T/decl-accounts"
done
check "declaring accounts signed in" test "$(wc -l < "$T/decl-accounts")" = $NDECL

# The load: alternately a check-in of the visitor and a declaration of
# the next account, each acknowledged write appended to $T/acks.
writer() {
	local n=0 st p tok id
	: > "$T/acks"
	while [ ! -e "$T/stop" ] && [ $n -lt 4000 ]; do
		n=$((n + 1))
		st=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
		    -H 'Content-Type: application/json' \
		    -H "Authorization: Bearer $VISITOR" \
		    -d "{\"venue_token\":\"$VTOK\"}" "$BASE/api/v1/checkins")
		[ "$st" = 201 ] && echo "checkin $n" >> "$T/acks"
		read -r p tok < <(sed -n "${n}p" "$T/decl-accounts")
		if [ -n "${p:-}" ]; then
			id=$(idcheck "33010619900101$(printf "%03d" "$n")")
			st=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
			    -H 'Content-Type: application/json' \
			    -H "Authorization: Bearer $tok" \
			    -d "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"$id\",$HEALTHY}" \
			    "$BASE/api/v1/declarations")
			[ "$st" = 201 ] && echo "declare $p" >> "$T/acks"
			[ "$st" = 201 ] || echo "declare $p: $st" >> "$T/declare-errors"
			p=""
		fi
	done
}
writer &
WPID=$!
# Let the load get going: half the declarations acknowledged.
for _ in $(seq 200); do
	[ "$(grep -c '^declare' "$T/acks" 2>/dev/null)" -ge $((NDECL / 2)) ] && break
	sleep 0.05
done
cp "$T/acks" "$T/acks-before"	# everything acknowledged before the backup
"$CTL" backup "$T/copy.db" > "$T/backup.out" 2> "$T/backup.err"
rc=$?
cp "$T/acks" "$T/acks-after"
sleep 0.5
touch "$T/stop"
wait "$WPID"

eq "backup under load: exit status" "$rc" 0
check "backup says what it wrote" grep -q "^backup $T/copy.db: [0-9]* bytes, schema version [0-9]*$" "$T/backup.out"
before_c=$(grep -c '^checkin' "$T/acks-before")
before_d=$(grep -c '^declare' "$T/acks-before")
during=$(( $(wc -l < "$T/acks-after") - $(wc -l < "$T/acks-before") ))
check "writes were acknowledged before the backup ($before_c check-ins, $before_d declarations)" \
    test "$before_c" -gt 0 -a "$before_d" -gt 0
check "the load went on after the backup began" \
    test "$(wc -l < "$T/acks")" -gt "$(wc -l < "$T/acks-before")"
echo "backup: $before_c check-ins and $before_d declarations acknowledged before it, $during during it"

copy() { sqlite3 "$T/copy.db" "$1"; }
eq "the copy passes integrity_check" "$(copy 'PRAGMA integrity_check')" ok
eq "the copy passes foreign_key_check" "$(copy 'PRAGMA foreign_key_check')" ""
eq "the copy has the schema version" \
    "$(copy 'SELECT max(version) FROM schema_migrations')" \
    "$(sql 'SELECT max(version) FROM schema_migrations')"
check "the backup names that version" grep -q "schema version $(sql 'SELECT max(version) FROM schema_migrations')$" "$T/backup.out"
eq "the copy is one file (not WAL)" "$(copy 'PRAGMA journal_mode')" delete
got_c=$(copy "SELECT count(*) FROM checkins WHERE account_id = $VID")
check "the copy holds every check-in acknowledged before it ($got_c >= $BULK + $before_c)" \
    test "$got_c" -ge $((BULK + before_c))
missing=0
while read -r _ p; do
	n=$(copy "SELECT count(*) FROM declarations d JOIN account_persons ap
	    ON ap.person_id = d.person_id JOIN accounts a ON a.id = ap.account_id
	    WHERE a.phone_mac = '$(phone_mac "$p")'")
	[ "$n" = 1 ] || { missing=$((missing + 1)); echo "missing declaration of $p" >&2; }
done < <(grep '^declare' "$T/acks-before")
eq "the copy holds every declaration acknowledged before it" "$missing" 0
# Nothing in the copy that was never written: at most what the live
# database has now.
check "the copy is no newer than the live database" \
    test "$got_c" -le "$(sql "SELECT count(*) FROM checkins WHERE account_id = $VID")"

eq "the copy is mode 0600" "$(stat -c %a "$T/copy.db")" 600
eq "no temporary file beside it" "$(ls "$T" | grep -c '^copy\.db.')" 0

# --- an existing file ------------------------------------------------------
sum=$(sha256sum < "$T/copy.db")
"$CTL" backup "$T/copy.db" > /dev/null 2> "$T/err"
eq "an existing file is refused" "$?" 1
check "... saying so" grep -q "backup: $T/copy.db: the file exists (--force replaces it)" "$T/err"
eq "... and left as it was" "$(sha256sum < "$T/copy.db")" "$sum"
api "$VISITOR" POST /api/v1/checkins "{\"venue_token\":\"$VTOK\"}"
eq "one more check-in" "$STATUS" 201
"$CTL" backup --force "$T/copy.db" > /dev/null
eq "--force replaces it" "$?" 0
eq "... with the newer data" "$(copy "SELECT count(*) FROM checkins")" "$(sql "SELECT count(*) FROM checkins")"
eq "... still mode 0600" "$(stat -c %a "$T/copy.db")" 600
"$CTL" backup --force "$T/copy.db" extra > /dev/null 2>&1
eq "a stray argument is a usage error" "$?" 2

# --- paths that cannot be written ----------------------------------------
"$CTL" backup "$T/no/such/dir/x.db" > /dev/null 2> "$T/err"
eq "missing directory: exit status" "$?" 1
check "missing directory: a clear error" grep -q "healthcodectl: backup: $T/no/such/dir/x.db: No such file or directory" "$T/err"
touch "$T/plainfile"
"$CTL" backup "$T/plainfile/x.db" > /dev/null 2> "$T/err"
eq "not a directory: exit status" "$?" 1
check "not a directory: a clear error" grep -q "backup: $T/plainfile/x.db: Not a directory" "$T/err"
mkdir "$T/ro"
chmod 0500 "$T/ro"
if [ "$(id -u)" != 0 ]; then
	"$CTL" backup "$T/ro/x.db" > /dev/null 2> "$T/err"
	eq "read-only directory: exit status" "$?" 1
	check "read-only directory: a clear error" grep -q "Permission denied" "$T/err"
fi
eq "nothing left in the read-only directory" "$(ls -A "$T/ro" | wc -l)" 0

# --- restore: stop, put the copy in place, start --------------------------
n=$(copy "SELECT count(*) FROM checkins")
"$TOP/spawn.sh" stop -s "$T/fcgi.sock" -P "$T/fcgi.pid"
sql "DELETE FROM checkins"
eq "the live check-ins lost" "$(sql 'SELECT count(*) FROM checkins')" 0
rm -f "$HC_DATA_DIR/healthcode.db-wal" "$HC_DATA_DIR/healthcode.db-shm"
cp "$T/copy.db" "$HC_DATA_DIR/healthcode.db"
restart_workers
eq "restored: the check-ins are back" "$(sql 'SELECT count(*) FROM checkins')" "$n"
api "$VISITOR" GET /api/v1/itinerary
eq "restored: the visitor's session and itinerary serve" "$STATUS" 200
api "$VISITOR" POST /api/v1/checkins "{\"venue_token\":\"$VTOK\"}"
eq "restored: writes go on" "$STATUS" 201

finish
