-- Sign-in with WeChat (docs/api.md, POST /api/v1/auth/wechat).
--
-- An openid bound to an account, kept as a keyed hash (HMAC-SHA256 of
-- "wechat-openid:<openid>" with the session key), never in clear; it goes
-- with its account.  WeChat's session_key and our app secret are never
-- stored.
CREATE TABLE wechat_bindings (
	openid_mac TEXT PRIMARY KEY CHECK (length(openid_mac) = 64),
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL
);
CREATE INDEX wechat_bindings_account ON wechat_bindings (account_id);

-- WeChat's access token (cgi-bin/token), one for the app, shared by every
-- worker: kept until shortly before WeChat says it expires.
CREATE TABLE wechat_token (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	token TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	fetched_at INTEGER NOT NULL
);
