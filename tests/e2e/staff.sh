#!/bin/bash
# End to end: checkers from the console.  An admin grants the checker
# role by phone (the account made if it never signed in) and revokes
# it; the role holds from the next request (a scan works at once, and
# is refused at once after); admin cannot be given from the console;
# each change is an audit entry, from the console and from the CLI
# (actor "cli"); a checker's lookup by identity number is one too,
# without the number; every route answers 401 signed out, 403 to users
# and checkers; the page lists, grants and revokes with CSRF.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-12-01T02:00:00Z	# 10:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
export HC_LOOKUP_HOURLY=3
start_stack
JAR="$T/jar"
KEY="$HC_DATA_DIR/session.key"

roles_of() { sql "SELECT coalesce(group_concat(r.role), '-') FROM account_roles r JOIN accounts a ON a.id = r.account_id WHERE a.phone = '$1'"; }
subject() { hmac_hex "$KEY" "audit-phone:$1"; }
audit() {	# audit ACTION: "actor subject details" of each entry, oldest first
	sql "SELECT actor || ' ' || subject || ' ' || details FROM audit_log WHERE action = '$1' ORDER BY id"
}

"$CTL" grant 13900000001 admin >/dev/null
"$CTL" grant 13900000002 checker >/dev/null
ADMIN=$(login 13900000001)
OLDCHK=$(login 13900000002)
USR=$(login 13700000001)
ADMIN_ID=$(sql "SELECT id FROM accounts WHERE phone = '13900000001'")
P=13600000001	# to be made a checker

# Someone with a code to scan, and an identity to look up.
ID1=$(idcheck 11010519800101001)
api "$USR" POST /api/v1/declarations "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"temperature\":36.5,\"symptoms\":[],\"travel\":[],\"contact\":false}"
eq "a user declares" "$STATUS" 201
api "$USR" GET /api/v1/code
CODE=$(j .token)

# --- the CLI's grants are audited, with the actor "cli" ---------------------
eq "CLI grants audited" "$(audit role.grant)" \
    "cli $(subject 13900000001) {\"role\":\"admin\"}
cli $(subject 13900000002) {\"role\":\"checker\"}"
"$CTL" grant 13900000002 checker > "$T/out"
eq "a grant held already: said so" "$(cat "$T/out")" "139****0002 already has the role checker"
eq "... and not audited" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'role.grant'")" 2
"$CTL" grant 13600000009 checker >/dev/null
"$CTL" revoke 13600000009 checker > "$T/out"
eq "CLI revoke" "$(cat "$T/out")" "revoked checker from 136****0009"
eq "CLI revoke audited" "$(audit role.revoke)" "cli $(subject 13600000009) {\"role\":\"checker\"}"
"$CTL" revoke 13600000009 checker > "$T/out"
eq "revoking what is not held: said so" "$(cat "$T/out")" "136****0009 does not have the role checker"
"$CTL" revoke 13600000008 admin > "$T/out"
eq "... also without an account" "$(cat "$T/out")" "136****0008 does not have the role admin"
eq "... neither audited" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'role.revoke'")" 1
check "CLI: a bad phone refused" sh -c "! '$CTL' grant 1234 checker 2>/dev/null"
check "no phone number in the audit log" sh -c "! sqlite3 '$HC_DATA_DIR/healthcode.db' 'SELECT * FROM audit_log' | grep -qE '(^|[^0-9a-f])1[3-9][0-9]{9}([^0-9a-f]|$)'"

# --- who may: every route, signed out, a user, a checker --------------------
N0=$(sql 'SELECT count(*) FROM audit_log')
for who in anon user checker; do
	case $who in
	anon) H=() ;;
	user) H=(-H "Authorization: Bearer $USR") ;;
	checker) H=(-H "Authorization: Bearer $OLDCHK") ;;
	esac
	want=401; [ $who = anon ] || want=403
	req GET /api/v1/admin/checkers -- "${H[@]}"
	eq "$who: list" "$STATUS" $want
	req PUT /api/v1/admin/checkers/$P -- "${H[@]}"
	eq "$who: grant" "$STATUS" $want
	req DELETE /api/v1/admin/checkers/13900000002 -- "${H[@]}"
	eq "$who: revoke" "$STATUS" $want
	rm -f "$JAR"
	[ $who = user ] && jar_as "$USR"
	[ $who = checker ] && jar_as "$OLDCHK"
	page GET /admin/checkers
	CS=$(jar_csrf)
	if [ $who = anon ]; then
		eq "anon: page to /login" "$STATUS $(hdr Location)" "302 /login"
	else
		eq "$who: page" "$STATUS" 403
	fi
	page POST /admin/checkers "_csrf=${CS:-x}&phone=$P"
	[ $who = anon ] && eq "anon: grant form to /login" "$STATUS $(hdr Location)" "302 /login"
	[ $who = anon ] || eq "$who: grant form" "$STATUS" 403
	page POST /admin/checkers/13900000002/revoke "_csrf=${CS:-x}"
	[ $who = anon ] && eq "anon: revoke form to /login" "$STATUS $(hdr Location)" "302 /login"
	[ $who = anon ] || eq "$who: revoke form" "$STATUS" 403
done
eq "refused: nobody granted" "$(roles_of $P)" -
eq "refused: nobody revoked" "$(roles_of 13900000002)" checker
eq "refused: nothing audited" "$(sql 'SELECT count(*) FROM audit_log')" "$N0"

# --- grant from the console: it holds at once --------------------------------
NEWCHK=$(login $P)	# signed in before the grant
scan() { api "$1" POST /api/v1/verify "{\"token\":\"$CODE\"}"; }
scan "$NEWCHK"
eq "not a checker yet: 403" "$STATUS" 403
api "$ADMIN" PUT /api/v1/admin/checkers/$P
eq "grant" "$STATUS" 201
eq "granted: phone, masked, since" "$(j .phone) $(j .phone_masked) $(j .granted_at)" "$P 136****0001 2026-12-01T10:00:00+08:00"
scan "$NEWCHK"
eq "the same session verifies at once" "$STATUS $(j .valid) $(j .color)" "200 true green"
eq "audited: the admin, the phone's keyed hash, the role" "$(audit role.grant | tail -1)" \
    "account:$ADMIN_ID $(subject $P) {\"role\":\"checker\"}"
api "$ADMIN" PUT /api/v1/admin/checkers/$P
eq "granted again: 200, nothing changed" "$STATUS $(j .granted_at)" "200 2026-12-01T10:00:00+08:00"
eq "... not audited again" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'role.grant'")" 4
api "$ADMIN" PUT /api/v1/admin/checkers/13600000002
eq "a phone that never signed in" "$STATUS" 201
eq "its account made" "$(sql "SELECT count(*) FROM accounts WHERE phone = '13600000002'") $(roles_of 13600000002)" "1 checker"
api "$ADMIN" GET /api/v1/admin/checkers
eq "the list, newest grant first" "$(j '[.checkers[] | .phone + "=" + .phone_masked] | join(",")')" \
    "13600000001=136****0001,13600000002=136****0002,13900000002=139****0002"

# --- bad phones, and no way to give admin --------------------------------------
before=$(sql 'SELECT count(*) FROM account_roles'; sql 'SELECT count(*) FROM accounts'; sql 'SELECT count(*) FROM audit_log')
for bad in 1234 1380013800a 23800138000 138001380001 "%20"; do
	api "$ADMIN" PUT "/api/v1/admin/checkers/$bad"
	eq "grant '$bad': 400" "$STATUS $(j .error.code)" "400 invalid_phone"
	api "$ADMIN" DELETE "/api/v1/admin/checkers/$bad"
	eq "revoke '$bad': 400" "$STATUS $(j .error.code)" "400 invalid_phone"
done
for path in /api/v1/admin/admins/$P /api/v1/admin/roles/admin/$P /api/v1/admin/checkers/$P/admin; do
	api "$ADMIN" PUT "$path"
	eq "no route gives admin: $path" "$STATUS" 404
done
api "$ADMIN" PUT /api/v1/admin/checkers/$P '{"role":"admin"}'
eq "a body asking for admin: checker only" "$STATUS $(roles_of $P)" "200 checker"
after=$(sql 'SELECT count(*) FROM account_roles'; sql 'SELECT count(*) FROM accounts'; sql 'SELECT count(*) FROM audit_log')
eq "bad grants changed nothing" "$after" "$before"

# --- a checker's lookup by identity number is audited --------------------------
look() { api "$NEWCHK" POST /api/v1/verify/lookup "$1"; }
PID=$(sql "SELECT id_hash FROM persons WHERE name = '王小华'")
look "{\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"name\":\"王小华\"}"
eq "lookup" "$STATUS $(j .valid)" "200 true"
eq "audited: the checker, the person's id hash, found" "$(audit verify.lookup)" \
    "account:$(sql "SELECT id FROM accounts WHERE phone = '$P'") $PID {\"found\":true}"
look "{\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"name\":\"王小明\"}"
eq "the wrong name: not found" "$(audit verify.lookup | tail -1 | cut -d' ' -f2-)" "$PID {\"found\":false}"
ID2=$(idcheck 11010519900101002)
look "{\"id_type\":\"resident_id\",\"id_number\":\"$ID2\",\"name\":\"某人\"}"
eq "nobody: the number's keyed hash, not found" "$(audit verify.lookup | tail -1 | cut -d' ' -f2-)" \
    "$(hmac_hex "$HC_DATA_DIR/id-hmac.key" "id:resident_id:$ID2") {\"found\":false}"
look "{\"id_type\":\"resident_id\",\"id_number\":\"$ID1\",\"name\":\"王小华\"}"
eq "over the hourly limit: 429" "$STATUS" 429
look "{\"id_type\":\"resident_id\",\"id_number\":\"123\",\"name\":\"王小华\"}"
eq "a bad number: 400" "$STATUS" 400
eq "refused lookups are not audited" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'verify.lookup'")" 3
check "no identity number in the audit log" sh -c "! sqlite3 '$HC_DATA_DIR/healthcode.db' 'SELECT * FROM audit_log' | grep -qE '$ID1|$ID2'"

# --- revoke: refused at once ---------------------------------------------------
api "$ADMIN" DELETE /api/v1/admin/checkers/$P
eq "revoke" "$STATUS $(cat "$T/body")" '200 {"revoked":true}'
scan "$NEWCHK"
eq "the same session is refused at once" "$STATUS $(j .error.code)" "403 forbidden"
eq "audited" "$(audit role.revoke | tail -1)" "account:$ADMIN_ID $(subject $P) {\"role\":\"checker\"}"
api "$ADMIN" DELETE /api/v1/admin/checkers/$P
eq "revoked again: 404" "$STATUS $(j .error.code)" "404 not_checker"
api "$ADMIN" DELETE /api/v1/admin/checkers/13600000077
eq "a phone without an account: 404" "$STATUS $(j .error.code)" "404 not_checker"
api "$ADMIN" DELETE /api/v1/admin/checkers/13900000001
eq "an admin who is no checker: 404" "$STATUS $(j .error.code)" "404 not_checker"
eq "the admin stays admin" "$(roles_of 13900000001)" admin
eq "one revocation audited" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'role.revoke'")" 2

# --- the page ----------------------------------------------------------------
jar_as "$ADMIN"
page GET /admin/checkers
eq "checkers page" "$STATUS" 200
check "admin navigation" grep -q 'id="nav-checkers"' "$T/body"
check "the grant form" grep -q 'id="grant-phone" name="phone"' "$T/body"
check "a checker listed with its revoke button" grep -q 'id="revoke-13600000002"' "$T/body"
check "the revoked one not listed" sh -c "! grep -q 'revoke-$P' '$T/body'"
CS=$(csrf)
page POST /admin/checkers "phone=$P"
eq "grant without CSRF" "$STATUS $(roles_of $P)" "403 -"
page POST /admin/checkers "_csrf=$CS&phone=1234"
eq "a bad phone" "$STATUS" 400
check "the error at the field" grep -q 'id="grant-phone" name="phone" type="tel" inputmode="numeric" maxlength="11" autocomplete="off" value="1234" aria-invalid="true"' "$T/body"
page POST /admin/checkers "_csrf=$CS&phone=$P&role=admin"
eq "grant from the page" "$STATUS $(hdr Location)" "303 /admin/checkers?done=granted"
eq "checker only" "$(roles_of $P)" checker
scan "$NEWCHK"
eq "verifies at once" "$STATUS" 200
page POST /admin/checkers "_csrf=$CS&phone=$P"
eq "granted again" "$STATUS $(hdr Location)" "303 /admin/checkers?done=held"
page GET "/admin/checkers?done=held"
check "said so" grep -q 'id="checkers-notice"' "$T/body"
page POST /admin/checkers/$P/revoke ""
eq "revoke without CSRF" "$STATUS $(roles_of $P)" "403 checker"
page POST /admin/checkers/$P/revoke "_csrf=$CS"
eq "revoke from the page" "$STATUS $(hdr Location)" "303 /admin/checkers?done=revoked"
scan "$NEWCHK"
eq "refused at once" "$STATUS" 403
page POST /admin/checkers/$P/revoke "_csrf=$CS"
eq "revoke a non-checker" "$STATUS" 404
eq "every change by the admin audited" "$(sql "SELECT count(*) FROM audit_log WHERE action LIKE 'role.%' AND actor = 'account:$ADMIN_ID'")" 5

finish
