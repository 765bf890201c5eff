#!/bin/bash
# End to end: statistics for decision makers.  Three days of
# declarations, check-ins and checks; the figures of today and of the
# 14-day trend match what was made (a day that is over is counted once
# and kept); people by the colour cached today; no personal data in the
# JSON, the CSV or the page; the overview page draws its charts (SVG,
# titled, with the numbers in tables); every route answers 401 signed
# out and 403 to users and checkers.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z	# 10:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
start_stack
JAR="$T/jar"

NAMES=(王小华 李四 张三丰 赵六 钱七)
declare_as() {	# declare_as TOKEN N: person N declares, healthy
	api "$1" POST /api/v1/declarations "{\"name\":\"${NAMES[$2]}\",\"id_type\":\"resident_id\",\"id_number\":\"$(idcheck 1101051980010100$2)\",\"temperature\":36.5,\"symptoms\":[],\"travel\":[],\"contact\":false}"
	[ "$STATUS" = 201 ] || fail "declare $2: $STATUS $(cat "$T/body")"
}
phone() { printf '1370000000%d' "$1"; }
signin_all() {
	for i in 0 1 2 3 4; do TOK[$i]=$(login "$(phone $i)"); done
	ADMIN=$(login 13900000001)
	CHK=$(login 13900000002)
	OWNER=$(login 13800000000)
}
checkin() { api "$1" POST /api/v1/checkins "{\"venue_token\":\"$2\"}"; }
scan() {	# scan TOKEN: the checker scans the person's code
	api "$1" GET /api/v1/code
	api "$CHK" POST /api/v1/verify "{\"token\":\"$(j .token)\"}"
	[ "$STATUS" = 200 ] || fail "scan: $STATUS"
}
stats() { api "$ADMIN" GET /api/v1/admin/stats; }

"$CTL" grant 13900000001 admin >/dev/null
"$CTL" grant 13900000002 checker >/dev/null
declare -a TOK
signin_all
api "$OWNER" POST /api/v1/venues '{"name":"湖滨银泰 in77","address":"东坡路 7 号","region":"330102"}'
T1=$(urltok "$(j .url)")
api "$OWNER" POST /api/v1/venues '{"name":"西湖文化广场","address":"中山北路 1 号","region":"330106"}'
T2=$(urltok "$(j .url)")

# --- who may -------------------------------------------------------------------
for who in anon user checker; do
	case $who in
	anon) H=() ;;
	user) H=(-H "Authorization: Bearer ${TOK[0]}") ;;
	checker) H=(-H "Authorization: Bearer $CHK") ;;
	esac
	want=401; [ $who = anon ] || want=403
	req GET /api/v1/admin/stats -- "${H[@]}"
	eq "$who: stats" "$STATUS" $want
	req GET /api/v1/admin/stats.csv -- "${H[@]}"
	eq "$who: stats.csv" "$STATUS" $want
	rm -f "$JAR"
	[ $who = user ] && jar_as "${TOK[0]}"
	[ $who = checker ] && jar_as "$CHK"
	page GET /admin
	if [ $who = anon ]; then
		eq "anon: overview to /login" "$STATUS $(hdr Location)" "302 /login"
	else
		eq "$who: overview" "$STATUS" 403
	fi
done
eq "refused requests stored no figures" "$(sql 'SELECT count(*) FROM stats_days')" 0

# --- 11-29: two declare, one check-in, one check -------------------------------
declare_as "${TOK[0]}" 0
declare_as "${TOK[1]}" 1
checkin "${TOK[0]}" "$T1"
scan "${TOK[0]}"
sleep 0.2	# check records are written up to 50 ms late

# --- 11-30: three declare, two check-ins; the authority looks ------------------
set_now 2026-11-30T02:00:00Z
signin_all
for i in 0 1 2; do declare_as "${TOK[$i]}" $i; done
checkin "${TOK[1]}" "$T1"
checkin "${TOK[2]}" "$T2"
stats
eq "stats on 11-30" "$STATUS" 200
eq "today is 11-30" "$(j .day)" 2026-11-30
eq "11-30 today" "$(j '[.today.declarations, .today.checkins, .today.verifications] | join(",")')" "3,2,0"
eq "11-30 people: the three who declared today green, one not evaluated" \
    "$(j '[.people.green, .people.yellow, .people.red, .people.not_evaluated, .people.total] | join(",")')" "3,0,0,0,3"
eq "11-29 counted once, now that it is over" \
    "$(sql "SELECT group_concat(metric || '=' || value, ',') FROM (SELECT * FROM stats_days WHERE day = '2026-11-29' ORDER BY metric)")" \
    "checkins=1,declarations=2,verifications=1"
eq "11-30's colours kept for the trend" \
    "$(sql "SELECT group_concat(metric || '=' || value, ',') FROM (SELECT * FROM stats_days WHERE day = '2026-11-30' ORDER BY metric)")" \
    "green=3,not_evaluated=0,red=0,yellow=0"

# --- 12-01 (today): four declare, three check-ins, two checks; one red, one yellow
set_now 2026-12-01T02:00:00Z
signin_all
for i in 0 1 2 3; do declare_as "${TOK[$i]}" $i; done
declare_as "${TOK[4]}" 4	# five people now
checkin "${TOK[0]}" "$T1"
checkin "${TOK[1]}" "$T1"
checkin "${TOK[3]}" "$T2"
scan "${TOK[0]}"
scan "${TOK[1]}"
sleep 0.2
hash() { sql "SELECT p.id_hash FROM persons p JOIN account_persons ap ON ap.person_id = p.id JOIN accounts a ON a.id = ap.account_id WHERE a.phone_mac = '$(phone_mac "$(phone "$1")")'"; }
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at, name_masked) VALUES ('$(hash 2)', 'confirmed', '2026-12-01', 0, '张*丰'), ('$(hash 3)', 'secondary_contact', '2026-12-01', 0, '赵*'), ('$(printf '%064d' 5)', 'close_contact', '2026-12-01', 0, '某*人')"
# 2 and 3 look at their codes: their colours are computed again.
api "${TOK[2]}" GET /api/v1/code
eq "2 is red" "$(j .color)" red
api "${TOK[3]}" GET /api/v1/code
eq "3 is yellow" "$(j .color)" yellow
# 0's colour as if last computed yesterday: not evaluated today.
sql "UPDATE persons SET color_until = $(epoch 2026-11-30T16:00:00Z) WHERE id_hash = '$(hash 0)'"

stats
eq "stats" "$STATUS" 200
cp "$T/body" "$T/stats.json"
eq "the day" "$(j .day)" 2026-12-01
eq "as of" "$(j .as_of)" 2026-12-01T10:00:00+08:00
eq "today: declarations, check-ins, checks" \
    "$(j '[.today.declarations, .today.checkins, .today.verifications] | join(",")')" "5,3,2"
eq "people by the colour cached today" \
    "$(j '[.people.green, .people.yellow, .people.red, .people.not_evaluated, .people.total] | join(",")')" "2,1,1,1,5"
eq "counted from the cache, and said so" "$(j .people_counted)" colour_cached_today
eq "listed by category" \
    "$(j '[.listed.confirmed, .listed.suspected, .listed.asymptomatic, .listed.close_contact, .listed.secondary_contact] | join(",")')" "1,0,0,1,1"
eq "check-ins by venue region, most first" \
    "$(j '[.regions.checkins[] | .region + " " + .name + " " + (.count|tostring)] | join(",")')" \
    "330102 上城区 2,330106 西湖区 1"
eq "checks by issuing region" \
    "$(j '[.regions.verifications[] | .region + " " + .name + " " + (.count|tostring)] | join(",")')" "330100 杭州市 2"
eq "declarations by home prefecture (the ID's first four digits; Beijing's 市辖区 named by Beijing)" \
    "$(j '[.regions.declarations[] | .region + " " + .name + " " + (.count|tostring)] | join(",")')" "110100 北京市 5"
eq "the trend: 14 days, oldest first" "$(j '.trend|length') $(j .trend[0].day) $(j .trend[13].day)" "14 2026-11-18 2026-12-01"
eq "trend 11-29" "$(j '.trend[11] | [.day, .declarations, .checkins, .verifications, .green] | map(tostring) | join(",")')" \
    "2026-11-29,2,1,1,null"
eq "trend 11-30 (its colours as seen that day)" \
    "$(j '.trend[12] | [.day, .declarations, .checkins, .verifications, .green, .not_evaluated] | map(tostring) | join(",")')" \
    "2026-11-30,3,2,0,3,0"
eq "trend today" "$(j '.trend[13] | [.declarations, .checkins, .verifications, .green, .yellow, .red, .not_evaluated] | map(tostring) | join(",")')" \
    "5,3,2,2,1,1,1"
eq "days without anything: zeros" "$(j '.trend[0] | [.declarations, .checkins, .verifications] | join(",")')" "0,0,0"

# --- no personal data -------------------------------------------------------------
api "$ADMIN" GET /api/v1/admin/stats.csv
eq "csv" "$STATUS" 200
cp "$T/body" "$T/stats.csv"
check "csv: text/csv" grep -qi '^Content-Type: text/csv; charset=utf-8' "$T/headers"
check "csv: a file name" grep -qi '^Content-Disposition: attachment; filename="stats-2026-12-01.csv"' "$T/headers"
jar_as "$ADMIN"
page GET /admin
eq "overview page" "$STATUS" 200
cp "$T/body" "$T/stats.html"
for f in stats.json stats.csv stats.html; do
	for i in 0 1 2 3 4; do
		check "$f: no phone $(phone $i)" sh -c "! grep -q '$(phone $i)' '$T/$f'"
		check "$f: no name ${NAMES[$i]}" sh -c "! grep -q '${NAMES[$i]}' '$T/$f'"
		check "$f: no identity number" sh -c "! grep -q '$(idcheck 1101051980010100$i)' '$T/$f'"
		check "$f: no id hash" sh -c "! grep -q '$(hash $i)' '$T/$f'"
		check "$f: no ref" sh -c "! grep -q '$(sql "SELECT ref FROM persons WHERE id_hash = '$(hash $i)'")' '$T/$f'"
	done
	check "$f: no masked name" sh -c "! grep -qE '张\\*丰|赵\\*|某\\*人' '$T/$f'"
	check "$f: no staff phone" sh -c "! grep -qE '1390000000[12]|13800000000' '$T/$f'"
done

# --- the CSV: one figure a row --------------------------------------------------
eq "csv header" "$(head -1 "$T/stats.csv" | tr -d '\r')" "metric,key,label,value"
csv() { tr -d '\r' < "$T/stats.csv" | grep -qx "$1"; }
check "csv: green" csv "people,green,,2"
check "csv: not evaluated" csv "people,not_evaluated,,1"
check "csv: listed confirmed" csv "listed,confirmed,,1"
check "csv: today's declarations" csv "today,declarations,,5"
check "csv: today's check-ins" csv "today,checkins,,3"
check "csv: today's checks" csv "today,verifications,,2"
check "csv: a region with its name" csv "checkins_by_region,330102,上城区,2"
check "csv: declarations by home prefecture" csv "declarations_by_home,110100,北京市,5"
check "csv: an issuer" csv "verifications_by_issuer,330100,杭州市,2"
check "csv: the trend" csv "trend_declarations,2026-11-29,,2"
check "csv: a colour never kept is empty" csv "trend_green,2026-11-29,,"
eq "csv: every row has four fields" "$(tr -d '\r' < "$T/stats.csv" | awk -F, 'NF != 4' | wc -l)" 0

# --- the page: charts drawn on the server ----------------------------------------
H="$T/stats.html"
check "admin navigation" grep -q 'id="nav-stats"' "$H"
check "colour chart: an svg with its title" grep -q '<svg xmlns="http://www.w3.org/2000/svg" id="chart-colour" class="chart" role="img"' "$H"
check "colour chart titled" grep -q '<title id="chart-colour-title">各码色人数</title>' "$H"
svg() { sed -n "s/.*\\(<svg[^>]*id=\"$1\".*\\)/\\1/p" "$H" | sed 's|</svg>.*|</svg>|'; }
eq "colour chart: four bars" "$(svg chart-colour | grep -o '<rect class="bar"' | wc -l)" 4
check "colour chart: green's number and label" grep -q 'class="value">2</text><text [^>]*class="label">绿码</text>' "$H"
check "colour chart: red's bar titled with its number" grep -q '<title>红码: 1</title>' "$H"
eq "trend chart: three lines" "$(svg chart-trend | grep -o '<polyline' | wc -l)" 3
eq "trend chart: 14 points each" "$(svg chart-trend | grep -o '<circle' | wc -l)" 42
check "trend chart: today's declarations" grep -q '<title>健康申报 12-01: 5</title>' "$H"
eq "regions chart: two bars" "$(svg chart-regions | grep -o '<rect class="bar"' | wc -l)" 2
check "regions chart: labelled" grep -q 'class="label">上城区 (330102)</text>' "$H"
check "issuers chart" grep -q 'id="chart-issuers"' "$H"
check "home prefectures chart: Beijing" grep -q 'class="label">北京市 (110100)</text>' "$H"
check "the numbers in a table too" grep -q '<tr><th scope="row">未评估</th><td>1</td></tr>' "$H"
check "the trend in a table" grep -q '<tr><th scope="row">2026-11-29</th><td>2</td><td>1</td><td>1</td><td>–</td>' "$H"
check "no style attributes (CSP)" sh -c "! grep -q ' style=' '$H'"
check "no script" sh -c "! grep -qi '<script' '$H'"
check "the CSV linked" grep -q 'id="stats-csv"' "$H"
# Every <svg> parses as XML.
for id in chart-colour chart-trend chart-regions chart-issuers chart-homes; do
	svg $id > "$T/$id.svg"
	check "$id renders" rsvg-convert -o "$T/$id.png" "$T/$id.svg"
done

# A day over is not counted again: its rows may go (the purge), its figures stay.
sql "DELETE FROM declarations WHERE day = '2026-11-29'"
stats
eq "11-29 as counted" "$(j .trend[11].declarations)" 2

finish
