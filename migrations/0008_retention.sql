-- The daily purge: one row per day, claimed by the first worker (or the
-- CLI) to see the day; the counts of what it deleted, per class.
CREATE TABLE purge_runs (
	day TEXT PRIMARY KEY,		-- the configured zone's day it ran for
	started_at INTEGER NOT NULL,
	finished_at INTEGER,		-- NULL while running
	counts TEXT			-- {"declarations": N, ...}
) WITHOUT ROWID;

-- The purge finds expired rows by these.
CREATE INDEX case_entries_listed ON case_entries (listed_day);
CREATE INDEX accounts_last_seen ON accounts (last_seen_at);
CREATE INDEX daily_codes_day ON daily_codes (day);
CREATE INDEX otp_codes_created ON otp_codes (created_at);
CREATE INDEX rate_hits_at ON rate_hits (at);
