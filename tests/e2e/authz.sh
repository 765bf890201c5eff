#!/bin/bash
# The authorization matrix of every route outside the console (the
# console's is admin_roles.sh), read from the route table itself:
# anonymous, a user who owns the objects named in the URL, another user,
# a checker and an admin, each on each route.  Signed out: 401 (API) or
# a redirect to sign-in (pages) wherever a session is needed; without the
# role: 403; someone else's object: 404, exactly like one that does not
# exist; every refused call changes nothing.  A route with a parameter
# must have a line in OBJECTS below, so a new one cannot be forgotten.
# (Guardians come with family accounts, which the service has not yet.)
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T01:00:00Z
export HC_OTP_IP_HOURLY=1000 HC_OTP_RESEND_INTERVAL=0
start_stack

ROUTES=$(sed -n 's/^[[:space:]]*\(GET\|POST\|PUT\|DELETE\)("\([^"]*\)", *[a-z_]*, *\(NEED_[A-Z]*\), *\([^)]*\)).*/\1 \2 \3 \4/p' "$TOP/handlers/routes.c" |
    grep -v ' /admin\| /api/v1/admin/')
check "the route table was read" test "$(printf '%s\n' "$ROUTES" | wc -l)" -gt 40

OWNER=$(login 13900000001)
OTHER=$(login 13900000002)
CHECKER=$(login 13900000003)
"$CTL" grant 13900000003 checker >/dev/null
ADMIN=$(login 13900000004)
"$CTL" grant 13900000004 admin >/dev/null
api "$OWNER" POST /api/v1/declarations '{"name":"王小华","id_type":"resident_id","id_number":"11010519491231002X","temperature":36.5,"symptoms":[],"travel":[],"contact":false}'
api "$OWNER" POST /api/v1/venues '{"name":"东门","address":"路 1 号","region":"330102"}'
VID=$(j .id)
VTOK=$(urltok "$(j .url)")
api "$OWNER" GET /api/v1/code
CTOK=$(j .token)
check "the objects exist" test -n "$VID" -a -n "$VTOK" -a -n "$CTOK"

# What each parameter is, and whose: "owner" objects answer 404 to anyone
# but their owner; "public" ones are for anyone to reach.
declare -A OBJECTS=(
	["/v/{token}"]="public $CTOK"
	["/c/{token}"]="public $VTOK"
	["/api/v1/venues/{id}"]="owner $VID"
	["/api/v1/venues/{id}/rotate"]="owner $VID"
	["/api/v1/venues/{id}/qr.svg"]="owner $VID"
	["/api/v1/venues/{id}/qr.png"]="owner $VID"
	["/venues/{id}/poster"]="owner $VID"
	["/venues/{id}/rotate"]="owner $VID"
)
# Routes whose allowed call ends the session or the account: tried with
# an account of their own.
DESTRUCTIVE=" POST:/api/v1/auth/logout POST:/logout DELETE:/api/v1/me "
# Routes that answer 404 to everyone here: WeChat sign-in is not
# configured in this test (wechat.sh tests it).
UNCONFIGURED=" POST:/api/v1/auth/wechat "
spare=0

token_of() {
	case $1 in
	owner) echo "$OWNER" ;; other) echo "$OTHER" ;;
	checker) echo "$CHECKER" ;; admin) echo "$ADMIN" ;;
	esac
}

# call WHO METHOD PATH FLAGS [TOKEN]: sets STATUS (and $T/body).  A
# page's form is sent as that browser would, with the token its pages
# give it.
call() {
	local who=$1 m=$2 p=$3 flags=$4 tok=${5:-} auth=()
	[ -n "$tok" ] || tok=$(token_of "$who")
	[ -n "$tok" ] && auth=(-H "Cookie: hc_session=$tok")
	if [ "$m" = GET ]; then
		req GET "$p" -- "${auth[@]}"
	elif [[ $flags == *R_PAGE* ]]; then
		JAR="$T/jar.authz"
		rm -f "$JAR"
		[ -n "$tok" ] && jar_as "$tok"
		page "$m" "$p" "_csrf=$(jar_csrf)"
	else
		req "$m" "$p" '{}' -- "${auth[@]}"
	fi
}

state() {
	sql "SELECT (SELECT count(*) FROM venues) || '/' || (SELECT group_concat(token) FROM venues) || '/' || (SELECT count(*) FROM checkins) || '/' || (SELECT count(*) FROM declarations) || '/' || (SELECT count(*) FROM accounts) || '/' || (SELECT count(*) FROM appeals) || '/' || (SELECT count(*) FROM disputes)"
	db_snapshot
	sleep 0.1
	sql "SELECT count(*) FROM verifications"
}

# --- every refused call -------------------------------------------------------
before=$(state)
n=0
while read -r m p need flags; do
	n=$((n + 1))
	kind=""
	path=$p
	if [[ $p == *"{"* ]]; then
		if [ -z "${OBJECTS[$p]:-}" ]; then
			fail "$m $p takes a parameter and has no line in OBJECTS"
			continue
		fi
		set -- ${OBJECTS[$p]}
		kind=$1
		path=$(printf '%s' "$p" | sed "s/{[a-z_]*}/$2/")
	fi
	if [ "$need" != NEED_NONE ]; then
		call anon "$m" "$path" "$flags"
		if [[ $flags == *R_PAGE* ]]; then
			eq "$m $p signed out: to sign-in" "$STATUS $(hdr Location | sed 's/?.*//')" "302 /login"
		else
			eq "$m $p signed out" "$STATUS $(j .error.code)" "401 unauthenticated"
		fi
	fi
	if [ "$need" = NEED_CHECKER ]; then
		for who in owner other admin; do
			call $who "$m" "$path" "$flags"
			eq "$m $p as $who (no checker role)" "$STATUS" 403
		done
	fi
	if [ "$kind" = owner ]; then
		for who in other checker admin; do
			call $who "$m" "$(printf '%s' "$p" | sed 's/{[a-z_]*}/999999/')" "$flags"
			eq "$m $p as $who: one that does not exist" "$STATUS" 404
			cp "$T/body" "$T/none"
			call $who "$m" "$path" "$flags"
			eq "$m $p as $who: someone else's" "$STATUS" 404
			check "$m $p as $who: answered exactly like one that does not exist" cmp -s "$T/body" "$T/none"
		done
	fi
done <<< "$ROUTES"
check "routes tried ($n)" test "$n" -gt 40
eq "no refused call changed anything" "$(state)" "$before"

# --- and the allowed ones are let through -----------------------------------
while read -r m p need flags; do
	path=$p
	if [[ $p == *"{"* ]]; then
		set -- ${OBJECTS[$p]:-x x}
		path=$(printf '%s' "$p" | sed "s/{[a-z_]*}/$2/")
	fi
	case $need in
	NEED_NONE) whos="anon owner"
		# The sign-in form is a signed-out browser's (its token too).
		[[ $m != GET && $flags == *R_PAGE* ]] && whos=anon ;;
	NEED_USER) whos="owner" ;;
	NEED_CHECKER) whos="checker" ;;
	*) continue ;;
	esac
	[[ $UNCONFIGURED == *" $m:$p "* ]] && continue
	for who in $whos; do
		tok=""
		if [[ $DESTRUCTIVE == *" $m:$p "* ]]; then
			[ "$who" = anon ] && continue
			spare=$((spare + 1))
			tok=$(login "1390000010$spare")
			[ -n "$tok" ] || { fail "a spare account for $m $p"; continue; }
		fi
		call "$who" "$m" "$path" "$flags" "$tok"
		check "$m $p as $who: let through ($STATUS)" test "$STATUS" != 401 -a "$STATUS" != 403 -a "$STATUS" != 404 -a "$STATUS" != 405 -a "$STATUS" -lt 500
	done
	# A rotation replaced the venue's code: the check-in routes follow it.
	if [[ $p == */rotate ]]; then
		VTOK=$(sql "SELECT token FROM venues WHERE id = $VID")
		OBJECTS["/c/{token}"]="public $VTOK"
	fi
done <<< "$ROUTES"

finish
