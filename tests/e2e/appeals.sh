#!/bin/bash
# End to end, appeals (申诉) through lighttpd: a person on a case list
# appeals their red code; the admin lists it (audited) and overrides it
# to green until a day: the code is green with the reason
# appeal_override through that day and red again after it (still
# listed).  A yellow code's appeal upheld.  Every bad input answers 4xx
# and changes nothing in the database; every console route refuses a
# citizen and a checker (403) and the signed-out (401, pages to
# /login).  The pages: the code's link, /appeal, /admin/appeals with
# CSRF.  Decided appeals go with the daily purge, all with the account.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T01:00:00Z	# 09:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
export HC_OTP_RESEND_INTERVAL=0	# the pages sign in the API's phones again
TODAY=2026-11-29
start_stack

declare_json() {	# declare_json TOKEN JSON
	api "$1" POST /api/v1/declarations "$2"
}
me() { printf '"name":"%s","id_type":"resident_id","id_number":"%s"' "$1" "$(idcheck "$2")"; }
CLEAN='"temperature":36.5,"symptoms":[],"travel":[],"contact":false'
code_of() {	# code_of TOKEN: "colour reasons"
	api "$1" GET /api/v1/code
	printf '%s %s' "$(j .color)" "$(j '.reasons|join(",")')"
}
page_login() {	# page_login JAR PHONE: the jar signs in through the pages
	JAR=$1
	rm -f "$JAR"
	page GET /login
	page POST /login "phone=$2&action=send&_csrf=$(jar_csrf)"
	page POST /login "phone=$2&code=$(otp_of "$2")&_csrf=$(jar_csrf)"
}
# Everything an appeal or a decision may change, and the audit log's length.
appeal_state() {
	sql "SELECT count(*) || ':' || coalesce(group_concat(id || '/' || status || '/' || coalesce(note, '') || '/' || coalesce(decided_color, '') || '/' || coalesce(decided_until, '') || '/' || coalesce(decided_by, ''), ','), '') FROM appeals;
	     SELECT group_concat(coalesce(override_color, '-') || '/' || override_from || '/' || override_until || '/' || color_gen, ',') FROM persons;" | tr '\n' ' '
}
state() { printf '%s audit:%s' "$(appeal_state)" "$(sql "SELECT count(*) FROM audit_log")"; }
audit_last() { sql "SELECT action || ' ' || subject || ' ' || details FROM audit_log ORDER BY id DESC LIMIT 1"; }

ID1=11010519491231002	# 王小华: listed as confirmed, red
ID2=11010519800101001	# 李四: green
ID3=11010519900202003	# 张三丰: a fever, yellow
U1=$(login 13800138001)
U2=$(login 13800138002)
U3=$(login 13800138003)
UN=$(login 13800138004)	# no identity bound
CHK=$(login 13800138005)
"$CTL" grant 13800138005 checker >/dev/null
ADM=$(login 13800138006)
"$CTL" grant 13800138006 admin >/dev/null
ADMIN_ID=$(sql "SELECT id FROM accounts WHERE phone = '13800138006'")

declare_json "$U1" "{$(me 王小华 $ID1),$CLEAN}"
eq "U1 declared" "$STATUS,$(j .color)" "201,green"
declare_json "$U2" "{$(me 李四 $ID2),$CLEAN}"
eq "U2 declared" "$STATUS,$(j .color)" "201,green"
declare_json "$U3" "{$(me 张三丰 $ID3),\"temperature\":38.1,\"symptoms\":[],\"travel\":[],\"contact\":false}"
eq "U3 declared a fever" "$STATUS,$(j .color)" "201,yellow"
H1=$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$(idcheck $ID1)")
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at) VALUES ('$H1', 'confirmed', '$TODAY', $(epoch $HC_NOW))"
eq "U1 listed: red at once" "$(code_of "$U1")" "red case_confirmed"

# --- who may call: users signed in; the console admins only ----------------
before=$(state)
req POST /api/v1/appeals '{"reason":"x"}'
eq "anonymous appeal" "$STATUS,$(j .error.code)" "401,unauthenticated"
req GET /api/v1/appeals
eq "anonymous list" "$STATUS,$(j .error.code)" "401,unauthenticated"
JAR="$T/anon"
rm -f "$JAR"
page GET /appeal
eq "anonymous /appeal: to sign in" "$STATUS $(hdr Location)" "302 /login"
page GET /admin/appeals
eq "anonymous /admin/appeals: to sign in" "$STATUS $(hdr Location)" "302 /login"
page GET /login
page POST /appeal "reason=x&_csrf=$(jar_csrf)"
eq "anonymous POST /appeal: to sign in" "$STATUS $(hdr Location)" "302 /login"
page POST /admin/appeals/1/decision "decision=uphold&note=x&_csrf=$(jar_csrf)"
eq "anonymous POST /admin/appeals/1/decision: to sign in" "$STATUS $(hdr Location)" "302 /login"
req GET /api/v1/admin/appeals
eq "anonymous admin list" "$STATUS,$(j .error.code)" "401,unauthenticated"
req POST /api/v1/admin/appeals/1/decision '{"decision":"uphold","note":"x"}'
eq "anonymous admin decision" "$STATUS,$(j .error.code)" "401,unauthenticated"
for who in U1 CHK; do
	tok=${!who}
	api "$tok" GET /api/v1/admin/appeals
	eq "$who: admin list" "$STATUS,$(j .error.code)" "403,forbidden"
	api "$tok" POST /api/v1/admin/appeals/1/decision '{"decision":"uphold","note":"x"}'
	eq "$who: admin decision" "$STATUS,$(j .error.code)" "403,forbidden"
done
# (the pages as a citizen and a checker: below, with their own jars)

# --- bad appeals: 4xx, nothing stored ---------------------------------------
bad() {	# bad DESCRIPTION TOKEN STATUS CODE JSON
	api "$2" POST /api/v1/appeals "$5"
	eq "$1" "$STATUS,$(j .error.code)" "$3,$4"
}
R501=$(printf '申%.0s' $(seq 501))
bad "no reason" "$U1" 400 missing_field '{}'
bad "null reason" "$U1" 400 missing_field '{"reason":null}'
bad "a number" "$U1" 400 wrong_type '{"reason":42}'
bad "an empty reason" "$U1" 400 invalid_reason '{"reason":""}'
bad "only blanks" "$U1" 400 invalid_reason '{"reason":"  \n　"}'
bad "501 characters" "$U1" 400 invalid_reason "{\"reason\":\"$R501\"}"
bad "a control character" "$U1" 400 invalid_reason '{"reason":"我\u0007已康复"}'
bad "a tab" "$U1" 400 invalid_reason '{"reason":"a\tb"}'
bad "a green code" "$U2" 409 not_appealable '{"reason":"我想申诉"}'
bad "no identity bound" "$UN" 409 no_declaration_today '{"reason":"我想申诉"}'
eq "no bad appeal stored or changed anything" "$(state)" "$before"
api "$U1" POST /api/v1/appeals 'reason=x' application/x-www-form-urlencoded
eq "a form to the API" "$STATUS,$(j .error.code)" "415,unsupported_media_type"
api "$U1" GET /api/v1/appeals
eq "none listed" "$STATUS,$(j '.appeals|length')" "200,0"

# --- a red code appealed ----------------------------------------------------
R500=$(printf '申%.0s' $(seq 500))
api "$U1" POST /api/v1/appeals '{"reason":"已康复出院，核酸阴性\n附出院证明"}'
eq "U1 appeals" "$STATUS" 201
A1=$(j .id)
check "an id" test "$A1" -gt 0
eq "stored with the colour and reasons when filed" "$(sql "SELECT status || '/' || color || '/' || reasons || '/' || reason FROM appeals WHERE id = $A1")" "open/red/1/已康复出院，核酸阴性
附出院证明"
before=$(state)
bad "a second open appeal" "$U1" 409 appeal_open "{\"reason\":\"$R500\"}"
eq "and nothing stored" "$(state)" "$before"
api "$U1" GET /api/v1/appeals
eq "my appeals" "$STATUS,$(j '.appeals|length'),$(j '.appeals[0].id'),$(j '.appeals[0].status'),$(j '.appeals[0].color')" "200,1,$A1,open,red"
eq "no decision yet" "$(j '.appeals[0].note'),$(j '.appeals[0].decided_color'),$(j '.appeals[0].until')" "null,null,null"
check "created_at" test "$(j '.appeals[0].created_at')" = "2026-11-29T09:00:00+08:00"
api "$U2" GET /api/v1/appeals
eq "someone else's appeals are not mine" "$(j '.appeals|length')" 0

# --- the admin's queue, audited ---------------------------------------------
n0=$(sql "SELECT count(*) FROM audit_log")
api "$ADM" GET /api/v1/admin/appeals
eq "the open appeals" "$STATUS,$(j '.appeals|length'),$(j '.appeals[0].id'),$(j .next)" "200,1,$A1,null"
eq "what the admin decides on" "$(j '.appeals[0]|[.name_masked,.id_masked,.status,.filed.color,(.filed.reasons|join(",")),.now.color,(.now.reasons|join(","))]|join(" ")')" "王*华 1101**********002X open red case_confirmed red case_confirmed"
eq "the reason as written" "$(j '.appeals[0].reason')" "已康复出院，核酸阴性
附出院证明"
check "the full name nowhere" sh -c "! grep -q 王小华 '$T/body'"
eq "the read audited" "$(sql "SELECT count(*) FROM audit_log")" $((n0 + 1))
eq "as appeals.read by the admin" "$(sql "SELECT actor || ' ' || action || ' ' || details FROM audit_log ORDER BY id DESC LIMIT 1")" "account:$ADMIN_ID appeals.read {\"status\":\"open\",\"appeals\":[$A1]}"
api "$ADM" GET "/api/v1/admin/appeals?status=overridden"
eq "none overridden yet" "$STATUS,$(j '.appeals|length')" "200,0"
api "$ADM" GET "/api/v1/admin/appeals?limit=1"
eq "a full page has a next" "$(j .next)" "$A1"
api "$ADM" GET "/api/v1/admin/appeals?after=$A1"
eq "after the last: empty" "$(j '.appeals|length'),$(j .next)" "0,null"
n1=$(sql "SELECT count(*) FROM audit_log")
for q in status=closed status= limit=0 limit=101 limit=x after=-1 after=x; do
	api "$ADM" GET "/api/v1/admin/appeals?$q"
	eq "list ?$q" "$STATUS" 400
done
eq "refused lists are not audited" "$(sql "SELECT count(*) FROM audit_log")" "$n1"

# --- bad decisions: 4xx, nothing changed ------------------------------------
dec() {	# dec DESCRIPTION ID STATUS CODE JSON
	api "$ADM" POST "/api/v1/admin/appeals/$2/decision" "$5"
	eq "$1" "$STATUS,$(j .error.code)" "$3,$4"
}
N501=$(printf 'n%.0s' $(seq 501))
before=$(state)
dec "no decision" $A1 400 missing_field '{"note":"x"}'
dec "a decision not known" $A1 400 invalid_decision '{"decision":"maybe","note":"x"}'
dec "a decision as a number" $A1 400 wrong_type '{"decision":1,"note":"x"}'
dec "no note" $A1 400 missing_field '{"decision":"uphold"}'
dec "an empty note" $A1 400 invalid_note '{"decision":"uphold","note":""}'
dec "a 501-character note" $A1 400 invalid_note "{\"decision\":\"uphold\",\"note\":\"$N501\"}"
dec "a note with a control character" $A1 400 invalid_note '{"decision":"uphold","note":"a\u001bb"}'
dec "override without a colour" $A1 400 missing_field '{"decision":"override","note":"x","until":"2026-12-02"}'
dec "override without an end" $A1 400 missing_field '{"decision":"override","note":"x","color":"green"}'
dec "override to a colour not known" $A1 400 invalid_color '{"decision":"override","note":"x","color":"blue","until":"2026-12-02"}'
dec "an end in the past" $A1 400 invalid_until '{"decision":"override","note":"x","color":"green","until":"2026-11-28"}'
dec "an end past today + 30" $A1 400 invalid_until '{"decision":"override","note":"x","color":"green","until":"2026-12-30"}'
dec "an end that is no day" $A1 400 invalid_until '{"decision":"override","note":"x","color":"green","until":"2026-02-30"}'
dec "an end not a date" $A1 400 invalid_until '{"decision":"override","note":"x","color":"green","until":"tomorrow"}'
dec "an end with a time" $A1 400 invalid_until '{"decision":"override","note":"x","color":"green","until":"2026-12-02T00:00"}'
dec "an unknown appeal" 999999 404 not_found '{"decision":"uphold","note":"x"}'
dec "not an id" abc 404 not_found '{"decision":"uphold","note":"x"}'
dec "id 0" 0 404 not_found '{"decision":"uphold","note":"x"}'
api "$ADM" POST "/api/v1/admin/appeals/$A1/decision" 'decision=uphold&note=x' application/x-www-form-urlencoded
eq "a form to the API" "$STATUS,$(j .error.code)" "415,unsupported_media_type"
eq "no bad decision changed anything" "$(state)" "$before"
eq "U1 still red" "$(code_of "$U1")" "red case_confirmed"

# --- the override: green until the day, then the rules ----------------------
gen0=$(sql "SELECT color_gen FROM persons WHERE id_hash = '$H1'")
api "$ADM" POST "/api/v1/admin/appeals/$A1/decision" '{"decision":"override","color":"green","until":"2026-12-02","note":"核实已康复，改为绿码至 12 月 2 日"}'
eq "overridden" "$STATUS,$(j .id),$(j .status),$(j .decided_color),$(j .until)" "200,$A1,overridden,green,2026-12-02"
eq "the person's override" "$(sql "SELECT override_color || '/' || override_from || '/' || override_until FROM persons WHERE id_hash = '$H1'")" "green/$TODAY/2026-12-02"
eq "the same statement moved the colour's generation" "$(sql "SELECT color_gen FROM persons WHERE id_hash = '$H1'")" $((gen0 + 1))
eq "the appeal closed" "$(sql "SELECT status || '/' || decided_color || '/' || decided_until || '/' || decided_by || '/' || (decided_at IS NOT NULL) FROM appeals WHERE id = $A1")" "overridden/green/2026-12-02/$ADMIN_ID/1"
eq "audited: appeals.decide, the person's identity hash" "$(audit_last)" "appeals.decide $H1 {\"appeal\":$A1,\"decision\":\"override\",\"color\":\"green\",\"from\":\"$TODAY\",\"until\":\"2026-12-02\"}"
eq "U1 green at once, by the override" "$(code_of "$U1")" "green appeal_override"
api "$U1" GET /api/v1/appeals
eq "U1 sees the decision" "$(j '.appeals[0]|[.status,.decided_color,.until,.note]|join("|")')" "overridden|green|2026-12-02|核实已康复，改为绿码至 12 月 2 日"
before=$(state)
dec "deciding it again" $A1 409 already_decided '{"decision":"uphold","note":"x"}'
dec "overriding it again" $A1 409 already_decided '{"decision":"override","note":"x","color":"yellow","until":"2026-12-01"}'
eq "a second decision changed nothing" "$(state)" "$before"
bad "green by the override: nothing to appeal" "$U1" 409 not_appealable '{"reason":"x"}'
api "$ADM" GET "/api/v1/admin/appeals?status=overridden"
eq "listed as overridden, with the decision" "$(j '.appeals[0]|[.id,.note,.decided_color,.until,.now.color]|join("|")')" "$A1|核实已康复，改为绿码至 12 月 2 日|green|2026-12-02|green"
check "decided_at" test "$(j '.appeals[0].decided_at')" = "2026-11-29T09:00:00+08:00"

# --- a yellow code's appeal upheld ------------------------------------------
api "$U3" POST /api/v1/appeals '{"reason":"体温计坏了"}'
eq "U3 appeals a yellow code" "$STATUS" 201
A3=$(j .id)
eq "filed yellow with the fever" "$(sql "SELECT color || '/' || reasons FROM appeals WHERE id = $A3")" "yellow/256"
p3=$(sql "SELECT coalesce(override_color, '-') || override_from || override_until FROM persons WHERE name = '张三丰'")
api "$ADM" POST "/api/v1/admin/appeals/$A3/decision" '{"decision":"uphold","note":"体温 38.1 ℃ 属发热，维持黄码","color":"green","until":"2026-12-01"}'
eq "upheld (color and until ignored)" "$STATUS,$(j .status),$(j .decided_color),$(j .until)" "200,upheld,null,null"
eq "no override for an upheld appeal" "$(sql "SELECT coalesce(override_color, '-') || override_from || override_until FROM persons WHERE name = '张三丰'")" "$p3"
eq "the appeal closed with its note" "$(sql "SELECT status || '/' || note || '/' || coalesce(decided_color, '-') || '/' || coalesce(decided_until, '-') FROM appeals WHERE id = $A3")" "upheld/体温 38.1 ℃ 属发热，维持黄码/-/-"
eq "audited" "$(audit_last)" "appeals.decide $(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$(idcheck $ID3)") {\"appeal\":$A3,\"decision\":\"uphold\"}"
eq "U3 still yellow" "$(code_of "$U3")" "yellow fever"
api "$U3" GET /api/v1/appeals
eq "U3 sees it upheld" "$(j '.appeals[0]|[.status,.note]|join("|")')" "upheld|体温 38.1 ℃ 属发热，维持黄码"
api "$U3" POST /api/v1/appeals '{"reason":"再次申诉"}'
eq "decided: another appeal may be filed" "$STATUS" 201
A3B=$(j .id)

# --- the pages --------------------------------------------------------------
page_login "$T/u2" 13800138002
page GET /code
eq "a green code page" "$STATUS" 200
check "no appeal link on a green code" sh -c "! grep -q 'id=\"go-appeal\"' '$T/body'"
page GET /appeal
check "green: nothing to appeal" grep -q 'id="appeal-green"' "$T/body"
check "green: no form" sh -c "! grep -q 'id=\"appeal-form\"' '$T/body'"
page_login "$T/u3" 13800138003
page GET /code
check "a yellow code page links to the appeal" grep -q 'href="/appeal" class="danger-link" id="go-appeal"' "$T/body"
page GET /appeal
check "an open appeal: said so" grep -q 'id="appeal-pending"' "$T/body"
check "an open appeal: no form" sh -c "! grep -q 'id=\"appeal-form\"' '$T/body'"
check "the decided one with its note" grep -q "data-id=\"$A3\" data-status=\"upheld\"" "$T/body"
check "the note shown" grep -q '体温 38.1 ℃ 属发热，维持黄码' "$T/body"
# A red person with no appeal: U4 through the page.
U4=$(login 13800138007)
declare_json "$U4" "{$(me 赵六 11010519700303004),$CLEAN}"
H4=$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$(idcheck 11010519700303004)")
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at) VALUES ('$H4', 'close_contact', '$TODAY', 0)"
page_login "$T/u4" 13800138007
page GET /appeal
check "red: the form" grep -q 'id="appeal-form"' "$T/body"
check "the textarea" grep -q '<textarea id="appeal-reason" name="reason"' "$T/body"
check "the reason labelled" grep -q '密切接触者' "$T/body"
before=$(state)
page POST /appeal "reason=x"
eq "no CSRF: refused" "$STATUS" 403
page POST /appeal "reason=&_csrf=$(jar_csrf)"
eq "the page: an empty reason" "$STATUS" 400
page GET /appeal
page POST /appeal "reason=$(printf 'a%.0s' $(seq 501))&_csrf=$(jar_csrf)"
eq "the page: too long" "$STATUS" 400
check "the error in place" grep -q 'id="form-error" role="alert">理由须为 1 至 500 字的文字。' "$T/body"
check "what was typed kept" grep -q 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</textarea>' "$T/body"
eq "the refused forms stored nothing" "$(state)" "$before"
page POST /appeal "reason=%E6%88%91%E6%98%AF%E4%BF%9D%E6%B4%81%E5%91%98%EF%BC%8C%E6%9C%AA%E6%8E%A5%E8%A7%A6%0D%0A%E8%AF%B7%E6%A0%B8%E5%AE%9E&_csrf=$(jar_csrf)"
eq "the page files it" "$STATUS $(hdr Location)" "303 /appeal"
A4=$(sql "SELECT id FROM appeals WHERE person_id = (SELECT id FROM persons WHERE id_hash = '$H4')")
eq "stored as typed" "$(sql "SELECT status || '/' || color || '/' || replace(reason, char(13), '\r') FROM appeals WHERE id = $A4")" "open/red/我是保洁员，未接触\r
请核实"
page GET /appeal
check "listed, under review" grep -q "data-id=\"$A4\" data-status=\"open\"" "$T/body"
page POST /appeal "reason=again&_csrf=$(jar_csrf)"
eq "the page: one open at a time" "$STATUS" 409
check "said in place" grep -q '您已有一项申诉正在处理中。' "$T/body"

# The console's page.
before=$(state)
for who in citizen checker; do
	[ $who = checker ] && page_login "$T/chk" 13800138005
	page GET /admin/appeals
	eq "/admin/appeals as a $who" "$STATUS" 403
	check "/admin/appeals as a $who: the role refused" grep -q '您的角色无权进行此操作。' "$T/body"
	page POST "/admin/appeals/$A4/decision" "decision=uphold&note=x&_csrf=$(jar_csrf)"
	eq "POST /admin/appeals/$A4/decision as a $who" "$STATUS" 403
	check "POST as a $who: the role refused" grep -q '您的角色无权进行此操作。' "$T/body"
done
eq "refused pages changed nothing" "$(state)" "$before"
page_login "$T/adm" 13800138006
n0=$(sql "SELECT count(*) FROM audit_log")
page GET /admin/appeals
eq "/admin/appeals" "$STATUS" 200
eq "the page's read audited" "$(sql "SELECT count(*) || ' ' || max(action) FROM audit_log WHERE id > $n0")" "1 appeals.read"
check "the console's navigation" grep -q 'id="nav-appeals"' "$T/body"
check "each open appeal with its form" grep -q "id=\"appeal-form-$A4\"" "$T/body"
check "the override's end bounded" grep -q "id=\"appeal-until-$A4\" name=\"until\" min=\"$TODAY\" max=\"2026-12-29\"" "$T/body"
check "the masked name" grep -q '赵\*' "$T/body"
check "the full name nowhere" sh -c "! grep -q 赵六 '$T/body'"
check "the reason as typed" grep -q '我是保洁员，未接触' "$T/body"
check "the colour now" grep -q 'appeal-now">红码' "$T/body"
before_appeals=$(appeal_state)
page POST "/admin/appeals/$A4/decision" "decision=override&color=green&until=2026-12-01&note=x"
eq "the console's form without CSRF" "$STATUS" 403
page GET /admin/appeals
page POST "/admin/appeals/$A4/decision" "decision=override&color=green&until=&note=x&_csrf=$(jar_csrf)"
eq "the console's form: no end" "$STATUS" 400
check "the error shown" grep -q "id=\"form-error\" role=\"alert\" data-appeal=\"$A4\"" "$T/body"
page POST "/admin/appeals/$A4/decision" "decision=override&color=green&until=2026-12-01&note=&_csrf=$(jar_csrf)"
eq "the console's form: no note" "$STATUS" 400
page POST "/admin/appeals/$A1/decision" "decision=uphold&note=x&_csrf=$(jar_csrf)"
eq "the console's form: decided already" "$STATUS" 409
page POST "/admin/appeals/999999/decision" "decision=uphold&note=x&_csrf=$(jar_csrf)"
eq "the console's form: no such appeal" "$STATUS" 404
eq "the refused decisions changed nothing (the pages' reads are audited)" "$(appeal_state)" "$before_appeals"
page POST "/admin/appeals/$A4/decision" "decision=override&color=yellow&until=2026-12-01&note=%E6%94%B9%E4%B8%BA%E9%BB%84%E7%A0%81&_csrf=$(jar_csrf)"
eq "decided on the page" "$STATUS $(hdr Location)" "303 /admin/appeals"
eq "U4 yellow by the override" "$(code_of "$U4")" "yellow appeal_override"
eq "stored" "$(sql "SELECT status || '/' || decided_color || '/' || decided_until || '/' || note FROM appeals WHERE id = $A4")" "overridden/yellow/2026-12-01/改为黄码"
page GET "/admin/appeals?status=overridden"
check "the overridden list" grep -q "id=\"appeal-$A4\"" "$T/body"
check "decided: no form" sh -c "! grep -q 'id=\"appeal-form-$A4\"' '$T/body'"
page GET "/admin/appeals?status=nonsense"
eq "an unknown status on the page" "$STATUS" 400

# --- days pass: the override holds through its day, then the rules -------
set_now 2026-12-02T01:00:00Z	# the last day: sessions end at the cutoff
U1=$(login 13800138001)
declare_json "$U1" "{$CLEAN}"
eq "the last day of the override: green" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,green,appeal_override"
set_now 2026-12-03T01:00:00Z
U1=$(login 13800138001)
declare_json "$U1" "{$CLEAN}"
eq "the day after: the rules again, still listed" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,red,case_confirmed"
api "$U1" GET /api/v1/code
eq "the code red again" "$(j .color)" red

# --- retention: decided appeals go with the purge, all with the account -----
decided=$(sql "SELECT count(*) FROM appeals WHERE status <> 'open'")
HC_NOW=2026-12-05T01:00:00Z HC_RETENTION_APPEALS_DAYS=7 "$CTL" purge > "$T/purge"
check "nothing yet at 7 days" grep -qE '^appeals +0$' "$T/purge"
eq "the decided appeals stay" "$(sql "SELECT count(*) FROM appeals WHERE status <> 'open'")" "$decided"
HC_NOW=2026-12-06T01:00:00Z HC_RETENTION_APPEALS_DAYS=7 "$CTL" purge > "$T/purge"
check "the purge counts them" grep -qE "^appeals +$decided\$" "$T/purge"
eq "decided appeals purged" "$(sql "SELECT count(*) FROM appeals WHERE status <> 'open'")" 0
eq "open ones stay" "$(sql "SELECT count(*) FROM appeals")" 1
eq "the open one is U3's second" "$(sql "SELECT id FROM appeals")" "$A3B"
U3=$(login 13800138003)
api "$U3" DELETE /api/v1/me
eq "U3 deletes the account" "$STATUS" 200
eq "its appeals went with it" "$(sql "SELECT count(*) FROM appeals")" 0

finish
