#!/bin/sh
# Starts and stops the health-code FastCGI workers with spawn-fcgi.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

usage() {
	cat <<USAGE
usage: spawn.sh [start] [options]
       spawn.sh stop [-P pidfile]

Starts N FastCGI workers (spawn-fcgi -F N) on one socket, in the
background; the workers inherit the environment (HC_CONFIG, HC_*).

  -n N        workers (default: number of cores, $(nproc 2>/dev/null || echo 1))
  -s PATH     listen on a unix socket (default: \$HC_DATA_DIR/run/fcgi.sock,
              or var/run/fcgi.sock)
  -a ADDR     listen on TCP ADDR (with -p) instead of a unix socket
  -p PORT     TCP port
  -u USER     run workers as USER (when started as root)
  -g GROUP    run workers as GROUP
  -P FILE     pid file, one pid per line (default: next to the socket,
              fcgi.pid); "stop" kills the pids it lists
  -l FILE     append the workers' log to FILE (sets HC_LOG_FILE; without
              it spawn-fcgi sends the log to /dev/null)
  -b BINARY   the responder (default: build/healthcode.fcgi)
  -h          this help
USAGE
}

cmd=start
case "${1:-}" in
start|stop) cmd=$1; shift ;;
esac

data=${HC_DATA_DIR:-var}
workers=$(nproc 2>/dev/null || echo 1)
sock=""
addr=""
port=""
user=""
group=""
pidfile=""
logfile=""
binary="$here/build/healthcode.fcgi"

while getopts "n:s:a:p:u:g:P:l:b:h" opt; do
	case $opt in
	n) workers=$OPTARG ;;
	s) sock=$OPTARG ;;
	a) addr=$OPTARG ;;
	p) port=$OPTARG ;;
	u) user=$OPTARG ;;
	g) group=$OPTARG ;;
	P) pidfile=$OPTARG ;;
	l) logfile=$OPTARG ;;
	b) binary=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

if [ -z "$sock" ] && [ -z "$port" ]; then
	sock="$data/run/fcgi.sock"
fi
if [ -z "$pidfile" ]; then
	if [ -n "$sock" ]; then
		pidfile="$(dirname "$sock")/fcgi.pid"
	else
		pidfile="$data/run/fcgi.pid"
	fi
fi

stop() {
	[ -f "$pidfile" ] || return 0
	pids=$(cat "$pidfile")
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null || true
	# Wait for in-flight requests to finish (at most ~5 s), then insist.
	i=0
	while [ $i -lt 50 ]; do
		alive=""
		for p in $pids; do
			# A zombie (exited, not yet reaped) is gone too.
			kill -0 "$p" 2>/dev/null &&
			    [ "$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)" != Z ] &&
			    alive="$alive $p"
		done
		[ -z "$alive" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	for p in $pids; do
		kill -9 "$p" 2>/dev/null || true
	done
	rm -f "$pidfile"
	[ -n "$sock" ] && rm -f "$sock"
	return 0
}

if [ "$cmd" = stop ]; then
	stop
	exit 0
fi

case $workers in
''|*[!0-9]*) echo "spawn.sh: -n needs a number" >&2; exit 2 ;;
esac
[ -x "$binary" ] || { echo "spawn.sh: $binary: not built (make)" >&2; exit 1; }
command -v spawn-fcgi >/dev/null || {
	echo "spawn.sh: spawn-fcgi not installed (make deps)" >&2; exit 1; }

set -- -F "$workers" -P "$pidfile"
if [ -n "$port" ]; then
	set -- "$@" -a "${addr:-127.0.0.1}" -p "$port"
else
	mkdir -p "$(dirname "$sock")"
	rm -f "$sock"
	set -- "$@" -s "$sock" -M 0660
fi
[ -n "$user" ] && set -- "$@" -u "$user"
[ -n "$group" ] && set -- "$@" -g "$group"
[ -n "$user" ] && [ -n "$sock" ] && set -- "$@" -U "$user"
mkdir -p "$(dirname "$pidfile")"

[ -n "$logfile" ] && export HC_LOG_FILE="$logfile"
spawn-fcgi "$@" -- "$binary" >/dev/null
