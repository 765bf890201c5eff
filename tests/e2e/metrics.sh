#!/bin/bash
# End to end: GET /metrics through lighttpd with two workers.  The counts
# go up by exactly what the test did, whichever worker served it (the
# workers share one mapped file); no label carries a path, token, phone
# or identity number; the purge runs of the workers and of the CLI are
# counted, with the rows the database says they deleted; metrics_allow
# refuses other addresses with the 404 of an unknown path, and a bad
# value stops the programs from starting.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T02:00:00Z
export HC_OTP_IP_HOURLY=1000
start_stack
HEALTHY='"temperature":36.5,"symptoms":[],"travel":[],"contact":false'

# scrape [FILE]: GET /metrics into FILE ($T/m).
scrape() { req GET /metrics; cp "$T/body" "${1:-$T/m}"; }
# val SERIES [FILE]: the value of a series, 0 when it is not there.
val() {
	awk -v k="$1" '$1 == k { v = $2 } END { print v == "" ? 0 : v }' "${2:-$T/m}"
}
# delta SERIES: after minus before.
delta() { echo $(( $(val "$1" "$T/after") - $(val "$1" "$T/before") )); }

# --- the format --------------------------------------------------------
scrape
eq "GET /metrics from loopback" "$STATUS" 200
eq "content type" "$(hdr Content-Type)" "text/plain; version=0.0.4; charset=utf-8"
for f in "requests_total counter" "request_duration_seconds histogram" \
    "db_busy_retries_total counter" "purge_runs_total counter" \
    "purged_rows_total counter" "codes_issued_total counter" \
    "verifications_total counter"; do
	check "declares healthcode_${f% *} as a ${f#* }" \
	    grep -qx "# TYPE healthcode_$f" "$T/m"
	check "helps with healthcode_${f% *}" grep -q "^# HELP healthcode_${f% *} ." "$T/m"
done
eq "no busy retries" "$(val healthcode_db_busy_retries_total)" 0
# The first request of the day claimed the purge; it runs between requests.
for _ in $(seq 100); do
	[ "$(sql "SELECT finished_at IS NOT NULL FROM purge_runs WHERE day = '2026-11-29'")" = 1 ] && break
	sleep 0.05
done
scrape
eq "the first request of the day ran the purge" \
    "$(val 'healthcode_purge_runs_total{by="worker",result="done"}')" 1
check "every sample line is NAME[{labels}] NUMBER" \
    test -z "$(grep -v '^#' "$T/m" | grep -Ev '^healthcode_[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+(\.[0-9]+)?$')"
eq "the metrics file is mode 0600" "$(stat -c %a "$HC_DATA_DIR/metrics")" 600

# --- what the test does, counted exactly ---------------------------------
scrape "$T/before"
seq 40 | xargs -P 4 -I{} curl -s -o /dev/null "$BASE/healthz"
for i in 1 2 3; do req GET "/no/such/page/$i"; done
eq "an unknown path" "$STATUS" 404
USR=$(login 13800138000)
ID=11010519491231002X
api "$USR" POST /api/v1/declarations "{\"name\":\"王小华\",\"id_type\":\"resident_id\",\"id_number\":\"$ID\",$HEALTHY}"
eq "declared" "$STATUS" 201
api "$USR" GET /api/v1/code
eq "a code" "$STATUS" 200
CODE=$(j .token)
api "$USR" GET /api/v1/code
eq "the same code again (kept, not signed again)" "$(j .token)" "$CODE"
"$CTL" grant 13900139000 checker > /dev/null
CHK=$(login 13900139000)
api "$CHK" POST /api/v1/verify "{\"token\":\"$CODE\"}"
eq "verified green" "$(j .color)" green
api "$CHK" POST /api/v1/verify '{"token":"not.a.token"}'
eq "a malformed token" "$(j .reason)" malformed
# A character of the signature changed (not the last: some of its bits
# are padding).
i=$(( ${#CODE} - 10 ))
[ "${CODE:$i:1}" = A ] && other=B || other=A
api "$CHK" POST /api/v1/verify "{\"token\":\"${CODE:0:$i}$other${CODE:$((i + 1))}\"}"
check "a changed signature is refused" test "$(j .valid)" = false
REASON=$(j .reason)
req GET "/v/$CODE"
eq "the /v/ page to anyone" "$STATUS" 200
api "$USR" GET /api/v1/venues/424242
eq "another's venue id" "$STATUS" 404
scrape "$T/after"
cp "$T/after" "$T/m"

eq "healthz: +40" "$(delta 'healthcode_requests_total{method="GET",route="/healthz",status="200"}')" 40
eq "healthz durations: +40" "$(delta 'healthcode_request_duration_seconds_count{method="GET",route="/healthz"}')" 40
eq "healthz: +Inf bucket is the count" \
    "$(val 'healthcode_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}')" \
    "$(val 'healthcode_request_duration_seconds_count{method="GET",route="/healthz"}')"
eq "unknown paths: +3 as route -" "$(delta 'healthcode_requests_total{method="-",route="-",status="404"}')" 3
eq "one-time codes: +2" "$(delta 'healthcode_requests_total{method="POST",route="/api/v1/auth/otp",status="202"}')" 2
eq "declarations: +1" "$(delta 'healthcode_requests_total{method="POST",route="/api/v1/declarations",status="201"}')" 1
eq "code JSON: +2" "$(delta 'healthcode_requests_total{method="GET",route="/api/v1/code",status="200"}')" 2
eq "verify: +3" "$(delta 'healthcode_requests_total{method="POST",route="/api/v1/verify",status="200"}')" 3
eq "the /v/ page: by its pattern" "$(delta 'healthcode_requests_total{method="GET",route="/v/{token}",status="200"}')" 1
eq "a venue id: by its pattern" "$(delta 'healthcode_requests_total{method="GET",route="/api/v1/venues/{id}",status="404"}')" 1
eq "/metrics itself: +1 (the scrape before)" "$(delta 'healthcode_requests_total{method="GET",route="/metrics",status="200"}')" 1
eq "codes issued: +1 green (the kept one is not issued again)" "$(delta 'healthcode_codes_issued_total{color="green"}')" 1
eq "codes issued: no other colour" "$(( $(delta 'healthcode_codes_issued_total{color="yellow"}') + $(delta 'healthcode_codes_issued_total{color="red"}') ))" 0
eq "verifications: +1 green scan" "$(delta 'healthcode_verifications_total{method="scan",result="green"}')" 1
eq "verifications: +1 malformed" "$(delta 'healthcode_verifications_total{method="scan",result="malformed"}')" 1
eq "verifications: +1 $REASON" "$(delta "healthcode_verifications_total{method=\"scan\",result=\"$REASON\"}")" 1
eq "check records in the database: 3" "$(sleep 0.2; sql 'SELECT count(*) FROM verifications')" 3
# The sum over every route and status is every request answered between
# the start and the last scrape, as the log has them.
log_settled
answered=$(grep -cE 'server_run: [0-9a-f]{16} [A-Z-]+ [^ ]+ [0-9]{3} [0-9.]+ms' "$HC_LOG_FILE")
sum() { grep '^healthcode_requests_total' "$1" | awk '{ s += $2 } END { print s }'; }
eq "every answer is in requests_total, once (sum = log lines - 1)" \
    "$(sum "$T/after")" "$((answered - 1))"
# Both workers served the healthz requests: two request-id prefixes.
workers=$(grep 'GET /healthz 200' "$HC_LOG_FILE" | awk '{ print $1 }' | sort -u | wc -l)
check "both workers served (request ids of $workers processes), counts summed" test "$workers" -ge 2

# --- no personal data in any label ----------------------------------------
for s in "$CODE" 13800138000 13900139000 "$ID" 424242 "王小华" /no/such; do
	eq "the metrics hold no '${s:0:24}'" "$(grep -cF -- "$s" "$T/after")" 0
done

# --- purges: the workers' and the CLI's, with their rows -----------------
"$CTL" purge > /dev/null
scrape
eq "the CLI's purge is counted" "$(val 'healthcode_purge_runs_total{by="cli",result="done"}')" 1
set_now 2026-11-30T02:00:00Z	# the next day: yesterday's sessions expire
req GET /healthz
for _ in $(seq 40); do
	[ "$(sql "SELECT finished_at IS NOT NULL FROM purge_runs WHERE day = '2026-11-30'")" = 1 ] && break
	sleep 0.05
done
scrape
eq "the next day's purge by a worker: 2 done" "$(val 'healthcode_purge_runs_total{by="worker",result="done"}')" 2
eq "no failed purge" "$(grep -c 'result="failed"' "$T/m")" 0
for class in sessions daily_codes; do
	want=$(sql "SELECT sum(json_extract(counts, '\$.$class')) FROM purge_runs")
	eq "purged $class: as the purge records say ($want)" \
	    "$(val "healthcode_purged_rows_total{class=\"$class\"}")" "$want"
done
check "the counts outlived the workers' restart" \
    test "$(val 'healthcode_requests_total{method="GET",route="/healthz",status="200"}')" -gt 40

# --- metrics_allow ---------------------------------------------------------
req GET /no/such/page
cp "$T/body" "$T/notfound"
nf_type=$(hdr Content-Type)
for allow in "10.0.0.0/8" "" "::1" "127.0.0.2 192.168.0.0/16"; do
	HC_METRICS_ALLOW=$allow restart_workers
	req GET /metrics
	eq "metrics_allow='$allow': 404" "$STATUS" 404
	eq "metrics_allow='$allow': the unknown path's page" "$(cmp -s "$T/body" "$T/notfound" && echo same)" same
	eq "metrics_allow='$allow': its type" "$(hdr Content-Type)" "$nf_type"
done
HC_METRICS_ALLOW="10.0.0.0/8, 127.0.0.1/32" restart_workers
req GET /metrics
eq "metrics_allow with 127.0.0.1/32: 200" "$STATUS" 200
cp "$T/body" "$T/m"
# Another client address, with the same list: lighttpd passes the source
# address of the connection (127.0.0.2 is this machine too).
st=$(curl -s -o "$T/body2" -w '%{http_code}' --interface 127.0.0.2 "$BASE/metrics")
eq "from 127.0.0.2, not on the list: 404" "$st" 404
eq "... the unknown path's page" "$(cmp -s "$T/body2" "$T/notfound" && echo same)" same
st=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.1 "$BASE/metrics")
eq "from 127.0.0.1 at the same time: 200" "$st" 200
eq "the refusals were counted as /metrics 404" "$(val 'healthcode_requests_total{method="GET",route="/metrics",status="404"}')" 4
scrape
eq "... and the one from 127.0.0.2" "$(val 'healthcode_requests_total{method="GET",route="/metrics",status="404"}')" 5
for bad in "10.0.0.0/33" "localhost" "127.0.0.1/" "::1/129" "1.2.3"; do
	HC_METRICS_ALLOW=$bad "$CTL" migrate status > /dev/null 2> "$T/err"
	eq "metrics_allow='$bad': refused" "$?" 1
	check "metrics_allow='$bad': says why" grep -qF "config: metrics_allow: \"$bad\" is not an address or address/bits" "$T/err"
done
"$TOP/spawn.sh" stop -s "$T/fcgi.sock" -P "$T/fcgi.pid"
HC_METRICS_ALLOW=localhost "$TOP/spawn.sh" start -n 1 -s "$T/fcgi.sock" \
    -P "$T/fcgi.pid" -b "$BUILD/healthcode.fcgi" -l "$HC_LOG_FILE" 2> "$T/err"
check "a worker with a bad metrics_allow does not start" test $? != 0
check "... spawn-fcgi saw it exit 1" grep -q "child exited with: 1" "$T/err"
check "... and it says why (in HC_LOG_FILE)" grep -q 'config: metrics_allow: "localhost" is not an address' "$HC_LOG_FILE"

# --- a file of another layout is replaced ---------------------------------
"$TOP/spawn.sh" stop -s "$T/fcgi.sock" -P "$T/fcgi.pid"
printf 'written by something else' > "$HC_DATA_DIR/metrics"
restart_workers
scrape
eq "another layout: replaced, serving" "$STATUS" 200
eq "another layout: counting from zero" "$(val 'healthcode_requests_total{method="GET",route="/healthz",status="200"}')" 1
eq "another layout: mode 0600" "$(stat -c %a "$HC_DATA_DIR/metrics")" 600
check "another layout: no temporary file left" test ! -e "$HC_DATA_DIR/metrics.new"

finish
