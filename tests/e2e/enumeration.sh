#!/bin/bash
# No route tells what exists from what does not (issue 14, "no user
# enumeration"): for each, the answers for an existing and a
# non-existing thing are byte for byte the same (status and body) where
# they must be, and where an answer must differ (the identity dispute
# flow needs "in use"), a limit stops a loop of tries with the status and
# the database unchanged.  Declarations and disputes (an ID number is
# another account's only to one who also gives its name, a few tries a
# day: identity_daily), one-time codes and sign-in (a phone with an
# account or none), WeChat sign-in, the checker's lookup by ID number,
# venues by id and by check-in code.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z
export HC_OTP_IP_HOURLY=1000
export HC_OTP_RESEND_INTERVAL=0
export HC_IDENTITY_DAILY=5		# the default, named
export HC_OTP_FAIL_DAILY=3
export HC_LOOKUP_HOURLY=3
APPID=wx0123456789abcdef
SECRET=S3cr3tAppSecretEnum0123456789ab
start_wechat "$APPID" "$SECRET" sk-enum-
start_stack

CLEAN='"temperature":36.5,"symptoms":[],"travel":[],"contact":false'
me() { printf '"name":"%s","id_type":"resident_id","id_number":"%s"' "$1" "$(idcheck "$2")"; }
dcl() { api "$1" POST /api/v1/declarations "{$2,$CLEAN}"; }
# answer: the last answer, status and body byte for byte.
answer() { printf '%s %s' "$STATUS" "$(cat "$T/body")"; }
# What an identity try could change.
state() {
	sql "SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM
	    account_persons), (SELECT count(*) FROM declarations), (SELECT
	    count(*) FROM disputes), (SELECT count(*) FROM rate_hits),
	    (SELECT count(*) FROM audit_log)" | tr '\n' ' '
}
N=(- 王一华 王二华 王三华 王四华 王五华 王六华 王七华 王八华)	# other names
ID_A=11010519491231002	# 王小华, bound by A
ID_N=11010519750505005	# nobody's
A=$(login 13800000001); B=$(login 13800000002); C=$(login 13800000003)
D=$(login 13800000004); E=$(login 13800000005)
dcl "$A" "$(me 王小华 $ID_A)"
eq "A binds its identity" "$STATUS" 201
dcl "$C" "$(me 陈七 11010519800101001)"
eq "C binds its own" "$STATUS" 201

# --- declarations ------------------------------------------------------------
# An account with an identity: any other ID number is a mismatch, whether
# it is registered or not.
dcl "$C" "$(me 王小华 $ID_A)"
reg=$(answer)
dcl "$C" "$(me 王小华 $ID_N)"
eq "bound account: a registered number and a free one, the same answer" "$(answer)" "$reg"
eq "a mismatch" "$STATUS,$(j .error.code)" "409,identity_mismatch"
# An account with none: a registered number under another name reads as
# that mismatch too; only the name on record with it says "in use".
before=$(state)
dcl "$B" "$(me 王大华 $ID_A)"
eq "another name with A's number: the mismatch everyone gets" "$(answer)" "$reg"
dcl "$B" "$(me 王小华 $ID_A)"
eq "the name on record with it: in use (the person may dispute)" \
    "$STATUS,$(j .error.code)" "409,identity_in_use"
eq "refused tries: nothing bound or declared" "$(state | cut -d'|' -f1-4)" \
    "$(echo "$before" | cut -d'|' -f1-4)"
eq "two tries counted" "$(state | cut -d'|' -f5)" $(($(echo "$before" | cut -d'|' -f5) + 2))
# The loop: five refused tries a day, then 429 whatever the number.
for n in 3 4 5; do
	dcl "$B" "$(me "${N[$n]}" $ID_A)"
	eq "try $n: refused" "$STATUS,$(j .error.code)" "409,identity_mismatch"
done
before=$(state)
for n in 6 7 8; do
	dcl "$B" "$(me "${N[$n]}" $ID_A)"
	eq "try $n: 429" "$STATUS,$(j .error.code)" "429,identity_tries"
done
lim=$(answer)
check "with a Retry-After" test "$(hdr Retry-After)" -gt 0
dcl "$B" "$(me 李四 $ID_N)"
eq "past the limit, a free number: the same 429" "$(answer)" "$lim"
eq "past the limit: the database unchanged" "$(state)" "$before"
JAR="$T/jar"
jar_as "$B"
page POST /declare "name=%E7%8E%8B%E5%B0%8F%E5%8D%8E&id_type=resident_id&id_number=$(idcheck $ID_A)&temperature=36.5&_csrf=$(jar_csrf)"
eq "the form past the limit: 429" "$STATUS" 429
check "saying why" grep -q '本账号今日核对身份的次数过多' "$T/body"
api "$B" GET /api/v1/declarations/form
eq "B still has no identity" "$(j .identity)" null
eq "A's identity untouched" "$(sql "SELECT count(*) FROM account_persons")" 2
# An account that has its identity is not limited: it looks nobody up.
for n in 1 2 3 4 5 6; do dcl "$C" "$(me 王小华 $ID_N)"; done
eq "a bound account's mismatches are not tries" "$STATUS,$(j .error.code)" "409,identity_mismatch"
dcl "$C" "$(me 陈七 11010519800101001)"
eq "and it declares as ever" "$STATUS" 201

# --- disputes ------------------------------------------------------------------
api "$D" POST /api/v1/disputes "{$(me 王大华 $ID_A),\"reason\":\"x\"}"
nd=$(answer)
eq "a dispute with another name: not disputed" "$STATUS,$(j .error.code)" "409,not_disputed"
api "$D" POST /api/v1/disputes "{$(me 王大华 $ID_N),\"reason\":\"x\"}"
eq "a dispute over a free number: the same answer" "$(answer)" "$nd"
api "$D" POST /api/v1/disputes "{$(me 王小华 $ID_A),\"reason\":\"是我的\"}"
eq "the name on record: filed" "$STATUS" 201
for n in 4 5; do
	api "$D" POST /api/v1/disputes "{$(me "${N[$n]}" $ID_A),\"reason\":\"x\"}"
	eq "dispute try $n: refused" "$STATUS,$(j .error.code)" "409,not_disputed"
done
before=$(state)
api "$D" POST /api/v1/disputes "{$(me 王小华 $ID_A),\"reason\":\"x\"}"
eq "dispute try 6: 429" "$STATUS,$(j .error.code)" "429,identity_tries"
lim=$(answer)
api "$D" POST /api/v1/disputes "{$(me 李四 $ID_N),\"reason\":\"x\"}"
eq "past the limit, a free number: the same 429" "$(answer)" "$lim"
dcl "$D" "$(me 李四 $ID_N)"
eq "and the declaration shares the limit" "$STATUS,$(j .error.code)" "429,identity_tries"
eq "past the limit: the database unchanged" "$(state)" "$before"
eq "one dispute, D's" "$(sql "SELECT count(*) FROM disputes")" 1

# The next day the tries are back (a sliding day); the rest is on it.
export HC_NOW=2026-11-30T02:30:00Z
restart_workers
A=$(login 13800000001); B=$(login 13800000002); C=$(login 13800000003)
D=$(login 13800000004)
dcl "$B" "$(me 王小华 $ID_A)"
eq "a day later: B's try answered again" "$STATUS,$(j .error.code)" "409,identity_in_use"
dcl "$D" "$(me 李四 $ID_N)"
eq "a day later: D binds a free number" "$STATUS" 201
ID_F=11010519660606006	# nobody's, still

# --- one-time codes and sign-in: a phone with an account or none --------------
before=$(sql "SELECT count(*) FROM accounts")
req POST /api/v1/auth/otp '{"phone":"13800000001"}'
known=$(answer)
req POST /api/v1/auth/otp '{"phone":"13900000009"}'
eq "a code for a phone with an account and one with none: the same answer" "$(answer)" "$known"
eq "sent" "$STATUS" 202
# wrong PHONE: a code that is not the one sent to it.
wrong() { [ "$(otp_of "$1")" = 111111 ] && echo 222222 || echo 111111; }
req POST /api/v1/auth/login "{\"phone\":\"13800000001\",\"code\":\"$(wrong 13800000001)\"}"
known=$(answer)
req POST /api/v1/auth/login "{\"phone\":\"13900000009\",\"code\":\"$(wrong 13900000009)\"}"
eq "a wrong code: the same answer for both" "$(answer)" "$known"
eq "wrong_code" "$STATUS,$(j .error.code)" "401,wrong_code"
req POST /api/v1/auth/login '{"phone":"13800000003","code":"123456"}'
known=$(answer)
req POST /api/v1/auth/login '{"phone":"13900000008","code":"123456"}'
eq "no code asked for: the same answer for both" "$(answer)" "$known"
eq "code_expired" "$STATUS,$(j .error.code)" "401,code_expired"
eq "no account made by asking" "$(sql "SELECT count(*) FROM accounts")" "$before"
# Wrong codes for a phone: three a day (otp_fail_daily here), then 429,
# a new code or not.
req POST /api/v1/auth/otp '{"phone":"13900000009"}'
for n in 2 3; do
	req POST /api/v1/auth/login "{\"phone\":\"13900000009\",\"code\":\"$(wrong 13900000009)\"}"
	eq "wrong code $n" "$STATUS,$(j .error.code)" "401,wrong_code"
done
snap=$(sql "SELECT count(*), sum(attempts) FROM otp_codes; SELECT count(*) FROM sessions; SELECT count(*) FROM accounts" | tr '\n' ' ')
req POST /api/v1/auth/login "{\"phone\":\"13900000009\",\"code\":\"$(otp_of 13900000009)\"}"
eq "the phone locked after three wrong codes: even the right one" "$STATUS,$(j .error.code)" "429,rate_limited"
lim=$(answer)
req POST /api/v1/auth/login "{\"phone\":\"13900000009\",\"code\":\"$(wrong 13900000009)\"}"
eq "and a wrong one: the same answer" "$(answer)" "$lim"
eq "the lock changed no code, session or account" "$(sql "SELECT count(*), sum(attempts) FROM otp_codes; SELECT count(*) FROM sessions; SELECT count(*) FROM accounts" | tr '\n' ' ')" "$snap"

# --- WeChat sign-in: a phone with an account or none ---------------------------
wxkeys() { printf '%s %s %s' "$STATUS" "$(jq -c 'keys' < "$T/body")" "$(grep -io '^Set-Cookie: [a-z_]*=' "$T/headers")"; }
req POST /api/v1/auth/wechat '{"code":"ok-oKNOWN","phone_code":"phone-13800000001"}'
known=$(wxkeys)
req POST /api/v1/auth/wechat '{"code":"ok-oFRESH","phone_code":"phone-13900000007"}'
eq "WeChat, a phone with an account and a new one: the same answer's shape" "$(wxkeys)" "$known"
eq "signed in" "$STATUS" 200
req POST /api/v1/auth/wechat '{"code":"ok-oSTRANGER1"}'
known=$(answer)
req POST /api/v1/auth/wechat '{"code":"ok-oSTRANGER2"}'
eq "WeChat without a phone: the same answer for any unbound user" "$(answer)" "$known"

# --- the checker's lookup by ID number ------------------------------------------
"$CTL" grant 13800000003 checker >/dev/null
look() { api "$C" POST /api/v1/verify/lookup "{$1,\"place\":\"gate\"}"; }
look "$(me 王大华 $ID_A)"
known=$(answer)
look "$(me 王大华 $ID_F)"
eq "lookup: a registered number under another name and a free one, the same" "$(answer)" "$known"
look "$(me 王小华 $ID_A)"
eq "lookup: a person who has not declared today (A, yesterday), the same" "$(answer)" "$known"
eq "no declaration today" "$(j .valid),$(j .reason)" "false,no_declaration_today"
before=$(sql "SELECT count(*) FROM audit_log; SELECT count(*) FROM rate_hits" | tr '\n' ' ')
look "$(me 王小华 $ID_A)"
eq "the fourth lookup in the hour: 429" "$STATUS,$(j .error.code)" "429,rate_limited"
eventually "three lookups recorded, the refused one not" 3 "SELECT count(*) FROM verifications WHERE method = 'lookup'"
eq "and no audit entry or hit for it" "$(sql "SELECT count(*) FROM audit_log; SELECT count(*) FROM rate_hits" | tr '\n' ' ')" "$before"

# --- venues: by id and by check-in code -----------------------------------------
api "$A" POST /api/v1/venues '{"name":"店","address":"路 1 号","region":"330102"}'
V=$(j .id); OLD=$(urltok "$(j .url)")
api "$A" POST "/api/v1/venues/$V/rotate"
eq "A replaces its venue's code" "$STATUS" 200
for p in "" /qr.svg /qr.png; do
	api "$B" GET "/api/v1/venues/$V$p"
	other=$(answer)
	api "$B" GET "/api/v1/venues/$((V + 1000))$p"
	eq "venue$p: another's and none, the same 404" "$(answer)" "$other"
	eq "venue$p: 404" "$STATUS" 404
done
api "$B" POST "/api/v1/venues/$V/rotate"
other=$(answer)
api "$B" POST "/api/v1/venues/$((V + 1000))/rotate"
eq "rotating another's and none: the same 404" "$(answer)" "$other"
api "$B" POST /api/v1/checkins "{\"venue_token\":\"$OLD\"}"
other=$(answer)
api "$B" POST /api/v1/checkins "{\"venue_token\":\"${OLD%?}$( [ "${OLD: -1}" = A ] && echo B || echo A)\"}"
eq "check-in: a replaced code and a made-up one, the same 404" "$(answer)" "$other"
eq "unknown_venue" "$STATUS,$(j .error.code)" "404,unknown_venue"

# --- the log names no one ----------------------------------------------------------
log_settled
check "the tries logged, the account by a tag" grep -qE 'identity: a try of account [0-9a-f]{12}: identity_mismatch$' "$HC_LOG_FILE"
check "the limit logged" grep -qE 'identity: a try of account [0-9a-f]{12} refused: at identity_daily$' "$HC_LOG_FILE"
for s in "$(idcheck $ID_A)" "$(idcheck $ID_N)" "$(idcheck $ID_F)" 王小华 王大华 李四; do
	check "no '$s' in the log" sh -c "! grep -qF '$s' '$HC_LOG_FILE'"
done

finish
