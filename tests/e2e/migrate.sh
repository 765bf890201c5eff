#!/bin/bash
# Migrations and the operator CLI: apply, status, an edited migration is
# refused, and the FastCGI program will not start with pending ones.
. "$(dirname "$0")/lib.sh"

N=$(ls "$TOP"/migrations/*.sql | wc -l)
# The newest version: numbers may have gaps (a number taken on another branch).
LAST=$(basename "$(ls "$TOP"/migrations/*.sql | tail -1)" | sed 's/_.*//; s/^0*//')

"$CTL" init > "$T/out"
check "init creates the session key" test -f "$HC_DATA_DIR/session.key"
eq "session key mode" "$(stat -c %a "$HC_DATA_DIR/session.key")" 600
eq "id key mode" "$(stat -c %a "$HC_DATA_DIR/id-hmac.key")" 600
eq "phone key mode" "$(stat -c %a "$HC_DATA_DIR/phone.key")" 600
check "phone key is 64 hex digits" grep -qE '^[0-9a-f]{64}$' "$HC_DATA_DIR/phone.key"
eq "data dir mode" "$(stat -c %a "$HC_DATA_DIR")" 700
K1=$(cat "$HC_DATA_DIR/session.key")
"$CTL" init > "$T/out"
eq "init keeps existing secrets" "$(cat "$HC_DATA_DIR/session.key")" "$K1"
check "session key is 64 hex digits" grep -qE '^[0-9a-f]{64}$' "$HC_DATA_DIR/session.key"

"$CTL" migrate status > "$T/out"; rc=$?
eq "status before migrate exits 3" "$rc" 3
check "status lists pending" grep -q "pending: 0001_init.sql" "$T/out"

# The responder refuses to start against an unmigrated database.
"$BUILD/healthcode.fcgi" < /dev/null 2> "$T/err"; rc=$?
eq "fcgi refuses pending migrations" "$rc" 1
check "and names them" grep -q "pending migration(s): 0001_init.sql" "$HC_LOG_FILE"

"$CTL" migrate > "$T/out"
eq "migrate applies all" "$(grep -c '^applied' "$T/out")" "$N"
eq "versions recorded" "$(sql 'SELECT count(*) FROM schema_migrations')" "$N"
eq "checksums recorded" "$(sql 'SELECT count(*) FROM schema_migrations WHERE length(checksum) = 64')" "$N"
"$CTL" migrate > "$T/out"
eq "migrate again applies nothing" "$(grep -c '^applied' "$T/out")" 0
"$CTL" migrate status > "$T/out"; rc=$?
eq "status up to date" "$rc" 0
check "status says up to date" grep -q "up to date" "$T/out"
eq "foreign keys hold" "$(sql 'PRAGMA foreign_key_check' | wc -l)" 0

# The responder will not start without the phone key (it seals the numbers).
mv "$HC_DATA_DIR/phone.key" "$T/phone.key"
: > "$HC_LOG_FILE"
"$BUILD/healthcode.fcgi" < /dev/null 2>/dev/null; rc=$?
eq "fcgi refuses without the phone key" "$rc" 1
check "and names it" grep -q "phone.key: .*healthcodectl init" "$HC_LOG_FILE"
"$CTL" init > "$T/out"
check "init makes a missing phone key" grep -q "created .*phone.key" "$T/out"
eq "and keeps the others" "$(cat "$HC_DATA_DIR/session.key")" "$K1"
mv "$T/phone.key" "$HC_DATA_DIR/phone.key"
eq "WAL mode" "$(sql 'PRAGMA journal_mode')" wal

# A pending migration: forget the last one, then put it back.
ROW=$(sql "SELECT quote(name) || ',' || quote(checksum) || ',' || applied_at FROM schema_migrations WHERE version = $LAST")
sql "DELETE FROM schema_migrations WHERE version = $LAST"
: > "$HC_LOG_FILE"
"$BUILD/healthcode.fcgi" < /dev/null 2>/dev/null; rc=$?
eq "fcgi refuses one pending" "$rc" 1
check "names the pending one" grep -q "pending migration(s): $(printf '%04d' "$LAST")_" "$HC_LOG_FILE"
sql "INSERT INTO schema_migrations VALUES ($LAST, $ROW)"
"$CTL" migrate status > /dev/null; rc=$?
eq "restored: up to date" "$rc" 0

# An edited migration: the recorded checksum no longer matches the file.
SUM=$(sha256sum "$TOP/migrations/0001_init.sql" | cut -d' ' -f1)
eq "recorded checksum is the file's SHA-256" "$(sql 'SELECT checksum FROM schema_migrations WHERE version = 1')" "$SUM"
sql "UPDATE schema_migrations SET checksum = '$(printf '%064d' 0)' WHERE version = 1"
"$CTL" migrate > "$T/out" 2> "$T/err"; rc=$?
eq "edited migration refused" "$rc" 1
check "clear message" grep -q "0001_init.sql was edited after it was applied" "$T/err"
: > "$HC_LOG_FILE"
"$BUILD/healthcode.fcgi" < /dev/null 2>/dev/null; rc=$?
eq "fcgi refuses an edited migration" "$rc" 1
check "fcgi says which" grep -q "0001_init.sql was edited" "$HC_LOG_FILE"
sql "UPDATE schema_migrations SET checksum = '$SUM' WHERE version = 1"

# A database newer than the program.
sql "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 0)"
"$CTL" migrate status > "$T/out" 2> "$T/err"; rc=$?
eq "unknown applied migration refused" "$rc" 1
check "says the database is newer" grep -q "newer than the program" "$T/err"

"$CTL" help > "$T/out"
check "help lists grant" grep -q "grant PHONE ROLE" "$T/out"
"$CTL" frobnicate 2> "$T/err"; rc=$?
eq "unknown command" "$rc" 2

finish
