#!/bin/bash
# End to end, the health authority's case lists and risk areas, through
# lighttpd: who may call each route; an import turns a person's code red
# at once (their next code, and a checkpoint's scan of a code issued
# before), a listed person who never registered is red when they first
# declare, a re-import refreshes the listing, a withdrawal turns the
# colour back; every kind of bad file is refused whole (422, the line
# named, nothing imported); 100,000 rows import and 100,001 do not; the
# CLI imports the same files; risk areas are set, listed, expired and
# cleared, bad input changes nothing, and a prefecture's designation
# covers its districts; the pages; the audit entries.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T01:00:00Z	# 09:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
export HC_OTP_RESEND_INTERVAL=0
TODAY=2026-11-29
start_stack

"$CTL" grant 13900000001 admin >/dev/null
"$CTL" grant 13900000002 checker >/dev/null
ADMIN=$(login 13900000001)
CHECKER=$(login 13900000002)
U1=$(login 13800138001)
A=(-H "Authorization: Bearer $ADMIN")
HEALTHY='"temperature":36.5,"symptoms":[],"travel":[],"contact":false'
HDR=id_type,id_number,name,category,listed_on,nationality

ID1=$(idcheck 11010519491231002)	# registered before the import
ID2=$(idcheck 33010619800101001)	# listed, registers afterwards
ID3=$(idcheck 31010119900515002)
H1=$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$ID1")
HP=$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:passport:USA:E12345678")

# csv FILE: posts a case list as the admin (STATUS, $T/body).
csv() {
	STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
	    -X POST -H 'Content-Type: text/csv' --data-binary @"$1" \
	    "${A[@]}" "$BASE/api/v1/admin/cases")
}
jc() { jq -c "$1" < "$T/body" 2>/dev/null; }
# What an import may change: entries, their times, the audit log.
state() { sql "SELECT count(*) || '/' || total(listed_at) || '/' || coalesce(group_concat(listed_day, ','), '') || '/' || (SELECT count(*) FROM audit_log) FROM case_entries"; }
colour() {	# colour TOKEN: "color reasons" of the account's code
	req GET /api/v1/code -- -H "Authorization: Bearer $1"
	echo "$(j .color) $(j '.reasons|join(",")')"
}
declare_as() {	# declare_as TOKEN JSON
	req POST /api/v1/declarations "$2" -- -H "Authorization: Bearer $1"
}

# --- who may call: every route, API and pages ---------------------------
ROUTES=(
	"POST /api/v1/admin/cases"
	"GET /api/v1/admin/cases"
	"DELETE /api/v1/admin/cases/1"
	"GET /api/v1/admin/risk-areas"
	"PUT /api/v1/admin/risk-areas/330100"
	"DELETE /api/v1/admin/risk-areas/330100"
)
PAGES=(
	"GET /admin/cases"
	"POST /admin/cases/1/withdraw"
	"GET /admin/risk-areas"
	"POST /admin/risk-areas"
	"POST /admin/risk-areas/330100/clear"
)
printf '%s\nresident_id,%s,王小华,confirmed,%s,\n' "$HDR" "$ID1" "$TODAY" > "$T/one.csv"
BEFORE=$(state)
for r in "${ROUTES[@]}"; do
	set -- $r
	ct=application/json; body='{"level":"high"}'
	[ "$2" = /api/v1/admin/cases ] && { ct=text/csv; body=$(cat "$T/one.csv"); }
	args=("$body" "$ct")
	[ "$1" = GET ] && args=()
	req "$1" "$2" "${args[@]}"
	eq "anonymous $r" "$STATUS,$(j .error.code)" "401,unauthenticated"
	req "$1" "$2" "${args[@]}" -- -H "Authorization: Bearer $U1"
	eq "a user: $r" "$STATUS,$(j .error.code)" "403,forbidden"
	req "$1" "$2" "${args[@]}" -- -H "Authorization: Bearer $CHECKER"
	eq "a checker: $r" "$STATUS,$(j .error.code)" "403,forbidden"
done
JAR="$T/anon"
for r in "${PAGES[@]}"; do
	set -- $r
	if [ "$1" = POST ]; then page POST "$2" "level=high&_csrf=x"; else page GET "$2"; fi
	eq "anonymous $r: to sign in" "$STATUS,$(hdr Location)" "302,/login"
done
tok() { jar_csrf; }
# Page sign-in for a user, a checker and the admin (cookie jars).
page_login() {	# page_login PHONE: signs $JAR in
	page GET /login
	page POST /login "phone=$1&action=send&_csrf=$(csrf)"
	page POST /login "phone=$1&code=$(otp_of "$1")&_csrf=$(csrf)"
	[ "$STATUS" = 303 ] || echo "page sign-in of $1: $STATUS" >&2
}
for who in 13800138001 13900000002; do
	JAR="$T/jar-$who"
	page_login $who
	for r in "${PAGES[@]}"; do
		set -- $r
		if [ "$1" = POST ]; then page POST "$2" "region=330100&level=high&_csrf=$(tok)"; else page GET "$2"; fi
		eq "$who $r: forbidden page" "$STATUS" 403
		check "$who $r: the error page" grep -q 'role="alert"' "$T/body"
	done
done
eq "no one without the role changed anything" "$(state)" "$BEFORE"
eq "and no risk area" "$(sql 'SELECT count(*) FROM risk_areas')" 0

# --- an import turns a registered person red at once --------------------
declare_as "$U1" "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",$HEALTHY}"
eq "U1 declares" "$STATUS" 201
eq "U1 is green before" "$(colour "$U1")" "green "
T0=$(j .token)
{
	echo "$HDR"
	echo "resident_id,$ID1,王小华,confirmed,2026-11-28,"
	echo "resident_id,$ID2,\"李四\",suspected,$TODAY,CHN"
	echo "passport,E12345678,John Smith,close_contact,$TODAY,USA"
	echo "resident_id,$ID3,欧阳娜娜,secondary_contact,$TODAY,"
} > "$T/first.csv"
csv "$T/first.csv"
eq "import" "$STATUS,$(j .imported),$(jc .counts)" \
    '200,4,{"confirmed":1,"suspected":1,"asymptomatic":0,"close_contact":1,"secondary_contact":1}'
eq "four entries" "$(sql 'SELECT count(*) FROM case_entries')" 4
eq "stored by the keyed hash, masked name, source, who" \
    "$(sql "SELECT kind, listed_day, name_masked, source, listed_by = (SELECT id FROM accounts WHERE phone = '13900000001') FROM case_entries WHERE id_hash = '$H1'")" \
    "confirmed|2026-11-28|王*华|import|1"
eq "the passport by type, nationality and number" "$(sql "SELECT kind FROM case_entries WHERE id_hash = '$HP'")" close_contact
eq "no ID number in the database" "$(sqlite3 "$HC_DATA_DIR/healthcode.db" .dump | grep -c -e "$ID2" -e E12345678 -e "$ID3")" 0
eq "U1's next code is red" "$(colour "$U1")" "red case_confirmed"
req POST /api/v1/verify "{\"token\":\"$T0\"}" -- -H "Authorization: Bearer $CHECKER"
eq "a checkpoint scans the code issued before the import" "$STATUS,$(j .valid),$(j .color)" "200,true,red"

# --- a listed person who never registered is red on first declaration ---
U2=$(login 13800138002)
declare_as "$U2" "{\"name\":\"李四\",\"id_type\":\"resident_id\",\"id_number\":\"$ID2\",$HEALTHY}"
eq "U2 registers and declares: red at once" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,red,case_suspected"
eq "U2's code" "$(colour "$U2")" "red case_suspected"

# --- a re-import refreshes the listing ----------------------------------
set_now 2026-11-29T02:00:00Z
printf '%s\nresident_id,%s,王小华,confirmed,2026-11-26,\n' "$HDR" "$ID1" > "$T/again.csv"
csv "$T/again.csv"
eq "re-import" "$STATUS,$(j .imported),$(j .counts.confirmed)" "200,1,1"
eq "one entry, listed anew" "$(sql "SELECT count(*), listed_day, listed_at FROM case_entries WHERE id_hash = '$H1'")" \
    "1|2026-11-26|$(epoch 2026-11-29T02:00:00Z)"
eq "still red" "$(colour "$U1")" "red case_confirmed"
# Listed twice in one file: one entry, the later day, counted once.
printf '%s\nresident_id,%s,王小华,confirmed,2026-11-27,\nresident_id,%s,王小华,confirmed,2026-11-25,\n' "$HDR" "$ID1" "$ID1" > "$T/twice.csv"
csv "$T/twice.csv"
eq "a repeated row" "$STATUS,$(j .imported),$(j .duplicates),$(j .counts.confirmed)" "200,1,1,1"
eq "one entry, the later day" "$(sql "SELECT count(*), listed_day FROM case_entries WHERE id_hash = '$H1'")" "1|2026-11-27"
eq "audited with the repeat" "$(sql "SELECT json_extract(details, '\$.rows') || '/' || json_extract(details, '\$.duplicates') || '/' || json_extract(details, '\$.counts.confirmed') FROM audit_log WHERE action = 'cases.import' ORDER BY id DESC LIMIT 1")" "2/1/1"
csv "$T/again.csv"
eq "back to the 26th" "$(sql "SELECT listed_day FROM case_entries WHERE id_hash = '$H1'")" "2026-11-26"

# --- the list, newest first, paged --------------------------------------
req GET "/api/v1/admin/cases?limit=2" -- "${A[@]}"
eq "first page" "$STATUS,$(j '.cases|length'),$(j '.cases[0].name_masked'),$(j '.cases[0].category'),$(j '.cases[0].listed_on'),$(j '.cases[0].source')" \
    "200,2,王*华,confirmed,2026-11-26,import"
NEXT=$(j .next)
check "a next page" test "$NEXT" != null
req GET "/api/v1/admin/cases?limit=2&before=$NEXT" -- "${A[@]}"
eq "second page" "$STATUS,$(j '.cases|length'),$(j .next)" "200,2,null"
req GET "/api/v1/admin/cases" -- "${A[@]}"
eq "all, no next" "$(j '.cases|length'),$(j .next),$(j '[.cases[].name_masked]|sort|join(" ")')" "4,null,J*h 李* 欧*娜 王*华"
check "no ID numbers or hashes in the list" sh -c "! grep -q -e '$ID1' -e '$H1' '$T/body'"
for q in "limit=0" "limit=501" "limit=x" "before=0" "before=abc"; do
	req GET "/api/v1/admin/cases?$q" -- "${A[@]}"
	eq "list ?$q" "$STATUS" 400
done
eq "each read of the list audited" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'cases.list'")" 3

# --- withdrawal ---------------------------------------------------------
E1=$(sql "SELECT id FROM case_entries WHERE id_hash = '$H1'")
req DELETE "/api/v1/admin/cases/$E1" -- "${A[@]}"
eq "withdraw" "$STATUS,$(j .withdrawn)" "200,$E1"
eq "gone" "$(sql "SELECT count(*) FROM case_entries WHERE id_hash = '$H1'")" 0
eq "U1 is green again at once" "$(colour "$U1")" "green "
eq "audited with the person's hash" "$(sql "SELECT actor, details FROM audit_log WHERE action = 'cases.withdraw' AND subject = '$H1'")" \
    "account:$(sql "SELECT id FROM accounts WHERE phone = '13900000001'")|{\"id\":$E1,\"category\":\"confirmed\"}"
req DELETE "/api/v1/admin/cases/$E1" -- "${A[@]}"
eq "withdraw again" "$STATUS,$(j .error.code)" "404,not_found"
req DELETE "/api/v1/admin/cases/abc" -- "${A[@]}"
eq "withdraw no id" "$STATUS" 404

# --- bad files are refused whole ----------------------------------------
GOOD="resident_id,$(idcheck 44030519850620003),张伟,confirmed,$TODAY,"
bad() {	# bad LABEL REASON FIELD ROW: a good row, then ROW on line 3
	printf '%s\n%s\n%s\n' "$HDR" "$GOOD" "$4" > "$T/bad.csv"
	before=$(state)
	csv "$T/bad.csv"
	eq "$1" "$STATUS,$(j .error.code),$(j .invalid),$(j '.rows[0].line'),$(j '.rows[0].reason'),$(j '.rows[0].field // ""')" \
	    "422,invalid_rows,1,3,$2,$3"
	eq "$1: nothing imported" "$(state)" "$before"
	"$CTL" import-cases "$T/bad.csv" > "$T/cli.out" 2> "$T/cli.err"
	eq "$1: the CLI exits 1" "$?" 1
	check "$1: the CLI names the line" grep -q "^line 3.*: $2\$" "$T/cli.err"
	eq "$1: the CLI imported nothing" "$(state)" "$before"
}
X=$(idcheck 11010519491231002)
bad "bad check digit" invalid_check_digit id_number "resident_id,${X:0:17}$([ "${X:17}" = 1 ] && echo 2 || echo 1),王小华,confirmed,$TODAY,"
bad "unknown category" unknown_category category "resident_id,$X,王小华,infected,$TODAY,"
bad "future date" future_date listed_on "resident_id,$X,王小华,confirmed,2026-11-30,"
bad "not a date" invalid_date listed_on "resident_id,$X,王小华,confirmed,2026-02-30,"
bad "not a date either" invalid_date listed_on "resident_id,$X,王小华,confirmed,yesterday,"
bad "wrong column count" wrong_column_count "" "resident_id,$X,王小华,confirmed"
bad "too many columns" wrong_column_count "" "resident_id,$X,王小华,confirmed,$TODAY,,"
bad "bad UTF-8" invalid_utf8 "" "$(printf 'resident_id,%s,\xe7\x8e,confirmed,%s,' "$X" "$TODAY")"
bad "unknown nationality" invalid_nationality nationality "passport,E12345678,John Smith,confirmed,$TODAY,XYZ"
bad "missing nationality" missing_field nationality "passport,E12345678,John Smith,confirmed,$TODAY,"
bad "a resident of another country" invalid_nationality nationality "resident_id,$X,王小华,confirmed,$TODAY,USA"
bad "bad name" invalid_name name "resident_id,$X,王小华1,confirmed,$TODAY,"
bad "unknown id type" invalid_id_type id_type "driving_licence,$X,王小华,confirmed,$TODAY,"
bad "older than kept" too_old listed_on "resident_id,$X,王小华,confirmed,2026-11-01,"
bad "bad quote" bad_quote "" "resident_id,$X,王\"小华,confirmed,$TODAY,"
printf '%s\n%s\nresident_id,%s,王\0小华,confirmed,%s,\n' "$HDR" "$GOOD" "$X" "$TODAY" > "$T/nul.csv"
before=$(state)
csv "$T/nul.csv"
eq "a NUL byte" "$STATUS,$(j '.rows[0].line'),$(j '.rows[0].reason')" "422,3,nul_byte"
eq "a NUL byte: nothing imported" "$(state)" "$before"

# Every bad row at once, with the lines of the file (a quoted line break
# makes a record two lines), the header line 1; CRLF and a BOM are fine.
{
	printf '\xef\xbb\xbf%s\r\n' "$HDR"
	printf '%s\r\n' "$GOOD"
	printf 'resident_id,%s,"王\n小华",confirmed,%s,\r\n' "$X" "$TODAY"
	printf '\r\n'
	printf 'resident_id,%s,王小华,confirmed,2026-12-01,\r\n' "$X"
	printf 'resident_id,%s,王小华,infected,nope,\r\n' "$X"
} > "$T/many.csv"
csv "$T/many.csv"
eq "every bad row" "$STATUS,$(j .invalid),$(jc '[.rows[]|[.line,.reason]]')" \
    '422,3,[[3,"invalid_name"],[6,"future_date"],[7,"unknown_category"],[7,"invalid_date"]]'
check "each with its message" test "$(j '.rows[0].message')" = "$(jq -r .err.invalid_name "$TOP/templates/zh.json")"
printf 'id_type,number,name,category,category\n' > "$T/header.csv"
csv "$T/header.csv"
eq "a bad header" "$STATUS,$(jc '[.rows[]|[.line,.column,.reason,.field]]')" \
    '422,[[1,2,"unknown_column",null],[1,5,"duplicate_column","category"],[1,null,"missing_column","id_number"],[1,null,"missing_column","listed_on"]]'
printf '%s\n' "$HDR" > "$T/empty.csv"
csv "$T/empty.csv"
eq "a header only" "$STATUS,$(j .error.code)" "422,no_rows"
printf '' > "$T/none.csv"
csv "$T/none.csv"
eq "an empty body" "$STATUS,$(j .error.code)" "422,no_rows"
req POST /api/v1/admin/cases "$(cat "$T/one.csv")" application/json -- "${A[@]}"
eq "not text/csv" "$STATUS" 415
# The columns in another order, nationality left out.
printf 'listed_on,category,name,id_number,id_type\n%s,close_contact,张伟,%s,resident_id\n' "$TODAY" "$(idcheck 44030519850620003)" > "$T/order.csv"
csv "$T/order.csv"
eq "columns in any order" "$STATUS,$(j .counts.close_contact)" "200,1"

# --- 100,000 rows: through lighttpd (6.5 MB), and one more is refused ----
"$TOP/bench/gen-cases.sh" 100001 "$TODAY" 500000 > "$T/big1.csv"
before=$(state)
csv "$T/big1.csv"
eq "100,001 rows" "$STATUS,$(j .error.code),$(j .rows_max)" "413,too_many_rows,100000"
eq "100,001 rows: nothing imported" "$(state)" "$before"
"$CTL" import-cases "$T/big1.csv" > /dev/null 2> "$T/cli.err"
eq "100,001 rows by the CLI" "$?,$(grep -c too_many_rows "$T/cli.err")" "1,1"
eq "100,001 rows by the CLI: nothing imported" "$(state)" "$before"
head -n 100001 "$T/big1.csv" > "$T/big.csv"
n0=$(sql 'SELECT count(*) FROM case_entries')
t0=$(date +%s.%N)
csv "$T/big.csv"
t1=$(date +%s.%N)
eq "100,000 rows" "$STATUS,$(j .imported),$(j .counts.confirmed)" "200,100000,20000"
eq "100,000 entries more" "$(sql 'SELECT count(*) FROM case_entries')" $((n0 + 100000))
echo "cases: 100,000 rows ($(stat -c %s "$T/big.csv") bytes) imported through lighttpd in $(echo "$t1 - $t0" | bc | cut -c1-5) s"

# --- the CLI --------------------------------------------------------------
"$TOP/bench/gen-cases.sh" 3 2026-11-28 900000 > "$T/cli.csv"
"$CTL" import-cases "$T/cli.csv" > "$T/cli.out" 2> "$T/cli.err"
eq "the CLI imports" "$?,$(cat "$T/cli.out")" \
    "0,imported 3 rows: confirmed 1 suspected 1 asymptomatic 1 close_contact 0 secondary_contact 0"
eq "no progress off a terminal" "$(cat "$T/cli.err")" ""
eq "the CLI's entries: no account listed them" "$(sql "SELECT count(*), min(listed_day), group_concat(name_masked, ' ') FROM (SELECT * FROM case_entries WHERE listed_by IS NULL ORDER BY id)")" "3|2026-11-28|王*华 李* 张*"
eq "audited as the CLI" "$(sql "SELECT details FROM audit_log WHERE action = 'cases.import' AND actor = 'cli'")" \
    '{"rows":3,"duplicates":0,"counts":{"confirmed":1,"suspected":1,"asymptomatic":1,"close_contact":0,"secondary_contact":0}}'
# On a terminal (script(1) makes one), the progress on standard error.
"$TOP/bench/gen-cases.sh" 2500 "$TODAY" 910000 > "$T/tty.csv"
script -qec "'$CTL' import-cases '$T/tty.csv'" /dev/null > "$T/tty.out" 2>&1
check "progress on a terminal" grep -q $'\rchecked 2000/2500 rows\rchecked 2500/2500 rows\rimported 1000/2500 rows' "$T/tty.out"
check "then the counts" grep -q '^imported 2500 rows: confirmed 500 suspected 500' "$T/tty.out"
"$CTL" import-cases "$T/nothing-here.csv" 2> "$T/cli.err"
eq "the CLI, no such file" "$?" 1
"$CTL" import-cases 2> /dev/null
eq "the CLI, no file named" "$?" 2

# --- risk areas -----------------------------------------------------------
risk() { sql "SELECT coalesce(group_concat(region || ':' || level || ':' || coalesce(until, '-'), ' '), '') FROM (SELECT * FROM risk_areas ORDER BY region)"; }
req PUT /api/v1/admin/risk-areas/330100 '{"level":"high"}' -- "${A[@]}"
eq "a prefecture high risk" "$STATUS,$(j .region),$(j .name),$(j .level),$(j .until),$(j .expired)" "200,330100,杭州市,high,null,false"
req PUT /api/v1/admin/risk-areas/310000 "{\"level\":\"medium\",\"until\":\"$TODAY\"}" -- "${A[@]}"
eq "a province medium risk until today" "$STATUS,$(j .level),$(j .until)" "200,medium,$TODAY"
req PUT /api/v1/admin/risk-areas/440305 '{"level":"medium","until":"2026-12-31"}' -- "${A[@]}"
eq "a district" "$STATUS,$(j .path)" "200,广东省 深圳市 南山区"
req PUT /api/v1/admin/risk-areas/440305 '{"level":"high","until":null}' -- "${A[@]}"
eq "replaced" "$STATUS,$(j .level),$(j .until)" "200,high,null"
GOOD_RISK=$(risk)
eq "three designations" "$GOOD_RISK" "310000:medium:$TODAY 330100:high:- 440305:high:-"
for b in "999999|{\"level\":\"high\"}|400,unknown_region" \
	 "33010|{\"level\":\"high\"}|400,unknown_region" \
	 "abcdef|{\"level\":\"high\"}|400,unknown_region" \
	 "330106|{\"level\":\"low\"}|400,invalid_level" \
	 "330106|{\"level\":\"HIGH\"}|400,invalid_level" \
	 "330106|{}|400,missing_field" \
	 "330106|{\"level\":1}|400,wrong_type" \
	 "330106|{\"level\":\"high\",\"until\":\"2026-11-28\"}|400,past_until" \
	 "330106|{\"level\":\"high\",\"until\":\"2026-02-30\"}|400,invalid_until" \
	 "330106|{\"level\":\"high\",\"until\":\"next week\"}|400,invalid_until" \
	 "330106|{\"level\":\"high\",\"until\":20261231}|400,wrong_type" \
	 "330100|{\"level\":\"medium\",\"until\":\"2026-11-28\"}|400,past_until"; do
	IFS='|' read -r reg body want <<< "$b"
	req PUT "/api/v1/admin/risk-areas/$reg" "$body" -- "${A[@]}"
	eq "PUT $reg $body" "$STATUS,$(j .error.code)" "$want"
done
eq "nothing changed by bad input" "$(risk)" "$GOOD_RISK"
req GET /api/v1/admin/risk-areas -- "${A[@]}"
eq "the list" "$STATUS,$(jc '[.areas[]|[.region,.level,.until,.expired]]')" \
    "200,[[\"310000\",\"medium\",\"$TODAY\",false],[\"330100\",\"high\",null,false],[\"440305\",\"high\",null,false]]"
req DELETE /api/v1/admin/risk-areas/440305 -- "${A[@]}"
eq "cleared" "$STATUS,$(j .cleared)" "200,440305"
req DELETE /api/v1/admin/risk-areas/440305 -- "${A[@]}"
eq "cleared again: none" "$STATUS,$(j .error.code)" "404,not_found"
req DELETE /api/v1/admin/risk-areas/999999 -- "${A[@]}"
eq "clear an unknown region" "$STATUS" 404
eq "audited" "$(sql "SELECT group_concat(action || ':' || json_extract(details, '$.region'), ' ') FROM (SELECT * FROM audit_log WHERE action LIKE 'risk.%' ORDER BY id)")" \
    "risk.set:330100 risk.set:310000 risk.set:440305 risk.set:440305 risk.clear:440305"
eq "subject: the region's keyed hash" "$(sql "SELECT count(DISTINCT subject), min(length(subject)) FROM audit_log WHERE action LIKE 'risk.%'")" "3|64"

# A prefecture's designation covers its districts: a trip to 西湖区
# (330106) in high-risk 杭州市 (330100), and one to 黄浦区 (310101) in
# medium-risk 上海市 (310000).
U3=$(login 13800138003)
declare_as "$U3" "{\"name\":\"赵敏\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 32010219880808004)\",\"temperature\":36.6,\"symptoms\":[],\"travel\":[{\"region\":\"330106\",\"date\":\"2026-11-28\"}],\"contact\":false}"
eq "a trip to a district of a high-risk prefecture" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,yellow,travel_high_risk"
U4=$(login 13800138004)
declare_as "$U4" "{\"name\":\"钱多多\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 32010219880808012)\",\"temperature\":38.0,\"symptoms\":[],\"travel\":[{\"region\":\"330106\",\"date\":\"2026-11-27\"}],\"contact\":false}"
eq "with fever: red" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,red,fever_travel_high_risk,travel_high_risk,fever"
U5=$(login 13800138005)
declare_as "$U5" "{\"name\":\"孙悟空\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 32010219880808020)\",\"temperature\":36.6,\"symptoms\":[],\"travel\":[{\"region\":\"310101\",\"date\":\"2026-11-28\"}],\"contact\":false}"
eq "a trip to a district of a medium-risk province" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,yellow,travel_medium_risk"

# A change shows at once in the code of someone who declared before it
# (the colour cache compares the risk areas' generation).
U6=$(login 13800138006)
declare_as "$U6" "{\"name\":\"周芷若\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 32010219880808039)\",\"temperature\":36.6,\"symptoms\":[],\"travel\":[{\"region\":\"420102\",\"date\":\"2026-11-28\"}],\"contact\":false}"
eq "a trip to 江岸区, before any designation" "$STATUS,$(j .color)" "201,green"
req PUT /api/v1/admin/risk-areas/420100 '{"level":"high"}' -- "${A[@]}"
eq "武汉市 high risk" "$STATUS" 200
eq "the earlier traveller's code at once" "$(colour "$U6")" "yellow travel_high_risk"
req DELETE /api/v1/admin/risk-areas/420100 -- "${A[@]}"
eq "cleared" "$STATUS" 200
eq "and green again at once" "$(colour "$U6")" "green "

# --- the pages -------------------------------------------------------------
JAR="$T/jar-admin"
page_login 13900000001
page GET /admin/cases
eq "the cases page" "$STATUS" 200
check "with the admin navigation" grep -q 'id="nav-cases"' "$T/body"
check "the import form" grep -q 'id="cases-form"' "$T/body"
check "the file input" grep -q 'id="cases-file" name="file" type="file"' "$T/body"
check "the script" grep -q 'src="/static/admin-cases.js"' "$T/body"
check "the list" grep -q 'id="cases-list"' "$T/body"
eq "a page of entries" "$(grep -c 'class="case-row"' "$T/body")" 50
check "an older page" grep -q 'id="cases-next"' "$T/body"
page GET "/admin/cases?before=$(sed -n 's/.*href="\/admin\/cases?before=\([0-9]*\)" id="cases-next".*/\1/p' "$T/body")"
eq "the older page" "$STATUS,$(grep -c 'class="case-row"' "$T/body")" "200,50"
page GET /admin/cases?limit=0
eq "a bad page" "$STATUS" 400
page GET /admin/cases
E2=$(sql "SELECT id FROM case_entries WHERE id_hash = '$HP'")
page POST "/admin/cases/$E2/withdraw" "_csrf=nope"
eq "withdraw without the form's token" "$STATUS" 403
eq "still there" "$(sql "SELECT count(*) FROM case_entries WHERE id = $E2")" 1
page POST "/admin/cases/$E2/withdraw" "_csrf=$(tok)"
eq "withdraw on the page" "$STATUS,$(hdr Location)" "303,/admin/cases?withdrawn=$E2"
eq "withdrawn" "$(sql "SELECT count(*) FROM case_entries WHERE id = $E2")" 0
page GET "/admin/cases?withdrawn=$E2"
check "the page says so" grep -q 'id="cases-withdrawn"' "$T/body"
page POST "/admin/cases/$E2/withdraw" "_csrf=$(tok)"
eq "withdraw on the page again" "$STATUS" 404
eq "the pages' reads audited" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'cases.list'")" 7

page GET /admin/risk-areas
eq "the risk page" "$STATUS" 200
check "with the admin navigation" grep -q 'id="nav-risk"' "$T/body"
check "the list" grep -q 'id="risk-list"' "$T/body"
check "a designation" grep -q 'data-region="330100" data-level="high"' "$T/body"
check "every region to choose from" test "$(grep -c '<option value="[0-9]\{6\}"' "$T/body")" -gt 3000
check "a district labelled with its prefecture" grep -q '<option value="330106">330106 浙江省 杭州市 西湖区</option>' "$T/body"
page POST /admin/risk-areas "region=330106&level=medium&until=2026-12-10&_csrf=$(tok)"
eq "set on the page" "$STATUS,$(hdr Location)" "303,/admin/risk-areas?set=330106"
eq "stored" "$(sql "SELECT level || ':' || until FROM risk_areas WHERE region = '330106'")" "medium:2026-12-10"
page GET "/admin/risk-areas?set=330106"
check "the page says so" grep -q 'id="risk-saved"' "$T/body"
BEFORE=$(risk)
page POST /admin/risk-areas "region=330106&level=low&until=&_csrf=$(tok)"
eq "a bad level on the page" "$STATUS" 400
check "the form's error" grep -q 'id="form-error"' "$T/body"
check "the region kept" grep -q '<option value="330106" selected>' "$T/body"
page POST /admin/risk-areas "region=330106&level=high&until=2026-11-01&_csrf=$(tok)"
eq "a past date on the page" "$STATUS" 400
page POST /admin/risk-areas "region=123456&level=high&_csrf=$(tok)"
eq "an unknown region on the page" "$STATUS" 400
page POST /admin/risk-areas "region=330106&level=high"
eq "no form token" "$STATUS" 403
eq "nothing changed on the page" "$(risk)" "$BEFORE"
page POST /admin/risk-areas/330106/clear "_csrf=$(tok)"
eq "cleared on the page" "$STATUS,$(hdr Location)" "303,/admin/risk-areas?cleared=330106"
page POST /admin/risk-areas/330106/clear "_csrf=$(tok)"
eq "cleared again on the page" "$STATUS" 404

# --- the audit: one entry per import, withdrawal and change ---------------
eq "imports audited" "$(sql "SELECT count(*), sum(json_extract(details, '$.rows')) FROM audit_log WHERE action = 'cases.import'")" "8|102512"
eq "withdrawals audited" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'cases.withdraw'")" 2
eq "risk changes audited" "$(sql "SELECT count(*) FROM audit_log WHERE action LIKE 'risk.%'")" 9

# --- an expired designation is listed as such ------------------------------
set_now 2026-11-30T02:00:00Z
ADMIN=$(login 13900000001)
A=(-H "Authorization: Bearer $ADMIN")
req GET /api/v1/admin/risk-areas -- "${A[@]}"
eq "expired after its last day" "$(jc '[.areas[]|[.region,.expired]]')" '[["310000",true],["330100",false]]'
req PUT /api/v1/admin/risk-areas/330100 "{\"level\":\"high\",\"until\":\"$TODAY\"}" -- "${A[@]}"
eq "a day now past" "$STATUS,$(j .error.code)" "400,past_until"

finish
