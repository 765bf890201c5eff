#!/bin/bash
# End to end through lighttpd and spawn-fcgi: health check, plumbing
# (404, 405, 413, 415, 400, security headers), one-time codes, login,
# sessions, roles, logout, rate limits and forged session tokens.
. "$(dirname "$0")/lib.sh"

NOW=2026-11-29T10:00:00Z
export HC_NOW=$NOW
start_stack

# --- health and plumbing -------------------------------------------------
req GET /healthz
eq "healthz status" "$STATUS" 200
eq "healthz ok" "$(j .ok)" true
eq "healthz schema is the last migration" "$(j .schema)" \
    "$(basename "$(ls "$TOP"/migrations/*.sql | tail -1)" | sed 's/_.*//; s/^0*//')"
eq "nosniff" "$(hdr X-Content-Type-Options)" nosniff
eq "frame deny" "$(hdr X-Frame-Options)" DENY
eq "referrer policy" "$(hdr Referrer-Policy)" no-referrer
check "CSP forbids inline script" grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'self'" "$T/headers"
check "request id header" grep -qiE '^X-Request-Id: [0-9a-f]{16}' "$T/headers"

req GET /api/v1/nothing
eq "unknown api path" "$STATUS" 404
eq "unknown api path code" "$(j .error.code)" not_found
eq "404 is no-store" "$(hdr Cache-Control)" no-store
req GET /nothing
eq "unknown page" "$STATUS" 404
check "unknown page is HTML" grep -qi '^Content-Type: text/html' "$T/headers"

req GET /api/v1/auth/otp
eq "wrong method" "$STATUS" 405
eq "wrong method code" "$(j .error.code)" method_not_allowed
eq "Allow header" "$(hdr Allow)" POST
req DELETE /healthz
eq "405 on GET route" "$STATUS" 405
eq "Allow lists HEAD" "$(hdr Allow)" "GET, HEAD"

# --- bad input changes nothing -------------------------------------------
before=$(db_snapshot)
req POST /api/v1/auth/otp '{"phone":"13800138000"'
eq "malformed JSON" "$STATUS" 400
eq "malformed JSON code" "$(j .error.code)" malformed_json
req POST /api/v1/auth/otp '["13800138000"]'
eq "JSON array body" "$(j .error.code)" malformed_json
req POST /api/v1/auth/otp '{"phone":"13800138000"} x'
eq "trailing garbage" "$(j .error.code)" malformed_json
head -c 1048576 /dev/zero | tr '\0' 'a' > "$T/big"
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$T/big" "$BASE/api/v1/auth/otp")
eq "1 MiB body" "$STATUS" 413
eq "1 MiB body code" "$(j .error.code)" body_too_large
req POST /api/v1/auth/otp '{"phone":"13800138000"}' text/plain
eq "text/plain body" "$STATUS" 415
eq "text/plain code" "$(j .error.code)" unsupported_media_type
req POST /api/v1/auth/otp 'phone=13800138000' application/x-www-form-urlencoded
eq "form post to the API" "$STATUS" 415
req POST /api/v1/auth/otp '{"phone":"13800138000"}' 'application/json; charset=latin1'
eq "charset other than UTF-8" "$STATUS" 415
for bad in 12800138000 1380013800 138001380001 1380013800a "13800138000' OR 1=1--" "１３８００１３８０００"; do
	req POST /api/v1/auth/otp "{\"phone\":\"$bad\"}"
	eq "bad phone $bad" "$STATUS" 400
	eq "bad phone code $bad" "$(j .error.code)" invalid_phone
done
req POST /api/v1/auth/otp '{}'
eq "missing phone" "$(j .error.code)" missing_field
req POST /api/v1/auth/otp '{"phone":13800138000}'
eq "phone as number" "$(j .error.code)" wrong_type
req POST /api/v1/auth/otp "$(printf '{"phone":"138\xff0013800"}')"
eq "invalid UTF-8" "$(j .error.code)" malformed_json
eq "bad input changed nothing" "$(db_snapshot)" "$before"
check "no code was sent" test ! -s "$HC_DATA_DIR/sms-outbox.log"

# --- one-time code and login ---------------------------------------------
P=13800138000
req POST /api/v1/auth/otp "{\"phone\":\"$P\"}"
eq "otp sent" "$STATUS" 202
eq "otp body" "$(j .sent)" true
CODE=$(otp_of $P)
check "code is 6 digits" grep -qE '^[0-9]{6}$' <<<"$CODE"
eq "one code row" "$(sql 'SELECT count(*) FROM otp_codes')" 1
eq "code not stored in clear" "$(sql "SELECT count(*) FROM otp_codes WHERE code_mac LIKE '%$CODE%'")" 0
eq "no account yet (nothing revealed)" "$(sql 'SELECT count(*) FROM accounts')" 0

req POST /api/v1/auth/otp "{\"phone\":\"$P\"}"
eq "second code within 60 s" "$STATUS" 429
eq "rate limited code" "$(j .error.code)" rate_limited
eq "Retry-After" "$(hdr Retry-After)" 60
eq "no second code sent" "$(grep -c "^$P " "$HC_DATA_DIR/sms-outbox.log")" 1

WRONG=$(printf '%06d' $(( (10#$CODE + 1) % 1000000 )))
req POST /api/v1/auth/login "{\"phone\":\"$P\",\"code\":\"$WRONG\"}"
eq "wrong code" "$STATUS" 401
eq "wrong code error" "$(j .error.code)" wrong_code
eq "attempt counted" "$(sql 'SELECT attempts FROM otp_codes')" 1
req POST /api/v1/auth/login "{\"phone\":\"$P\",\"code\":\"12345\"}"
eq "5-digit code" "$(j .error.code)" invalid_code

req POST /api/v1/auth/login "{\"phone\":\"$P\",\"code\":\"$CODE\"}"
eq "login" "$STATUS" 200
TOKEN=$(j .token)
eq "session ends at Shanghai midnight" "$(j .expires_at)" 2026-11-30T00:00:00+08:00
check "session cookie HttpOnly SameSite" grep -qiE '^Set-Cookie: hc_session=[^;]+; Path=/; SameSite=Lax; Max-Age=21600; HttpOnly' "$T/headers"
eq "code used up" "$(sql 'SELECT count(*) FROM otp_codes')" 0
eq "one session" "$(sql 'SELECT count(*) FROM sessions')" 1
eq "account created" "$(sql "SELECT count(*) FROM accounts WHERE phone = '$P'")" 1

req POST /api/v1/auth/login "{\"phone\":\"$P\",\"code\":\"$CODE\"}"
eq "code is single use" "$STATUS" 401
eq "single use error" "$(j .error.code)" code_expired

req GET /api/v1/me -- -H "Authorization: Bearer $TOKEN"
eq "me with bearer" "$STATUS" 200
eq "me masks the phone" "$(j .phone_masked)" "138****8000"
eq "me roles" "$(j '.roles|length')" 0
check "me never shows the full phone" sh -c "! grep -q $P '$T/body'"
req GET /api/v1/me -- -H "Cookie: hc_session=$TOKEN"
eq "me with cookie" "$STATUS" 200
req GET /api/v1/me
eq "me without session" "$STATUS" 401
eq "me without session code" "$(j .error.code)" unauthenticated

# --- roles are read on every request -------------------------------------
"$CTL" grant $P checker >/dev/null
req GET /api/v1/me -- -H "Authorization: Bearer $TOKEN"
eq "grant takes effect at once" "$(j '.roles|join(",")')" checker
"$CTL" revoke $P checker >/dev/null
req GET /api/v1/me -- -H "Authorization: Bearer $TOKEN"
eq "revoke takes effect at once" "$(j '.roles|length')" 0
check "grant refuses a bad role" sh -c "! '$CTL' grant $P superuser 2>/dev/null"
check "grant refuses a bad phone" sh -c "! '$CTL' grant 1234 admin 2>/dev/null"
A=13900139000
"$CTL" grant $A admin >/dev/null
eq "grant before first sign-in" "$(sql "SELECT count(*) FROM account_roles r JOIN accounts a ON a.id = r.account_id WHERE a.phone = '$A' AND role = 'admin'")" 1
export HC_NOW=2026-11-29T10:01:00Z; restart_workers
ATOK=$(login $A)
req GET /api/v1/me -- -H "Authorization: Bearer $ATOK"
eq "first admin signs in as admin" "$(j '.roles|join(",")')" admin

# --- forged and expired session tokens -----------------------------------
SID=$(sql "SELECT s.id FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.phone = '$P'")
EXP=$(epoch 2026-11-29T16:00:00Z)
IAT=$(epoch $NOW)
GOOD=$(forge '{"alg":"HS256","typ":"JWT"}' "{\"sid\":\"$SID\",\"iat\":$IAT,\"exp\":$EXP}" sha256)
req GET /api/v1/me -- -H "Authorization: Bearer $GOOD"
eq "control: a token signed with the real key works" "$STATUS" 200
PAST=$(forge '{"alg":"HS256","typ":"JWT"}' "{\"sid\":\"$SID\",\"iat\":$IAT,\"exp\":$((IAT - 1))}" sha256)
req GET /api/v1/me -- -H "Authorization: Bearer $PAST"
eq "expired token (live session)" "$STATUS" 401
NOEXP=$(forge '{"alg":"HS256","typ":"JWT"}' "{\"sid\":\"$SID\",\"iat\":$IAT}" sha256)
req GET /api/v1/me -- -H "Authorization: Bearer $NOEXP"
eq "token without exp" "$STATUS" 401
H384=$(forge '{"alg":"HS384","typ":"JWT"}' "{\"sid\":\"$SID\",\"iat\":$IAT,\"exp\":$EXP}" sha384)
req GET /api/v1/me -- -H "Authorization: Bearer $H384"
eq "HS384 token" "$STATUS" 401
NONE="$(printf '{"alg":"none","typ":"JWT"}' | b64url).$(printf '{"sid":"%s","iat":%s,"exp":%s}' "$SID" "$IAT" "$EXP" | b64url)."
req GET /api/v1/me -- -H "Authorization: Bearer $NONE"
eq "alg none token" "$STATUS" 401
req GET /api/v1/me -- -H "Authorization: Bearer ${TOKEN%.*}x.${TOKEN##*.}"
eq "tampered payload" "$STATUS" 401
SIG=${TOKEN##*.}
if [ "${SIG:0:1}" = A ]; then FLIP=B; else FLIP=A; fi
req GET /api/v1/me -- -H "Authorization: Bearer ${TOKEN%.*}.$FLIP${SIG:1}"
eq "tampered signature" "$STATUS" 401
req GET /api/v1/me -- -H "Authorization: Bearer garbage"
eq "garbage token" "$STATUS" 401

# --- the API names its type, and takes no browser's cross-site request ---
nosess=$(sql "SELECT count(*) FROM sessions")
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -X POST -H "Content-Length: 0" \
    -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/auth/logout")
eq "a bodiless API POST without a type" "$STATUS,$(j .error.code)" "415,unsupported_media_type"
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -X POST -H "Content-Type: text/plain" -H "Content-Length: 0" \
    -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/auth/logout")
eq "a bodiless API POST as text/plain (what a cross-site form can send)" "$STATUS" 415
for h in "Origin: https://evil.example" "Sec-Fetch-Site: cross-site" "Sec-Fetch-Site: same-site"; do
	req POST /api/v1/auth/logout -- -H "Cookie: hc_session=$TOKEN" -H "$h"
	eq "$h: an API POST refused" "$STATUS,$(j .error.code)" "403,cross_site"
done
eq "the refused logouts ended nothing" "$(sql "SELECT count(*) FROM sessions")" "$nosess"
req GET /api/v1/me -- -H "Cookie: hc_session=$TOKEN" -H "Sec-Fetch-Site: cross-site"
eq "a cross-site read is no state change: answered" "$STATUS" 200

# --- logout ends the session server-side ---------------------------------
req POST /api/v1/auth/logout -- -H "Authorization: Bearer $TOKEN"
eq "logout" "$STATUS" 200
check "logout clears the cookie" grep -qi '^Set-Cookie: hc_session=; Path=/; SameSite=Lax; Max-Age=0' "$T/headers"
req GET /api/v1/me -- -H "Authorization: Bearer $TOKEN"
eq "token dead after logout" "$STATUS" 401
req GET /api/v1/me -- -H "Authorization: Bearer $GOOD"
eq "forged token of the dead session" "$STATUS" 401
eq "session row gone" "$(sql "SELECT count(*) FROM sessions WHERE id = '$SID'")" 0

# What a sign-in may create, without the rate-limit hits (every try is
# counted against its address, a refused one too).
signin_snapshot() { db_snapshot | sed 's/ rate|[0-9]* //'; }

# --- five wrong codes kill the code --------------------------------------
Q=13700137000
req POST /api/v1/auth/otp "{\"phone\":\"$Q\"}"
QC=$(otp_of $Q)
QW=$(printf '%06d' $(( (10#$QC + 7) % 1000000 )))
for i in 1 2 3 4 5; do
	req POST /api/v1/auth/login "{\"phone\":\"$Q\",\"code\":\"$QW\"}"
done
eq "fifth wrong code" "$(j .error.code)" too_many_attempts
before=$(signin_snapshot)
rates=$(sql "SELECT count(*) FROM rate_hits")
req POST /api/v1/auth/login "{\"phone\":\"$Q\",\"code\":\"$QC\"}"
eq "right code after five wrong" "$STATUS" 401
eq "right code after five wrong: error" "$(j .error.code)" too_many_attempts
eq "no session for the dead code" "$(signin_snapshot)" "$before"
eq "the try counted against the address" "$(sql "SELECT count(*) FROM rate_hits")" $((rates + 1))

# --- an expired code -----------------------------------------------------
R=13600136000
req POST /api/v1/auth/otp "{\"phone\":\"$R\"}"
RC=$(otp_of $R)
set_now 2026-11-29T10:06:01Z
req POST /api/v1/auth/login "{\"phone\":\"$R\",\"code\":\"$RC\"}"
eq "code after 5 minutes" "$STATUS" 401
eq "expired code error" "$(j .error.code)" code_expired

# --- sessions end at the daily cutoff ------------------------------------
set_now 2026-11-29T15:59:00Z
S=13500135000
STOK=$(login $S)
set_now 2026-11-29T15:59:59Z
req GET /api/v1/me -- -H "Authorization: Bearer $STOK"
eq "session at 23:59:59 Shanghai" "$STATUS" 200
set_now 2026-11-29T16:00:00Z
req GET /api/v1/me -- -H "Authorization: Bearer $STOK"
eq "session at midnight Shanghai" "$STATUS" 401

# --- ten codes per IP per hour -------------------------------------------
set_now 2026-11-29T20:00:00Z
for i in 0 1 2 3 4 5 6 7 8 9; do
	req POST /api/v1/auth/otp "{\"phone\":\"1860000000$i\"}"
	[ "$STATUS" = 202 ] || fail "code $i of 10 from one IP: $STATUS"
done
pass
before=$(db_snapshot)
req POST /api/v1/auth/otp '{"phone":"18700000000"}'
eq "eleventh code from one IP" "$STATUS" 429
eq "eleventh code Retry-After" "$(hdr Retry-After)" 3600
eq "refused code changed nothing" "$(db_snapshot)" "$before"
check "rate table holds no phone or IP" sh -c "! sqlite3 '$HC_DATA_DIR/healthcode.db' 'SELECT key FROM rate_hits' | grep -qE '186000|127\.0\.0\.1'"

# --- delivery through a configured command --------------------------------
cat > "$T/sms.sh" <<'SH'
#!/bin/sh
# A stand-in SMS gateway: records what it is handed on standard input.
cat >> "$(dirname "$0")/gateway.txt"
SH
chmod +x "$T/sms.sh"
export HC_SMS_COMMAND="$T/sms.sh"
set_now 2026-11-29T22:00:00Z
req POST /api/v1/auth/otp '{"phone":"18800000001"}'
eq "code through the command" "$STATUS" 202
check "the command got '<phone> <code>' on stdin" grep -qE '^18800000001 [0-9]{6}$' "$T/gateway.txt"
check "and the outbox did not" sh -c "! grep -q 18800000001 '$HC_DATA_DIR/sms-outbox.log'"
export HC_SMS_COMMAND="exit 3"
restart_workers
req POST /api/v1/auth/otp '{"phone":"18800000002"}'
eq "a failing gateway" "$STATUS,$(j .error.code)" "503,sms_unavailable"
eq "leaves no usable code" "$(sql "SELECT count(*) FROM otp_codes WHERE phone = '18800000002'")" 0
unset HC_SMS_COMMAND
restart_workers

# --- wrong codes count per phone, whatever code they were for -------------
# New codes do not buy new guesses: after otp_fail_daily (10) wrong codes
# in a day, even the right code of a new one is refused, for a day.
set_now 2026-11-30T02:00:00Z
export HC_OTP_RESEND_INTERVAL=0 HC_OTP_PHONE_HOURLY=5 HC_OTP_PHONE_DAILY=10
export HC_OTP_FAIL_DAILY=10 HC_LOGIN_IP_HOURLY=1000
restart_workers
V=13300133000
for round in 1 2; do
	req POST /api/v1/auth/otp "{\"phone\":\"$V\"}"
	eq "code $round for the guessed phone" "$STATUS" 202
	VW=$(printf '%06d' $(( (10#$(otp_of $V) + 7) % 1000000 )))
	for i in 1 2 3 4 5; do
		req POST /api/v1/auth/login "{\"phone\":\"$V\",\"code\":\"$VW\"}"
		[ "$STATUS" = 401 ] || fail "wrong code $i of code $round: $STATUS"
	done
done
req POST /api/v1/auth/otp "{\"phone\":\"$V\"}"
eq "a third code is sent" "$STATUS" 202
before=$(signin_snapshot)
req POST /api/v1/auth/login "{\"phone\":\"$V\",\"code\":\"$(otp_of $V)\"}"
eq "ten wrong codes: even the right one is refused" "$STATUS,$(j .error.code)" "429,rate_limited"
eq "locked for a day from the first wrong code" "$(hdr Retry-After)" 86400
eq "locked: no session" "$(signin_snapshot)" "$before"
log_settled
check "an alertable log line for the lock" grep -q 'auth: sign-in refused for phone [0-9a-f]\{12\}: locked' "$HC_LOG_FILE"
check "and one when the phone reached it" grep -q 'auth: phone [0-9a-f]\{12\} reached otp_fail_daily' "$HC_LOG_FILE"
req POST /api/v1/auth/login "{\"phone\":\"$V\",\"code\":\"000000\"}"
eq "locked: a guess is not even tried" "$STATUS" 429
eq "the guess kept no failure" "$(sql "SELECT attempts FROM otp_codes WHERE phone = '$V'")" 0
set_now 2026-12-01T02:00:01Z
req POST /api/v1/auth/otp "{\"phone\":\"$V\"}"
req POST /api/v1/auth/login "{\"phone\":\"$V\",\"code\":\"$(otp_of $V)\"}"
eq "a day later the owner signs in" "$STATUS" 200

# --- texts to one phone: 5 an hour, 10 a day ------------------------------
W=13300133001
set_now 2026-12-02T02:00:00Z
for i in 1 2 3 4 5; do
	req POST /api/v1/auth/otp "{\"phone\":\"$W\"}"
	[ "$STATUS" = 202 ] || fail "text $i of 5 in the hour: $STATUS"
done
before=$(db_snapshot)
req POST /api/v1/auth/otp "{\"phone\":\"$W\"}"
eq "a sixth text in the hour" "$STATUS,$(j .error.code)" "429,rate_limited"
eq "until the first leaves the hour" "$(hdr Retry-After)" 3600
eq "the refused text changed nothing" "$(db_snapshot)" "$before"
eq "and sent nothing" "$(grep -c "^$W " "$HC_DATA_DIR/sms-outbox.log")" 5
set_now 2026-12-02T03:00:01Z
for i in 6 7 8 9 10; do
	req POST /api/v1/auth/otp "{\"phone\":\"$W\"}"
	[ "$STATUS" = 202 ] || fail "text $i of 10 in the day: $STATUS"
done
set_now 2026-12-02T04:00:02Z
req POST /api/v1/auth/otp "{\"phone\":\"$W\"}"
eq "an eleventh text in the day" "$STATUS" 429
eq "until the first leaves the day" "$(hdr Retry-After)" $((86400 - 7202))
log_settled
check "an alertable log line for the cap" grep -q 'auth: one-time codes refused for phone [0-9a-f]\{12\}: at its hourly or daily cap' "$HC_LOG_FILE"

# --- sign-in tries per address: right or wrong, every one counts -----------
export HC_LOGIN_IP_HOURLY=3
restart_workers
set_now 2026-12-03T02:00:00Z
for i in 1 2 3; do
	req POST /api/v1/auth/login "{\"phone\":\"1330013300$i\",\"code\":\"123456\"}"
	[ "$STATUS" = 401 ] || fail "try $i of 3 from one address: $STATUS"
done
req POST /api/v1/auth/otp "{\"phone\":\"13300133009\"}"
before=$(db_snapshot)
req POST /api/v1/auth/login "{\"phone\":\"13300133009\",\"code\":\"$(otp_of 13300133009)\"}"
eq "a fourth try from the address, even right" "$STATUS,$(j .error.code)" "429,rate_limited"
eq "the address waits out the hour" "$(hdr Retry-After)" 3600
eq "refused before the code: nothing changed" "$(db_snapshot)" "$before"
unset HC_OTP_RESEND_INTERVAL HC_OTP_PHONE_HOURLY HC_OTP_PHONE_DAILY
unset HC_OTP_FAIL_DAILY HC_LOGIN_IP_HOURLY
restart_workers

# --- the log carries no personal data or secrets --------------------------
log_settled
check "log has request lines" grep -qE 'POST /api/v1/auth/login 200' "$HC_LOG_FILE"
for ph in $P $A $Q $R $S $V $W 13300133009 18600000000 18700000000 18800000001; do
	check "log never has phone $ph" sh -c "! grep -q '$ph' '$HC_LOG_FILE'"
done
check "log never has a token" sh -c "! grep -q '${TOKEN:0:40}' '$HC_LOG_FILE'"
check "log never has a code" sh -c "! grep -qw '$CODE' '$HC_LOG_FILE'"

finish
