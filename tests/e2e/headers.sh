#!/bin/bash
# The bounds on a request's head (fcgi/request.h, docs/deploy.md): too
# many header fields, one too large, all of them too large together, a
# cookie too large, a URI too long.  Through lighttpd (conf/lighttpd.conf
# as it is): each is refused with a 4xx (the responder's own JSON 431 or
# 414 where lighttpd lets the request through, lighttpd's 431 past its own
# limit), touches no database, and the next request works.  Then straight
# to a worker's socket with a FastCGI client of the tests
# (tests/fcgi-client.py), as no web server of conf/ would send: the
# responder's own bounds on its parameters.  (nginx and Apache:
# tests/e2e/servers.sh.)
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z
start_stack
TOK=$(login 13800138000)

rep() { head -c "$1" /dev/zero | tr '\0' "${2:-a}"; }
# get PATH [curl args...]: a GET through lighttpd; STATUS, $T/body, $T/headers.
get() {
	local p=$1
	shift
	STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "$BASE$p")
}
from_worker() { grep -qi '^X-Request-Id:' "$T/headers"; }
# many N: curl arguments for N header fields X-Hi: v.
many() { for i in $(seq "$1"); do printf -- '-H\nX-H%d: v\n' "$i"; done; }
# curl sends three fields of its own (Host, User-Agent, Accept), and
# these requests an Authorization: 64 in all with 60 more.
mapfile -t H60 < <(many 60)
mapfile -t H61 < <(many 61)
mapfile -t H70 < <(many 70)
mapfile -t H300 < <(many 300)
# normal: the request after each refusal is served as ever.
normal() {
	api "$TOK" GET /api/v1/me
	eq "$1: the next request is served" "$STATUS,$(j .phone_masked)" "200,138****8000"
}
snap0=$(db_snapshot)
sess0=$(sql "SELECT count(*) FROM sessions")

# --- within the bounds: served -----------------------------------------
get /api/v1/me -H "Authorization: Bearer $TOK" "${H60[@]}"
eq "64 header fields: served" "$STATUS,$(j .phone_masked)" "200,138****8000"
get /api/v1/me -H "Authorization: Bearer $TOK" -H "X-Big: $(rep 8000)"
eq "a header field of 8000 bytes: served" "$STATUS" 200
get /api/v1/me -H "Authorization: Bearer $TOK" -H "Cookie: big=$(rep 4000); hc_lang=en"
eq "a cookie of 4000 bytes: served" "$STATUS" 200
get "/api/v1/me?x=$(rep 4000)" -H "Authorization: Bearer $TOK"
eq "a URI of 4 KB: served" "$STATUS" 200

# --- past them: refused, in JSON, by a worker, in the request's language ---
get /api/v1/me -H "Authorization: Bearer $TOK" "${H61[@]}"
eq "65 header fields: 431" "$STATUS,$(j .error.code)" "431,too_many_headers"
check "from the responder" from_worker
eq "in Chinese by default" "$(j .error.message)" "请求的头字段过多。"
normal "too many fields"
get /api/v1/me -H "Authorization: Bearer $TOK" -H "Accept-Language: en" "${H61[@]}"
eq "in English when asked" "$(j .error.message)" "The request has too many header fields."
get /api/v1/me -H "Authorization: Bearer $TOK" -H "X-Big: $(rep 9000)"
eq "a header field of 9000 bytes: 431" "$STATUS,$(j .error.code)" "431,header_too_large"
normal "one field too large"
get /api/v1/me -H "Authorization: Bearer $TOK" -H "X-A: $(rep 6000)" \
    -H "X-B: $(rep 6000)" -H "X-C: $(rep 6000)"
eq "three fields of 6000 bytes: 431" "$STATUS,$(j .error.code)" "431,headers_too_large"
normal "too large together"
get /api/v1/me -H "Authorization: Bearer $TOK" -H "Cookie: big=$(rep 5000); hc_lang=en"
eq "a cookie of 5000 bytes: 431" "$STATUS,$(j .error.code)" "431,cookie_too_large"
eq "the language cookie beside it unread" "$(j .error.message)" \
    "浏览器中本站的某个 Cookie 过大，请清除本站的 Cookie 后重试。"
normal "a cookie too large"
get "/api/v1/me?x=$(rep 5000)" -H "Authorization: Bearer $TOK"
eq "a URI of 5 KB: 414" "$STATUS,$(j .error.code)" "414,uri_too_long"
check "from the responder" from_worker
normal "a URI too long"
get "/api/v1/me/$(rep 5000)"
eq "a path of 5 KB: 414" "$STATUS,$(j .error.code)" "414,uri_too_long"

# Past lighttpd's own bound (server.max-request-field-size): its 431.
get /api/v1/me -H "Authorization: Bearer $TOK" -H "X-Big: $(rep 40000)"
eq "a field of 40 KB: lighttpd's 431" "$STATUS" 431
check "no worker saw it" sh -c "! grep -qi '^X-Request-Id:' '$T/headers'"
get /api/v1/me -H "Authorization: Bearer $TOK" "${H300[@]}" -H "X-Big: $(rep 30000)"
eq "300 fields and 30 KB: lighttpd's 431" "$STATUS" 431
get "/api/v1/me?x=$(rep 40000)"
eq "a URI of 40 KB: lighttpd's 431" "$STATUS" 431
normal "lighttpd's refusals"

# A write refused by its head writes nothing (no code, no limit counted).
STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' "${H70[@]}" \
    -H 'Content-Type: application/json' --data-binary '{"phone":"13800138001"}' \
    "$BASE/api/v1/auth/otp")
eq "a code asked for with too many fields: 431" "$STATUS,$(j .error.code)" "431,too_many_headers"
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -H "Cookie: x=$(rep 5000)" \
    -H 'Content-Type: application/json' --data-binary '{"phone":"13800138001"}' \
    "$BASE/api/v1/auth/otp")
eq "and with a cookie too large: 431" "$STATUS,$(j .error.code)" "431,cookie_too_large"
eq "no code sent" "$(grep -c '^13800138001 ' "$HC_DATA_DIR/sms-outbox.log")" 0
eq "the database as it was" "$(db_snapshot)" "$snap0"
eq "no session made or ended" "$(sql "SELECT count(*) FROM sessions")" "$sess0"
log_settled
check "the refusals logged with their codes" grep -q ' - 431 [0-9.]*ms too_many_headers$' "$HC_LOG_FILE"
check "and the 414" grep -q ' - 414 [0-9.]*ms uri_too_long$' "$HC_LOG_FILE"

# --- straight to a worker: what no server of conf/ passes on -------------
PIDS=$(sort "$T/fcgi.pid" | tr '\n' ' ')
CGI="REQUEST_METHOD=GET
SERVER_PROTOCOL=HTTP/1.1
REMOTE_ADDR=127.0.0.1
HTTP_HOST=127.0.0.1"
# fcgi PARAM-LINES: one request of the CGI parameters above and these;
# sets STATUS and CODE from the answer (the whole of it in $T/fcgi.out).
fcgi() {
	printf '%s\n%s\n' "$CGI" "$1" > "$T/params"
	python3 "$TOP/tests/fcgi-client.py" "$T/fcgi.sock" < "$T/params" > "$T/fcgi.out"
	FRC=$?
	STATUS=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$T/fcgi.out" | head -1)
	sed '1,/^\r$/d' "$T/fcgi.out" > "$T/body"
	CODE=$(j .error.code)
}
fcgi "REQUEST_URI=/healthz"
eq "a plain request straight to a worker" "$FRC,$STATUS,$(j .ok)" "0,200,true"
# refused DESCRIPTION STATUS,CODE PARAM-LINES: answered so, straight.
refused() { fcgi "$3"; eq "$1" "$STATUS,$CODE" "$2"; }
U=REQUEST_URI=/healthz
refused "130 parameters, none a header: 431" 431,too_many_headers \
    "$U"$'\n'"$(for i in $(seq 130); do echo "X_PARAM_$i=v"; done)"
refused "65 header fields: 431" 431,too_many_headers \
    "$U"$'\n'"$(for i in $(seq 65); do echo "HTTP_X_H$i=v"; done)"
refused "a header field of 1 MiB: 431" 431,header_too_large \
    "$U"$'\n'"@HTTP_X_BIG=1048576*a"
refused "a parameter of 100 KB, not a header: 431" 431,header_too_large \
    "$U"$'\n'"@X_BIG=100000*a"
refused "parameters of 35 KB together: 431" 431,headers_too_large \
    "$U"$'\n'"$(for i in $(seq 5); do echo "@X_P$i=7000*a"; done)"
refused "a cookie header of 100 KB: 431" 431,header_too_large \
    "$U"$'\n'"@HTTP_COOKIE=100000*a"
refused "a cookie of 4.5 KB in a header of its size: 431" 431,cookie_too_large \
    "$U"$'\n'"HTTP_COOKIE=a=1; $(rep 4500 b)=2"
refused "a URI of 8 KB: 414" 414,uri_too_long "REQUEST_URI=/healthz?$(rep 8000)"
refused "no URI at all: 400" 400,bad_request "SCRIPT_NAME=/healthz"
fcgi "REQUEST_URI=/healthz
$(for i in $(seq 60); do echo "HTTP_X_H$i=$(rep 200)"; done)"
eq "60 fields of 200 bytes: served" "$STATUS,$(j .ok)" "200,true"
eq "the same workers still serve" "$(sort "$T/fcgi.pid" | tr '\n' ' ')" "$PIDS"
# A zombie (dead, not yet reaped) answers kill -0 too.
alive() { kill -0 "$1" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }
for p in $PIDS; do
	check "worker $p alive" alive "$p"
done
normal "the direct requests"
eq "the database as it was, after all" "$(db_snapshot)" "$snap0"

finish
