-- Every check by a checker, for contact tracing: who checked which code
-- (our opaque code id, or another issuer's), where and when, and what it
-- showed.  Expires with the retention rules.
CREATE TABLE verifications (
	id INTEGER PRIMARY KEY,
	checker_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
	method TEXT NOT NULL CHECK (method IN ('scan', 'lookup')),
	issuer TEXT NOT NULL,		-- GB/T 2260 region of the code's issuer
	code_id TEXT,			-- the token's cid; NULL for lookups
	person_id INTEGER REFERENCES persons (id) ON DELETE CASCADE,
	place TEXT,			-- the checkpoint's own label
	valid INTEGER NOT NULL CHECK (valid IN (0, 1)),
	reason TEXT,			-- why not valid
	color TEXT,
	checked_at INTEGER NOT NULL
);
CREATE INDEX verifications_checked_at ON verifications (checked_at);
CREATE INDEX verifications_person ON verifications (person_id);
