#!/bin/bash
# End to end, the corrections of the house's second version: a day keeps
# the worst of its declarations; passports are keyed with their
# nationality; the request sequence's errors speak through the
# catalogue in Chinese and English; the itinerary's days come from the
# retention of check-ins.  (The purge and the colour together, and the
# purge's claims, are in tests/test_services.c.)
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T01:00:00Z	# 09:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
export HC_OTP_RESEND_INTERVAL=0	# the page signs in the API's phone again
export HC_RETENTION_CHECKINS_DAYS=10
TODAY=2026-11-29
start_stack

declare_json() {	# declare_json TOKEN JSON
	req POST /api/v1/declarations "$2" -- -H "Authorization: Bearer $1"
}
ID1=$(idcheck 11010519491231002)
U1=$(login 13800138000)
ME='"name":"王小华","id_type":"resident_id","id_number":"'$ID1'"'
row() { sql "SELECT temp_tenths || '/' || symptoms || '/' || contact || '/' || (SELECT count(*) FROM declaration_travel) FROM declarations"; }

# --- a day keeps the worst of its declarations ----------------------------
declare_json "$U1" "{$ME,\"temperature\":38.2,\"symptoms\":[],\"travel\":[{\"region\":\"330106\",\"date\":\"2026-11-28\"}],\"contact\":false}"
eq "fever at 09:00" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,yellow,fever"
declare_json "$U1" '{"temperature":36.5,"symptoms":[],"travel":[],"contact":false}'
eq "a clean form at 09:01 does not undo it" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,yellow,fever"
eq "the day's row keeps the fever and the trip" "$(row)" "382/0/0/1"
declare_json "$U1" '{"temperature":36.6,"symptoms":["cough"],"travel":[{"region":"330106","date":"2026-11-28"},{"region":"310101","date":"2026-11-27"}],"contact":true}'
eq "more risk is added" "$STATUS,$(j '.reasons|join(",")')" "201,fever,symptoms,declared_contact"
eq "symptoms, contact and the new trip join the day" "$(row)" "382/2/1/2"
req GET /api/v1/code -- -H "Authorization: Bearer $U1"
eq "the code shows the day's worst" "$(j .color)" yellow
R=(330102 330105 330106 330108)
TRIPS=$(for i in $(seq 1 49); do printf '{"region":"%s","date":"2026-11-%02d"},' "${R[$((i % 4))]}" $((16 + i / 4 % 13)); done)
declare_json "$U1" "{\"temperature\":36.5,\"symptoms\":[],\"travel\":[${TRIPS%,}],\"contact\":false}"
eq "more than 50 places in a day, with those before: refused" "$STATUS,$(j .error.code)" "400,too_many_travel"
eq "and nothing of it stored" "$(row)" "382/2/1/2"

# The form takes the same rule.
JAR="$T/jar"
page GET /login
page POST /login "phone=13800138000&action=send&_csrf=$(csrf)"
page POST /login "phone=13800138000&code=$(otp_of 13800138000)&_csrf=$(csrf)"
eq "signed in on the page" "$STATUS" 303
page GET /declare
page POST /declare "temperature=36.4&_csrf=$(csrf)"
eq "a clean form on the page" "$STATUS" 303
eq "the page's declaration took nothing away" "$(row)" "382/2/1/2"

# --- passports: the nationality is part of the key ------------------------
U2=$(login 13900139000)
U3=$(login 13700137000)
U4=$(login 13600136000)
declare_json "$U2" '{"name":"John Smith","id_type":"passport","id_number":"E12345678","nationality":"USA","temperature":36.5,"symptoms":[],"travel":[],"contact":false}'
eq "a US passport" "$STATUS" 201
declare_json "$U3" '{"name":"Jane Smith","id_type":"passport","id_number":"E12345678","nationality":"GBR","temperature":36.5,"symptoms":[],"travel":[],"contact":false}'
eq "a British passport with the same number is another person" "$STATUS" 201
eq "two passport persons" "$(sql "SELECT count(DISTINCT id_hash) FROM persons WHERE id_type = 'passport'")" 2
H=$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:passport:USA:E12345678")
eq "keyed by type, nationality and number" "$(sql "SELECT nationality FROM persons WHERE id_hash = '$H'")" USA
declare_json "$U4" '{"name":"John Smith","id_type":"passport","id_number":"E12345678","nationality":"USA","temperature":36.5,"symptoms":[],"travel":[],"contact":false}'
eq "the US passport again, on another phone" "$STATUS,$(j .error.code)" "409,identity_in_use"

# --- the request sequence speaks through the catalogue --------------------
EN=(-H "Accept-Language: en")
req GET /api/v1/nothing -- "${EN[@]}"
eq "404, English" "$STATUS,$(j .error.code),$(j .error.message)" "404,not_found,This page does not exist."
req GET /api/v1/nothing
eq "404, Chinese" "$STATUS,$(j .error.message)" "404,$(jq -r .err.not_found "$TOP/templates/zh.json")"
req DELETE /api/v1/code -- "${EN[@]}"
eq "405, English" "$STATUS,$(j .error.code),$(j .error.message)" "405,method_not_allowed,This method is not allowed here."
req GET /api/v1/me
eq "401, Chinese" "$STATUS,$(j .error.code),$(j .error.message)" "401,unauthenticated,请先登录。"
req POST /api/v1/verify '{"token":"x"}' -- -H "Authorization: Bearer $U1" "${EN[@]}"
eq "403, English" "$STATUS,$(j .error.code),$(j .error.message)" "403,forbidden,Your role does not allow this."
head -c 70000 /dev/zero | tr '\0' a > "$T/big"
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$T/big" "$BASE/api/v1/auth/otp")
eq "413, Chinese" "$STATUS,$(j .error.code),$(j .error.message)" "413,body_too_large,提交的内容过大。"
req POST /api/v1/auth/otp 'phone=1' text/plain -- "${EN[@]}"
eq "415, English" "$STATUS,$(j .error.code),$(j .error.message)" "415,unsupported_media_type,Unsupported submission format."
req POST /api/v1/auth/otp '{"phone":' -- "${EN[@]}"
eq "400 malformed JSON, English" "$STATUS,$(j .error.code),$(j .error.message)" "400,malformed_json,The body is not a well-formed UTF-8 JSON object."

# --- the itinerary's days are the retention of check-ins ------------------
req GET /api/v1/itinerary -- -H "Authorization: Bearer $U1"
eq "itinerary days from retention_checkins_days" "$STATUS,$(j .days)" "200,10"

finish
