#!/bin/bash
# Migration 0015 (phones no longer in clear) on a database made before
# it: accounts with their roles, sessions, persons, declarations, daily
# codes, venues, check-ins, check records, appeals, disputes, notices,
# WeChat bindings, rate-limit hits and a live one-time code, written as
# the program before 0015 wrote them.  Refused, changing nothing, without
# the phone key or with a row it cannot convert; then applied: every
# other row as it was, no number left in the database's files, and the
# old accounts reached as before: an old session, the old code, a new
# sign-in, a grant and revocation by phone, the checkers' and tracing's
# full numbers (opened from what the migration sealed).
. "$(dirname "$0")/lib.sh"

export HC_NOW=2026-12-01T02:00:00Z	# 10:00 in Shanghai
NOW=$(epoch $HC_NOW)
DB="$HC_DATA_DIR/healthcode.db"
KEY="$HC_DATA_DIR/session.key"
PA=13812340001 PB=13812340002 PC=13812340003 PD=13812340004
"$CTL" init >/dev/null

# --- the database as it was before 0015 -----------------------------------
# Each earlier migration applied and recorded as the migrator does.
sqlite3 "$DB" "PRAGMA journal_mode=WAL; CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
    applied_at INTEGER NOT NULL)" >/dev/null
for f in "$TOP"/migrations/*.sql; do
	n=$(basename "$f")
	v=$((10#${n%%_*}))
	[ $v -lt 15 ] || continue
	{ echo "PRAGMA foreign_keys=ON; BEGIN;"; cat "$f"
	  echo "; INSERT INTO schema_migrations VALUES ($v, '$n', '$(sha256sum "$f" | cut -d' ' -f1)', 0); COMMIT;"; } |
	    sqlite3 "$DB" || fail "$n would not apply"
done
"$CTL" migrate status > "$T/out"
# 0015 and every migration after it.
PENDING=$(for f in "$TOP"/migrations/[0-9]*.sql; do
	n=$(basename "$f"); [ $((10#${n%%_*})) -lt 15 ] || echo "$n"
done)
eq "the database is at 0014, 0015 pending" "$(grep pending "$T/out")" "pending: $(echo "$PENDING" | paste -sd, | sed 's/,/, /g')"

CODE_MAC=$(hmac_hex "$KEY" "otp:$PA:123456")
sqlite3 "$DB" <<EOF || fail "the old rows would not insert"
PRAGMA foreign_keys=ON;
BEGIN;
INSERT INTO accounts VALUES (11, '$PA', $((NOW - 900000)), $((NOW - 3600))),
    (12, '$PB', $((NOW - 800000)), $((NOW - 7200))),
    (13, '$PC', $((NOW - 700000)), $((NOW - 100))),
    (14, '$PD', $((NOW - 600000)), $((NOW - 600000)));
INSERT INTO account_roles VALUES (12, 'checker', $((NOW - 86400))),
    (13, 'admin', $((NOW - 86400)));
INSERT INTO sessions VALUES ('oldsessionofa0000000', 11, $((NOW - 60)), $(epoch 2026-12-01T16:00:00Z));
INSERT INTO otp_codes (phone, code_mac, created_at, expires_at, attempts)
    VALUES ('$PA', '$CODE_MAC', $((NOW - 30)), $((NOW + 270)), 1);
INSERT INTO rate_hits VALUES ('$(hmac_hex "$KEY" "otp-phone:$PA")', $((NOW - 30)));
INSERT INTO persons (id, id_hash, id_type, id_masked, name, created_at, ref)
    VALUES (21, printf('%064d', 21), 'resident_id', '3301**********0011', '王小华', $NOW, 'ref000000000021'),
    (22, printf('%064d', 22), 'resident_id', '3301**********0022', '李四', $NOW, 'ref000000000022'),
    (23, printf('%064d', 23), 'resident_id', '3301**********0033', '王小小', $NOW, 'ref000000000023');
INSERT INTO account_persons VALUES (11, 21, 'self', $NOW), (12, 22, 'self', $NOW),
    (11, 23, 'dependent', $NOW);
INSERT INTO declarations (id, person_id, day, temp_tenths, symptoms, contact, declared_at)
    VALUES (31, 21, '2026-12-01', 365, 0, 0, $NOW);
INSERT INTO daily_codes (code_id, person_id, day, created_at) VALUES ('cid21', 21, '2026-12-01', $NOW);
INSERT INTO venues VALUES (41, 11, '湖滨银泰', '延安路 1 号', '330102', 'venuetoken000000000041', $NOW, $NOW);
INSERT INTO checkins VALUES (51, 11, 21, 41, 'green', $((NOW - 1800))),
    (52, 12, 22, 41, 'green', $((NOW - 1200))), (53, 11, NULL, 41, NULL, $((NOW - 600)));
INSERT INTO verifications (id, checker_id, method, issuer, code_id, person_id, place, valid, color, checked_at)
    VALUES (61, 12, 'scan', '330100', 'cid21', 21, '东门', 1, 'green', $((NOW - 300)));
INSERT INTO appeals (id, account_id, person_id, reason, color, reasons, created_at)
    VALUES (71, 11, 21, '我没有去过', 'yellow', 1, $((NOW - 500)));
INSERT INTO disputes (id, account_id, person_id, reason, status, note, decided_by, decided_at, created_at)
    VALUES (81, 12, 21, '是我的身份证', 'rejected', '不符', 13, $((NOW - 400)), $((NOW - 450)));
INSERT INTO account_notices (id, account_id, kind, created_at) VALUES (91, 12, 'identity_moved', $((NOW - 400)));
INSERT INTO wechat_bindings VALUES (printf('%064d', 101), 11, $((NOW - 5000)));
COMMIT;
EOF
eq "the numbers are there in clear before" "$(clear_phones $PA $PB $PC $PD)" "$PA $PB $PC $PD "

# Every table but the two rebuilt (and the record), schema and rows.
others() {
	for t in $(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('accounts', 'otp_codes', 'schema_migrations') ORDER BY name"); do
		sqlite3 "$DB" ".dump $t"
	done | md5sum
}
accounts_old() { sqlite3 "$DB" "SELECT id, phone, created_at, last_seen_at FROM accounts ORDER BY id" | tr '\n' ' '; }
OTHERS=$(others)
ACCOUNTS=$(accounts_old)
check "the old rows are all there" test "$(sqlite3 "$DB" 'SELECT (SELECT count(*) FROM checkins) + (SELECT count(*) FROM account_persons)')" = 6

# --- refused without the phone key: nothing changes -----------------------
HC_PHONE_KEY_FILE="$T/no-such.key" "$CTL" migrate > "$T/out" 2> "$T/err"; rc=$?
eq "without the phone key: refused" "$rc" 1
check "naming the file and what to run" grep -q "no-such.key: .*healthcodectl init" "$T/err"
eq "nothing applied" "$(sql 'SELECT max(version) FROM schema_migrations')" 14
eq "the accounts as they were" "$(accounts_old)" "$ACCOUNTS"

# --- a row it cannot convert: refused, rolled back, children kept ----------
cp "$DB" "$T/bad.db"
sqlite3 "$T/bad.db" "INSERT INTO accounts VALUES (15, '12345678901', 0, 0); INSERT INTO sessions VALUES ('badrow', 15, 0, 0)"
HC_DB_PATH="$T/bad.db" "$CTL" migrate > "$T/out" 2> "$T/err"; rc=$?
eq "an account that is no phone: refused" "$rc" 1
check "saying why" grep -q "hc_phone_mac: not a mainland mobile number" "$T/err"
check "and which migration" grep -q "0015_phones.sql: not applied" "$T/err"
check "the number is not in the message" sh -c "! grep -q 12345678901 '$T/err'"
eq "not recorded" "$(sqlite3 "$T/bad.db" 'SELECT max(version) FROM schema_migrations')" 14
eq "its accounts untouched" "$(sqlite3 "$T/bad.db" 'SELECT count(*) FROM accounts WHERE phone IS NOT NULL')" 5
eq "its children untouched" "$(sqlite3 "$T/bad.db" 'SELECT (SELECT count(*) FROM sessions) || (SELECT count(*) FROM checkins) || (SELECT count(*) FROM wechat_bindings)')" 231
rm -f "$T"/bad.db*

# --- applied ---------------------------------------------------------------
"$CTL" migrate > "$T/out" 2> "$T/err"; rc=$?
eq "migrate" "$rc" 0
eq "applies 0015" "$(grep '^applied' "$T/out")" "$(echo "$PENDING" | sed 's/^/applied /')"
eq "every other table as it was, rows and schema" "$(others)" "$OTHERS"
eq "the accounts: ids and times kept, found by the keyed hash" \
    "$(sql "SELECT id, phone_mac, created_at, last_seen_at FROM accounts ORDER BY id" | tr '\n' ' ')" \
    "11|$(phone_mac $PA)|$((NOW - 900000))|$((NOW - 3600)) 12|$(phone_mac $PB)|$((NOW - 800000))|$((NOW - 7200)) 13|$(phone_mac $PC)|$((NOW - 700000))|$((NOW - 100)) 14|$(phone_mac $PD)|$((NOW - 600000))|$((NOW - 600000)) "
eq "masked" "$(sql "SELECT group_concat(phone_masked, ' ') FROM accounts ORDER BY id")" \
    "138****0001 138****0002 138****0003 138****0004"
eq "sealed: base64url of nonce, number and tag" \
    "$(sql "SELECT count(*) FROM accounts WHERE length(phone_enc) = 52 AND phone_enc NOT GLOB '*[^A-Za-z0-9_-]*'")" 4
eq "no column holds the number" "$(sql "SELECT count(*) FROM pragma_table_info('accounts') WHERE name = 'phone'") $(sql "SELECT count(*) FROM pragma_table_info('otp_codes') WHERE name = 'phone'")" "0 0"
eq "the live code kept, by the keyed hash" "$(sql "SELECT phone_mac = '$(phone_mac $PA)', code_mac, attempts FROM otp_codes")" "1|$CODE_MAC|1"
eq "the indexes made again" "$(sql "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('accounts', 'otp_codes') ORDER BY name)")" \
    "accounts_last_seen otp_codes_created otp_codes_phone sqlite_autoindex_accounts_1"
eq "foreign keys hold" "$(sql 'PRAGMA foreign_key_check')" ""
eq "integrity" "$(sql 'PRAGMA integrity_check')" ok
eq "the WAL checkpointed and emptied" "$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)" 0
eq "no number left in the database's files" "$(clear_phones $PA $PB $PC $PD)" ""
check "the search finds what is there: the masked form" grep -qaF '138****0001' "$DB"
eq "a number can no longer be written in clear" \
    "$(sqlite3 "$DB" "INSERT INTO accounts (phone_mac, phone_masked, phone_enc, created_at, last_seen_at) VALUES (printf('%064d', 1), '$PA', 'x', 0, 0)" 2>&1 | grep -c 'CHECK constraint failed')" 1

# --- the old accounts, reached as before --------------------------------
start_stack
OLD=$(forge '{"alg":"HS256","typ":"JWT"}' "{\"sid\":\"oldsessionofa0000000\",\"iat\":$((NOW - 60)),\"exp\":$(epoch 2026-12-01T16:00:00Z)}" sha256)
req GET /api/v1/me -- -H "Authorization: Bearer $OLD"
eq "a session from before: still signed in" "$STATUS $(j .phone_masked)" "200 138****0001"
# The account a session token names.
account_of() { sql "SELECT account_id FROM sessions WHERE id = '$(claims "$1" | jq -r .sid)'"; }
req POST /api/v1/auth/login "{\"phone\":\"$PA\",\"code\":\"123456\"}"
eq "the code sent before the upgrade signs in" "$STATUS" 200
eq "to the same account" "$(account_of "$(j .token)")" 11
eq "the code used up" "$(sql 'SELECT count(*) FROM otp_codes')" 0
A=$(login $PA)
req GET /api/v1/me -- -H "Authorization: Bearer $A"
eq "a new sign-in: the same account" "$STATUS $(j .phone_masked) $(account_of "$A")" "200 138****0001 11"
eq "one account for the phone still" "$(sql "SELECT count(*) FROM accounts")" 4
ADMIN=$(login $PC)
req GET /api/v1/me -- -H "Authorization: Bearer $ADMIN"
eq "the admin's role kept" "$(j '.roles|join(",")')" admin

"$CTL" grant $PD checker > "$T/out"
eq "grant by phone: the old account that never signed in" "$(cat "$T/out") $(sql "SELECT group_concat(role) FROM account_roles WHERE account_id = 14")" \
    "granted checker to 138****0004 checker"
"$CTL" grant $PB checker > "$T/out"
eq "the old checker already is one" "$(cat "$T/out")" "138****0002 already has the role checker"
api "$ADMIN" GET /api/v1/admin/checkers
eq "the checkers, numbers opened from what the migration sealed" \
    "$(j '[.checkers[] | .phone + "=" + .phone_masked] | join(",")')" "$PD=138****0004,$PB=138****0002"
api "$ADMIN" DELETE /api/v1/admin/checkers/$PD
eq "revoke by phone" "$STATUS $(sql 'SELECT count(*) FROM account_roles WHERE account_id = 14')" "200 0"
api "$ADMIN" GET "/api/v1/admin/exposures?venue=41&from=2026-12-01T09:00:00%2B08:00&to=2026-12-01T10:00:00%2B08:00"
eq "tracing calls back the old visitors by their numbers" "$STATUS $(j '[.exposures[].phone] | join(",")')" "200 $PA,$PB,$PA"

# A sealed number moved to another row does not open there.
sql "UPDATE accounts SET phone_enc = (SELECT phone_enc FROM accounts WHERE id = 12) WHERE id = 11"
: > "$HC_LOG_FILE"
api "$ADMIN" GET "/api/v1/admin/exposures?venue=41&from=2026-12-01T09:00:00%2B08:00&to=2026-12-01T10:00:00%2B08:00"
eq "moved: null there, the rest still shown" "$STATUS $(j '[.exposures[].phone] | map(tostring) | join(",")')" "200 null,$PB,null"
log_settled
check "and logged, without the number" grep -q "trace: 2 phone(s) do not open with phone_key_file" "$HC_LOG_FILE"

finish
