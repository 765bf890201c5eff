#!/bin/bash
# End to end: checkpoint verification through lighttpd, with roles
# (anonymous, user, checker), the attack table, the current colour
# winning over the colour at issue, lookups for people without phones,
# the /v/ page, and mutual recognition between instances on other ports:
# A trusts B, so B's codes verify at A; C is not trusted.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z
export HC_OTP_IP_HOURLY=1000
export HC_LOOKUP_HOURLY=4
export HC_LOOKUP_IP_HOURLY=6

HEALTHY='"temperature":36.5,"symptoms":[],"travel":[],"contact":false'
# code_of PHONE NAME ID: sign in, declare, print a fresh code token.
code_of() {
	tok=$(login "$1") || return 1
	req POST /api/v1/declarations "{\"name\":\"$2\",\"id_type\":\"resident_id\",\"id_number\":\"$3\",$HEALTHY}" -- -H "Authorization: Bearer $tok"
	[ "$STATUS" = 201 ] || { echo "declare: $STATUS $(cat "$T/body")" >&2; return 1; }
	req GET /api/v1/code -- -H "Authorization: Bearer $tok"
	j .token
}

# Other regions: B (Shenzhen) is trusted by A, C (Beijing) is not.
start_instance B 440300
start_instance C 110000
curl -sf "$BASE_B/.well-known/jwks.json" > "$T/b-jwks.json"
BTOK=$(on B code_of 13600000001 "李四" "$(idcheck 44030519800101001)")
CTOK=$(on C code_of 13600000002 "赵五" "$(idcheck 11010519800101001)")
check "B issued a code" test -n "$BTOK"
check "C issued a code" test -n "$CTOK"

export HC_REGION=330100 HC_TRUSTED_ISSUERS="440300=$T/b-jwks.json"
start_stack

ID1=11010519491231002X
OWN=$(code_of 13800138000 "王小华" $ID1)
check "own code issued" test -n "$OWN"
"$CTL" grant 13900139000 checker >/dev/null
CHK=$(login 13900139000)
USR=$(login 13700137000)
AC=(-H "Authorization: Bearer $CHK")
# scan TOKEN: a checker's verification of a code token.
scan() { req POST /api/v1/verify "{\"token\":\"$1\"}" -- "${AC[@]}"; }

# --- who may verify ------------------------------------------------------
req POST /api/v1/verify "{\"token\":\"$OWN\"}"
eq "anonymous verify" "$STATUS" 401
req POST /api/v1/verify "{\"token\":\"$OWN\"}" -- -H "Authorization: Bearer $USR"
eq "a user without the checker role" "$STATUS" 403
eq "forbidden code" "$(j .error.code)" forbidden
sleep 0.2	# past the 50 ms in which a check record would be written
eq "refused checks not recorded" "$(sql 'SELECT count(*) FROM verifications')" 0

# --- bad requests --------------------------------------------------------
req POST /api/v1/verify '{"token":' -- "${AC[@]}"
eq "malformed body" "$STATUS" 400
req POST /api/v1/verify '{}' -- "${AC[@]}"
eq "no token" "$(j .error.code)" missing_field
req POST /api/v1/verify '{"token":42}' -- "${AC[@]}"
eq "token not a string" "$(j .error.code)" wrong_type
req POST /api/v1/verify "{\"token\":\"$OWN\",\"place\":\"$(printf 'x%.0s' $(seq 61))\"}" -- "${AC[@]}"
eq "place over 60" "$(j .error.code)" invalid_place
sleep 0.2
eq "bad requests not recorded" "$(sql 'SELECT count(*) FROM verifications')" 0

# --- a valid code --------------------------------------------------------
req POST /api/v1/verify "{\"token\":\"$OWN\",\"place\":\"西湖区文三路社区东门\"}" -- "${AC[@]}"
eq "verify" "$STATUS" 200
eq "valid" "$(j .valid)" true
eq "colour" "$(j .color)" green
eq "masked name" "$(j .name_masked)" "王*华"
eq "masked ID" "$(j .id_masked)" "1101**********002X"
eq "issuer" "$(j .issuer)" 330100
eq "checked at" "$(j .checked_at)" 2026-11-29T10:00:00+08:00
check "no full ID in the answer" sh -c "! grep -q $ID1 '$T/body'"
eventually "recorded with checker, code id and place" \
    "scan|330100|16|西湖区文三路社区东门|1|green|1" \
    "SELECT method, issuer, length(code_id), place, valid, color, checker_id = (SELECT id FROM accounts WHERE phone = '13900139000') FROM verifications"

# --- the attack table ----------------------------------------------------
H=${OWN%%.*}; REST=${OWN#*.}; P=${REST%%.*}; S=${OWN##*.}
PAY=$(claims "$OWN")
RED=$(printf '%s' "$PAY" | sed 's/"col":"green"/"col":"red"/' | b64url)
KEYPEM=$(ls "$HC_DATA_DIR"/keys/*.pem | head -1)
openssl pkey -in "$KEYPEM" -pubout > "$T/pub.pem"
HSHDR=$(printf '{"alg":"HS256","kid":"%s","typ":"JWT"}' "$(printf '%s' "$H" | tr '_-' '/+' | sed 's/$/==/' | openssl base64 -d -A 2>/dev/null | jq -r .kid)" | b64url)
HSSIG=$(printf '%s.%s' "$HSHDR" "$P" | openssl dgst -sha256 -hmac "$(cat "$T/pub.pem")" -binary | b64url)
NONE="$(printf '{"alg":"none","typ":"JWT"}' | b64url).$P."
UNK="$(printf '{"alg":"ES256","kid":"unknownkid00","typ":"JWT"}' | b64url).$P.$S"
if [ "${S:0:1}" = A ]; then F=B; else F=A; fi
BIG=$(head -c 7500 /dev/zero | tr '\0' 'A')
attack() {	# attack DESCRIPTION TOKEN REASON
	scan "$2"
	eq "$1: status" "$STATUS" 200
	eq "$1: reason" "$(j .valid),$(j .reason)" "false,$3"
	eq "$1: in words" "$(j .reason_text)" "$(jq -r ".verify_$3" "$TOP/templates/zh.json")"
}
attack "tampered payload (green to red)" "$H.$RED.$S" bad_signature
attack "tampered signature" "$H.$P.$F${S:1}" bad_signature
attack "alg none" "$NONE" wrong_algorithm
attack "HS256 signed with our public key" "$HSHDR.$P.$HSSIG" wrong_algorithm
attack "unknown kid" "$UNK" unknown_key
attack "garbage" "garbage" malformed
attack "empty" "" malformed
attack "10 KB token" "$BIG.$BIG.$BIG" malformed
attack "untrusted region C" "$CTOK" unknown_issuer
eventually "every check recorded" 10 'SELECT count(*) FROM verifications'
eventually "failures recorded with the reason" 9 "SELECT count(*) FROM verifications WHERE valid = 0 AND reason IS NOT NULL"
eq "a failed check names no person" "$(sql 'SELECT count(*) FROM verifications WHERE valid = 0 AND person_id IS NOT NULL')" 0

# --- our own codes: the token kept when signed, and older ones ---------------
# The newest token under a code id is kept; a scan of exactly it needs no
# P-256 check again.  The database is trusted for that as it is for the
# colour: a kept token is taken as signed, shown here with one whose
# signature was changed in the database.
KEPT_SQL="SELECT url FROM daily_codes WHERE code_id = '$(claims "$OWN" | jq -r .cid)'"
eq "the code is kept as issued" "$(sql "$KEPT_SQL")" "$BASE/v/$OWN"
sql "UPDATE daily_codes SET url = '$BASE/v/$H.$P.$F${S:1}'"
scan "$H.$P.$F${S:1}"
eq "a kept token is not checked again" "$(j .valid),$(j .color)" "true,green"
scan "$OWN"
eq "any other token is: the issued one, not kept now, checked in full" "$(j .valid),$(j .color)" "true,green"
sql "UPDATE daily_codes SET url = '$BASE/v/$OWN'"
# Half the code's life on, a reload signs a new token; the older one is
# still valid until it expires, checked in full.
set_now 2026-11-29T02:02:31Z
OWNER=$(login 13800138000)
req GET /api/v1/code -- -H "Authorization: Bearer $OWNER"
NEWER=$(j .token)
check "a newer token for the same code id" test "$NEWER" != "$OWN" -a "$(claims "$NEWER" | jq -r .cid)" = "$(claims "$OWN" | jq -r .cid)"
eq "the newer one is kept" "$(sql "$KEPT_SQL")" "$BASE/v/$NEWER"
req POST /api/v1/verify "{\"token\":\"$NEWER\",\"place\":\"kept\"}" -- "${AC[@]}"
eq "the newer token verifies" "$(j .valid),$(j .color),$(j .name_masked)" "true,green,王*华"
eventually "and its record names the person" 1 "SELECT person_id = (SELECT id FROM persons WHERE name = '王小华') FROM verifications WHERE place = 'kept'"
scan "$OWN"
eq "the older one too, until it expires" "$(j .valid),$(j .color)" "true,green"
scan "$H.$RED.$S"
eq "and a tampered one still fails" "$(j .valid),$(j .reason)" "false,bad_signature"

# --- mutual recognition: B's code at A ------------------------------------
scan "$BTOK"
eq "B's code verifies at A" "$(j .valid),$(j .color),$(j .issuer)" "true,green,440300"
eq "no personal data in a foreign code" "$(j .name_masked),$(j .id_masked)" "null,null"
req GET "/v/$BTOK" -- -H "Cookie: hc_session=$CHK" -H "Sec-Fetch-Site: none"
check "page says issued by Shenzhen" grep -q '深圳市 (440300) · 外地互认码' "$T/body"

# --- the current colour wins ----------------------------------------------
HASH=$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$ID1")
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at) VALUES ('$HASH', 'confirmed', '2026-11-29', 0)"
scan "$OWN"
eq "a code issued green verifies red once the person is red" "$(j .valid),$(j .color)" "true,red"
scan "$NEWER"
eq "... the kept code too" "$(j .valid),$(j .color)" "true,red"

# --- expiry and revocation -------------------------------------------------
set_now 2026-11-29T02:05:00Z
scan "$OWN"
eq "expired at exp" "$(j .valid),$(j .reason)" "false,expired"
set_now 2026-11-29T02:04:59Z
scan "$OWN"
eq "valid one second before" "$(j .valid)" true
set_now 2026-11-29T02:07:31Z
scan "$NEWER"
eq "the kept code expires at its exp too" "$(j .valid),$(j .reason)" "false,expired"
set_now 2026-11-29T02:07:30Z
scan "$NEWER"
eq "... valid one second before" "$(j .valid)" true
sql "DELETE FROM daily_codes"
scan "$NEWER"
eq "revoked when the day's code id is gone" "$(j .valid),$(j .reason)" "false,revoked"
set_now 2026-11-29T02:04:59Z
scan "$OWN"
eq "an older code too" "$(j .valid),$(j .reason)" "false,revoked"

# --- the page any camera opens ---------------------------------------------
set_now 2026-11-29T02:06:00Z
OWN2=$(code_of 13800138000 "王小华" $ID1)
req GET "/v/$OWN2"
eq "anonymous /v/ page" "$STATUS" 200
check "asks to show it to staff" grep -q '请向查验点工作人员出示' "$T/body"
check "no personal data for anonymous" sh -c "! grep -qE '王|1101|green|red|红码|绿码' '$T/body'"
req GET "/v/$OWN2" -- -H "Cookie: hc_session=$USR"
check "no personal data for a plain user" sh -c "! grep -qE '王|1101' '$T/body'"
sleep 0.2
n=$(sql 'SELECT count(*) FROM verifications')
# A camera (or the address bar) opening the URL: Sec-Fetch-Site none.
req GET "/v/$OWN2" -- -H "Cookie: hc_session=$CHK" -H "Sec-Fetch-Site: none"
check "checker sees the colour big" grep -q 'id="verify-color">红码' "$T/body"
check "checker sees the masked name" grep -q 'id="verify-name">王\*华' "$T/body"
eventually "the page check is recorded" $((n + 1)) 'SELECT count(*) FROM verifications'
# Another site sending a checker's browser here (a link, a redirect, an
# image) must not plant a contact-tracing record: a button to confirm.
for h in "Sec-Fetch-Site: cross-site" "Sec-Fetch-Site: same-site" "X-No-Fetch-Metadata: 1"; do
	req GET "/v/$OWN2" -- -H "Cookie: hc_session=$CHK" -H "$h"
	eq "$h: the page" "$STATUS" 200
	check "$h: a button to confirm" grep -q 'id="verify-confirm-button"' "$T/body"
	check "$h: no verdict shown" sh -c "! grep -qE 'verify-color|王|1101' '$T/body'"
done
sleep 0.2
eq "nothing recorded without the confirmation" "$(sql 'SELECT count(*) FROM verifications')" $((n + 1))
VCSRF=$(csrf)
req POST "/v/$OWN2" "_csrf=$VCSRF" application/x-www-form-urlencoded -- -H "Cookie: hc_session=$CHK" -H "Sec-Fetch-Site: cross-site"
eq "a cross-site confirmation: refused" "$STATUS" 403
req POST "/v/$OWN2" "_csrf=AAAAAAAAAAAAAAAAAAAAAA" application/x-www-form-urlencoded -- -H "Cookie: hc_session=$CHK"
eq "a confirmation with a forged token: refused" "$STATUS" 403
req POST "/v/$OWN2" "_csrf=$VCSRF" application/x-www-form-urlencoded -- -H "Cookie: hc_session=$USR"
eq "a confirmation by a plain user: refused" "$STATUS" 403
sleep 0.2
eq "refused confirmations recorded nothing" "$(sql 'SELECT count(*) FROM verifications')" $((n + 1))
req POST "/v/$OWN2" "_csrf=$VCSRF" application/x-www-form-urlencoded -- -H "Cookie: hc_session=$CHK" -H "Sec-Fetch-Site: same-origin" -H "Origin: $BASE"
eq "the confirmation" "$STATUS" 200
check "then the colour big" grep -q 'id="verify-color">红码' "$T/body"
eventually "and the check recorded" $((n + 2)) 'SELECT count(*) FROM verifications'
req GET "/v/garbage" -- -H "Cookie: hc_session=$CHK" -H "Sec-Fetch-Site: none"
check "checker sees why a code is invalid" grep -q 'id="verify-reason">不是有效的健康码' "$T/body"

# --- lookups for people without phones --------------------------------------
look() { req POST /api/v1/verify/lookup "$1" -- "${AC[@]}"; }
look "{\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"name\":\"王小华\"}"
eq "lookup of a person who declared today" "$(j .valid),$(j .color),$(j .name_masked)" "true,red,王*华"
look "{\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"name\":\"王大华\"}"
eq "lookup with the wrong name" "$(j .valid),$(j .reason),$(j .name_masked)" "false,no_declaration_today,null"
look "{\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 33010619800101009)\",\"name\":\"无名\"}"
eq "lookup of someone unknown" "$(j .valid),$(j .reason)" "false,no_declaration_today"
look "{\"id_type\":\"resident_id\",\"id_number\":\"110105194912310021\",\"name\":\"王小华\"}"
eq "lookup with a bad check digit" "$STATUS,$(j .error.code)" "400,invalid_check_digit"
eventually "lookups recorded" 3 "SELECT count(*) FROM verifications WHERE method = 'lookup'"
look "{\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"name\":\"王小华\"}"
eq "fourth lookup in the hour" "$(j .valid)" true
look "{\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"name\":\"王小华\"}"
eq "fifth lookup in the hour is limited" "$STATUS,$(j .error.code)" "429,rate_limited"
check "Retry-After on the limit" test -n "$(hdr Retry-After)"
req POST /api/v1/verify/lookup "{\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"name\":\"王小华\"}" -- -H "Authorization: Bearer $USR"
eq "lookup needs the checker role" "$STATUS" 403
# Another checker from the same address: the address has its own limit
# (six an hour here), whoever the checkers are.
"$CTL" grant 13900139009 checker >/dev/null
CHK2=$(login 13900139009)
for i in 5 6; do
	req POST /api/v1/verify/lookup "{\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"name\":\"王小华\"}" -- -H "Authorization: Bearer $CHK2"
	eq "lookup $i from the address, another checker" "$(j .valid)" true
done
n=$(sql "SELECT count(*) FROM audit_log WHERE action = 'verify.lookup'")
req POST /api/v1/verify/lookup "{\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"name\":\"王小华\"}" -- -H "Authorization: Bearer $CHK2"
eq "the seventh from the address is limited" "$STATUS,$(j .error.code)" "429,rate_limited"
eq "and not looked up" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'verify.lookup'")" "$n"

finish
