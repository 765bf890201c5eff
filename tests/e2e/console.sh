#!/bin/bash
# End to end, what the console's features stand on: a risk-area change
# costs one generation (colours that read no risk are not touched, those
# that did are recomputed at once), a designation covers the regions
# under it by the regions table and ends on its until day, check-ins at
# venues in risk areas feed the rules, an appeal's override holds to its
# end day; and the audit chain: its canonical hash (computed here with
# sha256sum, as docs/console.md writes it), its check through the API
# and the CLI, tampering named, pruning keeping it whole.
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-11-29T01:00:00Z	# 09:00 in Shanghai
export HC_OTP_IP_HOURLY=1000
start_stack

declare_json() {	# declare_json TOKEN JSON
	req POST /api/v1/declarations "$2" -- -H "Authorization: Bearer $1"
}
me() { printf '"name":"%s","id_type":"resident_id","id_number":"%s"' "$1" "$(idcheck "$2")"; }
CLEAN='"temperature":36.5,"symptoms":[],"contact":false'
code_of() {	# code_of TOKEN: "colour reasons"
	req GET /api/v1/code -- -H "Authorization: Bearer $1"
	printf '%s %s' "$(j .color)" "$(j '.reasons|join(",")')"
}
cache_row() { sql "SELECT color_gen || '/' || color_gen_cached || '/' || color_epoch || '/' || color FROM persons WHERE name = '$1'"; }

# --- a risk-area change: one generation ------------------------------------
A=$(login 13900000001)	# stays home
B=$(login 13900000002)	# declared a trip to Xiantao (429004)
declare_json "$A" "{$(me 甲 33010619800101001),$CLEAN,\"travel\":[]}"
eq "A declared" "$STATUS,$(j .color)" "201,green"
declare_json "$B" "{$(me 乙 33010619800101002),$CLEAN,\"travel\":[{\"region\":\"429004\",\"date\":\"2026-11-27\"}]}"
eq "B declared" "$STATUS,$(j .color)" "201,green"
code_of "$A" >/dev/null; code_of "$B" >/dev/null
a_before=$(cache_row 甲)
eq "A's cached colour read no risk" "$(echo "$a_before" | cut -d/ -f3)" -1
check "B's cached colour read the risk generation" test "$(cache_row 乙 | cut -d/ -f3)" = "$(sql 'SELECT gen FROM colour_epoch')"
persons_before=$(sql "SELECT group_concat(color_gen || ':' || color_gen_cached) FROM persons")
# Hubei province high: Xiantao is a county-level city directly under the
# province (parent 429000, whose parent is 420000).
sql "INSERT INTO risk_areas (region, level, set_at) VALUES ('420000', 'high', 0)"
eq "the designation touched no person row" "$(sql "SELECT group_concat(color_gen || ':' || color_gen_cached) FROM persons")" "$persons_before"
eq "B at once: yellow by the parent chain" "$(code_of "$B")" "yellow travel_high_risk"
eq "A: still green" "$(code_of "$A")" "green "
eq "A's cache was not recomputed" "$(cache_row 甲)" "$a_before"
sql "DELETE FROM risk_areas"
eq "cleared: B green again at once" "$(code_of "$B")" "green "

# --- until: a designation ends with its day --------------------------------
sql "INSERT INTO risk_areas (region, level, set_at, until) VALUES ('429004', 'medium', 0, '2026-11-29')"
eq "medium through today" "$(code_of "$B")" "yellow travel_medium_risk"
set_now 2026-11-30T01:00:00Z	# sessions end at the cutoff: sign in again
A=$(login 13900000001); B=$(login 13900000002)
declare_json "$B" "{$CLEAN,\"travel\":[]}"
eq "the day after its until: green" "$STATUS,$(j .color)" "201,green"
sql "DELETE FROM risk_areas"

# --- a check-in at a venue in a risk area ----------------------------------
OWNER=$(login 13900000009)
req POST /api/v1/venues '{"name":"汉正街商场","address":"汉正街1号","region":"420104"}' -- -H "Authorization: Bearer $OWNER"
eq "venue in Wuhan's Qiaokou district" "$STATUS" 201
VTOK=$(j .url); VTOK=${VTOK##*/c/}
declare_json "$A" "{$CLEAN,\"travel\":[]}"
req POST /api/v1/checkins "{\"venue_token\":\"$VTOK\"}" -- -H "Authorization: Bearer $A"
eq "A checks in" "$STATUS" 201
eq "no designation: green" "$(code_of "$A")" "green "
# The trigger writes the person's row only when a value changes
# (migration 0016): total_changes() counts the trigger's rows too.
visit_again() { sql "INSERT INTO checkins (account_id, person_id, venue_id, color, checked_in_at) SELECT account_id, person_id, venue_id, color, checked_in_at + 1 FROM checkins WHERE person_id = (SELECT id FROM persons WHERE name = '$1') LIMIT 1; SELECT total_changes()"; }
check "A's colour now depends on the risk areas" test "$(cache_row 甲 | cut -d/ -f3)" != -1
a_row=$(cache_row 甲)
eq "another visit, nothing to change: the person's row not written" "$(visit_again 甲)" 1
eq "and the row as it was" "$(cache_row 甲)" "$a_row"
C=$(login 13900000003)	# checks in before binding an identity
req POST /api/v1/checkins "{\"venue_token\":\"$VTOK\"}" -- -H "Authorization: Bearer $C"
eq "C checks in, no identity yet" "$STATUS,$(sql "SELECT count(*) FROM checkins WHERE person_id IS NULL")" "201,1"
sql "INSERT INTO risk_areas (region, level, set_at) VALUES ('420100', 'high', 0)"
eq "the venue's city high: A yellow at once" "$(code_of "$A")" "yellow visit_high_risk"
gen_before=$(cache_row 甲 | cut -d/ -f1)
eq "a visit where a designation stands writes the row" "$(visit_again 甲)" 2
eq "and makes the cached colour stale" "$(cache_row 甲 | cut -d/ -f1)" $((gen_before + 1))
declare_json "$C" "{$(me 丙 33010619800101003),$CLEAN,\"travel\":[]}"
eq "C's visit before the identity counts" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,yellow,visit_high_risk"
req GET /code -- -H "Authorization: Bearer $A" -H "Accept-Language: en"
check "the code page names the check-in" grep -q "Checked in at a place in a high-risk area" "$T/body"
sql "DELETE FROM risk_areas"
eq "cleared: green" "$(code_of "$A")" "green "

# --- an override holds to its end day --------------------------------------
PA=$(sql "SELECT id_hash FROM persons WHERE name = '甲'")
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at) VALUES ('$PA', 'confirmed', '2026-11-30', 0)"
eq "listed: red" "$(code_of "$A")" "red case_confirmed"
sql "UPDATE persons SET override_color = 'green', override_from = '2026-11-30', override_until = '2026-12-01', override_at = $(epoch 2026-11-30T01:00:00Z), color_gen = color_gen + 1 WHERE name = '甲'"
eq "overridden: green" "$(code_of "$A")" "green appeal_override"
# Listed after the decision, dated the day before it: not covered.
sql "INSERT INTO case_entries (id_hash, kind, listed_day, listed_at) VALUES ('$PA', 'suspected', '2026-11-29', $(epoch 2026-11-30T01:00:01Z))"
eq "a later listing counts over the override" "$(code_of "$A")" "red case_suspected,appeal_override"
sql "DELETE FROM case_entries WHERE kind = 'suspected'"
eq "withdrawn: the override again" "$(code_of "$A")" "green appeal_override"
set_now 2026-12-02T01:00:00Z
A=$(login 13900000001)
declare_json "$A" "{$CLEAN,\"travel\":[]}"
eq "after its end day: the rules again" "$STATUS,$(j .color),$(j '.reasons|join(",")')" "201,red,case_confirmed"

# --- the audit chain --------------------------------------------------------
ADMIN=$(login 13900000010)
# Granted in the database: the CLI's grant is an audit entry itself
# (staff.sh), and this part builds its own chain from an empty log.
sql "INSERT INTO account_roles SELECT id, 'admin', 0 FROM accounts WHERE phone_mac = '$(phone_mac "13900000010")'"
AUTH=(-H "Authorization: Bearer $ADMIN")
req GET /api/v1/admin/audit/verify -- "${AUTH[@]}"
eq "empty chain verifies" "$STATUS,$(j .ok),$(j .entries)" "200,true,0"
field() { printf '%s:%s\n' "${#1}" "$1"; }
ZERO=0000000000000000000000000000000000000000000000000000000000000000
# entry ID AT ACTOR ACTION SUBJECT DETAILS PREV: prints the hash.
entry_hash() {
	{ printf '%s\n%s\n' "$1" "$2"; field "$3"; field "$4"; field "$5"; field "$6"; field "$7"; } | sha256sum | cut -d' ' -f1
}
prev=$ZERO
for i in 1 2 3 4; do
	at=$(epoch "2026-0$((i + 4))-01T00:00:00Z")	# May to August
	d="{\"n\":$i}"
	h=$(entry_hash $i "$at" cli test.entry "" "$d" "$prev")
	sql "INSERT INTO audit_log VALUES ($i, $at, 'cli', 'test.entry', '', '$d', '$prev', '$h')"
	prev=$h
done
req GET /api/v1/admin/audit/verify -- "${AUTH[@]}"
eq "four entries hashed as documented verify" "$STATUS,$(j .ok),$(j .entries)" "200,true,4"
check "the CLI agrees" sh -c "'$CTL' audit-verify >/dev/null"
eq "the CLI's line" "$("$CTL" audit-verify)" "audit chain ok: 4 entries"
check "the log refuses an update" sh -c "! sqlite3 '$HC_DATA_DIR/healthcode.db' \"UPDATE audit_log SET details = '{}' WHERE id = 2\" 2>/dev/null"
check "the log refuses deleting a middle entry" sh -c "! sqlite3 '$HC_DATA_DIR/healthcode.db' \"DELETE FROM audit_log WHERE id = 3\" 2>/dev/null"
req GET "/api/v1/admin/audit?limit=2" -- "${AUTH[@]}"
eq "the newest two, newest first" "$STATUS,$(j '[.entries[].id]|join(",")'),$(j .next)" "200,4,3,3"
req GET "/api/v1/admin/audit?before=3&limit=2" -- "${AUTH[@]}"
eq "the page before 3" "$(j '[.entries[].id]|join(",")'),$(j .next)" "2,1,1"
req GET "/api/v1/admin/audit?limit=0" -- "${AUTH[@]}"
eq "a bad limit" "$STATUS,$(j .error.code)" "400,bad_query"
req GET /admin/audit -- "${AUTH[@]}"
check "the page shows the chain ok" grep -q 'id="audit-status" data-ok="1"' "$T/body"

# Tampering, as someone with the file would: past the triggers.
sql "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details = '{\"n\":20}' WHERE id = 2"
req GET /api/v1/admin/audit/verify -- "${AUTH[@]}"
eq "an edited entry is named" "$STATUS,$(j .ok),$(j .entries),$(j .first_broken)" "200,false,4,2"
check "the CLI fails" sh -c "! '$CTL' audit-verify >/dev/null"
eq "the CLI names it" "$("$CTL" audit-verify)" "audit chain BROKEN at entry 2 (4 entries)"
req GET /admin/audit -- "${AUTH[@]}"
check "the page shows the break" grep -q 'id="audit-first-broken">2<' "$T/body"
sql "UPDATE audit_log SET details = '{\"n\":2}' WHERE id = 2"
req GET /api/v1/admin/audit/verify -- "${AUTH[@]}"
eq "restored: verifies" "$(j .ok)" true
h3=$(sql "SELECT hash FROM audit_log WHERE id = 3")
sql "UPDATE audit_log SET hash = '$ZERO' WHERE id = 3"
req GET /api/v1/admin/audit/verify -- "${AUTH[@]}"
eq "a rewritten hash is named" "$(j .ok),$(j .first_broken)" "false,3"
sql "UPDATE audit_log SET hash = '$h3' WHERE id = 3"

# Pruning: 180 days after entries 1-2 (May, June) and not 3-4.
sql "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
set_now 2026-12-20T01:00:00Z	# 180 days after 2026-06-23
"$CTL" purge >/dev/null
ADMIN=$(login 13900000010)
AUTH=(-H "Authorization: Bearer $ADMIN")
eq "entries before the cut pruned" "$(sql 'SELECT group_concat(id) FROM audit_log')" "3,4"
eq "the anchor holds entry 2" "$(sql 'SELECT last_id FROM audit_anchor'),$(sql 'SELECT hash = (SELECT prev FROM audit_log WHERE id = 3) FROM audit_anchor')" "2,1"
req GET /api/v1/admin/audit/verify -- "${AUTH[@]}"
eq "what is left verifies" "$STATUS,$(j .ok),$(j .entries)" "200,true,2"
# Entries removed from the oldest end that the purge would have kept:
# the anchor is younger than the retention.
sql "DELETE FROM audit_log WHERE id = 3"
req GET /api/v1/admin/audit/verify -- "${AUTH[@]}"
eq "a removed young entry is a break" "$STATUS,$(j .ok),$(j .entries),$(j .first_broken)" "200,false,1,4"
check "the anchor cannot go back" sh -c "! sqlite3 '$HC_DATA_DIR/healthcode.db' \"UPDATE audit_anchor SET last_id = 1\" 2>/dev/null"

finish
