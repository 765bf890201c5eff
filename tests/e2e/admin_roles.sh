#!/bin/bash
# Every console route, read from the route table itself (so a route
# added later is covered without a line here): signed out -> 401 (the
# API) or a redirect to /login (pages); a signed-in citizen and a
# checker -> 403; and none of those calls changes anything.  Every
# route under /admin or /api/v1/admin must need the admin role.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T01:00:00Z
export HC_OTP_IP_HOURLY=1000
start_stack

ROUTES=$(sed -n 's/^[[:space:]]*\(GET\|POST\|PUT\|DELETE\)("\([^"]*\)", *[a-z_]*, *\(NEED_[A-Z]*\), *\([^)]*\)).*/\1 \2 \3 \4/p' "$TOP/handlers/routes.c")
check "the route table was read" test "$(printf '%s\n' "$ROUTES" | wc -l)" -gt 30
printf '%s\n' "$ROUTES" | while read -r m p need flags; do
	case $p in /admin|/admin/*|/api/v1/admin/*)
		[ "$need" = NEED_ADMIN ] || echo "FAIL [admin_roles]: $m $p needs $need, not NEED_ADMIN" ;;
	esac
done > "$T/needs"
check "every console route needs admin ($(cat "$T/needs"))" test ! -s "$T/needs"

USER_TOK=$(login 13900000001)
CHECKER_TOK=$(login 13900000002)
"$CTL" grant 13900000002 checker >/dev/null
ADMIN_TOK=$(login 13900000003)
"$CTL" grant 13900000003 admin >/dev/null

state() {
	sql "SELECT (SELECT count(*) FROM audit_log) || '/' || (SELECT count(*) FROM case_entries) || '/' || (SELECT count(*) FROM risk_areas) || '/' || (SELECT count(*) FROM account_roles) || '/' || (SELECT group_concat(color_gen) FROM persons) || '/' || (SELECT count(*) FROM sqlite_master)"
	db_snapshot
}
before=$(state)

# call WHO METHOD PATH FLAGS: sets STATUS.
call() {
	who=$1; m=$2; p=$3; flags=$4
	auth=()
	case $who in
	user) auth=(-H "Cookie: hc_session=$USER_TOK") ;;
	checker) auth=(-H "Cookie: hc_session=$CHECKER_TOK") ;;
	admin) auth=(-H "Cookie: hc_session=$ADMIN_TOK") ;;
	esac
	p=$(printf '%s' "$p" | sed -e 's/{region}/420100/; s/{phone}/13900000001/; s/{[a-z_]*}/1/g')
	if [ "$m" = GET ]; then
		req GET "$p" -- "${auth[@]}"
	elif [[ $flags == *R_PAGE* ]]; then
		req "$m" "$p" "_csrf=x" application/x-www-form-urlencoded -- "${auth[@]}"
	elif [[ $flags == *R_CSV* ]]; then
		req "$m" "$p" $'id_type,id_number,name,category,listed_on\n' text/csv -- "${auth[@]}"
	else
		req "$m" "$p" '{}' -- "${auth[@]}"
	fi
}

n=0
while read -r m p need flags; do
	[ "$need" = NEED_ADMIN ] || continue
	n=$((n + 1))
	call anon "$m" "$p" "$flags"
	if [[ $flags == *R_PAGE* ]]; then
		eq "$m $p signed out: to sign-in" "$STATUS $(hdr Location | sed 's/?.*//')" "302 /login"
	else
		eq "$m $p signed out" "$STATUS $(j .error.code)" "401 unauthenticated"
	fi
	for who in user checker; do
		call $who "$m" "$p" "$flags"
		if [[ $flags == *R_PAGE* ]]; then
			eq "$m $p as $who" "$STATUS" 403
			check "$m $p as $who: the error page" grep -q '<html' "$T/body"
		else
			eq "$m $p as $who" "$STATUS $(j .error.code)" "403 forbidden"
		fi
	done
done <<< "$ROUTES"
check "console routes were tried ($n)" test "$n" -ge 3
eq "no refused call changed anything" "$(state)" "$before"

# The admin is let through (a read may add its audit entry).
while read -r m p need flags; do
	[ "$need" = NEED_ADMIN ] && [ "$m" = GET ] || continue
	call admin "$m" "$p" "$flags"
	check "GET $p as admin: not refused ($STATUS)" test "$STATUS" != 401 -a "$STATUS" != 403 -a "$STATUS" != 405
done <<< "$ROUTES"

finish
