#!/bin/bash
# End to end: venues and their codes (场所码), check-ins and the
# itinerary, through lighttpd, with every role: anonymous, a user, the
# venue's owner and someone else's owner.  QR codes decoded by zbarimg;
# bad input changes nothing in the database.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z	# 10:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
start_stack
NOW=$(epoch $HC_NOW)
JAR="$T/jar"

# Every row of the venue tables, to prove a request changed nothing.
state() {
	sql "SELECT count(*) || ':' || coalesce(group_concat(id || '/' ||
	    coalesce(owner_id, '-') || '/' || token, ','), '') FROM venues;
	    SELECT count(*) FROM checkins;" | tr '\n' ' '
}
# Signs the cookie jar in as a token (what /login would set).

OWNER=$(login 13800000001)
OTHER=$(login 13800000002)
USER=$(login 13800000003)	# declares, green
FRESH=$(login 13800000004)	# never declared

# --- anonymous ------------------------------------------------------------
before=$(state)
req POST /api/v1/venues '{"name":"星巴克","address":"文三路 1 号","region":"330106"}'
eq "anonymous create: 401" "$STATUS" 401
eq "anonymous create: code" "$(j .error.code)" unauthenticated
for p in /api/v1/venues /api/v1/venues/1 /api/v1/venues/1/qr.svg \
    /api/v1/venues/1/qr.png /api/v1/itinerary; do
	req GET $p
	eq "anonymous GET $p: 401" "$STATUS" 401
done
req POST /api/v1/venues/1/rotate
eq "anonymous rotate: 401" "$STATUS" 401
req POST /api/v1/checkins '{"venue_token":"AAAAAAAAAAAAAAAAAAAAAA"}'
eq "anonymous check-in: 401" "$STATUS" 401
for p in /venues /venues/1/poster /itinerary; do
	req GET $p
	eq "anonymous page $p: 302" "$STATUS" 302
	eq "anonymous page $p: to /login" "$(hdr Location)" /login
done
eq "anonymous requests stored nothing" "$(state)" "$before"

# --- registering a venue: bad input is refused and stores nothing ---------
bad() {	# bad DESCRIPTION STATUS CODE JSON
	api "$OWNER" POST /api/v1/venues "$4"
	eq "$1: status" "$STATUS" "$2"
	eq "$1: code" "$(j .error.code)" "$3"
}
N61=$(printf '场%.0s' $(seq 61))
N60=$(printf '场%.0s' $(seq 60))
A121=$(printf 'a%.0s' $(seq 121))
OKA='"address":"西湖区文三路 90 号"'
OKR='"region":"330106"'
before=$(state)
bad "missing name" 400 missing_field "{$OKA,$OKR}"
bad "null name" 400 missing_field "{\"name\":null,$OKA,$OKR}"
bad "name as a number" 400 wrong_type "{\"name\":42,$OKA,$OKR}"
bad "empty name" 400 invalid_name "{\"name\":\"\",$OKA,$OKR}"
bad "blank name" 400 invalid_name "{\"name\":\"   \",$OKA,$OKR}"
bad "ideographic-space name" 400 invalid_name "{\"name\":\"　　\",$OKA,$OKR}"
bad "61-character name" 400 invalid_name "{\"name\":\"$N61\",$OKA,$OKR}"
bad "name with a newline" 400 invalid_name "{\"name\":\"a\\nb\",$OKA,$OKR}"
bad "missing address" 400 missing_field "{\"name\":\"店\",$OKR}"
bad "address as a list" 400 wrong_type "{\"name\":\"店\",\"address\":[],$OKR}"
bad "121-character address" 400 invalid_address "{\"name\":\"店\",\"address\":\"$A121\",$OKR}"
bad "blank address" 400 invalid_address "{\"name\":\"店\",\"address\":\" \",$OKR}"
bad "missing region" 400 missing_field "{\"name\":\"店\",$OKA}"
bad "region as a number" 400 wrong_type "{\"name\":\"店\",$OKA,\"region\":330106}"
bad "unknown region" 400 unknown_region "{\"name\":\"店\",$OKA,\"region\":\"999999\"}"
bad "five-digit region" 400 unknown_region "{\"name\":\"店\",$OKA,\"region\":\"33010\"}"
bad "region SQL" 400 unknown_region "{\"name\":\"店\",$OKA,\"region\":\"1' OR '1'='1\"}"
bad "malformed JSON" 400 malformed_json "{\"name\":\"店\",$OKA,$OKR"
api "$OWNER" POST /api/v1/venues "name=x&address=y&region=330106" application/x-www-form-urlencoded
eq "a form post to the API: 415" "$STATUS" 415
eq "bad input stored nothing" "$(state)" "$before"

# --- registering ----------------------------------------------------------
api "$OWNER" POST /api/v1/venues "{\"name\":\"$N60\",$OKA,$OKR}"
eq "60-character name: created" "$STATUS" 201
api "$OWNER" POST /api/v1/venues "{\"name\":\"<b>湖滨银泰</b> in77\",$OKA,$OKR}"
eq "create" "$STATUS" 201
V1=$(j .id)
URL1=$(j .url)
TOK1=$(urltok "$URL1")
eq "Location of the new venue" "$(hdr Location)" "/api/v1/venues/$V1"
eq "name as given" "$(j .name)" "<b>湖滨银泰</b> in77"
eq "region and its name" "$(j .region) $(j .region_name)" "330106 西湖区"
eq "created at" "$(j .created_at)" 2026-11-29T10:00:00+08:00
check "url is <base>/c/<22 base64url>" grep -qE "^$BASE/c/[A-Za-z0-9_-]{22}\$" <<<"$URL1"
eq "owner stored" "$(sql "SELECT a.phone_mac FROM venues v JOIN accounts a ON a.id = v.owner_id WHERE v.id = $V1")" "$(phone_mac 13800000001)"
eq "token stored with the venue" "$(sql "SELECT token FROM venues WHERE id = $V1")" "$TOK1"
api "$OTHER" POST /api/v1/venues "{\"name\":\"别人的店\",\"address\":\"上城区\",\"region\":\"330102\"}"
eq "another owner's venue" "$STATUS" 201
V2=$(j .id)
check "tokens differ" test "$(j .url)" != "$URL1"

api "$OWNER" GET /api/v1/venues
eq "list" "$STATUS" 200
eq "my two venues, newest first" "$(j '[.venues[].id]|join(",")')" "$V1,$((V1 - 1))"
check "not the other owner's" sh -c "! jq -e '.venues[] | select(.id == $V2)' '$T/body' >/dev/null"
api "$FRESH" GET /api/v1/venues
eq "someone without venues: empty list" "$(j '.venues|length')" 0
api "$OWNER" GET /api/v1/venues/$V1
eq "one venue" "$STATUS $(j .url)" "200 $URL1"

# --- someone else's venue is not found, not forbidden ----------------------
before=$(state)
for p in /api/v1/venues/$V2 /api/v1/venues/$V2/qr.svg /api/v1/venues/$V2/qr.png; do
	api "$OWNER" GET $p
	eq "other's $p: 404" "$STATUS" 404
	eq "other's $p: not_found" "$(j .error.code)" not_found
done
api "$OWNER" POST /api/v1/venues/$V2/rotate
eq "rotating another's venue: 404" "$STATUS" 404
for id in 999999 0 -1 abc 1e3 " $V1" "$V1.0" 99999999999999999999; do
	api "$OWNER" GET "/api/v1/venues/$(printf '%s' "$id" | jq -sRr @uri)"
	eq "venue id '$id': 404" "$STATUS" 404
done
api "$OWNER" POST /api/v1/venues/abc/rotate
eq "rotate a non-id: 404" "$STATUS" 404
api "$OWNER" DELETE /api/v1/venues/$V1
eq "no delete: 405" "$STATUS" 405
check "405 names the methods" grep -qi '^Allow: GET, HEAD' "$T/headers"
eq "404s and 405s changed nothing" "$(state)" "$before"

# --- the QR codes ----------------------------------------------------------
STATUS=$(curl -s -o "$T/v.svg" -D "$T/headers" -w '%{http_code}' -H "Authorization: Bearer $OWNER" "$BASE/api/v1/venues/$V1/qr.svg")
eq "svg" "$STATUS" 200
check "svg content type" grep -qi '^Content-Type: image/svg+xml' "$T/headers"
eq "SVG decodes to the check-in URL" "$(svg_decode "$T/v.svg")" "$URL1"
STATUS=$(curl -s -o "$T/v.png" -D "$T/headers" -w '%{http_code}' -H "Authorization: Bearer $OWNER" "$BASE/api/v1/venues/$V1/qr.png")
eq "png" "$STATUS" 200
check "png content type" grep -qi '^Content-Type: image/png' "$T/headers"
eq "PNG decodes to the check-in URL" "$(zbarimg -q --raw "$T/v.png" 2>/dev/null)" "$URL1"

# --- check-in through the API ---------------------------------------------
ID1=$(idcheck 33010619800101001)
api "$USER" POST /api/v1/declarations "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"temperature\":36.5,\"symptoms\":[],\"travel\":[],\"contact\":false}"
eq "user declares" "$STATUS" 201

before=$(state)
api "$USER" POST /api/v1/checkins '{}'
eq "no token: 400" "$STATUS $(j .error.code)" "400 missing_field"
api "$USER" POST /api/v1/checkins '{"venue_token":7}'
eq "token not a string: 400" "$STATUS $(j .error.code)" "400 wrong_type"
api "$USER" POST /api/v1/checkins '{"venue_token":"AAAAAAAAAAAAAAAAAAAAAA"}'
eq "unknown token: 404" "$STATUS $(j .error.code)" "404 unknown_venue"
check "unknown token: a message for people" grep -q '场所码无效或已更换' "$T/body"
api "$USER" POST /api/v1/checkins "{\"venue_token\":\"${TOK1}x\"}"
eq "token too long: 404" "$STATUS $(j .error.code)" "404 unknown_venue"
api "$USER" POST /api/v1/checkins "{\"venue_token\":\"' OR 1=1 --\"}"
eq "token SQL: 404" "$STATUS $(j .error.code)" "404 unknown_venue"
api "$USER" POST /api/v1/checkins "venue_token=$TOK1" application/x-www-form-urlencoded
eq "check-in as a form: 415" "$STATUS" 415
eq "refused check-ins stored nothing" "$(state)" "$before"

api "$USER" POST /api/v1/checkins "{\"venue_token\":\"$TOK1\"}"
eq "check-in" "$STATUS" 201
eq "venue name" "$(j .venue.name)" "<b>湖滨银泰</b> in77"
eq "colour at check-in" "$(j .color)" green
eq "declared today" "$(j .no_declaration_today)" false
eq "time" "$(j .checked_in_at)" 2026-11-29T10:00:00+08:00
eq "stored: account, person, venue, colour, time" \
    "$(sql "SELECT a.phone_masked, p.id_masked, c.venue_id, c.color, c.checked_in_at FROM checkins c JOIN accounts a ON a.id = c.account_id JOIN persons p ON p.id = c.person_id")" \
    "138****0003|3301**********001${ID1: -1}|$V1|green|$NOW"

api "$FRESH" POST /api/v1/checkins "{\"venue_token\":\"$TOK1\"}"
eq "no declaration: still checked in" "$STATUS" 201
eq "no declaration: no colour" "$(j .color)" null
eq "no declaration: said so" "$(j .no_declaration_today)" true
eq "no declaration: stored without person or colour" \
    "$(sql "SELECT coalesce(person_id, '-'), coalesce(color, '-') FROM checkins c JOIN accounts a ON a.id = c.account_id WHERE a.phone_mac = '$(phone_mac "13800000004")'")" "-|-"

# The owner of another venue checks in here too: it is a public code.
api "$OTHER" POST /api/v1/checkins "{\"venue_token\":\"$TOK1\"}"
eq "anyone signed in can check in" "$STATUS" 201

# A red code shows red at the door.
HASH=$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$ID1")
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at) VALUES ('$HASH', 'close_contact', '2026-11-29', 0)"
set_now 2026-11-29T03:00:00Z
api "$USER" POST /api/v1/checkins "{\"venue_token\":\"$TOK1\"}"
eq "listed as a close contact: red at check-in" "$STATUS $(j .color)" "201 red"
sql "DELETE FROM case_entries"

# A new day: the identity is bound but there is no declaration yet.
set_now 2026-11-30T01:00:00Z
USER=$(login 13800000003)
OWNER=$(login 13800000001)
FRESH=$(login 13800000004)
api "$USER" POST /api/v1/checkins "{\"venue_token\":\"$TOK1\"}"
eq "next day, not declared: no colour" "$STATUS $(j .color)" "201 null"
eq "next day: person kept, no colour" "$(sql "SELECT person_id IS NOT NULL, coalesce(color, '-') FROM checkins ORDER BY id DESC LIMIT 1")" "1|-"

# --- rotation --------------------------------------------------------------
before_checkins=$(sql "SELECT count(*) FROM checkins WHERE venue_id = $V1")
api "$OWNER" POST /api/v1/venues/$V1/rotate
eq "rotate" "$STATUS" 200
URL1B=$(j .url)
TOK1B=$(urltok "$URL1B")
check "a new code" test "$TOK1B" != "$TOK1"
check "new url well formed" grep -qE "^$BASE/c/[A-Za-z0-9_-]{22}\$" <<<"$URL1B"
eq "code issued now" "$(j .code_issued_at)" 2026-11-30T09:00:00+08:00
eq "same venue id" "$(j .id)" "$V1"
eq "token replaced in the database" "$(sql "SELECT token FROM venues WHERE id = $V1")" "$TOK1B"
before=$(state)
api "$USER" POST /api/v1/checkins "{\"venue_token\":\"$TOK1\"}"
eq "the old code is dead" "$STATUS $(j .error.code)" "404 unknown_venue"
eq "dead code stored nothing" "$(state)" "$before"
api "$USER" POST /api/v1/checkins "{\"venue_token\":\"$TOK1B\"}"
eq "the new code works" "$STATUS" 201
eq "earlier visits stay with the venue" "$(sql "SELECT count(*) FROM checkins WHERE venue_id = $V1")" "$((before_checkins + 1))"
STATUS=$(curl -s -o "$T/v2.png" -w '%{http_code}' -H "Authorization: Bearer $OWNER" "$BASE/api/v1/venues/$V1/qr.png")
eq "the QR now holds the new code" "$(zbarimg -q --raw "$T/v2.png" 2>/dev/null)" "$URL1B"
check "visits keep their venue: it cannot be deleted" sh -c \
    "! sqlite3 '$HC_DATA_DIR/healthcode.db' 'PRAGMA foreign_keys=ON; DELETE FROM venues WHERE id = $V1' 2>/dev/null"
eq "venue still there" "$(sql "SELECT count(*) FROM venues WHERE id = $V1")" 1

# --- the itinerary ---------------------------------------------------------
UID3=$(sql "SELECT id FROM accounts WHERE phone_mac = '$(phone_mac "13800000003")'")
sql "INSERT INTO checkins (account_id, venue_id, checked_in_at) VALUES ($UID3, $V2, $(( $(epoch 2026-11-30T01:00:00Z) - 14 * 86400 - 1 )))"
sql "INSERT INTO checkins (account_id, venue_id, checked_in_at) VALUES ($UID3, $V2, $(( $(epoch 2026-11-30T01:00:00Z) - 14 * 86400 + 60 )))"
api "$USER" GET /api/v1/itinerary
eq "itinerary" "$STATUS" 200
eq "14 days" "$(j .days)" 14
eq "mine within 14 days, newest first" "$(j '[.checkins[] | .checked_in_at + " " + (.color // "-")] | join(",")')" \
    "2026-11-30T09:00:00+08:00 -,2026-11-30T09:00:00+08:00 -,2026-11-29T11:00:00+08:00 red,2026-11-29T10:00:00+08:00 green,2026-11-16T09:01:00+08:00 -"
eq "venue names joined" "$(j '.checkins[0].venue.name') / $(j '.checkins[4].venue.name')" "<b>湖滨银泰</b> in77 / 别人的店"
api "$FRESH" GET /api/v1/itinerary
eq "another account sees only its own" "$(j '.checkins|length')" 1
api "$OWNER" GET /api/v1/itinerary
eq "the owner has not visited" "$(j '.checkins|length')" 0

# --- pages: the owner's venues and poster ----------------------------------
jar_as "$OWNER"
page GET /venues
eq "venues page" "$STATUS" 200
check "my venue listed, escaped" grep -q "href=\"/venues/$V1/poster\".*&lt;b&gt;湖滨银泰&lt;/b&gt; in77" "$T/body"
check "no raw markup from the name" sh -c "! grep -q '<b>湖滨' '$T/body'"
check "not another's venue" sh -c "! grep -q '别人的店' '$T/body'"
check "the configured region preselected" grep -q 'value="330100" selected' "$T/body"
CSRF=$(csrf)
before=$(state)
page POST /venues "name=%E5%BA%97&address=x&region=330106"
eq "form without CSRF" "$STATUS" 403
page POST /venues "_csrf=$CSRF&name=&address=x&region=330106"
eq "form: empty name" "$STATUS" 400
check "form: error in place" grep -q 'id="form-error" role="alert">请填写必填项' "$T/body"
check "form: address kept" grep -q 'id="venue-address" name="address" type="text" maxlength="120" autocomplete="street-address" value="x"' "$T/body"
page POST /venues "_csrf=$CSRF&name=$N61&address=x&region=330106"
eq "form: long name" "$STATUS" 400
check "form: name message" grep -q '场所名称应为 1 至 60 个字' "$T/body"
page POST /venues "_csrf=$CSRF&name=%E5%BA%97&address=x&region=999999"
eq "form: unknown region" "$STATUS" 400
check "form: region message" grep -q '地区代码不存在' "$T/body"
eq "refused forms stored nothing" "$(state)" "$before"
page POST /venues "_csrf=$CSRF&name=%E5%B0%8F%E5%BA%97&address=%E4%B8%AD%E5%B1%B1%E8%B7%AF+1+%E5%8F%B7&region=330102"
eq "form: created" "$STATUS" 303
V3=$(sql "SELECT max(id) FROM venues")
eq "to its poster" "$(hdr Location)" "/venues/$V3/poster"
eq "stored as the owner's" "$(sql "SELECT a.phone_mac = '$(phone_mac 13800000001)', v.name, v.address, v.region FROM venues v JOIN accounts a ON a.id = v.owner_id WHERE v.id = $V3")" "1|小店|中山路 1 号|330102"

page GET /venues/$V1/poster
eq "poster" "$STATUS" 200
check "poster: name, escaped" grep -q 'id="poster-name">&lt;b&gt;湖滨银泰&lt;/b&gt; in77</h1>' "$T/body"
check "poster: address" grep -q '西湖区 西湖区文三路 90 号' "$T/body"
check "poster: instructions" grep -q '请扫码登记' "$T/body"
check "poster: an inline SVG QR" grep -q '<div class="poster-qr" id="poster-qr"><svg' "$T/body"
check "poster: the stylesheet, no inline style or script" sh -c "grep -q 'href=\"/static/app.css\"' '$T/body' && ! grep -qE '<script|<style| style=' '$T/body'"
tr '\n' ' ' < "$T/body" | sed -n 's/.*<div class="poster-qr" id="poster-qr">\(<svg.*<\/svg>\) *<\/div>.*/\1/p' > "$T/poster.svg"
eq "poster QR decodes to the current check-in URL" "$(svg_decode "$T/poster.svg")" "$URL1B"
check "print styles exist" grep -q '@media print' "$TOP/static/app.css"
page GET /venues/$V2/poster
eq "another's poster: 404" "$STATUS" 404
page GET /venues/x/poster
eq "a non-id poster: 404" "$STATUS" 404

page GET /venues/$V1/poster
CSRF=$(csrf)
before=$(state)
page POST /venues/$V1/rotate ""
eq "rotate without CSRF" "$STATUS" 403
page POST /venues/$V2/rotate "_csrf=$CSRF"
eq "rotate another's from the page: 404" "$STATUS" 404
eq "refused rotations changed nothing" "$(state)" "$before"
page POST /venues/$V1/rotate "_csrf=$CSRF"
eq "rotate from the page" "$STATUS $(hdr Location)" "303 /venues/$V1/poster"
TOK1C=$(sql "SELECT token FROM venues WHERE id = $V1")
check "page rotation replaced the token" test "$TOK1C" != "$TOK1B"

# --- pages: check-in ---------------------------------------------------------
rm -f "$JAR"
page GET /c/$TOK1C
eq "anonymous scan: 302" "$STATUS" 302
eq "to sign in, then back" "$(hdr Location)" "/login?next=/c/$TOK1C"
page POST /c/$TOK1C "_csrf=x"
eq "anonymous confirm: 302" "$STATUS" 302

# Sign in through the page and land back on the check-in.
page GET "/login?next=/c/$TOK1C"
eq "login page with next" "$STATUS" 200
check "next carried in the form" grep -q "name=\"next\" value=\"/c/$TOK1C\"" "$T/body"
CSRF=$(csrf)
P5=13800000005
page POST /login "_csrf=$CSRF&phone=$P5&action=send&next=/c/$TOK1C"
eq "send code" "$STATUS" 200
check "next still carried" grep -q "name=\"next\" value=\"/c/$TOK1C\"" "$T/body"
page POST /login "_csrf=$CSRF&phone=$P5&code=$(otp_of $P5)&action=login&next=/c/$TOK1C"
eq "signed in" "$STATUS" 303
eq "back to the check-in" "$(hdr Location)" "/c/$TOK1C"
page GET /login?next=/itinerary
eq "already signed in: straight to next" "$STATUS $(hdr Location)" "302 /itinerary"
for bad_next in //evil.example /%5Cevil.example "/%5C/evil.example" \
    https://evil.example "javascript:alert(1)" /%E2%80%AE "" evil; do
	page GET "/login?next=$bad_next"
	eq "next '$bad_next' is not followed" "$STATUS $(hdr Location)" "302 /"
done
for bad_next in "/%09/evil.example" "/a%0d%0aSet-Cookie:x=y"; do
	page GET "/login?next=$bad_next"
	eq "next '$bad_next': a bad query" "$STATUS $(hdr Location)" "400 "
done

page GET /c/$TOK1C
eq "scan page" "$STATUS" 200
check "venue named" grep -q 'id="venue-name">&lt;b&gt;湖滨银泰&lt;/b&gt; in77' "$T/body"
check "confirm form posts back with CSRF" sh -c "grep -q 'action=\"/c/$TOK1C\"' '$T/body' && grep -q 'name=\"_csrf\"' '$T/body'"
CSRF=$(csrf)
before=$(state)
page POST /c/$TOK1C ""
eq "confirm without CSRF" "$STATUS" 403
page POST /c/$TOK1C "_csrf=AAAAAAAAAAAAAAAAAAAAAA"
eq "confirm with a wrong CSRF" "$STATUS" 403
page GET /c/$TOK1B
eq "scan of a rotated code: 404" "$STATUS" 404
check "rotated: a clear message" grep -q '场所码无效或已更换' "$T/body"
page POST /c/$TOK1B "_csrf=$CSRF"
eq "confirm of a rotated code: 404" "$STATUS" 404
page GET "/c/not-a-token"
eq "scan of garbage: 404" "$STATUS" 404
eq "refused scans stored nothing" "$(state)" "$before"

page POST /c/$TOK1C "_csrf=$CSRF"
eq "confirmed (no identity yet)" "$STATUS" 200
check "no code today, shown" grep -q 'class="code code-none" id="checkin-result"' "$T/body"
check "no code today: label" grep -q 'id="color-label">今日无码' "$T/body"
check "no code today: asks to declare" grep -q 'id="no-code"' "$T/body"
check "venue on the result" grep -q 'id="venue-name">&lt;b&gt;湖滨银泰&lt;/b&gt; in77' "$T/body"
check "time on the result" grep -q 'id="checked-in-at">2026-11-30 09:00:00' "$T/body"
eq "recorded" "$(sql "SELECT count(*) FROM checkins c JOIN accounts a ON a.id = c.account_id WHERE a.phone_mac = '$(phone_mac "$P5")'")" 1

# The declared user, green, checks in through the page.
set_now 2026-11-30T02:00:00Z
USER=$(login 13800000003)
api "$USER" POST /api/v1/declarations '{"temperature":36.6,"symptoms":[],"travel":[],"contact":false}'
eq "declares today" "$STATUS" 201
jar_as "$USER"
page GET /c/$TOK1C
CSRF=$(csrf)
page POST /c/$TOK1C "_csrf=$CSRF"
eq "confirmed" "$STATUS" 200
check "green, big" grep -q 'class="code code-green" id="checkin-result"' "$T/body"
check "green label" grep -q 'id="color-label">绿码' "$T/body"
check "masked name for the staff" grep -q 'id="name-masked">王\*华' "$T/body"
check "no ID number on the page" sh -c "! grep -q '$ID1' '$T/body'"
check "no inline script" sh -c "! grep -q '<script' '$T/body'"
curl -s -o "$T/body" -b "$JAR" -H 'Accept-Language: en' -X POST \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "_csrf=$CSRF" "$BASE/c/$TOK1C"
check "in English" grep -q 'id="color-label">Green' "$T/body"

page GET /itinerary
eq "itinerary page" "$STATUS" 200
check "newest first, escaped" sh -c "grep -o 'class=\"trip-venue\">[^<]*' '$T/body' | head -1 | grep -q '&lt;b&gt;湖滨银泰&lt;/b&gt; in77'"
check "green visit shown" grep -q '<span class="dot code-green">绿码</span>' "$T/body"
check "red visit shown" grep -q '<span class="dot code-red">红码</span>' "$T/body"
check "a visit without a code shown" grep -q '<span class="dot code-none">今日无码</span>' "$T/body"
check "visits 14 days old have gone (the window rolls)" sh -c "! grep -q '2026-11-16' '$T/body' && ! grep -q '别人的店' '$T/body'"
jar_as "$OWNER"
page GET /itinerary
check "no visits: said so" grep -q 'id="itinerary-none"' "$T/body"

finish
