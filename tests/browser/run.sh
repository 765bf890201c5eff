#!/bin/bash
# The browser test: a real lighttpd + workers, driven by Debian's
# headless Chromium through playwright-core (no downloaded browser).
. "$(dirname "$0")/../e2e/lib.sh"
NAME=browser

cd "$TOP/tests/browser"
npm_ready playwright-core
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || { echo "browser: chromium not installed (make deps)"; exit 1; }

export HC_NOW=2026-11-29T02:00:00Z
export HC_CODE_TTL=35		# so the page renews its code within the test
start_stack
mkdir -p "$BUILD/screenshots"
ADMIN_PHONE=13500000009
"$CTL" grant "$ADMIN_PHONE" admin >/dev/null
for script in login.mjs code.mjs venues.mjs admin.mjs; do
	out=$(BASE="$BASE" OUTBOX="$HC_DATA_DIR/sms-outbox.log" \
	    CHROMIUM="$CHROMIUM" SHOTS="$BUILD/screenshots" \
	    ADMIN_PHONE="$ADMIN_PHONE" TMP="$T" node "$script")
	node_result "$out"
done
finish
