#!/bin/bash
# The sign-in pages through lighttpd with plain HTML forms: redirects,
# CSRF, errors shown in place, the session cookie, logout.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z
start_stack
JAR="$T/jar"
P=13800138000


page GET /
eq "home without session redirects" "$STATUS" 302
eq "to /login" "$(hdr Location)" /login

page GET /login
eq "login page" "$STATUS" 200
check "login page is HTML" grep -qi '^Content-Type: text/html; charset=utf-8' "$T/headers"
check "Chinese by default" grep -q '<html lang="zh-CN">' "$T/body"
check "phone field" grep -q 'name="phone" type="tel"' "$T/body"
check "stylesheet, no inline style" grep -q 'href="/static/app.css"' "$T/body"
check "no inline script" sh -c "! grep -q '<script>' '$T/body'"
check "csrf cookie set" grep -qi '^Set-Cookie: hc_csrf=[A-Za-z0-9_-]\{22\}; Path=/; SameSite=Lax; HttpOnly' "$T/headers"
CSRF=$(csrf)
eq "csrf token in form" "${#CSRF}" 22

STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/static/app.css")
eq "static css" "$STATUS" 200
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/static/../conf/healthcode.conf")
check "no files outside static/" test "$STATUS" != 200

before=$(db_snapshot)
page POST /login "phone=$P&action=send"
eq "form without csrf" "$STATUS" 403
check "csrf error page" grep -q '表单已过期' "$T/body"
page POST /login "phone=$P&action=send&_csrf=AAAAAAAAAAAAAAAAAAAAAA"
eq "form with wrong csrf" "$STATUS" 403
eq "refused forms changed nothing" "$(db_snapshot)" "$before"

page POST /login "phone=12345&action=send&_csrf=$CSRF"
eq "bad phone in form" "$STATUS" 400
check "phone error in place" grep -q 'id="phone-error" role="alert">请输入正确的 11 位手机号' "$T/body"

page POST /login "phone=$P&action=send&_csrf=$CSRF"
eq "send code" "$STATUS" 200
check "sent notice" grep -q 'id="sent"' "$T/body"
check "phone kept in the form" grep -q "value=\"$P\"" "$T/body"
CODE=$(otp_of $P)

page POST /login "phone=$P&action=send&_csrf=$CSRF"
eq "second send within a minute" "$STATUS" 429
check "wait shown in place" grep -q '(60 秒后可重试)' "$T/body"

page POST /login "phone=$P&code=000000&action=login&_csrf=$CSRF"
[ "$CODE" = 000000 ] && page POST /login "phone=$P&code=000001&action=login&_csrf=$CSRF"
eq "wrong code in form" "$STATUS" 401
check "code error in place" grep -q 'id="code-error" role="alert">验证码不正确' "$T/body"

page POST /login "phone=$P&code=$CODE&action=login&_csrf=$CSRF"
eq "sign in" "$STATUS" 303
eq "to home" "$(hdr Location)" /
check "session cookie" grep -qi '^Set-Cookie: hc_session=' "$T/headers"

page GET /
eq "home page" "$STATUS" 200
check "masked phone on home" grep -q 'id="phone-masked">138\*\*\*\*8000' "$T/body"
check "full phone nowhere on the page" sh -c "! grep -q $P '$T/body'"
eq "home is no-store" "$(hdr Cache-Control)" no-store
page GET /login
eq "login page when signed in" "$STATUS" 302

STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" -H 'Accept-Language: en-US,en;q=0.9' "$BASE/")
check "English when asked" grep -q '<html lang="en">' "$T/body"
check "English strings" grep -q 'Signed in as' "$T/body"

"$CTL" grant $P checker > /dev/null
page GET /
check "role shown" grep -q '查验员' "$T/body"

# Signed in, the forms' token is the session's own: new at sign-in, so a
# token (or an hc_csrf cookie) from before, or planted, is worth nothing.
page GET /
SCSRF=$(csrf)
eq "a signed-in form token" "${#SCSRF}" 22
check "rotated at sign-in" test "$SCSRF" != "$CSRF"
page POST /logout "_csrf=$CSRF"
eq "the signed-out token after sign-in" "$STATUS" 403
eq "still signed in" "$(sql 'SELECT count(*) FROM sessions')" 1
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" -b "hc_csrf=$SCSRF" \
    -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary "_csrf=AAAAAAAAAAAAAAAAAAAAAA" "$BASE/logout")
eq "a planted cookie does not help a forged form" "$STATUS" 403
# A browser that says another site sent the form: refused, whatever the token.
for h in "Sec-Fetch-Site: cross-site" "Sec-Fetch-Site: same-site" "Origin: https://evil.example" "Origin: null"; do
	STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" -H "$h" \
	    -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary "_csrf=$SCSRF" "$BASE/logout")
	eq "$h: refused" "$STATUS" 403
	check "$h: said why" grep -q '来自其他网站' "$T/body"
done
eq "cross-site forms ended no session" "$(sql 'SELECT count(*) FROM sessions')" 1
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" -H "Origin: $BASE" \
    -H "Sec-Fetch-Site: same-origin" -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary "_csrf=$SCSRF" "$BASE/notices/seen")
eq "our own origin is fine" "$STATUS" 303

page POST /logout "_csrf=$SCSRF"
eq "logout" "$STATUS" 303
eq "to login" "$(hdr Location)" /login
eq "no sessions left" "$(sql 'SELECT count(*) FROM sessions')" 0
page GET /
eq "home after logout" "$STATUS" 302

# --- over https: __Host- cookies, which no other host can plant -----------
export HC_PUBLIC_BASE_URL="https://hc.example.gov.cn"
restart_workers
req GET /login
check "the form token's cookie is __Host-" grep -qi '^Set-Cookie: __Host-hc_csrf=[A-Za-z0-9_-]\{22\}; Path=/; SameSite=Lax; HttpOnly; Secure' "$T/headers"
HTOK=$(login 13800138077)
check "the session cookie is __Host-" grep -qi '^Set-Cookie: __Host-hc_session=[^;]*; Path=/; SameSite=Lax; Max-Age=[0-9]*; HttpOnly; Secure' "$T/headers"
req GET /api/v1/me -- -H "Cookie: hc_session=$HTOK"
eq "a plain hc_session (plantable) is not read over https" "$STATUS" 401
req GET /api/v1/me -- -H "Cookie: hc_session=$HTOK; __Host-hc_session=$HTOK"
eq "the __Host- one is" "$STATUS" 200
req POST /api/v1/auth/logout -- -H "Cookie: __Host-hc_session=$HTOK" -H "Origin: $BASE"
eq "an Origin that is not public_base_url's: refused" "$STATUS" 403
req POST /api/v1/auth/logout -- -H "Cookie: __Host-hc_session=$HTOK" -H "Origin: https://hc.example.gov.cn"
eq "public_base_url's origin: fine" "$STATUS" 200

finish
