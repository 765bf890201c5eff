-- Accounts, roles, one-time login codes, sessions and rate-limit hits.
-- Applied in one transaction by the migrator (healthcodectl migrate).

-- One account per phone number that signed in, or that an operator
-- granted a role before its first sign-in.
CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	phone TEXT NOT NULL UNIQUE CHECK (length(phone) = 11),
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL	-- last sign-in, for the inactivity rule
);

-- Roles are read on every request, never baked into a session token.
CREATE TABLE account_roles (
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	role TEXT NOT NULL CHECK (role IN ('checker', 'admin')),
	granted_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, role)
) WITHOUT ROWID;

-- One-time login codes.  The code itself is never stored: code_mac is
-- HMAC-SHA256 over phone and code with the server's session key.
CREATE TABLE otp_codes (
	id INTEGER PRIMARY KEY,
	phone TEXT NOT NULL,
	code_mac TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX otp_codes_phone ON otp_codes (phone, created_at);

-- Server-side sessions: the signed token names one; logout deletes it.
CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Sliding-window rate limits.  key is a keyed hash of bucket and value
-- (a phone or an IP address), never the value itself.
CREATE TABLE rate_hits (
	key TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX rate_hits_key ON rate_hits (key, at);
