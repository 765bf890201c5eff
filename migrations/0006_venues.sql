-- Venues (场所) with their posted check-in code (场所码), and the visits
-- recorded when a person scans one: the itinerary and the tracing record.

-- A venue is registered by any signed-in account, its owner.  token is
-- the opaque random value in the poster's QR code (16 random bytes,
-- base64url); rotating the code replaces it, and the old poster then
-- names no venue.  A poster lives for months, so the token does not
-- expire: it is revoked by rotation.  The owner's account may go (the
-- inactivity rule) while the venue's tracing record must stay: the
-- venue then keeps its visits but has no owner (nobody can rotate it).
CREATE TABLE venues (
	id INTEGER PRIMARY KEY,
	owner_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
	address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 120),
	region TEXT NOT NULL REFERENCES regions (code),
	token TEXT NOT NULL UNIQUE CHECK (length(token) = 22),
	token_at INTEGER NOT NULL,	-- when the current token was issued
	created_at INTEGER NOT NULL
);
CREATE INDEX venues_owner ON venues (owner_id);

-- One row per scan of a venue code.  The visit belongs to the account,
-- and to its own person once an identity is bound (NULL before the first
-- declaration).  color is the code the person held at check-in, NULL
-- when there was no declaration that day.  The venue is joined, not
-- copied, and cannot be deleted while visits point at it.
CREATE TABLE checkins (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	person_id INTEGER REFERENCES persons (id) ON DELETE CASCADE,
	venue_id INTEGER NOT NULL REFERENCES venues (id) ON DELETE RESTRICT,
	color TEXT CHECK (color IN ('green', 'yellow', 'red')),
	checked_in_at INTEGER NOT NULL
);
CREATE INDEX checkins_account ON checkins (account_id, checked_in_at);
CREATE INDEX checkins_person ON checkins (person_id);
-- Who was at a venue in a time window (the health authority's query).
CREATE INDEX checkins_venue ON checkins (venue_id, checked_in_at);
-- The retention purge.
CREATE INDEX checkins_at ON checkins (checked_in_at);
