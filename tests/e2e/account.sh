#!/bin/bash
# End to end: deleting an account, through lighttpd.  Two users A and B
# with identities, declarations (with travel) over two days, codes,
# check-ins at a venue of a third user C, A a checker who checked B, both
# checked by another checker D, and A holding B's person as a dependent.
# Deleting A removes every row of A and nothing of anyone else; A's own
# checks stay without the checker; A's phone and name are gone from the
# database file and its WAL, byte for byte.  Then B deletes through the
# pages, and bad requests change nothing.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-28T02:00:00Z	# 10:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
export HC_OTP_RESEND_INTERVAL=0
start_stack
DB="$HC_DATA_DIR/healthcode.db"

declare_as() {	# declare_as TOKEN NAME ID TRAVEL-DATE (no ID: already bound)
	who=""
	[ -n "$3" ] && who="\"name\":\"$2\",\"id_type\":\"resident_id\",\"id_number\":\"$3\","
	api "$1" POST /api/v1/declarations "{$who\"temperature\":36.5,\"symptoms\":[],\"contact\":false,\"travel\":[{\"region\":\"420100\",\"date\":\"$4\"}]}"
	[ "$STATUS" = 201 ] || fail "declare $2: $STATUS $(cat "$T/body")"
}
code_as() {	# code_as TOKEN: prints a code token
	api "$1" GET /api/v1/code
	j .token
}
checkin_as() {	# checkin_as TOKEN VENUE-TOKEN
	api "$1" POST /api/v1/checkins "{\"venue_token\":\"$2\"}"
	[ "$STATUS" = 201 ] || [ "$STATUS" = 200 ] ||
	    fail "check-in: $STATUS $(cat "$T/body")"
}
verify_as() {	# verify_as CHECKER-TOKEN CODE-TOKEN
	api "$1" POST /api/v1/verify "{\"token\":\"$2\",\"place\":\"东门\"}"
	eq "verify: valid" "$(j .valid)" true
}
venue_of() {	# venue_of TOKEN NAME: registers a venue, prints its token
	api "$1" POST /api/v1/venues "{\"name\":\"$2\",\"address\":\"文三路 1 号\",\"region\":\"330106\"}"
	[ "$STATUS" = 201 ] || fail "venue: $STATUS"
	j .url | sed 's|.*/c/||'
}

PA=13812345678; NA="删除测试甲"; IA=$(idcheck 33010619850101001)
PB=13812340002; NB="删除测试乙"; IB=$(idcheck 33010619860202002)
PC=13812340003; NC="场所主丙"; IC=$(idcheck 33010619870303003)
PD=13812340004	# another checker, no identity
"$CTL" grant $PA checker >/dev/null
"$CTL" grant $PD checker >/dev/null

# --- day 1 ----------------------------------------------------------------
A=$(login $PA); B=$(login $PB); C=$(login $PC); D=$(login $PD)
VC=$(venue_of "$C" "丙的茶馆")
VA=$(venue_of "$A" "甲的小店")
declare_as "$A" "$NA" "$IA" 2026-11-25
declare_as "$B" "$NB" "$IB" 2026-11-26
declare_as "$C" "$NC" "$IC" 2026-11-26
checkin_as "$A" "$VC"; checkin_as "$B" "$VC"; checkin_as "$C" "$VC"
checkin_as "$B" "$VA"
verify_as "$A" "$(code_as "$B")"	# A checks B
verify_as "$D" "$(code_as "$B")"	# D checks B
verify_as "$D" "$(code_as "$A")"	# D checks A

# --- day 2 ----------------------------------------------------------------
set_now 2026-11-29T02:00:00Z
A=$(login $PA); B=$(login $PB); C=$(login $PC); D=$(login $PD)
declare_as "$A" "$NA" "" 2026-11-27
declare_as "$B" "$NB" "" 2026-11-27
checkin_as "$A" "$VC"; checkin_as "$B" "$VC"
verify_as "$A" "$(code_as "$B")"
verify_as "$D" "$(code_as "$A")"
verify_as "$D" "$(code_as "$B")"
api "$A" POST /api/v1/verify/lookup "{\"id_type\":\"resident_id\",\"id_number\":\"$IB\",\"name\":\"$NB\"}"
eq "A looks B up" "$(j .valid)" true
req POST /api/v1/auth/otp "{\"phone\":\"$PA\"}"	# an unused code of A's
req POST /api/v1/auth/otp "{\"phone\":\"$PB\"}"	# and of B's
eventually "every check recorded" 7 'SELECT count(*) FROM verifications'

AID=$(sql "SELECT id FROM accounts WHERE phone_mac = '$(phone_mac "$PA")'")
BID=$(sql "SELECT id FROM accounts WHERE phone_mac = '$(phone_mac "$PB")'")
CID=$(sql "SELECT id FROM accounts WHERE phone_mac = '$(phone_mac "$PC")'")
DID=$(sql "SELECT id FROM accounts WHERE phone_mac = '$(phone_mac "$PD")'")
APER=$(sql "SELECT person_id FROM account_persons WHERE account_id = $AID")
BPER=$(sql "SELECT person_id FROM account_persons WHERE account_id = $BID")
CPER=$(sql "SELECT person_id FROM account_persons WHERE account_id = $CID")
# A holds B's person too (as a dependent): B's person must stay.
sql "INSERT INTO account_persons (account_id, person_id, relation, created_at) VALUES ($AID, $BPER, 'dependent', 0)"
ADECL=$(sql "SELECT group_concat(id) FROM declarations WHERE person_id = $APER")
BY_A=$(sql "SELECT group_concat(id) FROM verifications WHERE checker_id = $AID")
VAID=$(sql "SELECT id FROM venues WHERE owner_id = $AID")

TABLES="accounts account_roles sessions account_persons persons declarations
declaration_travel daily_codes checkins otp_codes verifications rate_hits venues"
# rows ACCOUNT PERSON PHONE DECLARATION-IDS: "table=N" for each table,
# counting the rows of that account and person (the venues it owns, the
# checks about the person, its rate-limit hits by keyed hash).
rows() {
	# A phone's limits are kept by its keyed hash (handlers/auth.c).
	ph_key=$(hmac_hex "$HC_DATA_DIR/session.key" "otp-phone:$(phone_mac "$3")")
	lk_key=$(hmac_hex "$HC_DATA_DIR/session.key" "lookup:$1")
	sql "SELECT 'accounts=' || count(*) FROM accounts WHERE id = $1;
	  SELECT 'account_roles=' || count(*) FROM account_roles WHERE account_id = $1;
	  SELECT 'sessions=' || count(*) FROM sessions WHERE account_id = $1;
	  SELECT 'account_persons=' || count(*) FROM account_persons WHERE account_id = $1 OR person_id = $2;
	  SELECT 'persons=' || count(*) FROM persons WHERE id = $2;
	  SELECT 'declarations=' || count(*) FROM declarations WHERE person_id = $2;
	  SELECT 'declaration_travel=' || count(*) FROM declaration_travel WHERE declaration_id IN (${4:-0});
	  SELECT 'daily_codes=' || count(*) FROM daily_codes WHERE person_id = $2;
	  SELECT 'checkins=' || count(*) FROM checkins WHERE account_id = $1 OR person_id = $2;
	  SELECT 'otp_codes=' || count(*) FROM otp_codes WHERE phone_mac = '$(phone_mac "$3")';
	  SELECT 'verifications=' || count(*) FROM verifications WHERE person_id = $2;
	  SELECT 'rate_hits=' || count(*) FROM rate_hits WHERE key IN ('$ph_key', '$lk_key');
	  SELECT 'venues=' || count(*) FROM venues WHERE owner_id = $1;" | tr '\n' ' '
}
# Another's rows: the same, plus the checks they made (but those about A,
# which go with A); the links of their own account only (A's link to B's
# person is A's).
others() {
	sql "SELECT 'links=' || count(*) FROM account_persons WHERE account_id = $1;
	  SELECT 'checks_made=' || count(*) FROM verifications WHERE checker_id = $1
	    AND coalesce(person_id, 0) <> $APER;" | tr '\n' ' '
	rows "$@" | sed 's/account_persons=[0-9]* //'
}
totals() {
	for t in $TABLES; do printf '%s=%s ' "$t" "$(sql "SELECT count(*) FROM $t")"; done
}
get() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
# bytes_in TEXT: occurrences in the database file and its WAL.
bytes_in() {
	n=0
	for f in "$DB" "$DB-wal"; do
		[ -f "$f" ] && n=$((n + $(grep -a -c -F -- "$1" "$f")))
	done
	echo $n
}

BDECL=$(sql "SELECT group_concat(id) FROM declarations WHERE person_id = $BPER")
CDECL=$(sql "SELECT group_concat(id) FROM declarations WHERE person_id = $CPER")
A_BEFORE=$(rows $AID $APER $PA "$ADECL")
B_BEFORE=$(others $BID $BPER $PB "$BDECL")
C_BEFORE=$(others $CID $CPER $PC "$CDECL")
D_BEFORE=$(others $DID 0 $PD "")
TOT_BEFORE=$(totals)
for t in $TABLES; do
	check "A has $t rows" test "$(get "$A_BEFORE" $t)" -gt 0
done
check "A checked B twice and looked B up" test "$(tr ',' '\n' <<<"$BY_A" | wc -l)" = 3
check "A's name is in the files before" test "$(bytes_in "$NA")" -gt 0
# The number never is (migrations/0015): the keyed hash it is found by is.
eq "A's phone never stored in clear" "$(bytes_in "$PA")" 0
check "A's phone's keyed hash is in the files before" test "$(bytes_in "$(phone_mac "$PA")")" -gt 0
eq "A's ID number never stored" "$(bytes_in "$IA")" 0

# --- bad requests change nothing -------------------------------------------
req DELETE /api/v1/me
eq "delete without a session" "$STATUS" 401
eq "unauthenticated" "$(j .error.code)" unauthenticated
req DELETE /api/v1/me -- -H "Authorization: Bearer garbage"
eq "delete with a bad token" "$STATUS" 401
req DELETE /api/v1/me -- -H "Cookie: hc_session=$A.x"
eq "delete with a tampered cookie" "$STATUS" 401
req DELETE /api/v1/me "confirm=1" application/x-www-form-urlencoded -- -H "Authorization: Bearer $A"
eq "delete with a form body" "$STATUS" 415
req POST /api/v1/me -- -H "Authorization: Bearer $A"
eq "POST /api/v1/me" "$STATUS" 405
check "Allow names DELETE" sh -c "grep -i '^Allow:' '$T/headers' | grep -q DELETE"
STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X POST \
    -H "Cookie: hc_session=$A" --data-binary 'confirm=1' \
    -H 'Content-Type: application/x-www-form-urlencoded' "$BASE/account/delete")
eq "page delete without CSRF" "$STATUS" 403
req GET /account/delete
eq "confirmation page without a session" "$STATUS,$(hdr Location)" "302,/login"
eq "bad requests changed nothing" "$(totals)" "$TOT_BEFORE"
eq "A still there" "$(rows $AID $APER $PA "$ADECL")" "$A_BEFORE"

# --- A deletes through the API ----------------------------------------------
req DELETE /api/v1/me -- -H "Authorization: Bearer $A"
eq "delete" "$STATUS" 200
eq "deleted" "$(j .deleted)" true
check "session cookie cleared" grep -qi '^Set-Cookie: hc_session=; Path=/; SameSite=Lax; Max-Age=0' "$T/headers"
A_AFTER=$(rows $AID $APER $PA "$ADECL")
for t in $TABLES; do
	[ $t = venues ] && continue
	eq "A's $t gone" "$(get "$A_AFTER" $t)" 0
done
eq "B's rows intact" "$(others $BID $BPER $PB "$BDECL")" "$B_BEFORE"
eq "C's rows intact" "$(others $CID $CPER $PC "$CDECL")" "$C_BEFORE"
eq "D's rows intact" "$(others $DID 0 $PD "")" "$D_BEFORE"
TOT_AFTER=$(totals)
for t in $TABLES; do
	want=$(($(get "$TOT_BEFORE" $t) - $(get "$A_BEFORE" $t)))
	[ $t = venues ] && want=$(get "$TOT_BEFORE" $t)
	eq "$t: only A's rows went" "$(get "$TOT_AFTER" $t)" $want
done
eq "D's checks of A went with A" "$(sql "SELECT count(*) FROM verifications WHERE checker_id = $DID")" 2
eq "A's checks stay, without the checker" \
    "$(sql "SELECT count(*) FROM verifications WHERE id IN ($BY_A) AND checker_id IS NULL")" 3
eq "A's venue stays, without an owner" \
    "$(sql "SELECT count(*) FROM venues WHERE id = $VAID AND owner_id IS NULL")" 1
eq "B's visit to A's venue stays" \
    "$(sql "SELECT count(*) FROM checkins WHERE venue_id = $VAID AND account_id = $BID")" 1
eq "B's person stays, held by B alone" \
    "$(sql "SELECT group_concat(account_id) FROM account_persons WHERE person_id = $BPER")" $BID
eq "foreign keys hold" "$(sql 'PRAGMA foreign_key_check')" ""
req GET /api/v1/me -- -H "Authorization: Bearer $A"
eq "A's old token" "$STATUS" 401
req DELETE /api/v1/me -- -H "Authorization: Bearer $A"
eq "deleting again" "$STATUS" 401
eq "A's name gone from the database file and the WAL" "$(bytes_in "$NA")" 0
eq "A's phone gone from the database file and the WAL" "$(bytes_in "$PA")" 0
eq "A's phone's keyed hash gone from them too" "$(bytes_in "$(phone_mac "$PA")")" 0
check "B's name still in the files" test "$(bytes_in "$NB")" -gt 0
api "$B" GET /api/v1/code
eq "B still has a code" "$STATUS" 200
req POST /api/v1/auth/otp "{\"phone\":\"$PA\"}"
req POST /api/v1/auth/login "{\"phone\":\"$PA\",\"code\":\"$(otp_of $PA)\"}"
eq "A's phone can sign up afresh" "$STATUS" 200
A2=$(j .token)
api "$A2" GET /api/v1/code
eq "as a new account, without an identity" "$STATUS,$(j .error.code)" "409,no_declaration_today"

# --- B deletes through the pages ---------------------------------------------
req GET / -- -H "Cookie: hc_session=$B"
eq "home" "$STATUS" 200
check "home links to deletion" grep -q 'href="/account/delete" class="danger-link" id="go-delete"' "$T/body"
req GET /account/delete -- -H "Cookie: hc_session=$B"
eq "confirmation page" "$STATUS" 200
check "says what goes" grep -q '您的全部健康申报' "$T/body"
check "a required checkbox" grep -q 'name="confirm" value="1" id="confirm" required' "$T/body"
check "a red button" grep -q 'class="danger" id="delete-account"' "$T/body"
CSRF=$(csrf)
eq "CSRF token" "${#CSRF}" 22
req GET /account/delete -- -H "Cookie: hc_session=$B; hc_lang=en"
check "in English" grep -q '<h1>Delete my account</h1>' "$T/body"
form() {	# form BODY: POST /account/delete as B's browser
	req POST /account/delete "$1" application/x-www-form-urlencoded -- \
	    -H "Cookie: hc_session=$B; hc_csrf=$CSRF"
}
B_BEFORE=$(others $BID $BPER $PB "$BDECL")
form "_csrf=$CSRF"
eq "without the checkbox" "$STATUS" 400
check "error in place" grep -q 'id="confirm-error" role="alert">请先勾选' "$T/body"
check "box marked invalid" grep -q 'id="confirm" required aria-invalid="true"' "$T/body"
form "_csrf=$CSRF&confirm=0"
eq "with the box not ticked" "$STATUS" 400
eq "B still there" "$(others $BID $BPER $PB "$BDECL")" "$B_BEFORE"
form "_csrf=AAAAAAAAAAAAAAAAAAAAAA&confirm=1"
eq "with a wrong CSRF token" "$STATUS" 403
eq "B still there after it" "$(others $BID $BPER $PB "$BDECL")" "$B_BEFORE"
C_BEFORE=$(others $CID $CPER $PC "$CDECL")
TOT_BEFORE=$(totals)
form "_csrf=$CSRF&confirm=1"
eq "delete" "$STATUS,$(hdr Location)" "303,/login"
check "session cookie cleared" grep -qi '^Set-Cookie: hc_session=; Path=/; SameSite=Lax; Max-Age=0' "$T/headers"
B_AFTER=$(rows $BID $BPER $PB "$BDECL")
for t in $TABLES; do
	[ $t = venues ] && continue
	eq "B's $t gone" "$(get "$B_AFTER" $t)" 0
done
eq "C's rows intact" "$(others $CID $CPER $PC "$CDECL")" "$C_BEFORE"
eq "C's venue keeps C's visit" \
    "$(sql "SELECT count(*) FROM checkins c JOIN venues v ON v.id = c.venue_id WHERE v.owner_id = $CID")" 1
eq "B's name gone from the files" "$(bytes_in "$NB")" 0
eq "B's phone gone from the files" "$(bytes_in "$PB")" 0
req GET / -- -H "Cookie: hc_session=$B"
eq "B's old cookie" "$STATUS,$(hdr Location)" "302,/login"

finish
