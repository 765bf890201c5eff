#!/bin/bash
# Retention through lighttpd with the clock pinned (HC_NOW): the first
# request of a day runs the purge once, in batches; declarations older
# than 14 days go, the rest stay; inactive accounts go with everything
# that hangs off them, leaving no bytes of them in the database file or
# its WAL; the CLI purge and its dry run.
. "$(dirname "$0")/lib.sh"

export HC_OTP_IP_HOURLY=1000
export HC_NOW=2026-11-01T02:00:00Z
start_stack

HEALTHY='"temperature":36.5,"symptoms":[],"travel":[],"contact":false'
declare_as() {	# declare_as PHONE [identity json]
	tok=$(login "$1") || return 1
	req POST /api/v1/declarations "{${2:+$2,}$HEALTHY}" -- -H "Authorization: Bearer $tok"
	[ "$STATUS" = 201 ] || { echo "declare: $STATUS $(cat "$T/body")" >&2; return 1; }
}
purged() {	# purged DAY: waits for the day's purge to finish
	for _ in $(seq 100); do
		[ "$(sql "SELECT count(*) FROM purge_runs WHERE day = '$1' AND finished_at IS NOT NULL")" = 1 ] && return 0
		sleep 0.05
	done
	return 1
}

P=13812340000
Q=13899990000
declare_as $P '"name":"保留测试乙","id_type":"resident_id","id_number":"11010519491231002X"'
declare_as $Q '"name":"过期测试丙","id_type":"resident_id","id_number":"'"$(idcheck 33010619800101001)"'"'
eq "day 1: two declarations" "$(sql 'SELECT count(*) FROM declarations')" 2
check "day 1 purge ran (nothing to delete)" purged 2026-11-01

# Days 2-14: P declares every day; Q is never seen again.
for d in $(seq 2 14); do
	set_now "2026-11-$(printf %02d "$d")T02:00:00Z"
	declare_as $P
done
eq "14 days of P" "$(sql "SELECT count(*) FROM declarations d JOIN persons p ON p.id = d.person_id WHERE p.name = '保留测试乙'")" 14
check "a purge ran each day" test "$(sql 'SELECT count(*) FROM purge_runs')" = 14

# Day 15: the first request runs the purge; day 1 goes, days 2-14 stay.
set_now 2026-11-15T02:00:00Z
req GET /healthz
check "day 15 purge finished" purged 2026-11-15
eq "P's day 1 gone, days 2-14 stay" "$(sql "SELECT min(day) || ' ' || max(day) || ' ' || count(*) FROM declarations d JOIN persons p ON p.id = d.person_id WHERE p.name = '保留测试乙'")" "2026-11-02 2026-11-14 13"
eq "Q's only declaration (day 1) gone" "$(sql "SELECT count(*) FROM declarations d JOIN persons p ON p.id = d.person_id WHERE p.name = '过期测试丙'")" 0
eq "counts recorded" "$(sql "SELECT json_extract(counts, '\$.declarations') FROM purge_runs WHERE day = '2026-11-15'")" 2
eq "yesterday's sessions gone" "$(sql "SELECT count(*) FROM sessions WHERE expires_at <= $(epoch 2026-11-15T02:00:00Z)")" 0
eq "earlier days' code ids gone" "$(sql "SELECT count(*) FROM daily_codes WHERE day < '2026-11-15'")" 0
eq "old one-time codes gone" "$(sql "SELECT count(*) FROM otp_codes WHERE created_at < $(epoch 2026-11-15T01:50:00Z)")" 0
log_settled
check "purge logged with counts" grep -q 'purge 2026-11-15 done in .* ms: {"otp_codes":' "$HC_LOG_FILE"

# Two workers see the new day at once: the purge runs once.
set_now 2026-11-16T02:00:00Z
# Rounds of 20 at once until both workers have served one (one worker
# can take a whole round on a fast machine).
seen=0
for round in $(seq 10); do
	pids=()
	for i in $(seq 20); do curl -s -o /dev/null "$BASE/healthz" & pids+=($!); done
	wait "${pids[@]}"	# not a bare wait: lighttpd is a job of this shell
	log_settled
	seen=$(grep ' GET /healthz 200 ' "$HC_LOG_FILE" | tail -$((20 * round)) | sed 's/\].*//' | sort -u | wc -l | tr -d ' ')
	[ "$seen" -ge 2 ] && break
done
eq "both workers saw the new day" "$seen" 2
check "day 16 purge finished" purged 2026-11-16
eq "one run for the day" "$(sql "SELECT count(*) FROM purge_runs WHERE day = '2026-11-16'")" 1
eq "logged once" "$(grep -c 'purge 2026-11-16 done' "$HC_LOG_FILE")" 1

# The CLI: a dry run counts and changes nothing.
sql "INSERT INTO rate_hits VALUES ('x', $(epoch 2026-11-01T00:00:00Z))"
before=$(sql 'SELECT count(*) FROM rate_hits')
"$CTL" purge --dry-run > "$T/out"
check "dry run lists rate_hits" grep -qE '^rate_hits +[1-9]' "$T/out"
eq "dry run deletes nothing" "$(sql 'SELECT count(*) FROM rate_hits')" "$before"
"$CTL" purge > "$T/out"
check "purge says what it deleted" grep -qE '^deleted:' "$T/out"
eq "old rate hits gone" "$(sql "SELECT count(*) FROM rate_hits WHERE at < $(epoch 2026-11-15T02:00:00Z)")" 0

# 90 days without activity: Q's account and person go, with everything;
# P (last seen day 14) stays.
for f in "$HC_DATA_DIR/healthcode.db" "$HC_DATA_DIR/healthcode.db-wal"; do
	[ -f "$f" ] && cat "$f"
done > "$T/before.bin"
# The number never is (migrations/0015): the keyed hash it is found by is.
check "Q's phone never in clear" sh -c "! grep -qa $Q '$T/before.bin'"
check "Q's phone's keyed hash is in the files before" grep -qa "$(phone_mac $Q)" "$T/before.bin"
check "Q's name is in the files before" grep -qa '过期测试丙' "$T/before.bin"
set_now 2027-02-05T02:00:00Z
req GET /healthz
check "day 2027-02-05 purge finished" purged 2027-02-05
eq "Q's account gone" "$(sql "SELECT count(*) FROM accounts WHERE phone_mac = '$(phone_mac "$Q")'")" 0
eq "Q's person gone" "$(sql "SELECT count(*) FROM persons WHERE name = '过期测试丙'")" 0
eq "P's account stays" "$(sql "SELECT count(*) FROM accounts WHERE phone_mac = '$(phone_mac "$P")'")" 1
eq "P's person stays" "$(sql "SELECT count(*) FROM persons WHERE name = '保留测试乙'")" 1
sleep 0.3
for f in "$HC_DATA_DIR/healthcode.db" "$HC_DATA_DIR/healthcode.db-wal"; do
	[ -f "$f" ] && cat "$f"
done > "$T/after.bin"
check "Q's phone gone from the database file and WAL" sh -c "! grep -qa $Q '$T/after.bin'"
check "and its keyed hash" sh -c "! grep -qa $(phone_mac $Q) '$T/after.bin'"
check "Q's name gone from the database file and WAL" sh -c "! grep -qa '过期测试丙' '$T/after.bin'"
check "P's name still there (the search can find)" grep -qa '保留测试乙' "$T/after.bin"

finish
