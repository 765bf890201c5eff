-- Appeals (申诉) against a red or yellow code, identity disputes, and the
-- notices that tell an account what the authority did to it
-- (docs/console.md).  Decided appeals and disputes, and notices, are
-- purged retention_appeals_days after the decision (docs/retention.md);
-- everything here goes with its account or its person.

-- An appeal: the person's own account asks the authority to look at the
-- code; what it was (colour and reason bits) when filed is kept beside
-- the text.  A decision upholds it (the rules stand) or overrides the
-- colour until a day (persons.override_*, migration 0011).
CREATE TABLE appeals (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	-- length() counts characters: the limit of handlers/appeals.c
	reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
	color TEXT NOT NULL CHECK (color IN ('yellow', 'red')),
	reasons INTEGER NOT NULL,	-- enum reason bits when filed
	status TEXT NOT NULL DEFAULT 'open'
	    CHECK (status IN ('open', 'upheld', 'overridden')),
	note TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
	decided_color TEXT CHECK (decided_color IN ('green', 'yellow', 'red')),
	decided_until TEXT CHECK (decided_until IS NULL OR
	    length(decided_until) = 10),
	decided_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
	decided_at INTEGER,
	created_at INTEGER NOT NULL,
	-- A decided appeal has its note and time; an override its colour and end.
	CHECK ((status = 'open') = (decided_at IS NULL)),
	CHECK (status = 'open' OR note IS NOT NULL),
	CHECK ((status = 'overridden') = (decided_color IS NOT NULL AND
	    decided_until IS NOT NULL))
);
-- The authority's queue, oldest first; the person's own list.
CREATE INDEX appeals_status ON appeals (status, id);
CREATE INDEX appeals_account ON appeals (account_id, id);
-- One open appeal a person at a time; the index also serves the cascade.
CREATE INDEX appeals_person ON appeals (person_id);
CREATE UNIQUE INDEX appeals_one_open ON appeals (person_id)
    WHERE status = 'open';
CREATE INDEX appeals_decided ON appeals (decided_at)
    WHERE decided_at IS NOT NULL;
CREATE INDEX appeals_decided_by ON appeals (decided_by)
    WHERE decided_by IS NOT NULL;

-- An identity dispute: an account refused an identity bound to another
-- account (identity_in_use) says it is theirs.  Moving it gives the
-- person to the disputing account; the account that held it is told
-- (account_notices).
CREATE TABLE disputes (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
	status TEXT NOT NULL DEFAULT 'open'
	    CHECK (status IN ('open', 'moved', 'rejected')),
	note TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
	decided_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
	decided_at INTEGER,
	created_at INTEGER NOT NULL,
	CHECK ((status = 'open') = (decided_at IS NULL)),
	CHECK (status = 'open' OR note IS NOT NULL)
);
CREATE INDEX disputes_status ON disputes (status, id);
CREATE INDEX disputes_account ON disputes (account_id, id);
CREATE INDEX disputes_person ON disputes (person_id);
CREATE UNIQUE INDEX disputes_one_open ON disputes (account_id, person_id)
    WHERE status = 'open';
CREATE INDEX disputes_decided ON disputes (decided_at)
    WHERE decided_at IS NOT NULL;
CREATE INDEX disputes_decided_by ON disputes (decided_by)
    WHERE decided_by IS NOT NULL;

-- What an account is told when it next looks (GET /api/v1/me, the home
-- page) until it dismisses it: no details, only the kind and the time.
CREATE TABLE account_notices (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('identity_moved')),
	created_at INTEGER NOT NULL,
	seen_at INTEGER
);
CREATE INDEX account_notices_account ON account_notices (account_id, id);
CREATE INDEX account_notices_created ON account_notices (created_at);
