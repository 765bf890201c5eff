-- People, daily declarations, case lists, risk areas, daily code ids and
-- signing keys' bookkeeping: the tables behind the health code.

-- A person is keyed by a keyed hash of identity type and number
-- (HMAC-SHA256 with id_key_file); the number itself is never stored, only
-- its masked form.  Accounts hold persons: their owner now, dependents
-- later, so a person is not tied to one account.
CREATE TABLE persons (
	id INTEGER PRIMARY KEY,
	id_hash TEXT NOT NULL UNIQUE CHECK (length(id_hash) = 64),
	id_type TEXT NOT NULL CHECK (id_type IN ('resident_id', 'passport')),
	id_masked TEXT NOT NULL,
	name TEXT NOT NULL,
	nationality TEXT REFERENCES countries (alpha3),
	created_at INTEGER NOT NULL
);

CREATE TABLE account_persons (
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	relation TEXT NOT NULL CHECK (relation IN ('self', 'dependent')),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, person_id)
) WITHOUT ROWID;
-- One identity per account, and one account per identity, for "self".
CREATE UNIQUE INDEX account_persons_self ON account_persons (account_id)
    WHERE relation = 'self';
CREATE UNIQUE INDEX account_persons_self_person ON account_persons (person_id)
    WHERE relation = 'self';
CREATE INDEX account_persons_person ON account_persons (person_id);

-- One declaration per person per day (the configured zone's calendar);
-- declaring again the same day replaces that day's answers.
CREATE TABLE declarations (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	day TEXT NOT NULL CHECK (length(day) = 10),
	temp_tenths INTEGER NOT NULL CHECK (temp_tenths BETWEEN 340 AND 430),
	symptoms INTEGER NOT NULL CHECK (symptoms BETWEEN 0 AND 127),
	contact INTEGER NOT NULL CHECK (contact IN (0, 1)),
	declared_at INTEGER NOT NULL,
	UNIQUE (person_id, day)
);
CREATE INDEX declarations_day ON declarations (day);

CREATE TABLE declaration_travel (
	declaration_id INTEGER NOT NULL REFERENCES declarations (id)
	    ON DELETE CASCADE,
	region TEXT NOT NULL REFERENCES regions (code),
	date TEXT NOT NULL CHECK (length(date) = 10)
);
CREATE INDEX declaration_travel_decl ON declaration_travel (declaration_id);

-- Case lists, as the health authority imports them (a later feature fills
-- this).  Matched to persons by the same keyed hash.
CREATE TABLE case_entries (
	id INTEGER PRIMARY KEY,
	id_hash TEXT NOT NULL CHECK (length(id_hash) = 64),
	kind TEXT NOT NULL CHECK (kind IN ('confirmed', 'suspected',
	    'asymptomatic', 'close_contact', 'secondary_contact')),
	listed_day TEXT NOT NULL CHECK (length(listed_day) = 10),
	listed_at INTEGER NOT NULL
);
CREATE INDEX case_entries_hash ON case_entries (id_hash);

-- Current risk designations: a province, city or county.
CREATE TABLE risk_areas (
	region TEXT PRIMARY KEY REFERENCES regions (code),
	level TEXT NOT NULL CHECK (level IN ('medium', 'high')),
	set_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The opaque code id in a person's tokens: random, one per person per
-- day, never derived from the account, phone or identity number.
CREATE TABLE daily_codes (
	code_id TEXT PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	day TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (person_id, day)
) WITHOUT ROWID;
