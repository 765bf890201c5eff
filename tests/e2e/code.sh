#!/bin/bash
# End to end: identity binding, daily declarations, the colour rules and
# the signed health code, through lighttpd: QR images decoded by zbarimg,
# the ES256 signature checked by Node's crypto against our JWKS.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z	# 10:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
TODAY=2026-11-29
start_stack

counts() {
	sql "SELECT (SELECT count(*) FROM persons) || '/' ||
	    (SELECT count(*) FROM account_persons) || '/' ||
	    (SELECT count(*) FROM declarations) || '/' ||
	    (SELECT count(*) FROM declaration_travel) || '/' ||
	    (SELECT group_concat(temp_tenths) FROM declarations)"
}
declare_json() {	# declare_json TOKEN JSON
	req POST /api/v1/declarations "$2" -- -H "Authorization: Bearer $1"
}

ID1=11010519491231002X
check "sample ID has the right check digit" test "$(idcheck 11010519491231002)" = $ID1
U1=$(login 13800138000)
AUTH1=(-H "Authorization: Bearer $U1")

req GET /api/v1/code -- "${AUTH1[@]}"
eq "no declaration: no code" "$STATUS" 409
eq "no declaration code" "$(j .error.code)" no_declaration_today
req GET /api/v1/code.svg -- "${AUTH1[@]}"
eq "no declaration: no svg" "$STATUS" 409
req GET /api/v1/code
eq "code needs a session" "$STATUS" 401

# --- what a client needs to draw the form (the mini-program) ---------------
req GET /api/v1/declarations/form
eq "form options need a session" "$STATUS" 401
req GET /api/v1/declarations/form -- "${AUTH1[@]}"
eq "form options" "$STATUS" 200
eq "not bound yet" "$(j .identity)" null
eq "the two identity types" "$(j '[.id_types[].value]|join(",")')" resident_id,passport
eq "every symptom, with the form's label" "$(j '.symptoms|length'),$(j '.symptoms[0].value'),$(j '.symptoms[0].label')" "7,fever,$(jq -r .sym_fever "$TOP/templates/zh.json")"
eq "the countries of the form" "$(j '.countries|length')" "$(sql "SELECT count(*) FROM countries")"
eq "the messages of the client's checks" "$(j .messages.invalid_temperature)" "$(jq -r .err.invalid_temperature "$TOP/templates/zh.json")"
req GET /api/v1/declarations/form -- "${AUTH1[@]}" -H "Accept-Language: en"
eq "in English when asked" "$(j '.symptoms[0].label')" "$(jq -r .sym_fever "$TOP/templates/en.json")"
req POST /api/v1/declarations/form '{}' -- "${AUTH1[@]}"
eq "form options: GET only" "$STATUS" 405

# --- bad input: 4xx, a clear code, and nothing stored ---------------------
OK_ID='"name":"王小华","id_type":"resident_id","id_number":"'$ID1'"'
OK_HEALTH='"temperature":36.5,"symptoms":[],"travel":[],"contact":false'
before=$(counts)
bad() {	# bad DESCRIPTION EXPECTED-CODE JSON
	declare_json "$U1" "$3"
	eq "$1: status" "$STATUS" 400
	eq "$1: code" "$(j .error.code)" "$2"
}
bad "bad check digit" invalid_check_digit "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"110105194912310021\",$OK_HEALTH}"
bad "impossible birth date" invalid_birth_date "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 11010519490231002)\",$OK_HEALTH}"
bad "birth date in the future" invalid_birth_date "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 11010520270101002)\",$OK_HEALTH}"
bad "unknown region prefix" unknown_region "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 99999919491231002)\",$OK_HEALTH}"
bad "17-character ID" invalid_id_number "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"11010519491231002\",$OK_HEALTH}"
bad "unknown id type" invalid_id_type "{\"name\":\"王小华\",\"id_type\":\"driving_licence\",\"id_number\":\"$ID1\",$OK_HEALTH}"
bad "name with markup" invalid_name "{\"name\":\"<b>王</b>\",\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",$OK_HEALTH}"
bad "passport without nationality" missing_field "{\"name\":\"John Smith\",\"id_type\":\"passport\",\"id_number\":\"E12345678\",$OK_HEALTH}"
bad "unknown nationality" invalid_nationality "{\"name\":\"John Smith\",\"id_type\":\"passport\",\"id_number\":\"E12345678\",\"nationality\":\"XXX\",$OK_HEALTH}"
bad "temperature too low" invalid_temperature "{$OK_ID,\"temperature\":33.9,\"symptoms\":[],\"travel\":[],\"contact\":false}"
bad "temperature too high" invalid_temperature "{$OK_ID,\"temperature\":43.1,\"symptoms\":[],\"travel\":[],\"contact\":false}"
bad "temperature as a string" wrong_type "{$OK_ID,\"temperature\":\"36.5\",\"symptoms\":[],\"travel\":[],\"contact\":false}"
bad "unknown symptom" invalid_symptom "{$OK_ID,\"temperature\":36.5,\"symptoms\":[\"sneezing\"],\"travel\":[],\"contact\":false}"
bad "symptoms not a list" wrong_type "{$OK_ID,\"temperature\":36.5,\"symptoms\":\"cough\",\"travel\":[],\"contact\":false}"
bad "contact not a boolean" wrong_type "{$OK_ID,\"temperature\":36.5,\"symptoms\":[],\"travel\":[],\"contact\":\"no\"}"
bad "missing temperature" missing_field "{$OK_ID,\"symptoms\":[],\"travel\":[],\"contact\":false}"
bad "missing travel" missing_field "{$OK_ID,\"temperature\":36.5,\"symptoms\":[],\"contact\":false}"
T51=$(for i in $(seq 1 51); do printf '{"region":"330100","date":"%s"},' $TODAY; done)
bad "51 travel entries" too_many_travel "{$OK_ID,\"temperature\":36.5,\"symptoms\":[],\"travel\":[${T51%,}],\"contact\":false}"
bad "travel date in the future" invalid_travel_date "{$OK_ID,\"temperature\":36.5,\"symptoms\":[],\"travel\":[{\"region\":\"330100\",\"date\":\"2026-11-30\"}],\"contact\":false}"
bad "travel 14 days ago" invalid_travel_date "{$OK_ID,\"temperature\":36.5,\"symptoms\":[],\"travel\":[{\"region\":\"330100\",\"date\":\"2026-11-15\"}],\"contact\":false}"
bad "travel to an unknown region" unknown_region "{$OK_ID,\"temperature\":36.5,\"symptoms\":[],\"travel\":[{\"region\":\"999900\",\"date\":\"$TODAY\"}],\"contact\":false}"
bad "travel region SQL" unknown_region "{$OK_ID,\"temperature\":36.5,\"symptoms\":[],\"travel\":[{\"region\":\"1' OR '1'='1\",\"date\":\"$TODAY\"}],\"contact\":false}"
bad "first declaration without identity" missing_field "{$OK_HEALTH}"
eq "bad input stored nothing" "$(counts)" "$before"

# --- the first declaration binds the identity -----------------------------
declare_json "$U1" "{$OK_ID,\"temperature\":36.5,\"symptoms\":[],\"travel\":[{\"region\":\"330106\",\"date\":\"2026-11-28\"}],\"contact\":false}"
eq "declaration" "$STATUS" 201
eq "green" "$(j .color)" green
eq "no reasons" "$(j '.reasons|length')" 0
eq "one person, one link, one declaration, one trip" "$(counts)" "1/1/1/1/365"
HASH=$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$ID1")
eq "person keyed by HMAC-SHA256 of type and number" "$(sql 'SELECT id_hash FROM persons')" "$HASH"
eq "masked ID stored" "$(sql 'SELECT id_masked FROM persons')" "1101**********002X"
check "raw ID number nowhere in the database" sh -c "sqlite3 '$HC_DATA_DIR/healthcode.db' .dump | grep -qv '$ID1' && ! sqlite3 '$HC_DATA_DIR/healthcode.db' .dump | grep -q '$ID1'"

declare_json "$U1" "{\"temperature\":36.8,\"symptoms\":[],\"travel\":[],\"contact\":false}"
eq "declaring again the same day" "$STATUS" 201
# A day keeps the worst of its answers: the trip stays, the higher
# temperature stands (tests/e2e/house.sh: risk never goes down).
eq "adds to the day's answers" "$(counts)" "1/1/1/1/368"
before=$(counts)
declare_json "$U1" "{\"name\":\"李四\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 33010619800101001)\",$OK_HEALTH}"
eq "another identity on a bound account" "$STATUS" 409
eq "identity mismatch code" "$(j .error.code)" identity_mismatch
eq "refused change stored nothing" "$(counts)" "$before"
declare_json "$U1" "{$OK_ID,$OK_HEALTH}"
eq "the same identity again is fine" "$STATUS" 201

U2=$(login 13900139000)
before=$(counts)
declare_json "$U2" "{$OK_ID,$OK_HEALTH}"
eq "someone else's identity" "$STATUS" 409
eq "identity in use" "$(j .error.code)" identity_in_use
eq "nothing stored for the squatter" "$(counts)" "$before"
req GET /api/v1/declarations/form -- "${AUTH1[@]}"
eq "bound: the identity masked" "$(j .identity.name_masked),$(j .identity.id_masked)" "王*华,1101**********002X"
check "bound: never the number" sh -c "! grep -q '$ID1' '$T/body'"

# --- the code ------------------------------------------------------------
req GET /api/v1/code -- "${AUTH1[@]}"
eq "code" "$STATUS" 200
eq "code colour" "$(j .color)" green
eq "masked name" "$(j .name_masked)" "王*华"
eq "masked ID" "$(j .id_masked)" "1101**********002X"
eq "green: no reasons in words either" "$(j '.reason_texts|length')" 0
eq "issued at" "$(j .issued_at)" 2026-11-29T10:00:00+08:00
eq "expires 5 minutes later" "$(j .expires_at)" 2026-11-29T10:05:00+08:00
TOKEN=$(j .token)
eq "url" "$(j .url)" "$BASE/v/$TOKEN"
check "no-store" grep -qi '^Cache-Control: no-store' "$T/headers"

req GET /.well-known/jwks.json
eq "jwks" "$STATUS" 200
cp "$T/body" "$T/jwks.json"
eq "one ES256 key" "$(j '.keys|length'),$(j '.keys[0].kty'),$(j '.keys[0].crv'),$(j '.keys[0].alg')" "1,EC,P-256,ES256"
check "jwks has no private part" sh -c "! jq -e '.keys[0].d' '$T/jwks.json' >/dev/null"
node "$TOP/tests/e2e/jws.mjs" "$TOKEN" "$T/jwks.json" > "$T/jws"
eq "signature verifies (Node crypto, JWKS key)" "$?" 0
eq "alg ES256" "$(jq -r .header.alg "$T/jws")" ES256
eq "kid is the JWKS key" "$(jq -r .header.kid "$T/jws")" "$(jq -r '.keys[0].kid' "$T/jwks.json")"
eq "issuer region" "$(jq -r .payload.iss "$T/jws")" 330100
eq "colour at issue" "$(jq -r .payload.col "$T/jws")" green
eq "iat" "$(jq -r .payload.iat "$T/jws")" "$(epoch $HC_NOW)"
eq "exp = iat + 300" "$(jq -r .payload.exp "$T/jws")" "$(( $(epoch $HC_NOW) + 300 ))"
CID=$(jq -r .payload.cid "$T/jws")
check "opaque code id (96 random bits)" grep -qE '^[A-Za-z0-9_-]{16}$' <<<"$CID"
eq "claims carry nothing personal" "$(jq -r '.payload|keys|join(",")' "$T/jws")" "cid,col,exp,iat,iss"
check "code id is not the account, phone or ID" sh -c "! grep -qE '13800138000|$ID1|\"sub\"' '$T/jws'"
BADSIG="${TOKEN%.*}.$(printf '%s' "${TOKEN##*.}" | rev)"
node "$TOP/tests/e2e/jws.mjs" "$BADSIG" "$T/jwks.json" > /dev/null
check "control: a tampered signature fails the independent check" test $? = 1

STATUS=$(curl -s -o "$T/code.png" -D "$T/headers" -w '%{http_code}' "${AUTH1[@]}" "$BASE/api/v1/code.png")
eq "png" "$STATUS" 200
check "png content type" grep -qi '^Content-Type: image/png' "$T/headers"
PURL=$(zbarimg -q --raw "$T/code.png" 2>/dev/null)
check "PNG decodes to <base>/v/<token>" grep -qE "^$BASE/v/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$" <<<"$PURL"
node "$TOP/tests/e2e/jws.mjs" "${PURL##*/v/}" "$T/jwks.json" > /dev/null
eq "the PNG's token verifies" "$?" 0
STATUS=$(curl -s -o "$T/code.svg" -D "$T/headers" -w '%{http_code}' "${AUTH1[@]}" "$BASE/api/v1/code.svg")
eq "svg" "$STATUS" 200
check "svg content type" grep -qi '^Content-Type: image/svg+xml' "$T/headers"
SURL=$(svg_decode "$T/code.svg")
check "SVG decodes to <base>/v/<token>" grep -qE "^$BASE/v/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$" <<<"$SURL"
# Small enough for a version 12 symbol at level M (65 modules, 287 bytes),
# which phones read at a glance: a short header, a 16-character code id.
check "URL of ${#SURL} bytes fits version 12-M" test "${#SURL}" -le 287
eq "QR of 65 modules and the quiet zone" "$(grep -o 'viewBox="0 0 [0-9]*' "$T/code.svg" | grep -o '[0-9]*$')" 73
eq "the SVG's token is the one in its headers' day" "$(hdr X-Code-Color)" green
eq "daily code id reused within the day" "$(sql 'SELECT count(*) FROM daily_codes')" 1

# The newest token is kept and handed out again while at least half its
# life is left: a reload is not a new signature.
eq "the code is kept under the code id" "$(sql 'SELECT url FROM daily_codes')" "$BASE/v/$TOKEN"
eq "with its QR: 65 x 65 modules, a bit each, and the width" "$(sql 'SELECT length(qr) FROM daily_codes')" $((1 + (65 * 65 + 7) / 8))
eq "the PNG and the SVG show that token" "${PURL##*/v/} ${SURL##*/v/}" "$TOKEN $TOKEN"
eq "seconds left, for the page's renewal" "$(hdr X-Code-Expires-In)" 300
set_now 2026-11-29T02:02:30Z
req GET /api/v1/code -- "${AUTH1[@]}"
eq "half its life left: the same token" "$(j .token) $(j .issued_at) $(j .expires_in)" "$TOKEN 2026-11-29T10:00:00+08:00 150"
set_now 2026-11-29T02:02:31Z
req GET /api/v1/code -- "${AUTH1[@]}"
check "less than half: a new token" test "$(j .token)" != "$TOKEN"
eq "issued now, for the whole code_ttl" "$(j .issued_at) $(j .expires_at) $(j .expires_in)" "2026-11-29T10:02:31+08:00 2026-11-29T10:07:31+08:00 300"
eq "the same code id" "$(claims "$(j .token)" | jq -r .cid)" "$CID"
eq "the new one is kept" "$(sql 'SELECT url FROM daily_codes')" "$BASE/v/$(j .token)"
STATUS=$(curl -s -o "$T/code.svg" -D "$T/headers" -w '%{http_code}' "${AUTH1[@]}" "$BASE/api/v1/code.svg")
eq "its kept QR drawn again decodes to it" "$STATUS $(svg_decode "$T/code.svg")" "200 $BASE/v/$(j .token)"
STATUS=$(curl -s -o "$T/code.png" -w '%{http_code}' "${AUTH1[@]}" "$BASE/api/v1/code.png")
eq "... as PNG too" "$STATUS $(zbarimg -q --raw "$T/code.png" 2>/dev/null)" "200 $BASE/v/$(j .token)"
set_now 2026-11-29T02:00:00Z
req GET /api/v1/code -- "${AUTH1[@]}"
check "a kept token from later (a clock set back) is not handed out" test "$(j .issued_at)" = 2026-11-29T10:00:00+08:00
KEPT=$(j .token)
HC_PUBLIC_BASE_URL=https://hc.example.cn restart_workers
req GET /api/v1/code -- "${AUTH1[@]}"
eq "a new public_base_url: a new code, not the kept one" "$(j .url | cut -d/ -f1-4) $([ "$(j .token)" != "$KEPT" ] && echo new)" "https://hc.example.cn/v new"
restart_workers
req GET /api/v1/code -- "${AUTH1[@]}"
KEPT=$(j .token)
req GET /api/v1/code -- "${AUTH1[@]}"
eq "a code kept again under our own base URL" "$(j .token)" "$KEPT"

# Key rotation: a new key signs; the old one stays published until removed.
OLDKID=$(jq -r '.keys[0].kid' "$T/jwks.json")
"$CTL" keygen > "$T/out"
NEWKID=$(sed -n 's/^new signing key //p' "$T/out")
check "keygen names the new key" test -n "$NEWKID"
check "new key file is private" sh -c "test \$(stat -c %a \$(ls '$HC_DATA_DIR'/keys/*$NEWKID*.pem 2>/dev/null || ls -t '$HC_DATA_DIR'/keys/*.pem | head -1)) = 600"
restart_workers
req GET /.well-known/jwks.json
eq "both keys published" "$(j '[.keys[].kid]|sort|join(",")')" "$(printf '%s\n%s\n' "$OLDKID" "$NEWKID" | sort | paste -sd,)"
cp "$T/body" "$T/jwks2.json"
req GET /api/v1/code -- "${AUTH1[@]}"
node "$TOP/tests/e2e/jws.mjs" "$(j .token)" "$T/jwks2.json" > "$T/jws2"
eq "the newest key signs" "$?,$(jq -r .header.kid "$T/jws2")" "0,$NEWKID"
check "... at once: the code kept from the old key is not handed out" test "$(j .token)" != "$KEPT"

# The code ends at the daily cutoff even if 5 minutes would run past it.
set_now 2026-11-29T15:58:00Z
req GET /api/v1/code -- "${AUTH1[@]}"
eq "code before midnight" "$STATUS" 200
eq "expires at midnight, not 5 minutes later" "$(j .expires_at)" 2026-11-30T00:00:00+08:00
set_now 2026-11-29T16:00:00Z
U1=$(login 13800138000); AUTH1=(-H "Authorization: Bearer $U1")
req GET /api/v1/code -- "${AUTH1[@]}"
eq "a new day needs a new declaration" "$STATUS" 409
set_now 2026-11-29T02:00:00Z

# --- the colours through the API -----------------------------------------
colour_of() {	# colour_of PHONE ID-NUMBER HEALTH-JSON -> "color reasons"
	tok=$(login "$1")
	declare_json "$tok" "{\"name\":\"测试者\",\"id_type\":\"resident_id\",\"id_number\":\"$2\",$3}"
	[ "$STATUS" = 201 ] || { echo "declare $STATUS $(cat "$T/body")"; return; }
	req GET /api/v1/code -- -H "Authorization: Bearer $tok"
	echo "$(j .color) $(j '.reasons|join(",")')"
}
eq "fever 37.3 alone: yellow" "$(colour_of 13700000001 "$(idcheck 33010619800101001)" '"temperature":37.3,"symptoms":[],"travel":[],"contact":false')" "yellow fever"
eq "37.2: green" "$(colour_of 13700000002 "$(idcheck 33010619800101002)" '"temperature":37.2,"symptoms":[],"travel":[],"contact":false')" "green "
eq "a cough: yellow" "$(colour_of 13700000003 "$(idcheck 33010619800101003)" '"temperature":36.6,"symptoms":["cough"],"travel":[],"contact":false')" "yellow symptoms"
eq "declared contact: yellow" "$(colour_of 13700000004 "$(idcheck 33010619800101004)" '"temperature":36.6,"symptoms":[],"travel":[],"contact":true')" "yellow declared_contact"
sql "INSERT INTO risk_areas (region, level, set_at) VALUES ('420100', 'high', 0), ('440300', 'medium', 0)"
eq "travel to a high-risk city: yellow" "$(colour_of 13700000005 "$(idcheck 33010619800101005)" '"temperature":36.6,"symptoms":[],"travel":[{"region":"420102","date":"2026-11-20"}],"contact":false')" "yellow travel_high_risk"
eq "medium-risk travel: yellow" "$(colour_of 13700000006 "$(idcheck 33010619800101006)" '"temperature":36.6,"symptoms":[],"travel":[{"region":"440300","date":"2026-11-27"}],"contact":false')" "yellow travel_medium_risk"
eq "fever + high-risk travel: red" "$(colour_of 13700000007 "$(idcheck 33010619800101007)" '"temperature":38.1,"symptoms":[],"travel":[{"region":"420100","date":"2026-11-25"}],"contact":false')" "red fever_travel_high_risk,travel_high_risk,fever"
ID8=$(idcheck 33010619800101008)
eq "green before listing" "$(colour_of 13700000008 "$ID8" '"temperature":36.6,"symptoms":[],"travel":[],"contact":false')" "green "
H8=$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$ID8")
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at) VALUES ('$H8', 'close_contact', '$TODAY', 0)"
set_now 2026-11-29T02:02:00Z	# a new code for the same phone needs a minute
T8=$(login 13700000008)
req GET /api/v1/code -- -H "Authorization: Bearer $T8"
eq "listed as close contact: red at once" "$(j .color) $(j '.reasons|join(",")') $(j .green_on)" "red case_close_contact 2026-12-13"
eq "a new token for the new colour, not the kept green one" "$(claims "$(j .token)" | jq -r .col)" red

# Passports (国际版).
declare_json "$(login 13700000009)" '{"name":"John Smith","id_type":"passport","id_number":"e1234567","nationality":"usa","temperature":36.5,"symptoms":[],"travel":[],"contact":false}'
eq "passport declaration" "$STATUS" 201
eq "passport masked" "$(sql "SELECT id_masked FROM persons WHERE id_type = 'passport'")" "E1****67"
eq "nationality stored" "$(sql "SELECT nationality FROM persons WHERE id_type = 'passport'")" USA

finish
