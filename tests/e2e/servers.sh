#!/bin/bash
# End to end through each web server of conf/, the real ones from Debian's
# packages: lighttpd, Apache with mod_proxy_fcgi, Apache with mod_fcgid
# (Apache starts the responders itself) and nginx, each on a free port in
# front of real workers, run as an unprivileged user with the
# configuration as it is in conf/ (only the placeholders filled in).
# Through each: the smoke flow (sign-in, declaration, code, verification by
# a checker, venue check-in, itinerary), static files and the security
# headers (once each), the client's address taken from a trusted proxy
# only, a body over our limit (our 413 in JSON) and one over the server's
# (its own 413), a client that stalls in its body (the server's timeout
# answers, and the workers serve others meanwhile), bodies in chunks,
# heads past the responder's bounds (its 431 or 414) and past the
# server's own (its 4xx), and concurrent POSTs, each answered to the client as the responder answered
# it.  Then each file's site part alone, in a server set up as Debian's
# package sets it up; and the responder's own bound on a stalled body
# (body_timeout) behind mod_proxy_fcgi, which passes bodies on as they come.

# Apache will not serve as root, and the configurations are for a server
# of its own user: as root, the test runs again as "nobody", on a copy of
# what it needs (the checkout may be where nobody cannot read).  The
# sanitizers' reports and the logs come back to where tests/run.sh looks
# for them.
if [ "$(id -u)" = 0 ]; then
	top=$(cd "$(dirname "$0")/../.." && pwd)
	build=${BUILD:-build}
	case $build in /*) ;; *) build="$top/$build" ;; esac
	u=nobody
	w=$(mktemp -d "${TMPDIR:-/tmp}/hc-servers.XXXXXX")
	[ -n "${KEEP:-}" ] || trap 'rm -rf "$w"' EXIT
	mkdir -p "$w/top/tests/e2e" "$w/top/build" "$w/san"
	cp -a "$top/spawn.sh" "$top/conf" "$top/static" "$w/top/"
	cp -a "$top/tests/e2e/lib.sh" "$top/tests/e2e/servers.sh" "$w/top/tests/e2e/"
	cp -a "$build/healthcode.fcgi" "$build/healthcodectl" "$w/top/build/"
	chown -R "$u" "$w"
	san() {	# san OPTIONS: log_path moved into $w/san
		printf '%s' "$1" | sed -E "s|log_path=[^:]*/([^/:]*)|log_path=$w/san/\\1|"
	}
	mkdir -p "$w/logs" && chown "$u" "$w/logs"
	env BUILD="$w/top/build" HOME="$w" TMPDIR="$w" \
	    ASAN_OPTIONS="$(san "${ASAN_OPTIONS:-}")" \
	    UBSAN_OPTIONS="$(san "${UBSAN_OPTIONS:-}")" \
	    ${HC_LOG_ARCHIVE:+HC_LOG_ARCHIVE="$w/logs"} \
	    setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups \
	    bash "$w/top/tests/e2e/servers.sh"
	rc=$?
	dir=$(printf '%s' "${ASAN_OPTIONS:-}" | sed -nE 's|.*log_path=([^:]*)/[^/:]*.*|\1|p')
	if [ -n "$dir" ] && [ -n "$(ls -A "$w/san")" ]; then
		cp "$w/san"/* "$dir"/
	fi
	# The logs for tests/logscan.sh, the same way.
	if [ -n "${HC_LOG_ARCHIVE:-}" ] && [ -n "$(ls -A "$w/logs")" ]; then
		cp "$w/logs"/* "$HC_LOG_ARCHIVE"/
	fi
	exit $rc
fi

. "$(dirname "$0")/lib.sh"

export HC_OTP_IP_HOURLY=1000
JAR="$T/jar"
"$CTL" init >/dev/null && "$CTL" migrate >/dev/null ||
    { echo "init failed" >&2; exit 1; }
# The workers of spawn.sh, for every server but mod_fcgid's.
"$TOP/spawn.sh" start -n "$WORKERS" -s "$T/fcgi.sock" -P "$T/fcgi.pid" \
    -b "$BUILD/healthcode.fcgi" -l "$HC_LOG_FILE" ||
    { echo "workers would not start" >&2; exit 1; }

SPID=""
stop_web() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	SPID=""
}
trap 'stop_web; cleanup' EXIT

# Debian's apache2 package enables these modules.
DEBIAN_MODS="access_compat alias auth_basic authn_core authn_file authz_core
authz_host authz_user autoindex deflate dir env filter mime mpm_event
negotiation reqtimeout setenvif status"

# site_conf NAME: the site part of conf/NAME.conf (BEGIN SITE to END
# SITE) in a server configured the way Debian's package configures it,
# plus only the modules the file's comment says to enable; paths that
# need root there are under $D here.
site_conf() {
	local m mods
	fill_conf "$1" "$D/full.conf" "$PORT" "$T/fcgi.sock" "$D"
	sed -n '/^[[:space:]]*## BEGIN SITE/,/^[[:space:]]*## END SITE/p' "$D/full.conf" > "$D/site.conf"
	case $1 in
	lighttpd)
		cat <<-EOF
		server.modules = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )
		server.document-root = "$D"
		server.upload-dirs = ( "$D" )
		server.errorlog = "$D/lighttpd-error.log"
		server.bind = "127.0.0.1"
		server.port = $PORT
		index-file.names = ( "index.html" )
		url.access-deny = ( "~", ".inc" )
		static-file.exclude-extensions = ( ".php", ".pl", ".fcgi" )
		include_shell "/usr/share/lighttpd/create-mime.conf.pl"
		EOF
		for m in $(sed -n 's/.*"lighty-enable-mod \([^"]*\)".*/\1/p' "$D/full.conf"); do
			echo "include \"$(ls /etc/lighttpd/conf-available/*-"$m".conf)\""
		done
		printf '$HTTP["host"] =~ "" {\n\tinclude "%s"\n}\n' "$D/site.conf" ;;
	nginx)
		cat <<-EOF
		daemon off;
		pid $D/nginx.pid;
		error_log $D/nginx-error.log;
		events { worker_connections 768; }
		http {
			sendfile on;
			tcp_nopush on;
			types_hash_max_size 2048;
			include /etc/nginx/mime.types;
			default_type application/octet-stream;
			access_log off;
			gzip on;
			client_body_temp_path $D/nginx-body;
			fastcgi_temp_path $D/nginx-fastcgi;
			proxy_temp_path $D/nginx-proxy;
			uwsgi_temp_path $D/nginx-uwsgi;
			scgi_temp_path $D/nginx-scgi;
			include $D/site.conf;
		}
		EOF
		;;
	apache*)
		mods="$DEBIAN_MODS $(sed -n 's/^#   a2enmod //p' "$D/full.conf")"
		for m in $mods; do	# and what they depend on, as a2enmod
			sed -n 's/^# Depends: //p' "/etc/apache2/mods-available/$m.load"
		done > "$D/deps"
		mods=$(printf '%s\n' $mods $(cat "$D/deps") | sort -u)
		cat <<-EOF
		ServerName 127.0.0.1
		Listen 127.0.0.1:$PORT
		PidFile $D/apache.pid
		DefaultRuntimeDir $D
		Mutex file:$D default
		ErrorLog $D/apache-error.log
		LogLevel warn
		EOF
		for m in $mods; do
			echo "Include /etc/apache2/mods-available/$m.load"
		done
		for m in $mods; do
			[ -f "/etc/apache2/mods-available/$m.conf" ] &&
			    echo "Include /etc/apache2/mods-available/$m.conf"
		done
		cat <<-EOF
		<IfModule fcgid_module>
			FcgidIPCDir $D/fcgid
			FcgidProcessTableFile $D/fcgid-shm
		</IfModule>
		<Directory />
			Options FollowSymLinks
			AllowOverride None
			Require all denied
		</Directory>
		Include $D/site.conf
		EOF
		;;
	esac
}

# start_web NAME [site|TAG]: the server of conf/NAME.conf (with "site",
# its site part alone in a stock server) on a free port, files in
# $T/NAME[-site|-TAG]; sets BASE, PORT, D and SPID.
start_web() {
	D="$T/$1${2:+-$2}"
	mkdir -p "$D"
	for _ in 1 2 3 4 5; do
		PORT=$(free_port)
		BASE="http://127.0.0.1:$PORT"
		if [ "${2:-}" = site ]; then
			site_conf "$1" > "$D/server.conf"
		else
			fill_conf "$1" "$D/server.conf" "$PORT" "$T/fcgi.sock" "$D"
		fi
		case $1 in
		lighttpd)
			lighttpd -D -f "$D/server.conf" 2>>"$D/stderr" & ;;
		nginx)
			nginx -e "$D/nginx-error.log" -c "$D/server.conf" \
			    2>>"$D/stderr" & ;;
		apache)
			apache2 -f "$D/server.conf" -DFOREGROUND 2>>"$D/stderr" & ;;
		apache-fcgid)
			# The responders' environment: what the workers of
			# spawn.sh inherit, as FcgidInitialEnv lines of the site.
			env | grep -E '^(HC_[A-Z_]*|TZ|ASAN_OPTIONS|UBSAN_OPTIONS)=' |
			    sed -E 's/^([^=]*)=(.*)$/\tFcgidInitialEnv \1 "\2"/' \
			    > "$D/env.conf"
			for f in "$D/server.conf" "$D/site.conf"; do
				[ -f "$f" ] || continue
				sed -i "/^<\/VirtualHost>/e cat '$D/env.conf'" "$f"
			done
			apache2 -f "$D/server.conf" -DFOREGROUND 2>>"$D/stderr" & ;;
		esac
		SPID=$!
		for _ in $(seq 100); do
			[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' \
			    "$BASE/healthz")" = 200 ] && return 0
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.05
		done
		stop_web
	done
	echo "$1 would not start:" >&2
	tail -n 5 "$D"/stderr "$D"/*error.log >&2
	exit 1
}

# Lines of the responders' log (written when they are idle).
log_count() { log_settled; grep -c -- "$1" "$HC_LOG_FILE"; }

# slow_client: a POST whose body stops after 10 of its 100 bytes.  Prints
# the seconds until the server gave up on it, then what it answered.
slow_client() {
	t0=$(date +%s%N)
	exec 7<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'POST /api/v1/disputes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{"reason":' "$1" >&7
	out=$(timeout 40 cat <&7 | tr -d '\r')
	exec 7<&-
	echo $(( ($(date +%s%N) - t0) / 1000000000 ))
	printf '%s\n' "$out"
}

# smoke P: the whole flow for two new phones P0001 (a person) and P0002
# (a checker): sign-in, declaration, code, verification, venue,
# check-in, itinerary, the code page.
smoke() {
	local u c code vt
	u=$(login "${1}0001") && c=$(login "${1}0002") ||
	    { fail "$S: sign-in"; return; }
	"$CTL" grant "${1}0002" checker >/dev/null
	api "$u" POST /api/v1/declarations "{\"name\":\"王小华\",\"id_type\":\"passport\",\"id_number\":\"E${1}\",\"nationality\":\"USA\",\"temperature\":36.5,\"symptoms\":[],\"travel\":[],\"contact\":false}"
	eq "$S: declaration" "$STATUS $(j .color)" "201 green"
	eq "$S: declaration stored" "$(sql "SELECT count(*) FROM declarations d
	    JOIN account_persons ap ON ap.person_id = d.person_id
	    JOIN accounts a ON a.id = ap.account_id WHERE a.phone_mac = '$(phone_mac "${1}0001")'")" 1
	api "$u" GET /api/v1/code
	eq "$S: code" "$STATUS $(j .color)" "200 green"
	code=$(j .token)
	api "$c" POST /api/v1/verify "{\"token\":\"$code\",\"place\":\"$S gate\"}"
	eq "$S: verified by the checker" "$STATUS $(j .valid) $(j .color) $(j .name_masked)" "200 true green 王*华"
	eventually "$S: the check recorded" 1 "SELECT count(*) FROM verifications WHERE place = '$S gate'"
	api "$u" POST /api/v1/venues "{\"name\":\"$S 商场\",\"address\":\"文三路 1 号\",\"region\":\"330106\"}"
	eq "$S: venue" "$STATUS" 201
	vt=$(urltok "$(j .url)")
	api "$u" POST /api/v1/checkins "{\"venue_token\":\"$vt\"}"
	eq "$S: check-in" "$STATUS $(j .color) $(j .venue.name)" "201 green $S 商场"
	api "$u" GET /api/v1/itinerary
	eq "$S: itinerary" "$STATUS $(j '.checkins|length') $(j '.checkins[0].venue.name')" "200 1 $S 商场"
	api "$u" GET /api/v1/code.png
	eq "$S: the code as PNG" "$STATUS $(head -c 4 "$T/body" | od -An -tx1 | tr -d ' ')" "200 89504e47"
	jar_as "$u"
	page GET /code
	check "$S: the code page" grep -q '<svg' "$T/body"
	eq "$S: the code page's status" "$STATUS" 200
	VT=$vt
	USR=$u
}

# headers: each security header once on the responder's answers and on
# static files; static files as they are on disk; no server version.
headers() {
	local h f
	req GET /healthz
	for h in X-Content-Type-Options X-Frame-Options Referrer-Policy \
	    Content-Security-Policy Cache-Control X-Request-Id; do
		eq "$S: $h once from the responder" \
		    "$(grep -ci "^$h:" "$T/headers")" 1
	done
	f=app.css
	STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
	    "$BASE/static/$f")
	eq "$S: a static file" "$STATUS" 200
	check "$S: the file as on disk" cmp -s "$T/body" "$TOP/static/$f"
	check "$S: its type" grep -qi '^Content-Type: text/css' "$T/headers"
	for h in X-Content-Type-Options X-Frame-Options Referrer-Policy \
	    Content-Security-Policy Cache-Control; do
		eq "$S: $h once on a static file" \
		    "$(grep -ci "^$h:" "$T/headers")" 1
	done
	eq "$S: static files are cached" "$(hdr Cache-Control)" \
	    "public, max-age=3600"
	eq "$S: not from a worker" "$(grep -ci '^X-Request-Id:' "$T/headers")" 0
	check "$S: no server version" sh -c "! grep -qiE '^Server:.*[0-9]' '$T/headers'"
	STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/static/")
	check "$S: no directory listing ($STATUS)" test "$STATUS" != 200
	STATUS=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is \
	    "$BASE/static/../conf/healthcode.conf")
	check "$S: nothing outside static/ ($STATUS)" test "$STATUS" != 200
}

# client_addr N: REMOTE_ADDR as the responder sees it (the address a
# one-time code request counts against, a keyed hash in rate_hits).
ipkey() { hmac_hex "$HC_DATA_DIR/session.key" "otp-ip:$1"; }
hits() { sql "SELECT count(*) FROM rate_hits WHERE key = '$(ipkey "$1")'"; }
client_addr() {
	local b
	req POST /api/v1/auth/otp "{\"phone\":\"${1}0003\"}" -- \
	    -H "X-Forwarded-For: 198.51.100.$2"
	eq "$S: code requested through a trusted proxy" "$STATUS" 202
	eq "$S: counted against the client the proxy names" \
	    "$(hits "198.51.100.$2")" 1
	req POST /api/v1/auth/otp "{\"phone\":\"${1}0004\"}" -- \
	    -H "X-Forwarded-For: 203.0.113.$2, 198.51.100.$(($2 + 10))"
	eq "$S: the proxy's own entry counts" "$(hits "198.51.100.$(($2 + 10))")" 1
	eq "$S: what the client wrote before it does not" "$(hits "203.0.113.$2")" 0
	b=$(hits 127.0.0.2)
	req POST /api/v1/auth/otp "{\"phone\":\"${1}0005\"}" -- \
	    --interface 127.0.0.2 -H "X-Forwarded-For: 198.51.100.$(($2 + 20))"
	eq "$S: code requested from an untrusted address" "$STATUS" 202
	eq "$S: its header ignored" "$(hits "198.51.100.$(($2 + 20))")" 0
	eq "$S: counted against that address" "$(hits 127.0.0.2)" $((b + 1))
}

# big: our 413 in JSON through the server; past the server's own limit,
# its 413 without a worker.
big() {
	local n0 d0
	d0=$(sql "SELECT count(*) FROM declarations")
	n0=$(log_count 'POST /api/v1/declarations 413 ')
	STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
	    -H "Authorization: Bearer $USR" -H 'Content-Type: application/json' \
	    --data-binary @"$T/1m.json" "$BASE/api/v1/declarations")
	eq "$S: 1 MiB body: our 413" "$STATUS $(j .error.code)" "413 body_too_large"
	check "$S: 1 MiB body: from a worker" grep -qi '^X-Request-Id:' "$T/headers"
	eq "$S: 1 MiB body: logged once" "$(log_count 'POST /api/v1/declarations 413 ')" $((n0 + 1))
	STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
	    -H 'Content-Type: text/csv' --data-binary @"$T/17m.csv" \
	    "$BASE/api/v1/admin/cases")
	eq "$S: 17 MiB case list: our 413" "$STATUS $(j .error.code)" "413 body_too_large"
	n0=$(log_count ' 413 ')
	STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
	    -H "Authorization: Bearer $USR" -H 'Content-Type: application/json' \
	    --data-binary @"$T/5m.json" "$BASE/api/v1/declarations")
	eq "$S: 5 MiB body: the server's 413" "$STATUS" 413
	eq "$S: 5 MiB body: no worker saw it" "$(log_count ' 413 ')" "$n0"
	eq "$S: big bodies stored nothing" "$(sql "SELECT count(*) FROM declarations")" "$d0"
}

# chunked: bodies in chunks, which declare no length: answered as any
# other (mod_proxy_fcgi passes them on without a length).
chunked() {
	local c0
	c0=$(sql "SELECT count(*) FROM checkins")
	STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
	    -H "Authorization: Bearer $USR" -H 'Content-Type: application/json' \
	    --data-binary "{\"venue_token\":\"$VT\"}" "$BASE/api/v1/checkins")
	eq "$S: a check-in in chunks" "$STATUS $(j .color)" "201 green"
	eq "$S: stored" "$(sql "SELECT count(*) FROM checkins")" $((c0 + 1))
	STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
	    -H "Authorization: Bearer $USR" -H 'Content-Type: application/json' \
	    --data-binary @"$T/1m.json" "$BASE/api/v1/checkins")
	eq "$S: 1 MiB in chunks: our 413" "$STATUS $(j .error.code)" "413 body_too_large"
	STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
	    -H "Authorization: Bearer $USR" -H 'Content-Type: application/json' \
	    --data-binary '{"venue_token":' "$BASE/api/v1/checkins")
	eq "$S: a cut JSON body in chunks" "$STATUS $(j .error.code)" "400 malformed_json"
	eq "$S: nothing more stored" "$(sql "SELECT count(*) FROM checkins")" $((c0 + 1))
}

# limits: a request's head past the responder's bounds (fcgi/request.h)
# gets its JSON 431 or 414 through the server, one past the server's own
# its 4xx without a worker; the next request is served.
limits() {
	local hs=() big i
	for i in $(seq 70); do hs+=(-H "X-H$i: v"); done
	lim() {	# lim DESCRIPTION WANT CURL-ARGS...
		local d=$1 w=$2
		shift 2
		STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		    -H "Authorization: Bearer $USR" "$@")
		eq "$S: $d" "$STATUS,$(j .error.code)" "$w"
		check "$S: $d, from a worker" grep -qi '^X-Request-Id:' "$T/headers"
	}
	lim "70 header fields" 431,too_many_headers "${hs[@]}" "$BASE/api/v1/me"
	big=$(head -c 9000 /dev/zero | tr '\0' a)
	lim "a field of 9000 bytes" 431,header_too_large -H "X-Big: $big" "$BASE/api/v1/me"
	big=$(head -c 5000 /dev/zero | tr '\0' a)
	lim "a cookie of 5000 bytes" 431,cookie_too_large -H "Cookie: x=$big" "$BASE/api/v1/me"
	lim "a URI of 5000 bytes" 414,uri_too_long "$BASE/api/v1/me?x=$big"
	big=$(head -c 40000 /dev/zero | tr '\0' a)
	STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
	    -H "X-Big: $big" "$BASE/api/v1/me")
	check "$S: a field of 40 KB: the server's 4xx ($STATUS)" test "$STATUS" -ge 400 -a "$STATUS" -lt 500
	check "$S: a field of 40 KB: no worker saw it" sh -c "! grep -qi '^X-Request-Id:' '$T/headers'"
	api "$USR" GET /api/v1/me
	eq "$S: served after them" "$STATUS" 200
}

# load N C: N check-ins, C at a time; each answer the client gets is the
# responder's, and there are as many as the responder gave.
load() {
	local n0 c0
	n0=$(log_count 'POST /api/v1/checkins 201 ')
	c0=$(sql "SELECT count(*) FROM checkins")
	for _ in $(seq "$1"); do
		printf 'url = "%s/api/v1/checkins"\nheader = "Content-Type: application/json"\nheader = "Authorization: Bearer %s"\ndata = "{\\"venue_token\\":\\"%s\\"}"\nwrite-out = "%%{http_code}\\n"\noutput = /dev/null\nnext\n' \
		    "$BASE" "$USR" "$VT"
	done | sed '$d' > "$T/load.cfg"
	curl -s -Z --parallel-max "$2" -K "$T/load.cfg" 2>/dev/null |
	    sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }' > "$T/load.out"
	eq "$S: $1 concurrent check-ins, all 201" "$(cat "$T/load.out")" "201:$1 "
	eq "$S: as many 201s as the responder gave" \
	    "$(log_count 'POST /api/v1/checkins 201 ')" $((n0 + $1))
	eq "$S: as many check-ins stored" \
	    "$(sql "SELECT count(*) FROM checkins")" $((c0 + $1))
}

head -c $((1 << 20)) /dev/zero | tr '\0' 'a' | sed 's/^/{"x":"/; s/$/"}/' > "$T/1m.json"
head -c $((5 << 20)) /dev/zero | tr '\0' 'a' | sed 's/^/{"x":"/; s/$/"}/' > "$T/5m.json"
head -c $((17 << 20)) /dev/zero | tr '\0' 'a' > "$T/17m.csv"
i=0
for S in lighttpd apache apache-fcgid nginx; do
	i=$((i + 1))
	start_web "$S"
	SLOWTOK=$(login "1390${i}000009")
	# The slow client stalls while everything else runs.
	slow0=$(log_count 'POST /api/v1/disputes ')
	slow_client "$SLOWTOK" > "$D/slow.out" &
	spid=$!
	smoke "1390${i}00"
	headers
	client_addr "1390${i}00" "$i"
	big
	chunked
	limits
	load 400 8
	wait "$spid"
	secs=$(head -1 "$D/slow.out")
	answer=$(sed -n 2p "$D/slow.out")
	check "$S: the stalled client dropped after 10-15 s ($secs s)" \
	    test "$secs" -ge 9 -a "$secs" -le 15
	case $S in
	lighttpd|nginx) want="" ;;			# closed, no answer
	apache) want="HTTP/1.1 408 Request Timeout" ;;
	apache-fcgid) want="HTTP/1.1 500 Internal Server Error" ;;
	esac
	eq "$S: the stalled client's answer, from the server" "$answer" "$want"
	check "$S: not from a worker" sh -c "! grep -qi '^X-Request-Id:' '$D/slow.out'"
	# mod_proxy_fcgi passes the body on as it comes, so a worker waited
	# with it, until Apache gave up; the others never passed it on.
	[ "$S" = apache ] && slow0=$((slow0 + 1))
	eq "$S: the workers saw the stalled body ($([ "$S" = apache ] && echo once || echo never))" \
	    "$(log_count 'POST /api/v1/disputes ')" "$slow0"
	req GET /healthz
	eq "$S: serving after it all" "$STATUS" 200
	stop_web

	# The site part alone, added to a server as Debian installs it.
	start_web "$S" site
	S="$S site"
	req GET /healthz
	eq "$S: the responder" "$STATUS $(grep -ci '^X-Request-Id:' "$T/headers")" "200 1"
	STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
	    "$BASE/static/app.css")
	eq "$S: a static file" "$STATUS $(grep -ci '^X-Frame-Options:' "$T/headers")" "200 1"
	api "$USR" GET /api/v1/me
	eq "$S: a bearer token passed on" "$STATUS" 200
	STATUS=$(curl -s -o "$T/body" -w '%{http_code}' \
	    -H 'Content-Type: application/json' --data-binary @"$T/1m.json" \
	    "$BASE/api/v1/declarations")
	eq "$S: 1 MiB body: our 413" "$STATUS $(j .error.code)" "413 body_too_large"
	req POST /api/v1/auth/otp "{\"phone\":\"1390${i}000006\"}" -- \
	    -H "X-Forwarded-For: 198.51.100.$((i + 30))"
	eq "$S: the client a trusted proxy names" "$STATUS $(hits "198.51.100.$((i + 30))")" "202 1"
	stop_web
done

# Our own bound on a request's body, behind a server that passes it on as
# it comes (mod_proxy_fcgi) with a longer timeout of its own: the worker
# gives up on the body when body_timeout is up, and is free again while
# Apache still waits for the client (it answers it at its own timeout).
export HC_BODY_TIMEOUT=2
S=apache
start_web apache bound
restart_workers
n0=$(log_count 'POST /api/v1/disputes 408 ')
t0=$(date +%s%N)
slow_client "$SLOWTOK" > "$D/slow.out" &
spid=$!
for _ in $(seq 100); do
	[ "$(log_count 'POST /api/v1/disputes 408 ')" -gt "$n0" ] && break
	sleep 0.1
done
secs=$(( ($(date +%s%N) - t0) / 1000000000 ))
check "$S: the worker gave up on the stalled body after 2-4 s ($secs s)" \
    test "$secs" -ge 2 -a "$secs" -le 4
check "$S: with our 408" grep -q 'POST /api/v1/disputes 408 .* request_timeout$' "$HC_LOG_FILE"
# Which workers answer: a request id starts with its process's prefix.
for _ in $(seq 20); do
	printf 'url = "%s/healthz"\noutput = /dev/null\nwrite-out = "%%header{x-request-id}\\n"\nnext\n' "$BASE"
done | sed '$d' > "$T/ids.cfg"
for _ in $(seq 10); do
	n=$(curl -s -Z --parallel-max 8 -K "$T/ids.cfg" 2>/dev/null | cut -c1-8 |
	    sort -u | grep -c .)
	[ "$n" = 2 ] && break
done
eq "$S: both workers answer others while the client still stalls" "$n" 2
check "$S: the client still waiting" kill -0 "$spid"
wait "$spid"
eq "$S: the client gets Apache's 408" "$(sed -n 2p "$D/slow.out")" \
    "HTTP/1.1 408 Request Timeout"
stop_web

finish
