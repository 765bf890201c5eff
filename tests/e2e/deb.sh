#!/bin/bash
# End to end: the Debian package.  "make deb" builds it from a copy of
# the tree (lintian: no errors); then it is installed on this machine for
# real with dpkg, served from, and purged.
#
# Why this machine and not a chroot: what the package must prove is that
# its maintainer scripts create the user and the directories with the
# right owners and modes, that dpkg takes its configuration as a conffile
# (kept across a reinstall when edited), that the installed units name
# files that exist (systemd-analyze verify checks every path against the
# real tree), and that the installed binary, with the installed
# configuration, serves behind the installed web server configuration.
# "dpkg -x" into a directory runs no maintainer script and leaves every
# path of the units and the configuration wrong; "dpkg --root" needs a
# whole Debian in the directory (debootstrap, minutes and a mirror).  So
# the test installs it here, as an operator would, and removes it all
# afterwards (package, user, directories), refusing to run where a
# healthcode package or its data already exists.  It runs once, in the
# plain pass: the package builds with its own flags, not the sanitizers'.
#
# The worker is started as its unit says, with the unit's ExecStart and
# Environment, as the user healthcode, by systemd-socket-activate: the
# socket-activation protocol of healthcode.socket (LISTEN_FDS), since no
# systemd runs as PID 1 here.
. "$(dirname "$0")/lib.sh"

# The package's own configuration, not the tests' overrides.
for v in $(compgen -e | grep '^HC_'); do unset "$v"; done

skip() {
	echo "deb: skipped: $*"
	finish
	exit 0
}
case $BUILD in *asan*) skip "the package is built once, in the plain pass" ;; esac
[ "$(id -u)" = 0 ] || skip "installing a package needs root"
command -v dpkg-buildpackage > /dev/null || skip "dpkg-dev not installed (make deps)"

exec 9> "${TMPDIR:-/tmp}/healthcode-deb-test.lock"
flock -w 600 9 || skip "another run of this test holds the lock"
if dpkg-query -W -f='${Status}' healthcode 2>/dev/null | grep -q installed ||
    [ -e /var/lib/healthcode ] || [ -e /etc/healthcode ] ||
    getent passwd healthcode > /dev/null; then
	skip "a healthcode installation is already on this machine"
fi

INSTALLED=0
WPID=""
DLPID=""
deb_cleanup() {
	[ -n "$DLPID" ] && kill "$DLPID" 2>/dev/null && wait "$DLPID" 2>/dev/null
	[ -n "$WPID" ] && kill "$WPID" 2>/dev/null && wait "$WPID" 2>/dev/null
	if [ $INSTALLED = 1 ]; then
		dpkg --purge healthcode > /dev/null 2>&1
		rm -rf /var/lib/healthcode /var/log/healthcode /run/healthcode
		userdel healthcode 2>/dev/null
		groupdel healthcode 2>/dev/null
	fi
	cleanup
}
trap deb_cleanup EXIT

# --- build -------------------------------------------------------------------
t0=$(date +%s)
make -C "$TOP" --no-print-directory deb DEB_DIR="$T/deb" > "$T/make-deb.log" 2>&1
rc=$?
eq "make deb" "$rc" 0
[ $rc = 0 ] || { tail -30 "$T/make-deb.log"; finish; exit 1; }
echo "deb: built in $(( $(date +%s) - t0 )) s"
DEB=$(ls "$T"/deb/healthcode_*.deb | grep -v dbgsym)
check "one package" test -f "$DEB"
eq "lintian: no errors" "$(grep -c '^E:' "$T/deb/lintian.log")" 0
grep '^[EW]:' "$T/deb/lintian.log" | sed 's/^/deb: lintian: /'

dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|' > "$T/contents"
for f in /usr/bin/healthcodectl /usr/lib/healthcode/healthcode.fcgi \
    /usr/share/healthcode/static/app.css /usr/share/healthcode/conf/lighttpd.conf \
    /usr/share/healthcode/migrations/0001_init.sql \
    /etc/healthcode/healthcode.conf /etc/logrotate.d/healthcode \
    /lib/systemd/system/healthcode.socket /lib/systemd/system/healthcode@.service \
    /lib/systemd/system/healthcode.target \
    /lib/systemd/system/healthcode-purge.service /lib/systemd/system/healthcode-purge.timer \
    /lib/systemd/system/healthcode-backup.service /lib/systemd/system/healthcode-backup.timer \
    /usr/share/doc/healthcode/deploy.md; do
	check "the package holds $f" grep -qx "$f" "$T/contents"
done
dpkg-deb -e "$DEB" "$T/control"
check "the configuration is a conffile" grep -qx /etc/healthcode/healthcode.conf "$T/control/conffiles"
check "the logrotate file is a conffile" grep -qx /etc/logrotate.d/healthcode "$T/control/conffiles"
check "it depends on adduser" grep -q '^Depends:.*adduser' "$T/control/control"

# --- install -------------------------------------------------------------
INSTALLED=1
dpkg -i "$DEB" > "$T/dpkg.log" 2>&1
rc=$?
eq "dpkg -i" "$rc" 0
[ $rc = 0 ] || { cat "$T/dpkg.log"; finish; exit 1; }
eq "installed" "$(dpkg-query -W -f='${Status}' healthcode)" "install ok installed"
IFS=: read -r _ _ uid gid _ home shell < <(getent passwd healthcode)
check "a system user healthcode (uid $uid)" test "$uid" -lt 1000 -a "$uid" -gt 0
eq "its group" "$(getent group "$gid" | cut -d: -f1)" healthcode
eq "its home" "$home" /var/lib/healthcode
check "it cannot log in ($shell)" test "$shell" = /usr/sbin/nologin -o "$shell" = /bin/false
eq "/var/lib/healthcode" "$(stat -c '%U:%G %a' /var/lib/healthcode)" "healthcode:healthcode 700"
eq "/var/lib/healthcode/backups" "$(stat -c '%U:%G %a' /var/lib/healthcode/backups)" "healthcode:healthcode 700"
eq "/var/log/healthcode" "$(stat -c '%U:%G %a' /var/log/healthcode)" "healthcode:adm 2750"
eq "/etc/healthcode/healthcode.conf" "$(stat -c '%U:%G %a' /etc/healthcode/healthcode.conf)" "root:root 644"
for f in session.key id-hmac.key; do
	eq "postinst made $f" "$(stat -c '%U %a' /var/lib/healthcode/$f 2>&1)" "healthcode 600"
done
eq "postinst made a signing key" "$(find /var/lib/healthcode/keys -name '*.pem' -user healthcode -perm 0600 | wc -l)" 1
eq "the binary runs" "$(healthcodectl help | head -1)" "usage: healthcodectl COMMAND [ARGS]"

# The units, now that every path they name exists.
units="healthcode.socket healthcode@.service healthcode.target healthcode-purge.service healthcode-purge.timer healthcode-backup.service healthcode-backup.timer"
(cd /lib/systemd/system && systemd-analyze verify $units) > "$T/verify" 2>&1
eq "systemd-analyze verify: exit status" "$?" 0
eq "systemd-analyze verify: nothing to say" "$(cat "$T/verify")" ""
for u in healthcode@.service healthcode-purge.service healthcode-backup.service; do
	lvl=$(systemd-analyze security --offline=true "/lib/systemd/system/$u" 2>&1 |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
	check "systemd-analyze security $u: exposure $lvl <= 2.0" awk -v l="$lvl" 'BEGIN { exit !(l != "" && l <= 2.0) }'
done
eq "systemd-analyze security: the units are OK or SAFE" \
    "$(systemd-analyze security --offline=true /lib/systemd/system/healthcode@.service 2>&1 | grep -c 'Overall exposure level.*\(OK\|SAFE\)')" 1

# A conffile: an edit survives a reinstall, which runs postinst again
# (keys kept).
key=$(sha256sum < /var/lib/healthcode/session.key)
echo "# edited by the operator" >> /etc/healthcode/healthcode.conf
dpkg -i --force-confold "$DEB" > "$T/dpkg2.log" 2>&1
eq "reinstall" "$?" 0
check "the edited configuration is kept" grep -q "^# edited by the operator" /etc/healthcode/healthcode.conf
eq "the session key is kept" "$(sha256sum < /var/lib/healthcode/session.key)" "$key"

# --- serve, as the operator's walk-through does (docs/deploy.md) -------------
as_hc() { runuser -u healthcode -- env HC_CONFIG=/etc/healthcode/healthcode.conf "$@"; }
as_hc healthcodectl migrate > "$T/migrate" 2>&1
eq "migrate as healthcode" "$?" 0
NMIG=$(ls /usr/share/healthcode/migrations/*.sql | wc -l)
check "migrated to $NMIG" grep -q "^schema version $NMIG$" "$T/migrate"

# As packaged, sms_command is empty: the worker must refuse to start.
runuser -u healthcode -- env HC_CONFIG=/etc/healthcode/healthcode.conf \
    /usr/lib/healthcode/healthcode.fcgi < /dev/null > /dev/null 2>&1
eq "the packaged configuration, unedited: the worker refuses" "$?" 1
check "... saying so in /var/log/healthcode/healthcode.log" grep -q 'sms_command' /var/log/healthcode/healthcode.log
# The operator's edit: a delivery command (here, a file of the test's).
sed -i 's|^sms_command =.*|sms_command = cat >> /var/lib/healthcode/sms-test.log|' /etc/healthcode/healthcode.conf

unit=/lib/systemd/system/healthcode@.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
unit_env=$(sed -n 's/^Environment=//p' "$unit")
sock=$(sed -n 's/^ListenStream=//p' /lib/systemd/system/healthcode.socket)
eq "the unit runs the packaged responder" "$exec_start" /usr/lib/healthcode/healthcode.fcgi
mkdir -p "$(dirname "$sock")"	# the socket unit's DirectoryMode
chmod 0755 "$(dirname "$sock")"
chown healthcode "$(dirname "$sock")"
PORT=$(free_port)
runuser -u healthcode -- systemd-socket-activate -l "$sock" -E "$unit_env" \
    -E "HC_PUBLIC_BASE_URL=http://127.0.0.1:$PORT" $exec_start > "$T/activate.log" 2>&1 &
WPID=$!
sed -e "s|@BIND@|127.0.0.1|" -e "s|@PORT@|$PORT|" -e "s|@SOCKET@|$sock|" \
    -e "s|@STATIC@|/usr/share/healthcode/static|" -e "s|@LOGDIR@|$T|" \
    /usr/share/healthcode/conf/lighttpd.conf > "$T/lighttpd.conf"
lighttpd -D -f "$T/lighttpd.conf" &
DLPID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do
	[ -S "$sock" ] && curl -s -o /dev/null "$BASE/static/app.css" && break
	sleep 0.05
done
req GET /healthz
eq "GET /healthz from the package" "$STATUS" 200
eq "... at the schema version" "$(j .schema)" "$NMIG"
eq "... ok" "$(j .ok)" true
req GET /static/app.css
eq "static files from /usr/share/healthcode/static" "$STATUS" 200
check "... the packaged file" cmp -s "$T/body" /usr/share/healthcode/static/app.css
req POST /api/v1/auth/otp '{"phone":"13800138000"}'
eq "a one-time code" "$STATUS" 202
for _ in $(seq 40); do
	[ -s /var/lib/healthcode/sms-test.log ] && break
	sleep 0.05
done
check "... handed to sms_command" grep -q '^13800138000 [0-9]\{6\}$' /var/lib/healthcode/sms-test.log
req GET /metrics
eq "GET /metrics from loopback (the packaged metrics_allow)" "$STATUS" 200
check "... counted /healthz" grep -q '^healthcode_requests_total{method="GET",route="/healthz",status="200"} 1$' "$T/body"
eq "the metrics file" "$(stat -c '%U %a' /var/lib/healthcode/metrics)" "healthcode 600"
# (Other tests' workers run from build trees: only the packaged binary's.)
users=$(for p in $(pgrep -x healthcode.fcgi); do
	[ "$(readlink "/proc/$p/exe")" = /usr/lib/healthcode/healthcode.fcgi ] &&
	    ps -o user= -p "$p"
done | sort -u)
eq "the worker runs as healthcode" "$users" healthcode
for _ in $(seq 40); do
	grep -q 'GET /healthz 200' /var/log/healthcode/healthcode.log 2>/dev/null && break
	sleep 0.05
done
check "the worker logs to /var/log/healthcode/healthcode.log" grep -q 'GET /healthz 200' /var/log/healthcode/healthcode.log
eq "... as healthcode, 0600" "$(stat -c '%U %a' /var/log/healthcode/healthcode.log)" "healthcode 600"

# The CLI beside the workers, as the timers run it.
as_hc healthcodectl backup /var/lib/healthcode/backups/healthcode-test.db > "$T/backup" 2>&1
eq "backup as healthcode" "$?" 0
eq "... a copy that checks" "$(sqlite3 /var/lib/healthcode/backups/healthcode-test.db 'PRAGMA integrity_check')" ok
as_hc healthcodectl purge > "$T/purge" 2>&1
eq "purge as healthcode" "$?" 0

# --- logrotate -------------------------------------------------------------
logrotate -d /etc/logrotate.d/healthcode > "$T/lr-debug" 2>&1
eq "logrotate -d" "$?" 0
eq "logrotate -d: no error" "$(grep -ci 'error' "$T/lr-debug")" 0
logrotate -f -s "$T/lr.state" /etc/logrotate.d/healthcode > "$T/lr" 2>&1
eq "logrotate -f" "$?" 0
rotated=$(ls /var/log/healthcode/healthcode.log-* 2>/dev/null | head -1)
check "rotated to ${rotated##*/}" grep -q 'GET /healthz 200' "$rotated"
check "... the log truncated in place" test ! -s /var/log/healthcode/healthcode.log -o \
    "$(grep -c 'GET /healthz 200' /var/log/healthcode/healthcode.log)" = 0
req GET /healthz
for _ in $(seq 40); do
	grep -q 'GET /healthz 200' /var/log/healthcode/healthcode.log && break
	sleep 0.05
done
check "the worker goes on writing the same file" grep -q 'GET /healthz 200' /var/log/healthcode/healthcode.log

# --- remove ------------------------------------------------------------------
kill "$DLPID"; wait "$DLPID" 2>/dev/null; DLPID=""
kill "$WPID"; wait "$WPID" 2>/dev/null; WPID=""
dpkg --purge healthcode > "$T/purge.log" 2>&1
eq "dpkg --purge" "$?" 0
check "... says the data is kept" grep -q "/var/lib/healthcode (the database and keys) is kept" "$T/purge.log"
for f in /usr/bin/healthcodectl /usr/lib/healthcode /etc/healthcode/healthcode.conf \
    /lib/systemd/system/healthcode@.service /etc/logrotate.d/healthcode /var/log/healthcode; do
	check "purged: $f" test ! -e "$f"
done
check "kept: the database" test -f /var/lib/healthcode/healthcode.db

finish
