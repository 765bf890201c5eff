#!/bin/bash
# Durability: three clients send a stream of declarations, check-ins and
# verifications while workers are killed with SIGKILL at random moments
# (restarted each time), and once the whole stack, lighttpd included.
# Then: every request that got a 2xx is in the database, and
# PRAGMA integrity_check is ok.  The one thing a killed worker may lose is
# a verification record it answered in its last 50 ms (records are
# written in groups, docs/api.md): each verification missing is checked
# to have been answered within that bound before a kill.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z
export HC_CODE_TTL=3600
WORKERS=3
start_stack
CLIENTS=3
SLACK_MS=50	# how late a client or the kill loop may note the time

# The person whose code the clients scan, and each client's own account
# (a checker, with its own person) and a venue.
OWNER=$(login 13900000000)
api "$OWNER" POST /api/v1/declarations "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"11010519491231002X\",\"temperature\":36.5,\"symptoms\":[],\"travel\":[],\"contact\":false}"
eq "the scanned person declared" "$STATUS" 201
api "$OWNER" GET /api/v1/code
CODE=$(j .token)
api "$OWNER" POST /api/v1/venues '{"name":"东门","address":"路 1 号","region":"330102"}'
VTOK=$(urltok "$(j .url)")
IDS=(33010619800101001 33010619800101002 33010619800101003)
NAMES=(张甲 李乙 赵丙)
for c in $(seq 1 $CLIENTS); do
	"$CTL" grant "1390000000$c" checker >/dev/null
	tok=$(login "1390000000$c")
	printf '%s\n' "$tok" > "$T/tok.$c"
	api "$tok" POST /api/v1/declarations "{\"name\":\"${NAMES[$((c - 1))]}\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck "${IDS[$((c - 1))]}")\",\"temperature\":36.0,\"symptoms\":[],\"travel\":[],\"contact\":false}"
	[ "$STATUS" = 201 ] || fail "client $c's first declaration: $STATUS"
done

ms() { echo $(( $(date +%s%N) / 1000000 )); }

# client N: rounds of a declaration, a check-in and a scan until told to
# stop; each 2xx is written down (with the time it was seen, for scans).
client() {
	local c=$1 tok i=0 st temp
	tok=$(cat "$T/tok.$c")
	while [ ! -e "$T/stop" ]; do
		i=$((i + 1))
		temp="3$((6 + i / 20 % 4)).$((i % 10))"
		st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		    -X POST -H 'Content-Type: application/json' \
		    -H "Authorization: Bearer $tok" \
		    -d "{\"temperature\":$temp,\"symptoms\":[],\"travel\":[],\"contact\":false}" \
		    "$BASE/api/v1/declarations")
		[ "$st" = 201 ] && echo "$temp" >> "$T/decl.$c"
		st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		    -X POST -H 'Content-Type: application/json' \
		    -H "Authorization: Bearer $tok" \
		    -d "{\"venue_token\":\"$VTOK\"}" "$BASE/api/v1/checkins")
		[ "$st" = 201 ] && echo "$i" >> "$T/checkin.$c"
		echo "$i" >> "$T/tried.$c"
		st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		    -X POST -H 'Content-Type: application/json' \
		    -H "Authorization: Bearer $tok" \
		    -d "{\"token\":\"$CODE\",\"place\":\"c$c-$i\"}" "$BASE/api/v1/verify")
		[ "$st" = 200 ] && echo "c$c-$i $(ms)" >> "$T/scan.$c"
	done
}

for c in $(seq 1 $CLIENTS); do
	client "$c" &
	echo $! >> "$T/clients"
done

# Kill one worker at a random moment, six times, restarting the workers
# after each; then the whole stack at once, lighttpd included.
for k in 1 2 3 4 5 6; do
	sleep "0.$(( 2 + RANDOM % 5 ))"
	pid=$(shuf -n 1 "$T/fcgi.pid")
	kill -9 "$pid" 2>/dev/null
	ms >> "$T/kills"
	sleep 0.05
	restart_workers
done
sleep 1
disown "$LPID" 2>/dev/null	# no "Killed" notice from the shell
kill -9 "$LPID" $(cat "$T/fcgi.pid") 2>/dev/null
ms >> "$T/kills"
LPID=""
sleep 0.3
touch "$T/stop"
for p in $(cat "$T/clients"); do wait "$p"; done 2>/dev/null

# --- what the database holds ---------------------------------------------------
eq "integrity_check" "$(sql 'PRAGMA integrity_check')" ok
eq "foreign keys hold" "$(sql 'PRAGMA foreign_key_check' | wc -l)" 0
total_acked=0
for c in $(seq 1 $CLIENTS); do
	acc=$(sql "SELECT id FROM accounts WHERE phone = '1390000000$c'")
	acked=$(cat "$T/checkin.$c" 2>/dev/null | wc -l)
	tried=$(wc -l < "$T/tried.$c")
	rows=$(sql "SELECT count(*) FROM checkins WHERE account_id = $acc")
	check "client $c: every acknowledged check-in kept ($rows rows, $acked acknowledged)" test "$rows" -ge "$acked"
	check "client $c: none invented ($rows rows, $tried tried)" test "$rows" -le "$tried"
	total_acked=$((total_acked + acked))
	if [ -s "$T/decl.$c" ]; then
		want=$(sort -n "$T/decl.$c" | tail -1 | awk '{ printf "%d", $1 * 10 + 0.5 }')
		got=$(sql "SELECT d.temp_tenths FROM declarations d JOIN account_persons ap ON ap.person_id = d.person_id WHERE ap.account_id = $acc AND ap.relation = 'self'")
		check "client $c: the highest acknowledged temperature kept ($got >= $want)" test "${got:-0}" -ge "$want"
	fi
done
check "the stream got through between the kills ($total_acked check-ins)" test "$total_acked" -ge $((CLIENTS * 5))

# Every acknowledged scan is recorded, or was answered within 50 ms of a kill.
lost=0
bad=0
for c in $(seq 1 $CLIENTS); do
	[ -s "$T/scan.$c" ] || continue
	while read -r place at; do
		if [ "$(sql "SELECT count(*) FROM verifications WHERE place = '$place'")" = 1 ]; then
			continue
		fi
		lost=$((lost + 1))
		near=0
		# Answered before the kill, seen by the client at most
		# SLACK_MS after it (a client's own delay), and at most 50 ms
		# before it.
		while read -r kt; do
			d=$((kt - at))
			[ "$d" -ge $((-SLACK_MS)) ] && [ "$d" -le $((50 + SLACK_MS)) ] && near=1
		done < "$T/kills"
		[ $near = 1 ] || { bad=$((bad + 1)); echo "FAIL [durability]: scan $place acknowledged at $at, not within 50 ms of a kill, is not recorded"; }
	done < "$T/scan.$c"
done
eq "no scan lost outside the bound ($lost lost, each within 50 ms of a kill)" "$bad" 0
check "and no record twice" test "$(sql "SELECT count(*) FROM (SELECT place FROM verifications WHERE place LIKE 'c%-%' GROUP BY place HAVING count(*) > 1)")" = 0

# --- and the service comes back -------------------------------------------------
start_stack
req GET /healthz
eq "serves again after the whole stack was killed" "$STATUS" 200
api "$(cat "$T/tok.1")" POST /api/v1/checkins "{\"venue_token\":\"$VTOK\"}"
eq "and takes writes" "$STATUS" 201

finish
