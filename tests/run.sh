#!/bin/bash
# Runs the whole suite once per build directory given (e.g. build and
# build/asan): unit tests, end-to-end tests through lighttpd, and the
# browser test.  Ends with one line "N passed, N failed".
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
PASS=0
FAIL=0

# run LABEL COMMAND...: runs one test program, adds up its result line.
run() {
	label=$1
	shift
	rm -rf "$SANDIR"; mkdir -p "$SANDIR"
	out=$("$@" 2>&1)
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed$' | tail -1)
	printf '%s\n' "$out" | grep -E '(^FAIL|^not ok| FAIL |^[A-Za-z0-9_.-]+: skipped: )' | head -40
	if [ -z "$line" ]; then
		echo "[$BUILD_LABEL] $label: no result line (exit $rc)"
		printf '%s\n' "$out" | tail -20
		FAIL=$((FAIL + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "[$BUILD_LABEL] $label: exit $rc after all passed"
		f=1
	fi
	# Sanitizer reports (from tests and from the FastCGI workers).
	if [ -n "$(ls -A "$SANDIR" 2>/dev/null)" ]; then
		echo "[$BUILD_LABEL] $label: sanitizer reports:"
		cat "$SANDIR"/* | head -60
		f=$((f + 1))
	fi
	echo "[$BUILD_LABEL] $line"
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
}

for build in "$@"; do
	BUILD_LABEL=$build
	SANDIR=$(mktemp -d "${TMPDIR:-/tmp}/hc-san.XXXXXX")
	# Every test's logs, for the scan for personal data and secrets.
	HC_LOG_ARCHIVE=$(mktemp -d "${TMPDIR:-/tmp}/hc-logs.XXXXXX")
	export HC_LOG_ARCHIVE
	export ASAN_OPTIONS="log_path=$SANDIR/asan:detect_leaks=1"
	export UBSAN_OPTIONS="log_path=$SANDIR/ubsan:print_stacktrace=1:halt_on_error=1"
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		run "$(basename "$t")" "$t"
	done
	run layers bash tests/layers.sh "$build"
	for t in tests/e2e/*.sh; do
		[ "$(basename "$t")" = lib.sh ] && continue
		run "$(basename "$t")" env BUILD="$build" bash "$t"
	done
	# The fuzz harnesses' plain mains replay each seed corpus.
	for r in "$build"/fuzz/fuzz_*-replay; do
		[ -x "$r" ] || continue
		f=$(basename "$r" -replay)
		run "$f" sh -c "'$r' 'fuzz/corpus/${f#fuzz_}' | sed -E 's/^replay: ([0-9]+) inputs\$/$f: \\1 passed, 0 failed/'"
	done
	if [ -z "${NO_BROWSER:-}" ]; then
		run browser env BUILD="$build" bash tests/browser/run.sh
	fi
	run miniprogram env BUILD="$build" bash tests/miniprogram/run.sh
	run logscan bash tests/logscan.sh "$HC_LOG_ARCHIVE"
	rm -rf "$HC_LOG_ARCHIVE"
	unset HC_LOG_ARCHIVE
	rm -rf "$SANDIR"
	unset ASAN_OPTIONS UBSAN_OPTIONS
done

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
