#!/bin/bash
# Writes a case list of N rows to standard output, for the import's
# tests and benchmark: the header, then one row per person with a valid
# resident ID number (a real GB/T 2260 region, a real birth date, the
# GB 11643 check character), a name, the five categories in turn, all
# listed on DAY.  Rows OFFSET.. (default 0): two files with different
# offsets list different people.
# Usage: bench/gen-cases.sh [N [DAY [OFFSET]]]   (N 100000, DAY today)
set -eu
N=${1:-100000}
DAY=${2:-$(TZ=Asia/Shanghai date +%F)}
OFF=${3:-0}
exec awk -v n="$N" -v day="$DAY" -v off="$OFF" '
# The date of day number z after 1970-01-01 (H. Hinnant, civil_from_days).
function civil(z,    era, doe, yoe, y, doy, mp, d, m) {
	z += 719468
	era = int((z >= 0 ? z : z - 146096) / 146097)
	doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	return sprintf("%04d%02d%02d", y + (m <= 2), m, d)
}
BEGIN {
	split("110101 330106 310101 440305 330102 510104 420102 320102", region, " ")
	split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " ")
	split("王小华 李明 张伟 刘洋 陈静 欧阳娜娜 阿依古丽·买买提 赵敏", name, " ")
	split("confirmed suspected asymptomatic close_contact secondary_contact", kind, " ")
	check = "10X98765432"
	print "id_type,id_number,name,category,listed_on"
	for (i = off; i < off + n; i++) {
		r = region[i % 8 + 1]
		b = civil(-7305 + int(i / 8) % 18000)	# 1950-01-01 on
		s = sprintf("%03d", int(i / 144000) % 1000)
		id = r b s
		sum = 0
		for (k = 1; k <= 17; k++)
			sum += substr(id, k, 1) * w[k]
		id = id substr(check, sum % 11 + 1, 1)
		printf "resident_id,%s,%s,%s,%s\n", id, name[i % 8 + 1], kind[i % 5 + 1], day
	}
}'
