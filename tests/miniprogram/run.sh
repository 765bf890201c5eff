#!/bin/bash
# The mini-program's tests: its pages loaded by miniprogram-simulate (the
# official test tool, in Node with jsdom) and driven against a real
# lighttpd + workers, with WeChat's API played by tests/wechat-standin.py.
. "$(dirname "$0")/../e2e/lib.sh"
NAME=miniprogram

cd "$TOP/tests/miniprogram"
npm_ready miniprogram-simulate

SECRET=MiniProgramTestSecret0123456789
SKPREFIX=sk-miniprogram-test-
start_wechat wx0123456789abcdef "$SECRET" "$SKPREFIX"
export HC_WECHAT_TIMEOUT_MS=2000
export HC_NOW=2026-11-29T02:00:00Z
export HC_CODE_TTL=35		# so the code page renews within the test
start_stack

out=$(BASE="$BASE" OUTBOX="$HC_DATA_DIR/sms-outbox.log" \
    DB="$HC_DATA_DIR/healthcode.db" CTL="$CTL" TMP="$T" node pages.js 2>&1)
node_result "$out"

# What the pages' run left in the logs: no app secret, no session_key, no
# phone number in clear.
wechat_logs_clean "$SECRET" "$SKPREFIX"
check "no phone number in any log" bash -c '! grep -qE "1370000000[12]" "$@"' "${logs[@]}"
finish
