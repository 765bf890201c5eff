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

page POST /logout "_csrf=$CSRF"
eq "logout" "$STATUS" 303
eq "to login" "$(hdr Location)" /login
eq "no sessions left" "$(sql 'SELECT count(*) FROM sessions')" 0
page GET /
eq "home after logout" "$STATUS" 302

finish
