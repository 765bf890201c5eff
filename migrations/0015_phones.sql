-- migrate: foreign_keys off
-- Phone numbers no longer in clear (docs/retention.md).  An account keeps
-- the keyed hash it is found by (phone_mac: HMAC-SHA256 of
-- "phone:<number>" with the session key), the masked form it is shown
-- by, and the number sealed (phone_enc: AES-256-GCM under phone_key_file
-- with phone_mac as associated data, base64url of nonce, ciphertext and
-- tag) for the two audited lists that show it whole: the checkers, for
-- admins, and tracing's call-backs.  One-time codes are kept by the
-- keyed hash too.
--
-- SQLite cannot drop a UNIQUE column, so accounts is rebuilt by the
-- twelve steps of https://www.sqlite.org/lang_altertable.html#otheralter:
-- with foreign keys off (the first line: the migrator turns them off
-- outside the transaction and runs foreign_key_check before committing),
-- since a DROP TABLE with them on would delete every row of the tables
-- that refer to accounts.  No trigger or view names accounts or
-- otp_codes; their indexes are made again below.  hc_phone_mac,
-- hc_phone_masked and hc_phone_enc are the program's (boot_functions);
-- healthcodectl migrate reads the session and phone keys for them.  The
-- old rows' pages are overwritten (secure_delete), and healthcodectl
-- checkpoints the WAL after migrating.

CREATE TABLE accounts_new (
	id INTEGER PRIMARY KEY,
	phone_mac TEXT NOT NULL UNIQUE CHECK (length(phone_mac) = 64),
	-- masked, never more: 138****8000
	phone_masked TEXT NOT NULL CHECK (phone_masked GLOB
	    '1[3-9][0-9][*][*][*][*][0-9][0-9][0-9][0-9]'),
	phone_enc TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL	-- last sign-in, for the inactivity rule
);
INSERT INTO accounts_new (id, phone_mac, phone_masked, phone_enc,
    created_at, last_seen_at)
    SELECT id, hc_phone_mac(phone), hc_phone_masked(phone),
    hc_phone_enc(phone), created_at, last_seen_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;
CREATE INDEX accounts_last_seen ON accounts (last_seen_at);

-- The codes of the last minutes stay usable: code_mac binds the code to
-- the number, which the sign-in request brings.
CREATE TABLE otp_codes_new (
	id INTEGER PRIMARY KEY,
	phone_mac TEXT NOT NULL CHECK (length(phone_mac) = 64),
	code_mac TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0
);
INSERT INTO otp_codes_new (id, phone_mac, code_mac, created_at,
    expires_at, attempts)
    SELECT id, hc_phone_mac(phone), code_mac, created_at, expires_at,
    attempts FROM otp_codes;
DROP TABLE otp_codes;
ALTER TABLE otp_codes_new RENAME TO otp_codes;
CREATE INDEX otp_codes_phone ON otp_codes (phone_mac, created_at);
CREATE INDEX otp_codes_created ON otp_codes (created_at);
