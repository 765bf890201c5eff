#!/bin/bash
# Concurrency: 8 workers and 200 clients writing at once (a declaration
# that binds an identity, then check-ins), with case-list imports running
# beside them.  No request fails with a 5xx because the database was busy
# (writes wait their turn: a bounded busy wait, then retries), and every
# write is there afterwards.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z
export HC_OTP_IP_HOURLY=100000	# 200 sign-ins from one address
WORKERS=8
WRITERS=${CONCURRENCY_WRITERS:-200}
CHECKINS=3
start_stack
"$CTL" grant 13900000001 admin >/dev/null
ADMIN=$(login 13900000001)
OWNER=$(login 13900000002)
api "$OWNER" POST /api/v1/venues '{"name":"东门","address":"路 1 号","region":"330102"}'
VTOK=$(urltok "$(j .url)")

# The writers' sessions and identities (different people, valid IDs).
for w in $(seq 1 "$WRITERS"); do
	phone=$(printf '137%08d' "$w")
	printf '%s %s %s\n' "$w" "$(login "$phone")" \
	    "$(idcheck "$(printf '33010619800101%03d' "$w")")" >> "$T/writers"
done
eq "writers signed in" "$(awk 'NF == 3' "$T/writers" | wc -l)" "$WRITERS"

# Three case lists of 300 people each, none of them a writer.
HDR=id_type,id_number,name,category,listed_on,nationality
for f in 1 2 3; do
	{
		echo "$HDR"
		for r in $(seq 1 300); do
			printf 'resident_id,%s,王小华,close_contact,2026-11-28,\n' \
			    "$(idcheck "$(printf '1101051980%02d%02d%03d' "$f" $((r % 28 + 1)) "$r")")"
		done
	} > "$T/cases$f.csv"
done

# writer LINE: one declaration, then CHECKINS check-ins; prints statuses.
writer() {
	set -- $1
	local i st
	st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 -X POST \
	    -H 'Content-Type: application/json' -H "Authorization: Bearer $2" \
	    -d "{\"name\":\"张三\",\"id_type\":\"resident_id\",\"id_number\":\"$3\",\"temperature\":36.6,\"symptoms\":[],\"travel\":[],\"contact\":false}" \
	    "$BASE/api/v1/declarations")
	echo "declare $st"
	for i in $(seq 1 "$CHECKINS"); do
		st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 -X POST \
		    -H 'Content-Type: application/json' -H "Authorization: Bearer $2" \
		    -d "{\"venue_token\":\"$VTOK\"}" "$BASE/api/v1/checkins")
		echo "checkin $st"
	done
}
export -f writer
export BASE VTOK CHECKINS

imports=()
for f in 1 2 3; do
	curl -s -o /dev/null -w 'import %{http_code}\n' --max-time 120 -X POST \
	    -H 'Content-Type: text/csv' -H "Authorization: Bearer $ADMIN" \
	    --data-binary @"$T/cases$f.csv" "$BASE/api/v1/admin/cases" >> "$T/imports" &
	imports+=($!)
done
tr '\n' '\0' < "$T/writers" | xargs -0 -P "$WRITERS" -I{} bash -c 'writer "$1"' _ {} > "$T/statuses"
wait "${imports[@]}"

eq "every declaration answered 201" "$(grep -c '^declare 201$' "$T/statuses")" "$WRITERS"
eq "every check-in answered 201" "$(grep -c '^checkin 201$' "$T/statuses")" $((WRITERS * CHECKINS))
eq "no 5xx at all" "$(grep -c ' 5[0-9][0-9]$' "$T/statuses" "$T/imports" | awk -F: '{ s += $2 } END { print s }')" 0
eq "every import answered 200" "$(grep -c '^import 200$' "$T/imports")" 3
eq "the declarations are there" "$(sql "SELECT count(*) FROM declarations WHERE day = '2026-11-29'")" "$WRITERS"
eq "one person each" "$(sql "SELECT count(*) FROM account_persons WHERE relation = 'self'")" "$WRITERS"
eq "the check-ins are there" "$(sql "SELECT count(*) FROM checkins")" $((WRITERS * CHECKINS))
eq "the case lists are there" "$(sql "SELECT count(*) FROM case_entries")" 900
eq "integrity_check" "$(sql 'PRAGMA integrity_check')" ok
log_settled
check "no request gave up on a busy database" sh -c "! grep -qi 'database is locked\|database busy' '$HC_LOG_FILE'"

finish
