#!/bin/bash
# End to end, identity disputes through lighttpd: account A binds an
# identity; account B, refused with identity_in_use, files a dispute;
# the admin lists it (audited) and moves the identity to B: B declares
# and has the code, A has no identity and is told why (GET /api/v1/me,
# the home page) until it dismisses the notice; what A recorded under
# the person (declarations, codes, an override, its open appeal, the
# person on its check-ins) is gone from it.  A dispute whose account
# bound another identity meanwhile cannot be moved (409, nothing
# changed) and is rejected.  Every bad input answers 4xx and changes
# nothing; every console route refuses a citizen and a checker and the
# signed-out.  The pages: the declaration's link, /dispute,
# /admin/disputes.  Decided disputes and notices go with the purge.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T01:00:00Z	# 09:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
export HC_OTP_RESEND_INTERVAL=0	# the pages sign in the API's phones again
export HC_IDENTITY_DAILY=100	# B tries often here; tests/e2e/enumeration.sh tests the limit
TODAY=2026-11-29
start_stack

declare_json() {	# declare_json TOKEN JSON
	api "$1" POST /api/v1/declarations "$2"
}
me() { printf '"name":"%s","id_type":"resident_id","id_number":"%s"' "$1" "$(idcheck "$2")"; }
CLEAN='"temperature":36.5,"symptoms":[],"travel":[],"contact":false'
page_login() {	# page_login JAR PHONE: the jar signs in through the pages
	JAR=$1
	rm -f "$JAR"
	page GET /login
	page POST /login "phone=$2&action=send&_csrf=$(jar_csrf)"
	page POST /login "phone=$2&code=$(otp_of "$2")&_csrf=$(jar_csrf)"
}
id_of() { sql "SELECT id FROM accounts WHERE phone_mac = '$(phone_mac "$1")'"; }
# Everything a dispute or a decision may change, and the audit log's length.
dispute_state() {
	sql "SELECT count(*) || ':' || coalesce(group_concat(id || '/' || account_id || '/' || person_id || '/' || status || '/' || coalesce(note, '') || '/' || coalesce(decided_by, ''), ','), '') FROM disputes;
	     SELECT group_concat(account_id || '>' || person_id || '/' || relation, ',') FROM account_persons;
	     SELECT count(*) || '/' || count(seen_at) FROM account_notices;
	     SELECT count(*) FROM declarations; SELECT count(*) FROM daily_codes;
	     SELECT count(*) || '/' || count(person_id) FROM checkins;
	     SELECT count(*) FROM appeals;
	     SELECT group_concat(coalesce(override_color, '-') || '/' || color_gen, ',') FROM persons;" | tr '\n' ' '
}
state() { printf '%s audit:%s' "$(dispute_state)" "$(sql "SELECT count(*) FROM audit_log")"; }
audit_last() { sql "SELECT action || ' ' || subject || ' ' || details FROM audit_log ORDER BY id DESC LIMIT 1"; }

PA=13900000001; PB=13900000002; PC=13900000003; PE=13900000004
ID1=11010519491231002	# 王小华: A binds it first; it is B's
IDC=11010519800101001	# C's own
IDZ=11010519900202003	# E binds it meanwhile
A=$(login $PA); B=$(login $PB); C=$(login $PC); E=$(login $PE)
CHK=$(login 13900000005)
"$CTL" grant 13900000005 checker >/dev/null
ADM=$(login 13900000006)
"$CTL" grant 13900000006 admin >/dev/null
ADMIN_ID=$(id_of 13900000006)
X="$(me 王小华 $ID1)"
H1=$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$(idcheck $ID1)")

declare_json "$A" "{$X,$CLEAN}"
eq "A binds the identity" "$STATUS,$(j .color)" "201,green"
declare_json "$C" "{$(me 陈七 $IDC),$CLEAN}"
eq "C binds its own" "$STATUS" 201
declare_json "$B" "{$X,$CLEAN}"
eq "B is refused: in use" "$STATUS,$(j .error.code)" "409,identity_in_use"
declare_json "$E" "{$X,$CLEAN}"
eq "E is refused too" "$STATUS,$(j .error.code)" "409,identity_in_use"
P1=$(sql "SELECT id FROM persons WHERE id_hash = '$H1'")

# What A records under the person: a check-in, a red code appealed and
# overridden to yellow, then appealed again (open).
OWNER=$(login 13900000009)
api "$OWNER" POST /api/v1/venues '{"name":"星巴克","address":"文三路 1 号","region":"330106"}'
VTOK=$(j .url | sed 's|.*/c/||')
api "$A" POST /api/v1/checkins "{\"venue_token\":\"$VTOK\"}"
eq "A checks in" "$STATUS" 201
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at) VALUES ('$H1', 'confirmed', '$TODAY', 0)"
api "$A" POST /api/v1/appeals '{"reason":"不是我"}'
AP1=$(j .id)
api "$ADM" POST "/api/v1/admin/appeals/$AP1/decision" '{"decision":"override","color":"yellow","until":"2026-12-05","note":"暂改黄码"}'
eq "A's appeal overridden" "$STATUS" 200
api "$A" POST /api/v1/appeals '{"reason":"还是不是我"}'
eq "A appeals again" "$STATUS" 201
api "$A" GET /api/v1/code
eq "A's code: yellow by the override" "$(j .color),$(j '.reasons|join(",")')" "yellow,appeal_override"

# --- who may call -----------------------------------------------------------
before=$(state)
req POST /api/v1/disputes "{$X,\"reason\":\"x\"}"
eq "anonymous dispute" "$STATUS,$(j .error.code)" "401,unauthenticated"
req GET /api/v1/disputes
eq "anonymous list" "$STATUS,$(j .error.code)" "401,unauthenticated"
req POST /api/v1/notices/seen
eq "anonymous dismissal" "$STATUS,$(j .error.code)" "401,unauthenticated"
req GET /api/v1/admin/disputes
eq "anonymous admin list" "$STATUS,$(j .error.code)" "401,unauthenticated"
req POST /api/v1/admin/disputes/1/decision '{"decision":"reject","note":"x"}'
eq "anonymous admin decision" "$STATUS,$(j .error.code)" "401,unauthenticated"
JAR="$T/anon"
rm -f "$JAR"
for p in /dispute /admin/disputes; do
	page GET $p
	eq "anonymous $p: to sign in" "$STATUS $(hdr Location)" "302 /login"
done
page GET /login
for p in /dispute /admin/disputes/1/decision /notices/seen; do
	page POST $p "decision=reject&note=x&reason=x&_csrf=$(jar_csrf)"
	eq "anonymous POST $p: to sign in" "$STATUS $(hdr Location)" "302 /login"
done
for who in B CHK; do
	tok=${!who}
	api "$tok" GET /api/v1/admin/disputes
	eq "$who: admin list" "$STATUS,$(j .error.code)" "403,forbidden"
	api "$tok" POST /api/v1/admin/disputes/1/decision '{"decision":"move","note":"x"}'
	eq "$who: admin decision" "$STATUS,$(j .error.code)" "403,forbidden"
done
for who in citizen checker; do
	[ $who = citizen ] && page_login "$T/b" $PB || page_login "$T/chk" 13900000005
	page GET /admin/disputes
	eq "/admin/disputes as a $who" "$STATUS" 403
	check "/admin/disputes as a $who: the role refused" grep -q '您的角色无权进行此操作。' "$T/body"
	page POST /admin/disputes/1/decision "decision=move&note=x&_csrf=$(jar_csrf)"
	eq "POST /admin/disputes/1/decision as a $who" "$STATUS" 403
	check "POST as a $who: the role refused" grep -q '您的角色无权进行此操作。' "$T/body"
done
eq "refused callers changed nothing" "$(state)" "$before"

# --- the declaration page links to the dispute ------------------------------
page_login "$T/b" $PB
page GET /declare
page POST /declare "name=%E7%8E%8B%E5%B0%8F%E5%8D%8E&id_type=resident_id&id_number=$(idcheck $ID1)&temperature=36.5&_csrf=$(jar_csrf)"
eq "B's form refused: in use" "$STATUS" 409
check "with the link to a dispute" grep -q 'href="/dispute" id="go-dispute"' "$T/body"
page POST /declare "temperature=38.5&_csrf=$(jar_csrf)"
check "another error: no link" sh -c "! grep -q 'id=\"go-dispute\"' '$T/body'"

# --- bad disputes: 4xx, nothing stored --------------------------------------
bad() {	# bad DESCRIPTION TOKEN STATUS CODE JSON
	api "$2" POST /api/v1/disputes "$5"
	eq "$1" "$STATUS,$(j .error.code)" "$3,$4"
}
R501=$(printf '证%.0s' $(seq 501))
BADID=$(idcheck $ID1 | sed 's/.$/0/')
[ "$BADID" = "$(idcheck $ID1)" ] && BADID=$(idcheck $ID1 | sed 's/.$/1/')
NOBODY=$(idcheck 11010519750505005)
sql "INSERT INTO persons (id_hash, id_type, id_masked, name, created_at, ref) VALUES ('$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$(idcheck 11010519660606006)")', 'resident_id', '1101**********0066', '孤儿', 0, 'orphanref')"
before=$(state)
bad "no reason" "$B" 400 missing_field "{$X}"
bad "an empty reason" "$B" 400 invalid_reason "{$X,\"reason\":\"\"}"
bad "501 characters" "$B" 400 invalid_reason "{$X,\"reason\":\"$R501\"}"
bad "a control character" "$B" 400 invalid_reason "{$X,\"reason\":\"a\\u0001b\"}"
bad "a reason as a list" "$B" 400 wrong_type "{$X,\"reason\":[]}"
bad "no number" "$B" 400 missing_field '{"name":"王小华","id_type":"resident_id","reason":"x"}'
bad "no name" "$B" 400 missing_field "{\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck $ID1)\",\"reason\":\"x\"}"
bad "a type as a number" "$B" 400 wrong_type "{\"name\":\"王小华\",\"id_type\":1,\"id_number\":\"$(idcheck $ID1)\",\"reason\":\"x\"}"
bad "a type not known" "$B" 400 invalid_id_type "{\"name\":\"王小华\",\"id_type\":\"driving_licence\",\"id_number\":\"$(idcheck $ID1)\",\"reason\":\"x\"}"
bad "a bad check digit" "$B" 400 invalid_check_digit "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"$BADID\",\"reason\":\"x\"}"
bad "a passport without nationality" "$B" 400 missing_field '{"name":"John Smith","id_type":"passport","id_number":"E12345678","reason":"x"}'
bad "a nationality as a number" "$B" 400 wrong_type '{"name":"John Smith","id_type":"passport","id_number":"E12345678","nationality":7,"reason":"x"}'
bad "an identity nobody holds" "$B" 409 not_disputed "{$(me 无人 11010519750505005),\"reason\":\"x\"}"
bad "a person nobody's own" "$B" 409 not_disputed "{$(me 孤儿 11010519660606006),\"reason\":\"x\"}"
bad "the holder itself" "$A" 409 identity_bound "{$X,\"reason\":\"x\"}"
bad "an account with its own identity" "$C" 409 identity_bound "{$X,\"reason\":\"x\"}"
api "$B" POST /api/v1/disputes "reason=x" application/x-www-form-urlencoded
eq "a form to the API" "$STATUS,$(j .error.code)" "415,unsupported_media_type"
eq "no bad dispute stored or changed anything" "$(state)" "$before"
sql "DELETE FROM persons WHERE ref = 'orphanref'"

# --- B disputes ---------------------------------------------------------------
api "$B" POST /api/v1/disputes "{$X,\"reason\":\"身份证是我的，已挂失补办\"}"
eq "B files a dispute" "$STATUS" 201
D1=$(j .id)
eq "stored" "$(sql "SELECT account_id || '/' || person_id || '/' || status || '/' || reason FROM disputes WHERE id = $D1")" "$(id_of $PB)/$P1/open/身份证是我的，已挂失补办"
before=$(state)
bad "a second open dispute" "$B" 409 dispute_open "{$X,\"reason\":\"again\"}"
eq "and nothing stored" "$(state)" "$before"
api "$B" GET /api/v1/disputes
eq "B's disputes" "$STATUS,$(j '.disputes|length'),$(j '.disputes[0]|[.id,.status,.name_masked,.id_masked,.note,.decided_at]|map(tostring)|join("|")')" "200,1,$D1|open|王*华|1101**********002X|null|null"
api "$A" GET /api/v1/disputes
eq "A has none" "$(j '.disputes|length')" 0
# E files one through the page.
page_login "$T/e" $PE
page GET /dispute
eq "/dispute" "$STATUS" 200
check "the form" grep -q 'id="dispute-form"' "$T/body"
before=$(state)
page POST /dispute "name=%E7%8E%8B%E5%B0%8F%E5%8D%8E&id_type=resident_id&id_number=$(idcheck $ID1)&reason=x"
eq "the page without CSRF" "$STATUS" 403
page POST /dispute "name=%E7%8E%8B%E5%B0%8F%E5%8D%8E&id_type=resident_id&id_number=$BADID&reason=x&_csrf=$(jar_csrf)"
eq "the page: a bad check digit" "$STATUS" 400
check "in place" grep -q 'id="form-error" role="alert">身份证号码校验位不正确' "$T/body"
check "the name kept" grep -q 'value="王小华"' "$T/body"
check "the number not sent back" sh -c "! grep -q '$BADID' '$T/body'"
page POST /dispute "name=%E7%8E%8B%E5%B0%8F%E5%8D%8E&id_type=resident_id&id_number=$(idcheck $ID1)&reason=&_csrf=$(jar_csrf)"
eq "the page: no reason" "$STATUS" 400
eq "the refused forms stored nothing" "$(state)" "$before"
page POST /dispute "name=%E7%8E%8B%E5%B0%8F%E5%8D%8E&id_type=resident_id&id_number=$(idcheck $ID1)&reason=%E6%88%91%E6%89%8D%E6%98%AF&_csrf=$(jar_csrf)"
eq "E files it on the page" "$STATUS $(hdr Location)" "303 /dispute"
D2=$(sql "SELECT id FROM disputes WHERE account_id = $(id_of $PE)")
page GET /dispute
check "E's dispute listed" grep -q "data-id=\"$D2\" data-status=\"open\"" "$T/body"

# --- the admin's queue, audited ---------------------------------------------
n0=$(sql "SELECT count(*) FROM audit_log")
api "$ADM" GET /api/v1/admin/disputes
eq "the open disputes" "$STATUS,$(j '.disputes|length'),$(j '[.disputes[].id]|map(tostring)|join(",")'),$(j .next)" "200,2,$D1,$D2,null"
eq "what the admin decides on" "$(j '.disputes[0]|[.name_masked,.id_masked,.id_type,.claimant_phone,.holder_phone,.claimant_bound,.reason]|map(tostring)|join("|")')" "王*华|1101**********002X|resident_id|139****0002|139****0001|false|身份证是我的，已挂失补办"
check "no full phone or name" sh -c "! grep -qE '13900000001|13900000002|王小华' '$T/body'"
eq "the read audited" "$(sql "SELECT count(*) FROM audit_log")" $((n0 + 1))
eq "as disputes.read" "$(sql "SELECT actor || ' ' || action || ' ' || details FROM audit_log ORDER BY id DESC LIMIT 1")" "account:$ADMIN_ID disputes.read {\"status\":\"open\",\"disputes\":[$D1,$D2]}"
api "$ADM" GET "/api/v1/admin/disputes?limit=1"
eq "a page of one" "$(j '.disputes|length'),$(j .next)" "1,$D1"
api "$ADM" GET "/api/v1/admin/disputes?after=$D1"
eq "the next page" "$(j '[.disputes[].id]|map(tostring)|join(",")')" "$D2"
n1=$(sql "SELECT count(*) FROM audit_log")
for q in status=upheld limit=0 after=x; do
	api "$ADM" GET "/api/v1/admin/disputes?$q"
	eq "list ?$q" "$STATUS" 400
done
eq "refused lists are not audited" "$(sql "SELECT count(*) FROM audit_log")" "$n1"

# --- bad decisions: 4xx, nothing changed ------------------------------------
dec() {	# dec DESCRIPTION ID STATUS CODE JSON
	api "$ADM" POST "/api/v1/admin/disputes/$2/decision" "$5"
	eq "$1" "$STATUS,$(j .error.code)" "$3,$4"
}
before=$(state)
dec "no decision" $D1 400 missing_field '{"note":"x"}'
dec "a decision not known" $D1 400 invalid_decision '{"decision":"override","note":"x"}'
dec "no note" $D1 400 missing_field '{"decision":"move"}'
dec "an empty note" $D1 400 invalid_note '{"decision":"move","note":""}'
dec "a 501-character note" $D1 400 invalid_note "{\"decision\":\"move\",\"note\":\"$R501\"}"
dec "an unknown dispute" 999999 404 not_found '{"decision":"move","note":"x"}'
dec "not an id" x1 404 not_found '{"decision":"move","note":"x"}'
# E binds another identity meanwhile: its dispute cannot be moved.
declare_json "$E" "{$(me 周八 $IDZ),$CLEAN}"
eq "E binds another identity" "$STATUS" 201
before=$(state)
dec "moving to an account bound meanwhile" $D2 409 identity_bound '{"decision":"move","note":"x"}'
eq "nothing changed, not even the holder's link" "$(state)" "$before"
api "$ADM" GET /api/v1/admin/disputes
eq "the list says so" "$(j ".disputes[] | select(.id == $D2) | .claimant_bound")" true
api "$ADM" POST "/api/v1/admin/disputes/$D2/decision" '{"decision":"reject","note":"申诉人已绑定其他身份"}'
eq "rejected" "$STATUS,$(j .id),$(j .status)" "200,$D2,rejected"
eq "the dispute closed" "$(sql "SELECT status || '/' || note || '/' || decided_by FROM disputes WHERE id = $D2")" "rejected/申诉人已绑定其他身份/$ADMIN_ID"
eq "audited" "$(audit_last)" "disputes.decide $H1 {\"dispute\":$D2,\"decision\":\"reject\"}"
eq "A still holds the person" "$(sql "SELECT account_id FROM account_persons WHERE person_id = $P1 AND relation = 'self'")" "$(id_of $PA)"
api "$E" GET /api/v1/disputes
eq "E sees it rejected" "$(j '.disputes[0]|[.status,.note]|join("|")')" "rejected|申诉人已绑定其他身份"

# --- the move -----------------------------------------------------------------
api "$ADM" POST "/api/v1/admin/disputes/$D1/decision" '{"decision":"move","note":"已核验户籍与证件原件"}'
eq "moved" "$STATUS,$(j .id),$(j .status)" "200,$D1,moved"
eq "the person is B's own" "$(sql "SELECT group_concat(account_id || '/' || relation) FROM account_persons WHERE person_id = $P1")" "$(id_of $PB)/self"
eq "A has no identity" "$(sql "SELECT count(*) FROM account_persons WHERE account_id = $(id_of $PA)")" 0
eq "A's declarations and codes are not B's" "$(sql "SELECT (SELECT count(*) FROM declarations WHERE person_id = $P1) || '/' || (SELECT count(*) FROM daily_codes WHERE person_id = $P1)")" "0/0"
eq "A's visit stays A's, without the person" "$(sql "SELECT account_id || '/' || coalesce(person_id, 'none') FROM checkins")" "$(id_of $PA)/none"
eq "A's override is gone" "$(sql "SELECT coalesce(override_color, '-') || '/' || override_from || '/' || override_until FROM persons WHERE id = $P1")" "-//"
eq "A's open appeal dropped, the decided one kept" "$(sql "SELECT group_concat(id || '/' || status) FROM appeals")" "$AP1/overridden"
eq "A told" "$(sql "SELECT account_id || '/' || kind || '/' || (seen_at IS NULL) FROM account_notices")" "$(id_of $PA)/identity_moved/1"
eq "the dispute closed" "$(sql "SELECT status || '/' || note || '/' || decided_by FROM disputes WHERE id = $D1")" "moved/已核验户籍与证件原件/$ADMIN_ID"
eq "audited: disputes.decide, the person's identity hash" "$(audit_last)" "disputes.decide $H1 {\"dispute\":$D1,\"decision\":\"move\",\"from_account\":$(id_of $PA),\"to_account\":$(id_of $PB)}"
before=$(state)
dec "deciding it again" $D1 409 already_decided '{"decision":"reject","note":"x"}'
eq "a second decision changed nothing" "$(state)" "$before"

# B has the person: the declaration and the code work (the listing is the person's).
api "$B" GET /api/v1/code
eq "B: no declaration today yet" "$STATUS,$(j .error.code)" "409,no_declaration_today"
declare_json "$B" "{$CLEAN}"
eq "B declares without the identity fields" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,red,case_confirmed"
declare_json "$B" "{$X,$CLEAN}"
eq "and with them" "$STATUS" 201
api "$B" GET /api/v1/code
eq "B's code" "$STATUS,$(j .color),$(j .name_masked)" "200,red,王*华"
api "$B" GET /api/v1/disputes
eq "B sees it moved" "$(j '.disputes[0]|[.status,.note]|join("|")')" "moved|已核验户籍与证件原件"
api "$B" POST /api/v1/disputes "{$X,\"reason\":\"x\"}"
eq "B cannot dispute its own" "$STATUS,$(j .error.code)" "409,identity_bound"

# A is told, and has no identity.
api "$A" GET /api/v1/me
eq "A's notice" "$STATUS,$(j '.notices|length'),$(j '.notices[0].kind'),$(j '.notices[0].at')" "200,1,identity_moved,2026-11-29T09:00:00+08:00"
api "$A" GET /api/v1/code
eq "A's code: no identity bound" "$STATUS,$(j .error.code)" "409,no_declaration_today"
declare_json "$A" "{$CLEAN}"
eq "A's declaration needs an identity" "$STATUS,$(j .error.code)" "400,missing_field"
api "$A" POST /api/v1/appeals '{"reason":"x"}'
eq "A cannot appeal" "$STATUS,$(j .error.code)" "409,no_declaration_today"
page_login "$T/a" $PA
page GET /
check "the home page tells A" grep -q 'id="notices"' "$T/body"
check "why" grep -q '卫生健康部门已将本账号绑定的身份转至另一账号' "$T/body"
page GET /code
eq "A's code page: to the declaration" "$STATUS $(hdr Location)" "302 /declare"
page POST /notices/seen ""
eq "dismissing without CSRF" "$STATUS" 403
eq "not dismissed" "$(sql "SELECT count(*) FROM account_notices WHERE seen_at IS NULL")" 1
page POST /notices/seen "_csrf=$(jar_csrf)"
eq "dismissed on the page" "$STATUS $(hdr Location)" "303 /"
eq "seen" "$(sql "SELECT count(*) FROM account_notices WHERE seen_at IS NOT NULL")" 1
page GET /
check "the home page says no more" sh -c "! grep -q 'id=\"notices\"' '$T/body'"
api "$A" GET /api/v1/me
eq "nor /api/v1/me" "$(j '.notices|length')" 0
api "$A" POST /api/v1/notices/seen
eq "dismissing again: none" "$STATUS,$(j .seen)" "200,0"
api "$B" GET /api/v1/me
eq "B has no notice" "$(j '.notices|length')" 0
# A may now bind its own identity: the dispute left it an account without one.
declare_json "$A" "{$(me 吴九 11010519880808008),$CLEAN}"
eq "A binds its own identity" "$STATUS" 201

# --- the console's pages ------------------------------------------------------
C2=$(login 13900000007)
declare_json "$C2" "{$(me 陈七 $IDC),$CLEAN}"
api "$C2" POST /api/v1/disputes "{$(me 陈七 $IDC),\"reason\":\"陈七是我\"}"
D3=$(j .id)
page_login "$T/adm" 13900000006
n0=$(sql "SELECT count(*) FROM audit_log")
page GET /admin/disputes
eq "/admin/disputes" "$STATUS" 200
eq "the page's read audited" "$(sql "SELECT count(*) || ' ' || max(action) FROM audit_log WHERE id > $n0")" "1 disputes.read"
check "the console's navigation" grep -q 'id="nav-disputes"' "$T/body"
check "the open dispute with its form" grep -q "id=\"dispute-form-$D3\"" "$T/body"
check "the decided ones not in the open list" sh -c "! grep -q 'id=\"dispute-$D1\"' '$T/body'"
check "both phones masked" grep -q '139\*\*\*\*0007' "$T/body"
check "the holder masked" grep -q '139\*\*\*\*0003' "$T/body"
check "the reason" grep -q '陈七是我' "$T/body"
before=$(dispute_state)
page POST "/admin/disputes/$D3/decision" "decision=move&note=x"
eq "the form without CSRF" "$STATUS" 403
page POST "/admin/disputes/$D3/decision" "decision=move&note=&_csrf=$(jar_csrf)"
eq "the form without a note" "$STATUS" 400
check "the error shown" grep -q "id=\"form-error\" role=\"alert\" data-dispute=\"$D3\"" "$T/body"
page POST "/admin/disputes/$D1/decision" "decision=move&note=x&_csrf=$(jar_csrf)"
eq "the form: decided already" "$STATUS" 409
eq "the refused forms changed nothing (the pages' reads are audited)" "$(dispute_state)" "$before"
page POST "/admin/disputes/$D3/decision" "decision=reject&note=%E8%AF%81%E4%BB%B6%E4%B8%8D%E7%AC%A6&_csrf=$(jar_csrf)"
eq "rejected on the page" "$STATUS $(hdr Location)" "303 /admin/disputes"
eq "stored" "$(sql "SELECT status || '/' || note FROM disputes WHERE id = $D3")" "rejected/证件不符"
page GET "/admin/disputes?status=moved"
check "the moved list" grep -q "id=\"dispute-$D1\"" "$T/body"
check "decided: no form" sh -c "! grep -q 'id=\"dispute-form-$D1\"' '$T/body'"

# --- retention: decided disputes and notices go with the purge ----------------
HC_NOW=2026-12-05T01:00:00Z HC_RETENTION_APPEALS_DAYS=7 "$CTL" purge > "$T/purge"
check "nothing yet at 7 days" grep -qE '^disputes +0$' "$T/purge"
HC_NOW=2026-12-06T01:00:00Z HC_RETENTION_APPEALS_DAYS=7 "$CTL" purge > "$T/purge"
check "the purge counts the decided disputes" grep -qE '^disputes +3$' "$T/purge"
check "and the notice" grep -qE '^account_notices +1$' "$T/purge"
eq "gone" "$(sql "SELECT (SELECT count(*) FROM disputes) || '/' || (SELECT count(*) FROM account_notices)")" "0/0"
C2=$(login 13900000007)	# the purge ended the sessions of the past
api "$C2" POST /api/v1/disputes "{$(me 陈七 $IDC),\"reason\":\"再次\"}"
eq "C2 disputes again" "$STATUS" 201
api "$C2" DELETE /api/v1/me
eq "C2 deletes the account" "$STATUS" 200
eq "its dispute went with it" "$(sql "SELECT count(*) FROM disputes")" 0

finish
