#!/bin/bash
# End to end: exposure tracing through lighttpd.  People check in at two
# venues at different times (the server clock moved with set_now); the
# authority lists who was at a venue in a window (exactly those, not
# those outside it), traces a listed person's co-visitors within +-2 h,
# marks them close or secondary contacts and their codes turn red or
# yellow at once; every read and mark is an audit entry; bad input
# changes nothing; every route answers 401 signed out and 403 to users
# and checkers; the page walks through it with CSRF.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-30T22:00:00Z	# 2026-12-01 06:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
start_stack
JAR="$T/jar"
KEY="$HC_DATA_DIR/session.key"

# at LOCAL-TIME: the server clock at that Shanghai time on 2026-12-01.
at() { set_now "$(date -u -d "2026-12-01T$1:00+08:00" +%Y-%m-%dT%H:%M:%SZ)"; }
checkin() {	# checkin TOKEN VENUE-TOKEN
	api "$1" POST /api/v1/checkins "{\"venue_token\":\"$2\"}"
	[ "$STATUS" = 201 ] || fail "check-in: $STATUS $(cat "$T/body")"
}
ref_of() { sql "SELECT p.ref FROM persons p JOIN account_persons ap ON ap.person_id = p.id JOIN accounts a ON a.id = ap.account_id WHERE a.phone = '$1'"; }
hash_of() { sql "SELECT p.id_hash FROM persons p JOIN account_persons ap ON ap.person_id = p.id JOIN accounts a ON a.id = ap.account_id WHERE a.phone = '$1'"; }
colour_of() {	# colour_of TOKEN: the colour of the person's code now
	api "$1" GET /api/v1/code
	j .color
}
audits() { sql "SELECT count(*) FROM audit_log WHERE action = '$1'"; }
cases() { sql "SELECT count(*) || ':' || coalesce(group_concat(id || '/' || id_hash || '/' || kind || '/' || listed_day || '/' || source, ','), '') FROM case_entries"; }

"$CTL" grant 13900000001 admin >/dev/null
"$CTL" grant 13900000002 checker >/dev/null
ADMIN=$(login 13900000001)
CHK=$(login 13900000002)
OWNER=$(login 13800000000)
ADMIN_ID=$(sql "SELECT id FROM accounts WHERE phone = '13900000001'")

# The people: A is the case; G never declares (no identity).
declare -A TOK PNAME
PNAME=([A]=王小华 [B]=李四 [C]=张三丰 [D]=赵六 [E]=钱七 [F]=孙八)
PHONE_A=13700000001 PHONE_B=13700000002 PHONE_C=13700000003
PHONE_D=13700000004 PHONE_E=13700000005 PHONE_F=13700000006
PHONE_G=13700000007
n=1
for p in A B C D E F; do
	ph=PHONE_$p
	TOK[$p]=$(login "${!ph}")
	api "${TOK[$p]}" POST /api/v1/declarations "{\"name\":\"${PNAME[$p]}\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 1101051980010100$n)\",\"temperature\":36.5,\"symptoms\":[],\"travel\":[],\"contact\":false}"
	[ "$STATUS" = 201 ] || fail "declare $p: $STATUS $(cat "$T/body")"
	n=$((n + 1))
done
TOK[G]=$(login $PHONE_G)
for p in A B C D E F; do
	ph=PHONE_$p
	eval "REF_$p=$(ref_of "${!ph}")"
done
check "persons have opaque refs" grep -qE '^[0-9a-f]{16}$' <<<"$REF_A"

api "$OWNER" POST /api/v1/venues '{"name":"湖滨银泰 in77","address":"东坡路 7 号","region":"330102"}'
V1=$(j .id); T1=$(urltok "$(j .url)")
api "$OWNER" POST /api/v1/venues '{"name":"西湖文化广场","address":"中山北路 1 号","region":"330106"}'
V2=$(j .id); T2=$(urltok "$(j .url)")

# The day: A at V1 at 09:00 and at V2 at 15:00.  Around V1's visit (07:00
# to 11:00): B 07:30, G 09:30, C 10:59 are in; F 06:59 and D 11:01 are
# out.  E is at V2 at 09:00 (another venue then), B at V2 at 15:10.
at 06:59; checkin "${TOK[F]}" "$T1"
at 07:30; checkin "${TOK[B]}" "$T1"
at 09:00; checkin "${TOK[A]}" "$T1"; checkin "${TOK[E]}" "$T2"
at 09:30; checkin "${TOK[G]}" "$T1"
at 10:59; checkin "${TOK[C]}" "$T1"
at 11:01; checkin "${TOK[D]}" "$T1"
at 15:00; checkin "${TOK[A]}" "$T2"
at 15:10; checkin "${TOK[B]}" "$T2"
at 16:00
# A visit of A's 15 days ago, beyond trace_days: not traced.
AID=$(sql "SELECT id FROM accounts WHERE phone = '$PHONE_A'")
PID_A=$(sql "SELECT person_id FROM account_persons WHERE account_id = $AID")
sql "INSERT INTO checkins (account_id, person_id, venue_id, checked_in_at) VALUES ($AID, $PID_A, $V2, $(( $(epoch 2026-12-01T01:00:00Z) - 15 * 86400 )))"

# --- who may: every route, signed out, a user, a checker --------------------
for who in anon user checker; do
	case $who in
	anon) H=() ;;
	user) H=(-H "Authorization: Bearer ${TOK[B]}") ;;
	checker) H=(-H "Authorization: Bearer $CHK") ;;
	esac
	want=401; [ $who = anon ] || want=403
	req GET "/api/v1/admin/exposures?venue=$V1&from=2026-12-01T08:00:00Z&to=2026-12-01T09:00:00Z" -- "${H[@]}"
	eq "$who: exposures" "$STATUS" $want
	req GET /api/v1/admin/cases/1/exposures -- "${H[@]}"
	eq "$who: case exposures" "$STATUS" $want
	req POST /api/v1/admin/exposures/mark "{\"persons\":[\"$REF_B\"],\"category\":\"close_contact\",\"venue\":$V1}" -- "${H[@]}"
	eq "$who: mark" "$STATUS" $want
done
eq "refused requests marked nobody" "$(cases)" "0:"
eq "refused requests audited nothing (the CLI's grants are there)" \
    "$(sql "SELECT group_concat(actor || ' ' || action || ' ' || details, ',') FROM audit_log")" \
    'cli role.grant {"role":"admin"},cli role.grant {"role":"checker"}'
for who in anon user checker; do
	rm -f "$JAR"
	[ $who = user ] && jar_as "${TOK[B]}"
	[ $who = checker ] && jar_as "$CHK"
	page GET /admin/trace
	if [ $who = anon ]; then
		eq "anon: trace page to /login" "$STATUS $(hdr Location)" "302 /login"
	else
		eq "$who: trace page" "$STATUS" 403
		CS=$(jar_csrf)
	fi
	page POST /admin/trace/mark "_csrf=${CS:-x}&persons=$REF_B&category=close_contact&venue=$V1"
	if [ $who = anon ]; then
		eq "anon: mark page to /login" "$STATUS $(hdr Location)" "302 /login"
	else
		eq "$who: mark page" "$STATUS" 403
	fi
done
eq "refused pages marked nobody" "$(cases)" "0:"

# --- who was at a venue in a window ----------------------------------------
exp() { api "$ADMIN" GET "/api/v1/admin/exposures?venue=$1&from=$2&to=$3"; }
exp $V1 2026-12-01T08:00:00%2B08:00 2026-12-01T10:00:00%2B08:00
eq "exposures" "$STATUS" 200
eq "08:00-10:00 at V1: A and G" "$(j '[.exposures[].phone]|join(",")')" "$PHONE_A,$PHONE_G"
eq "the venue" "$(j .venue.id) $(j .venue.name)" "$V1 湖滨银泰 in77"
eq "the window" "$(j .from) $(j .to)" "2026-12-01T08:00:00+08:00 2026-12-01T10:00:00+08:00"
eq "A: ref, masked name, time, colour now" \
    "$(j '.exposures[0] | [.person, .name_masked, .checked_in_at, .color] | join(" ")')" \
    "$REF_A 王*华 2026-12-01T09:00:00+08:00 green"
eq "G has no identity: no person, name or colour" \
    "$(j '.exposures[1] | [.person, .name_masked, .color, .phone] | map(tostring) | join(" ")')" \
    "null null null $PHONE_G"
check "no identity number or hash in the answer" sh -c "! grep -qE '110105|$(hash_of $PHONE_A)' '$T/body'"
eq "one audit entry for the read" "$(audits exposures.read)" 1
eq "audited: admin, venue's keyed hash, details" \
    "$(sql "SELECT actor || ' ' || subject || ' ' || details FROM audit_log WHERE action = 'exposures.read'")" \
    "account:$ADMIN_ID $(hmac_hex "$KEY" "audit-venue:$V1") {\"venue\":$V1,\"from\":\"2026-12-01T08:00:00+08:00\",\"to\":\"2026-12-01T10:00:00+08:00\",\"count\":2}"

# [07:30, 11:01): from is in, to is out; 06:59 and 11:01 are not there.
exp $V1 2026-12-01T07:30:00%2B08:00 2026-12-01T11:01:00%2B08:00
eq "07:30-11:01 at V1" "$(j '[.exposures[].phone]|join(",")')" "$PHONE_B,$PHONE_A,$PHONE_G,$PHONE_C"
# A '+' sent unencoded arrives as a space: read as the '+' it was.
exp $V1 2026-12-01T06:00:00+08:00 2026-12-01T12:00:00+08:00
eq "06:00-12:00, + unencoded" "$STATUS $(j '[.exposures[].phone]|join(",")')" \
    "200 $PHONE_F,$PHONE_B,$PHONE_A,$PHONE_G,$PHONE_C,$PHONE_D"
exp $V1 2026-11-30T22:00:00Z 2026-12-01T01:00:00Z
eq "UTC times: 06:00-09:00 local" "$(j '[.exposures[].phone]|join(",")')" "$PHONE_F,$PHONE_B"
exp $V2 2026-12-01T00:00:00%2B08:00 2026-12-02T00:00:00%2B08:00
eq "V2 all day" "$(j '[.exposures[].phone]|join(",")')" "$PHONE_E,$PHONE_A,$PHONE_B"
exp $V1 2026-11-01T00:00:00%2B08:00 2026-12-02T00:00:00%2B08:00
eq "31 days: allowed" "$STATUS $(j '.exposures|length')" "200 6"
eq "each read audited" "$(audits exposures.read)" 6

# --- bad windows: 4xx, nothing read, nothing audited ------------------------
before=$(sql 'SELECT count(*) FROM audit_log')
bad() {	# bad DESCRIPTION STATUS CODE QUERY
	api "$ADMIN" GET "/api/v1/admin/exposures?$4"
	eq "$1" "$STATUS $(j .error.code)" "$2 $3"
}
F=from=2026-12-01T08:00:00Z
TO=to=2026-12-01T09:00:00Z
bad "no venue" 400 missing_field "$F&$TO"
bad "venue not a number" 400 invalid_venue "venue=abc&$F&$TO"
bad "venue 0" 400 invalid_venue "venue=0&$F&$TO"
bad "unknown venue" 404 venue_not_found "venue=999999&$F&$TO"
bad "no from" 400 missing_field "venue=$V1&$TO"
bad "no to" 400 missing_field "venue=$V1&$F"
bad "a day, not a time" 400 invalid_time "venue=$V1&from=2026-12-01&$TO"
bad "no offset" 400 invalid_time "venue=$V1&from=2026-12-01T08:00:00&$TO"
bad "epoch seconds" 400 invalid_time "venue=$V1&from=1796083200&$TO"
bad "no such day" 400 invalid_time "venue=$V1&from=2026-02-30T08:00:00Z&$TO"
bad "datetime-local is the page's" 400 invalid_time "venue=$V1&from=2026-12-01T08:00&$TO"
bad "from = to" 400 invalid_window "venue=$V1&$F&to=2026-12-01T08:00:00Z"
bad "from after to" 400 invalid_window "venue=$V1&from=2026-12-01T10:00:00Z&$TO"
bad "more than 31 days" 400 invalid_window "venue=$V1&from=2026-10-31T23:59:59%2B08:00&to=2026-12-02T00:00:00%2B08:00"
eq "bad windows audited nothing" "$(sql 'SELECT count(*) FROM audit_log')" "$before"

# --- from a listed person: co-visitors within +-2 h -------------------------
HASH_A=$(hash_of $PHONE_A)
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at, name_masked, source) VALUES ('$HASH_A', 'confirmed', '2026-12-01', $(epoch 2026-12-01T08:00:00Z), '王*华', 'import')"
CASE=$(sql "SELECT id FROM case_entries WHERE id_hash = '$HASH_A'")
eq "the case is red" "$(colour_of "${TOK[A]}")" red
api "$ADMIN" GET /api/v1/admin/cases/$CASE/exposures
eq "case exposures" "$STATUS" 200
eq "the case" "$(j .case) $(j .kind) $(j .name_masked) $(j .listed_day)" "$CASE confirmed 王*华 2026-12-01"
eq "two visits of the last 14 days, oldest first" \
    "$(j '[.visits[] | (.venue.id|tostring) + "@" + .checked_in_at] | join(",")')" \
    "$V1@2026-12-01T09:00:00+08:00,$V2@2026-12-01T15:00:00+08:00"
eq "V1's co-visitors: B, G, C (not F at 06:59, D at 11:01, nor A)" \
    "$(j '[.visits[0].co_visitors[].phone] | join(",")')" "$PHONE_B,$PHONE_G,$PHONE_C"
eq "V2's co-visitors: B (E was there at 09:00)" \
    "$(j '[.visits[1].co_visitors[].phone] | join(",")')" "$PHONE_B"
eq "B under each visit, with ref and colour" \
    "$(j '[.visits[].co_visitors[] | select(.phone == "'$PHONE_B'") | .person + " " + .color] | join(",")')" \
    "$REF_B green,$REF_B green"
eq "the venue named" "$(j .visits[1].venue.name)" 西湖文化广场
eq "audited once, subject the case person" \
    "$(sql "SELECT subject || ' ' || details FROM audit_log WHERE action = 'exposures.trace'")" \
    "$HASH_A {\"case\":$CASE,\"visits\":2,\"co_visitors\":4}"
# The window is configuration: +-90 minutes keeps B (07:30, exactly 90
# before) and leaves C (10:59) out.
HC_TRACE_WINDOW_MINUTES=90 restart_workers
api "$ADMIN" GET /api/v1/admin/cases/$CASE/exposures
eq "+-90 min: B and G at V1" "$(j '[.visits[0].co_visitors[].phone] | join(",")')" "$PHONE_B,$PHONE_G"
restart_workers

NOBODY=$(printf '%064d' 7)
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at, name_masked) VALUES ('$NOBODY', 'suspected', '2026-12-01', 0, '某*人')"
GHOST=$(sql "SELECT id FROM case_entries WHERE id_hash = '$NOBODY'")
api "$ADMIN" GET /api/v1/admin/cases/$GHOST/exposures
eq "never registered: no visits" "$STATUS $(j '.visits|length')" "200 0"
before=$(sql 'SELECT count(*) FROM audit_log')
for id in 999999 0 abc -1 1.0; do
	api "$ADMIN" GET /api/v1/admin/cases/$id/exposures
	eq "case '$id': 404" "$STATUS $(j .error.code)" "404 case_not_found"
done
eq "unknown cases audited nothing" "$(sql 'SELECT count(*) FROM audit_log')" "$before"

# --- marking: bad input marks nobody ----------------------------------------
mark() { api "$ADMIN" POST /api/v1/admin/exposures/mark "$1"; }
before=$(cases)
before_audit=$(sql 'SELECT count(*) FROM audit_log')
bad_mark() {	# bad_mark DESCRIPTION STATUS CODE BODY
	mark "$4"
	eq "$1" "$STATUS $(j .error.code)" "$2 $3"
}
bad_mark "an unknown ref among good ones" 404 person_not_found \
    "{\"persons\":[\"$REF_B\",\"ffffffffffffffff\",\"$REF_C\"],\"category\":\"close_contact\",\"venue\":$V1,\"case\":$CASE}"
bad_mark "a ref that is no ref" 404 person_not_found \
    "{\"persons\":[\"$REF_B\",\"' OR 1=1 --\"],\"category\":\"close_contact\",\"venue\":$V1}"
bad_mark "a category that is not a contact" 400 invalid_category \
    "{\"persons\":[\"$REF_B\"],\"category\":\"confirmed\",\"venue\":$V1}"
bad_mark "no category" 400 missing_field "{\"persons\":[\"$REF_B\"],\"venue\":$V1}"
bad_mark "nobody" 400 invalid_persons "{\"persons\":[],\"category\":\"close_contact\",\"venue\":$V1}"
MANY=$(printf '"%s",' $(seq 1001 | sed "s/.*/$REF_B/") | sed 's/,$//')
bad_mark "1001 people" 400 invalid_persons "{\"persons\":[$MANY],\"category\":\"close_contact\",\"venue\":$V1}"
bad_mark "a person not a string" 400 invalid_persons "{\"persons\":[\"$REF_B\",7],\"category\":\"close_contact\",\"venue\":$V1}"
bad_mark "persons not a list" 400 wrong_type "{\"persons\":\"$REF_B\",\"category\":\"close_contact\",\"venue\":$V1}"
bad_mark "no venue" 400 missing_field "{\"persons\":[\"$REF_B\"],\"category\":\"close_contact\"}"
bad_mark "venue as a string" 400 wrong_type "{\"persons\":[\"$REF_B\"],\"category\":\"close_contact\",\"venue\":\"$V1\"}"
bad_mark "venue 1.5" 400 invalid_venue "{\"persons\":[\"$REF_B\"],\"category\":\"close_contact\",\"venue\":1.5}"
bad_mark "unknown venue" 404 venue_not_found "{\"persons\":[\"$REF_B\"],\"category\":\"close_contact\",\"venue\":999999}"
bad_mark "unknown case" 404 case_not_found "{\"persons\":[\"$REF_B\"],\"category\":\"close_contact\",\"venue\":$V1,\"case\":999999}"
bad_mark "case as a string" 400 wrong_type "{\"persons\":[\"$REF_B\"],\"category\":\"close_contact\",\"venue\":$V1,\"case\":\"$CASE\"}"
eq "bad marks changed no case entry" "$(cases)" "$before"
eq "bad marks audited nothing" "$(sql 'SELECT count(*) FROM audit_log')" "$before_audit"
eq "B still green" "$(colour_of "${TOK[B]}")" green

# --- marking: close contacts red, secondary yellow, at once ----------------
mark "{\"persons\":[\"$REF_B\",\"$REF_C\",\"$REF_B\"],\"category\":\"close_contact\",\"venue\":$V1,\"case\":$CASE}"
eq "mark B and C (B named twice)" "$STATUS $(cat "$T/body")" '200 {"marked":2}'
eq "B red at once" "$(colour_of "${TOK[B]}")" red
eq "C red at once" "$(colour_of "${TOK[C]}")" red
api "${TOK[B]}" GET /api/v1/code
eq "B's reason" "$(j '.reasons|join(",")')" case_close_contact
eq "stored: kind, day, source, venue, case, by whom, masked name" \
    "$(sql "SELECT kind, listed_day, source, venue_id, case_id, listed_by, name_masked FROM case_entries WHERE id_hash = '$(hash_of $PHONE_B)'")" \
    "close_contact|2026-12-01|trace|$V1|$CASE|$ADMIN_ID|李*"
eq "one audit entry per person marked" "$(audits exposures.mark)" 2
eq "audited: B's id hash, venue, case, category" \
    "$(sql "SELECT actor || ' ' || details FROM audit_log WHERE action = 'exposures.mark' AND subject = '$(hash_of $PHONE_B)'")" \
    "account:$ADMIN_ID {\"venue\":$V1,\"case\":$CASE,\"category\":\"close_contact\"}"
mark "{\"persons\":[\"$REF_D\"],\"category\":\"secondary_contact\",\"venue\":$V1}"
eq "mark D a secondary contact, no case" "$STATUS $(j .marked)" "200 1"
eq "D yellow at once" "$(colour_of "${TOK[D]}")" yellow
eq "D's entry has no case" "$(sql "SELECT kind || '/' || coalesce(case_id, '-') FROM case_entries WHERE id_hash = '$(hash_of $PHONE_D)'")" "secondary_contact/-"
eq "E, F untouched: green" "$(colour_of "${TOK[E]}") $(colour_of "${TOK[F]}")" "green green"
# Marked again later: the same entry, refreshed (one per person and kind).
at 17:00
mark "{\"persons\":[\"$REF_B\"],\"category\":\"close_contact\",\"venue\":$V2,\"case\":$CASE}"
eq "B marked again from V2" "$STATUS $(j .marked)" "200 1"
eq "still one entry, now V2's" "$(sql "SELECT count(*) || '/' || max(venue_id) || '/' || max(listed_at) FROM case_entries WHERE id_hash = '$(hash_of $PHONE_B)'")" \
    "1/$V2/$(epoch 2026-12-01T09:00:00Z)"
api "$ADMIN" GET /api/v1/admin/cases/$CASE/exposures
eq "colours now in the trace" "$(j '[.visits[0].co_visitors[] | .color // "-"] | join(",")')" "red,-,red"

# --- the page: choose, see, mark --------------------------------------------
jar_as "$ADMIN"
page GET /admin/trace
eq "trace page" "$STATUS" 200
check "admin navigation" grep -q 'id="nav-trace"' "$T/body"
check "recent cases offered" grep -q "id=\"case-$CASE\"" "$T/body"
check "the venue form" grep -q 'id="venue-from" name="from" type="datetime-local"' "$T/body"
page GET "/admin/trace?case=$CASE"
eq "the case's page" "$STATUS" 200
check "visit 1 at V1" grep -q "id=\"visit-1\" data-venue=\"$V1\"" "$T/body"
check "C's checkbox under visit 1" grep -q "id=\"person-1-$REF_C\"" "$T/body"
check "B's checkbox under visit 2" grep -q "id=\"person-2-$REF_B\"" "$T/body"
check "G without identity: no checkbox, said so, the phone" sh -c "tr -d '\n' < '$T/body' | grep -q '<tr class=\"person-row\"><td>–</td><td>（尚未绑定身份）</td><td class=\"phone\">$PHONE_G</td>'"
check "a link to the venue's window (escaped)" grep -q "href=\"/admin/trace?venue&#61;$V1&amp;from&#61;2026-12-01T07%3A00%3A00%2B08%3A00&amp;to&#61;2026-12-01T11%3A00%3A01%2B08%3A00\"" "$T/body"
check "no identity number on the page" sh -c "! grep -q 110105 '$T/body'"
eq "the page's read audited too" "$(audits exposures.trace)" 5
CS=$(csrf)
page POST /admin/trace/mark "persons=$REF_E&category=secondary_contact&venue=$V2&case=$CASE&back_case=$CASE"
eq "mark without CSRF" "$STATUS" 403
eq "E not marked" "$(colour_of "${TOK[E]}")" green
page POST /admin/trace/mark "_csrf=$CS&persons=$REF_E&persons=ffffffffffffffff&category=secondary_contact&venue=$V2&case=$CASE&back_case=$CASE"
eq "page: an unknown person" "$STATUS" 404
check "page: the error shown" grep -q 'id="trace-error"' "$T/body"
eq "E still not marked" "$(colour_of "${TOK[E]}")" green
page POST /admin/trace/mark "_csrf=$CS&persons=$REF_E&category=secondary_contact&venue=$V2&case=$CASE&back_case=$CASE"
eq "page: mark" "$STATUS $(hdr Location)" "303 /admin/trace?case=$CASE&marked=1"
eq "E yellow at once" "$(colour_of "${TOK[E]}")" yellow
page GET "/admin/trace?case=$CASE&marked=1"
check "page: marked said" grep -q 'id="mark-count">1<' "$T/body"
page GET "/admin/trace?venue=$V1&from=2026-12-01T08:00&to=2026-12-01T10:00"
eq "page: a venue window (datetime-local)" "$STATUS" 200
check "page: A at V1" grep -q "id=\"person-1-$REF_A\"" "$T/body"
check "page: not C (10:59)" sh -c "! grep -q 'person-1-$REF_C' '$T/body'"
check "page: the window kept in the inputs" grep -q 'id="venue-from" name="from" type="datetime-local" value="2026-12-01T08:00"' "$T/body"
page POST /admin/trace/mark "_csrf=$CS&persons=$REF_A&category=close_contact&venue=$V1&back_venue=$V1&back_from=2026-12-01T08:00&back_to=2026-12-01T10:00"
eq "page: mark from the venue window" "$STATUS $(hdr Location)" "303 /admin/trace?venue=$V1&from=2026-12-01T08%3A00&to=2026-12-01T10%3A00&marked=1"
page GET "/admin/trace?venue=$V1&from=2026-12-01T10:00&to=2026-12-01T08:00"
eq "page: a window backwards" "$STATUS" 400
check "page: its error" grep -q 'id="trace-error"' "$T/body"
page GET "/admin/trace?case=999999"
eq "page: an unknown case" "$STATUS" 404


# --- the audit chain at the end of the walk -----------------------------------
api "$ADMIN" GET /api/v1/admin/audit/verify
N=$(j .entries)
eq "the chain of this walk verifies" "$STATUS,$(j .ok)" "200,true"
check "reads and marks were entries ($N)" test "$N" -ge 10
MID=$(sql "SELECT id FROM audit_log WHERE action = 'exposures.mark' ORDER BY id LIMIT 1")
sql "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details = '{}' WHERE id = $MID"
api "$ADMIN" GET /api/v1/admin/audit/verify
eq "a mark's entry edited: named" "$STATUS,$(j .ok),$(j .entries),$(j .first_broken)" "200,false,$N,$MID"
check "the CLI fails on it" sh -c "! '$CTL' audit-verify >/dev/null"

finish
