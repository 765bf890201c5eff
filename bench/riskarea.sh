#!/bin/bash
# What one risk-area change costs with a province's people: PERSONS rows
# in persons (1,000,000 by default, written with sqlite3), then ROUNDS
# changes through lighttpd as an admin (PUT, alternating high and medium,
# then DELETE), each timed by curl.  Prints every time and the median.
# OLD_TRIGGERS=1 first puts back the triggers of migration 0007 that
# rewrote every person on each change (what migration 0011 replaced with
# one generation), to measure what a change cost before.
# Usage: bench/riskarea.sh [BUILD]   (env: PERSONS=1000000 ROUNDS=7)
ROUNDS=${ROUNDS:-7}
. "$(dirname "$0")/stack.sh"

stack_start
if [ -n "${OLD_TRIGGERS:-}" ]; then
	sqlite3 "$DB" "
	    CREATE TRIGGER risk_colour_ins AFTER INSERT ON risk_areas BEGIN
		UPDATE persons SET color_gen = color_gen + 1; END;
	    CREATE TRIGGER risk_colour_upd AFTER UPDATE ON risk_areas BEGIN
		UPDATE persons SET color_gen = color_gen + 1; END;
	    CREATE TRIGGER risk_colour_del AFTER DELETE ON risk_areas BEGIN
		UPDATE persons SET color_gen = color_gen + 1; END;"
	echo "  with migration 0007's triggers: every change rewrites every person"
fi
stack_serve

# change METHOD [BODY]: one change, prints "status seconds".
change() {
	if [ $# -gt 1 ]; then
		set -- "$1" -H 'Content-Type: application/json' --data-binary "$2"
	else
		set -- "$1" -H 'Content-Length: 0'
	fi
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X "$@" \
	    -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/admin/risk-areas/330100"
}
times=()
for i in $(seq "$ROUNDS"); do
	level=high
	[ $((i % 2)) = 0 ] && level=medium
	set -- $(change PUT "{\"level\":\"$level\"}")
	[ "$1" = 200 ] || { echo "PUT answered $1" >&2; exit 1; }
	echo "  PUT $level: ${2}s"
	times+=("$2")
done
set -- $(change DELETE)
echo "  DELETE: ${2}s ($1)"
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")
echo "riskarea bench: median PUT ${median}s with $PERSONS persons;" \
    "$(sqlite3 "$DB" 'SELECT count(*) FROM persons WHERE color_gen > 0') persons" \
    "rewritten, colour_epoch $(sqlite3 "$DB" 'SELECT gen FROM colour_epoch')"
