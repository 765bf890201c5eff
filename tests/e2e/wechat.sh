#!/bin/bash
# End to end through lighttpd: sign-in with WeChat against a local
# stand-in of WeChat's API (tests/wechat-standin.py): a new user with a
# phone code, the same user again, an OTP account reached by WeChat, each
# WeChat error with nothing stored, the shared access token and its
# refresh after 40001, a WeChat slower than the timeout, no app id, bad
# input, the binding gone with the account, and no secret in any log.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-28T02:00:00Z
export HC_OTP_IP_HOURLY=1000
export HC_OTP_RESEND_INTERVAL=0
APPID=wx0123456789abcdef
SECRET=S3cr3tAppSecretStandIn0123456789
SKPREFIX=sk-standin-secret-
start_wechat "$APPID" "$SECRET" "$SKPREFIX"
export HC_WECHAT_TIMEOUT_MS=1000
start_stack

stat_of() { curl -s "$WX/control/stats" | jq -r ".$1"; }
wx() { req POST /api/v1/auth/wechat "$1"; }
# What WeChat sign-in may create: accounts, bindings, sessions.
wx_snapshot() {
	sql "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM
	    wechat_bindings), (SELECT count(*) FROM sessions)"
}

# --- a new WeChat user, with a phone code ---------------------------------
wx '{"code":"ok-oNEWUSER_1","phone_code":"phone-13800000001"}'
eq "new user signs in" "$STATUS" 200
T1=$(j .token)
check "a token" test -n "$T1"
check "expires_at" test -n "$(j .expires_at)"
check "session cookie" grep -qi '^Set-Cookie: hc_session=' "$T/headers"
eq "account created" "$(sql "SELECT count(*) FROM accounts WHERE phone_mac = '$(phone_mac "13800000001")'")" 1
A1=$(sql "SELECT id FROM accounts WHERE phone_mac = '$(phone_mac "13800000001")'")
eq "bound once" "$(sql "SELECT count(*) FROM wechat_bindings WHERE account_id = $A1")" 1
MAC=$(printf 'wechat-openid:%s' oNEWUSER_1 | openssl dgst -sha256 -mac HMAC \
    -macopt "hexkey:$(tr -d '\n' < "$HC_DATA_DIR/session.key")" | sed 's/.*= //')
eq "the openid kept as its keyed hash" \
    "$(sql "SELECT account_id FROM wechat_bindings WHERE openid_mac = '$MAC'")" "$A1"
eq "no openid in clear" "$(sql "SELECT count(*) FROM wechat_bindings WHERE openid_mac LIKE '%oNEWUSER%'")" 0
api "$T1" GET /api/v1/me
eq "the session works" "$STATUS" 200
eq "its phone" "$(j .phone_masked)" "138****0001"
eq "one token fetched" "$(stat_of token_calls)" 1

# --- the same user again, no phone code: the same account -----------------
wx '{"code":"ok-oNEWUSER_1"}'
eq "bound user signs in" "$STATUS" 200
T2=$(j .token)
api "$T2" GET /api/v1/me
eq "same account" "$(j .phone_masked)" "138****0001"
eq "still one account" "$(sql "SELECT count(*) FROM accounts")" 1
eq "no phone call for a bound user" "$(stat_of phone_calls)" 1
api "$T2" POST /api/v1/auth/logout
eq "logout ends a WeChat session" "$STATUS" 200
api "$T2" GET /api/v1/me
eq "ended" "$STATUS" 401

# --- unknown openid without a phone code ----------------------------------
before=$(wx_snapshot)
wx '{"code":"ok-oSTRANGER"}'
eq "unknown openid" "$STATUS" 409
eq "phone_required" "$(j .error.code)" phone_required
check "a message" test -n "$(j .error.message)"
eq "nothing stored for 409" "$(wx_snapshot)" "$before"

# --- an OTP account, then WeChat: one account -----------------------------
TO=$(login 13800000002)
AO=$(sql "SELECT id FROM accounts WHERE phone_mac = '$(phone_mac "13800000002")'")
wx '{"code":"ok-oOTPUSER","phone_code":"phone-13800000002"}'
eq "OTP user by WeChat" "$STATUS" 200
eq "the OTP account bound" "$(sql "SELECT account_id FROM wechat_bindings b JOIN accounts a ON a.id = b.account_id WHERE a.phone_mac = '$(phone_mac "13800000002")'")" "$AO"
eq "one account for the phone" "$(sql "SELECT count(*) FROM accounts WHERE phone_mac = '$(phone_mac "13800000002")'")" 1
eq "the access token reused" "$(stat_of token_calls)" 1

# --- WeChat's errors: status, code, nothing stored -------------------------
werr() {	# werr DESCRIPTION BODY STATUS CODE
	before=$(wx_snapshot)
	wx "$2"
	eq "$1 status" "$STATUS" "$3"
	eq "$1 code" "$(j .error.code)" "$4"
	eq "$1 stores nothing" "$(wx_snapshot)" "$before"
}
werr "bad code" '{"code":"bad"}' 401 wechat_code_invalid
werr "used code" '{"code":"used"}' 401 wechat_code_invalid
werr "busy" '{"code":"busy"}' 503 wechat_unavailable
werr "rate limit" '{"code":"limit"}' 429 wechat_rate_limited
werr "garbage answer" '{"code":"garbage"}' 503 wechat_unavailable
werr "HTTP 500" '{"code":"status500"}' 503 wechat_unavailable
werr "bad phone code" '{"code":"ok-oERR1","phone_code":"bad"}' 401 wechat_code_invalid
werr "used phone code" '{"code":"ok-oERR1","phone_code":"used"}' 401 wechat_code_invalid
werr "phone busy" '{"code":"ok-oERR1","phone_code":"busy"}' 503 wechat_unavailable
werr "phone rate limit" '{"code":"ok-oERR1","phone_code":"limit"}' 429 wechat_rate_limited
werr "phone garbage" '{"code":"ok-oERR1","phone_code":"garbage"}' 503 wechat_unavailable
werr "not mainland" '{"code":"ok-oERR1","phone_code":"phone-61234567-852"}' 422 phone_not_mainland
werr "not a mobile" '{"code":"ok-oERR1","phone_code":"phone-02012345678"}' 422 phone_not_mainland
eq "the token still reused" "$(stat_of token_calls)" 1

# --- 40001: the token refreshed once, shared by the workers ----------------
curl -s "$WX/control/expire" >/dev/null
wx '{"code":"ok-oREFRESH","phone_code":"phone-13800000003"}'
eq "signed in after 40001" "$STATUS" 200
eq "one refresh" "$(stat_of token_calls)" 2
eq "the new token kept" "$(sql "SELECT token FROM wechat_token")" AT2
for i in 1 2 3 4; do
	wx "{\"code\":\"ok-oSHARE$i\",\"phone_code\":\"phone-1380000010$i\"}"
	eq "shared token sign-in $i" "$STATUS" 200
done
eq "the refreshed token reused by every worker" "$(stat_of token_calls)" 2

# --- WeChat slower than the timeout: 503 within the limit ------------------
before=$(wx_snapshot)
t0=$(date +%s%N)
wx '{"code":"slow-3000"}'
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
eq "slow WeChat" "$STATUS" 503
eq "slow code" "$(j .error.code)" wechat_unavailable
check "answered within the timeout (${ms} ms <= 1000 + 500)" test "$ms" -le 1500
eq "slow stores nothing" "$(wx_snapshot)" "$before"
t0=$(date +%s%N)
wx '{"code":"ok-oSLOWPHONE","phone_code":"slow-3000"}'
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
eq "slow phone call" "$STATUS" 503
check "the whole request within the timeout (${ms} ms)" test "$ms" -le 1500
eq "slow phone stores nothing" "$(wx_snapshot)" "$before"

# --- bad input: 400, nothing changed ---------------------------------------
before=$(wx_snapshot)
calls=$(stat_of session_calls)
for body in '{}' '{"code":1}' '{"code":null}' '{"code":""}' '{"code":["ok-x"]}' \
    '{"code":"has space"}' '{"code":"ok-x","phone_code":5}' \
    '{"code":"ok-x","phone_code":""}' "{\"code\":\"$(head -c 200 /dev/zero | tr '\0' a)\"}"; do
	wx "$body"
	eq "bad input $body" "$STATUS" 400
done
wx '{"code":"ok-x"' 
eq "malformed JSON" "$STATUS" 400
req POST /api/v1/auth/wechat 'code=ok-x' application/x-www-form-urlencoded
eq "a form" "$STATUS" 415
eq "bad input stores nothing" "$(wx_snapshot)" "$before"
eq "bad input never reaches WeChat" "$(stat_of session_calls)" "$calls"

# --- DELETE /api/v1/me removes the binding ---------------------------------
wx '{"code":"ok-oNEWUSER_1"}'
TD=$(j .token)
api "$TD" DELETE /api/v1/me
eq "account deleted" "$STATUS" 200
eq "binding gone with it" "$(sql "SELECT count(*) FROM wechat_bindings WHERE account_id = $A1")" 0
eq "the openid hash gone" "$(sql "SELECT count(*) FROM wechat_bindings WHERE openid_mac = '$MAC'")" 0
wx '{"code":"ok-oNEWUSER_1"}'
eq "a deleted user is unknown again" "$STATUS" 409

# --- WeChat unreachable (refused connection) -------------------------------
export HC_WECHAT_API_BASE="http://127.0.0.1:$(free_port)"
restart_workers
before=$(wx_snapshot)
wx '{"code":"ok-oNEWUSER_1"}'
eq "refused connection" "$STATUS" 503
eq "refused code" "$(j .error.code)" wechat_unavailable
eq "refused stores nothing" "$(wx_snapshot)" "$before"
export HC_WECHAT_API_BASE=$WX

# --- the per-IP limit -------------------------------------------------------
export HC_OTP_IP_HOURLY=1
restart_workers
wx '{"code":"ok-oNEWUSER_1"}'
eq "per-IP rate limit" "$STATUS" 429
eq "rate_limited" "$(j .error.code)" rate_limited
check "Retry-After" test -n "$(hdr Retry-After)"
export HC_OTP_IP_HOURLY=1000

# --- the secret file must be 0600 -------------------------------------------
chmod 644 "$T/wx/secret"
"$TOP/spawn.sh" stop -s "$T/fcgi.sock" -P "$T/fcgi.pid"
"$TOP/spawn.sh" start -n 1 -s "$T/fcgi.sock" -P "$T/fcgi.pid" \
    -b "$BUILD/healthcode.fcgi" -l "$HC_LOG_FILE" >/dev/null 2>&1
sleep 0.5
check "a readable secret file refused at start" grep -q "wechat_secret_file .*0600" "$HC_LOG_FILE"
chmod 600 "$T/wx/secret"

# --- no app id: 404, the rest as today --------------------------------------
export HC_WECHAT_APPID=
restart_workers
wx '{"code":"ok-oNEWUSER_1"}'
eq "no app id" "$STATUS" 404
eq "no app id code" "$(j .error.code)" not_found
req POST /api/v1/auth/otp '{"phone":"13800000009"}'
eq "OTP still works without WeChat" "$STATUS" 202

# --- no secret and no session_key in any log --------------------------------
wechat_logs_clean "$SECRET" "$SKPREFIX"
check "no access token in any log" bash -c '! grep -qE "access_token=|AT[0-9]" "$@"' "${logs[@]}"
check "no session_key in the database" bash -c '! grep -qaF "$0" "$1"' "$SKPREFIX" "$HC_DATA_DIR/healthcode.db"
check "no app secret in the database" bash -c '! grep -qaF "$0" "$1"' "$SECRET" "$HC_DATA_DIR/healthcode.db"

finish
