#!/bin/bash
# After a whole run: the logs every test left (tests/e2e/lib.sh copies
# them to HC_LOG_ARCHIVE), searched for everything the tests used that
# must never be logged: each phone number and one-time code sent, each
# session token given out, each code token signed, each secret and
# private key, and each ID number the tests' sources name (a one-time
# code: near its phone number).  Prints
# "logscan: N passed, N failed"; a failure names the kind and the log,
# never the value.
# usage: tests/logscan.sh ARCHIVE-DIR
set -u
A=$1
TOP=$(cd "$(dirname "$0")/.." && pwd)
PASS=0
FAIL=0
ls "$A"/*.log >/dev/null 2>&1 || { echo "logscan: no logs in the archive"; echo "logscan: 0 passed, 1 failed"; exit 1; }
cat "$A"/*.log > "$A/all.txt"

# found KIND PATTERN-FILE GREP-FLAGS: one check for a kind of value.
found() {
	local kind=$1 pats=$2 flags=$3 n
	n=$(wc -l < "$pats")
	if [ "$n" = 0 ]; then
		echo "FAIL [logscan]: no $kind to look for (the archive is incomplete)"
		FAIL=$((FAIL + 1))
		return
	fi
	if grep -q $flags -f "$pats" "$A/all.txt"; then
		echo "FAIL [logscan]: $kind found in a log: $(grep -l $flags -f "$pats" "$A"/*.log | head -3 | xargs -n1 basename | tr '\n' ' ')"
		FAIL=$((FAIL + 1))
	else
		PASS=$((PASS + 1))
	fi
	echo "logscan: looked for $n $kind values in $(ls "$A"/*.log | wc -l) logs" >&2
}

cat "$A"/*.needles | sort -u > "$A/needles.txt"
awk '$1 == "phone" { print "(^|[^0-9])" $2 "([^0-9]|$)" }' "$A/needles.txt" > "$A/p.phone"
# A code is six digits, as common as any in a log: it counts as found
# within 40 characters of its phone, either side.
awk '$1 == "otp" && $3 ~ /^[0-9][0-9][0-9][0-9][0-9][0-9]$/ {
	print $2 "[^0-9].{0,40}(^|[^0-9])" $3 "([^0-9]|$)"
	print "(^|[^0-9])" $3 "[^0-9].{0,40}" $2
}' "$A/needles.txt" > "$A/p.otp"
awk '$1 == "token" { print $2 }' "$A/needles.txt" > "$A/p.token"
awk '$1 == "secret" { print $2 }' "$A/needles.txt" > "$A/p.secret"
# ID numbers: every 17-digit stem in the tests' sources with its GB 11643
# check digit, and every full 18-character one.
grep -ohE '(^|[^0-9])[0-9]{17}[0-9Xx]?([^0-9]|$)' "$TOP"/tests/e2e/*.sh "$TOP"/tests/browser/*.mjs \
    "$TOP"/tests/miniprogram/*.js 2>/dev/null | grep -oE '[0-9]{17}[0-9Xx]?' | sort -u |
awk 'BEGIN { split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " "); split("1 0 X 9 8 7 6 5 4 3 2", c, " ") }
{
	s = 0
	for (i = 1; i <= 17; i++) s += substr($0, i, 1) * w[i]
	print substr($0, 1, 17) c[s % 11 + 1]
	if (length($0) == 18) print toupper($0)
}' | sort -u > "$A/p.id"

found "phone number" "$A/p.phone" -E
found "one-time code" "$A/p.otp" -E
found "session or code token" "$A/p.token" -F
found "secret or private key" "$A/p.secret" -F
found "ID number" "$A/p.id" -F
echo "logscan: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
