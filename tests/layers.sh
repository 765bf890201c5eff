#!/bin/bash
# The house keeps its floors (docs/architecture.md), read from the object
# files' symbol tables (nm), so that it keeps holding:
# - every file of handlers/ calls only files on floors below its own (so
#   no two call each other, and no circle);
# - no file of fcgi/ calls into handlers/, and fcgi/ has no circle;
# - no SQL text stands in handlers/ outside sql.def.
# Usage: tests/layers.sh BUILD-DIR
set -u
export LC_ALL=C	# join needs sort's order
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
PASS=0
FAIL=0
pass() { PASS=$((PASS + 1)); }
fail() { FAIL=$((FAIL + 1)); echo "FAIL [layers]: $*"; }

# The floors of handlers/, bottom first.  Any other file is a feature
# (floor 3); a new service or pure file is named here.
floor_of() {
	case $1 in
	rules|ident|valid|sql|wxparse) echo 0 ;;
	ctx|phone) echo 1 ;;
	ratelimit|checklog|colour|person|session|retention|audit|notice|roles) echo 2 ;;
	routes|boot) echo 4 ;;
	main|ctl) echo 5 ;;
	*) echo 3 ;;
	esac
}

T=$(mktemp -d "${TMPDIR:-/tmp}/hc-layers.XXXXXX")
trap 'rm -rf "$T"' EXIT

# The objects of today's sources (a build directory may hold older ones).
objects() {
	for c in "$TOP"/fcgi/*.c "$TOP"/handlers/*.c; do
		d=$(basename "$(dirname "$c")")
		[ "$d/$(basename "$c")" = fcgi/embed.c ] && continue	# a build tool
		echo "$BUILD/$d/$(basename "$c" .c).o"
	done
}

# Every source's object, and not older than its source.
for o in $(objects); do
	c="$TOP/$(basename "$(dirname "$o")")/$(basename "$o" .o).c"
	if [ ! -e "$o" ]; then
		fail "$o missing (build first)"
	elif [ "$c" -nt "$o" ]; then
		fail "$o is older than its source (build first)"
	else
		pass
	fi
done

# defs: "symbol dir/file" for every global symbol a file defines.
for o in $(objects); do
	[ -e "$o" ] || continue
	f="$(basename "$(dirname "$o")")/$(basename "$o" .o)"
	nm -g --defined-only "$o" | awk -v f="$f" 'NF == 3 { print $3, f }'
done | sort > "$T/defs"
# edges: "from to" for every call of a symbol another file defines.
for o in $(objects); do
	[ -e "$o" ] || continue
	f="$(basename "$(dirname "$o")")/$(basename "$o" .o)"
	nm -u "$o" | awk '{ print $NF }' | sort -u |
	    join - "$T/defs" | awk -v f="$f" '$2 != f && $1 != "main" { print f, $2, $1 }'
done | sort -u > "$T/calls"

nfiles=$(objects | grep -c /handlers/)
[ "$nfiles" -gt 10 ] && pass || fail "too few handlers objects ($nfiles)"

while read -r from to sym; do
	case $from in
	fcgi/*)
		case $to in
		handlers/*) fail "$from calls $to ($sym): fcgi/ knows no product" ;;
		*) echo "$from $to" >> "$T/fcgi-edges" ;;
		esac
		;;
	handlers/*)
		case $to in
		fcgi/*) ;;
		handlers/*)
			a=$(floor_of "${from#handlers/}")
			b=$(floor_of "${to#handlers/}")
			if [ -n "$a" ] && [ -n "$b" ] && [ "$b" -lt "$a" ]; then
				pass
			else
				fail "$from (floor $a) calls $to (floor $b): $sym"
			fi
			;;
		esac
		;;
	esac
done < "$T/calls"

# fcgi/ without circles: tsort reports a loop.
touch "$T/fcgi-edges"
if tsort "$T/fcgi-edges" > /dev/null 2> "$T/tsort"; then
	pass
else
	fail "fcgi/ has a circle: $(head -5 "$T/tsort" | tr '\n' ' ')"
fi

# SQL text only in sql.def: string literals that begin a statement (our SQL
# writes its keywords in capitals).
grep -nE '"[[:space:]]*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|WITH)[[:space:]]' \
    "$TOP"/handlers/*.c "$TOP"/handlers/*.h > "$T/sql" 2>/dev/null
if [ -s "$T/sql" ]; then
	fail "SQL text outside handlers/sql.def:"
	sed 's/^/    /' "$T/sql"
else
	pass
fi

echo "layers: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
