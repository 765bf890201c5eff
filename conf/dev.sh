#!/bin/sh
# "make run": a development server on 127.0.0.1:$PORT.  Creates the data
# directory and secrets, applies migrations, starts the FastCGI workers
# and runs lighttpd in the foreground; Ctrl-C stops everything.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
PORT=${PORT:-8080}
DATA_DIR=${DATA_DIR:-var}
mkdir -p "$DATA_DIR"
DATA_DIR=$(cd "$DATA_DIR" && pwd)

export HC_CONFIG="${HC_CONFIG:-$top/conf/healthcode.conf}"
export HC_DATA_DIR="$DATA_DIR"
# A development server: one-time codes go to $DATA_DIR/sms-outbox.log.
export HC_DEVELOPMENT=on
if [ -z "${HC_PUBLIC_BASE_URL:-}" ]; then
	export HC_PUBLIC_BASE_URL="http://127.0.0.1:$PORT"
fi

ctl="$top/$BUILD/healthcodectl"
"$ctl" init
"$ctl" migrate

run="$DATA_DIR/run"
mkdir -p "$run"
sed -e "s|@BIND@|127.0.0.1|" -e "s|@PORT@|$PORT|" \
    -e "s|@SOCKET@|$run/fcgi.sock|" -e "s|@STATIC@|$top/static|" \
    -e "s|@LOGDIR@|$run|" "$top/conf/lighttpd.conf" > "$run/lighttpd.conf"

"$top/spawn.sh" stop -s "$run/fcgi.sock" -P "$run/fcgi.pid"
"$top/spawn.sh" start -s "$run/fcgi.sock" -P "$run/fcgi.pid" \
    -b "$top/$BUILD/healthcode.fcgi" -l "$run/healthcode.log"
lpid=""
cleanup() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	"$top/spawn.sh" stop -s "$run/fcgi.sock" -P "$run/fcgi.pid"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

lighttpd -tt -f "$run/lighttpd.conf"
echo "serving on http://127.0.0.1:$PORT (log: $run/healthcode.log; one-time codes: $DATA_DIR/sms-outbox.log); Ctrl-C stops"
lighttpd -D -f "$run/lighttpd.conf" &
lpid=$!
wait "$lpid"
