#!/bin/bash
# What a case-list import costs: ROWS rows (100,000 by default, from
# bench/gen-cases.sh, about 6.5 MB) posted through lighttpd as an admin,
# with PERSONS people in the database (1,000,000 by default): a first
# import, the same file again (every entry refreshed), a file that is
# refused on its last row (every row checked, nothing written), and
# another first import by healthcodectl import-cases.  Prints each time
# and the workers' memory after.
# Usage: bench/cases.sh [BUILD]   (env: PERSONS=1000000 ROWS=100000)
ROWS=${ROWS:-100000}
. "$(dirname "$0")/stack.sh"

stack_start
stack_serve
DAY=$(TZ=Asia/Shanghai date +%F)
"$TOP/bench/gen-cases.sh" "$ROWS" "$DAY" > "$T/a.csv"
"$TOP/bench/gen-cases.sh" "$ROWS" "$DAY" "$ROWS" > "$T/b.csv"
{ head -n "$ROWS" "$T/a.csv"; echo "resident_id,1,王小华,confirmed,$DAY"; } > "$T/bad.csv"

# import FILE LABEL: one import through lighttpd, timed by curl.
import() {
	set -- $(curl -s -o "$T/body" -w '%{http_code} %{time_total}' \
	    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' \
	    --data-binary @"$1" "$BASE/api/v1/admin/cases") "$2"
	printf '  %-40s %s s (%s: %s)\n' "$3" "$2" "$1" \
	    "$(jq -c '.imported // .error.code' < "$T/body")"
}
import "$T/a.csv" "first import, $ROWS rows ($(du -h "$T/a.csv" | cut -f1))"
import "$T/a.csv" "the same again (refreshed)"
import "$T/bad.csv" "refused at its last row"
t0=$(date +%s.%N)
"$BUILD/healthcodectl" import-cases "$T/b.csv" >/dev/null
echo "  healthcodectl import-cases, $ROWS new rows   $(secs "$t0") s"
echo "  entries $(sqlite3 "$DB" 'SELECT count(*) FROM case_entries');" \
    "workers' RSS $(ps -o rss= -p "$(cat "$T/app.pid" | tr '\n' ',' | sed 's/,$//')" | \
    awk '{ printf "%s%.1f MiB", (NR > 1 ? ", " : ""), $1 / 1024 }')"
