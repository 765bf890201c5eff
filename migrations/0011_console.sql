-- The health authority's console (docs/console.md): what the case lists,
-- risk areas, exposure tracing, appeals and disputes keep, and the audit
-- chain over everything the authority does.

-- A person's opaque reference: what the console hands out and takes back
-- (an exposure list's "person", a mark), never the row id.
ALTER TABLE persons ADD COLUMN ref TEXT;
UPDATE persons SET ref = lower(hex(randomblob(8)));
CREATE UNIQUE INDEX persons_ref ON persons (ref);

-- Case lists: one entry per identity and category, refreshed by a new
-- import; where it came from (an import, or a mark from tracing with its
-- venue and the listing it was traced from) and the masked name shown to
-- the authority.  The raw identity number is never stored.
ALTER TABLE case_entries ADD COLUMN name_masked TEXT NOT NULL DEFAULT '';
ALTER TABLE case_entries ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE case_entries ADD COLUMN venue_id INTEGER;
ALTER TABLE case_entries ADD COLUMN case_id INTEGER;
ALTER TABLE case_entries ADD COLUMN listed_by INTEGER;
DELETE FROM case_entries WHERE id NOT IN (SELECT max(id) FROM case_entries
    GROUP BY id_hash, kind);
CREATE UNIQUE INDEX case_entries_person_kind ON case_entries (id_hash, kind);
CREATE INDEX case_entries_order ON case_entries (listed_at, id);

-- Risk areas: until a day (NULL: until cleared); who set them.
ALTER TABLE risk_areas ADD COLUMN until TEXT;
ALTER TABLE risk_areas ADD COLUMN set_by INTEGER;

-- A risk-area change no longer rewrites every person (1.3 s at a million
-- people, holding the write lock): it moves one generation, and a cached
-- colour that read risk areas (persons.color_epoch, -1 for one that read
-- none: no travel or check-ins in the window) is stale when it differs.
DROP TRIGGER risk_colour_ins;
DROP TRIGGER risk_colour_upd;
DROP TRIGGER risk_colour_del;
CREATE TABLE colour_epoch (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	gen INTEGER NOT NULL
);
INSERT INTO colour_epoch VALUES (1, 0);
CREATE TRIGGER risk_epoch_ins AFTER INSERT ON risk_areas BEGIN
	UPDATE colour_epoch SET gen = gen + 1;
END;
CREATE TRIGGER risk_epoch_upd AFTER UPDATE ON risk_areas BEGIN
	UPDATE colour_epoch SET gen = gen + 1;
END;
CREATE TRIGGER risk_epoch_del AFTER DELETE ON risk_areas BEGIN
	UPDATE colour_epoch SET gen = gen + 1;
END;
ALTER TABLE persons ADD COLUMN color_epoch INTEGER NOT NULL DEFAULT -1;
-- Caches made before this migration did not record what they read.
UPDATE persons SET color_gen_cached = -1;

-- A check-in at a venue in a risk area feeds the rules like travel.  A
-- check-in where a designation stands (the venue's region, its parent
-- or grandparent, whatever its until) makes the cached colour stale; any
-- other leaves it right, but from now on dependent on the risk areas
-- (color_epoch: the next designation anywhere makes it stale).
CREATE TRIGGER checkins_colour_ins AFTER INSERT ON checkins BEGIN
	UPDATE persons SET color_gen = color_gen + EXISTS (SELECT 1
	    FROM venues v LEFT JOIN regions r ON r.code = v.region
	    LEFT JOIN regions p ON p.code = r.parent
	    JOIN risk_areas ra ON ra.region IN (v.region, r.parent, p.parent)
	    WHERE v.id = NEW.venue_id),
	    color_epoch = CASE WHEN color_epoch = -1 THEN
	    (SELECT gen FROM colour_epoch) ELSE color_epoch END
	WHERE id = NEW.person_id;
END;

-- An appeal's override: the colour shown from the day decided through
-- override_until, over every cause dated up to the decision day and
-- recorded before the decision (override_at): a listing, declaration or
-- check-in recorded later counts again, whatever day it names.  The
-- statement that sets it moves color_gen.
ALTER TABLE persons ADD COLUMN override_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN override_color TEXT;
ALTER TABLE persons ADD COLUMN override_from TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN override_until TEXT NOT NULL DEFAULT '';

-- The audit chain: append-only.  Each entry's hash is SHA-256 over the
-- canonical entry and the hash before it (handlers/audit.c); the purge
-- prunes from the oldest end, and the last pruned entry's id and hash
-- stay as the anchor, so what is left still verifies.  The triggers stop the program's own mistakes;
-- the chain shows anyone else's.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,		-- "account:ID", or "cli"
	action TEXT NOT NULL,
	subject TEXT NOT NULL,		-- keyed hash of who or what, or ''
	details TEXT NOT NULL,		-- a JSON object
	prev TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TABLE audit_anchor (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	last_id INTEGER NOT NULL,	-- the last pruned entry, 0 for none
	hash TEXT NOT NULL,		-- its hash: the first entry's prev
	at INTEGER NOT NULL		-- its time: older than the retention
);
INSERT INTO audit_anchor VALUES (1, 0,
    '0000000000000000000000000000000000000000000000000000000000000000', 0);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- Pruning deletes from the oldest end only, and each deleted entry
-- becomes the anchor; an anchor younger than the retention says that
-- entries were removed that the purge would have kept.
CREATE TRIGGER audit_log_oldest_only BEFORE DELETE ON audit_log
    WHEN OLD.id <> (SELECT min(id) FROM audit_log) BEGIN
	SELECT RAISE(ABORT, 'the audit log is pruned from its oldest entry');
END;
CREATE TRIGGER audit_log_anchor AFTER DELETE ON audit_log BEGIN
	UPDATE audit_anchor SET last_id = OLD.id, hash = OLD.hash, at = OLD.at;
END;
CREATE TRIGGER audit_anchor_forward BEFORE UPDATE ON audit_anchor
    WHEN NEW.last_id < OLD.last_id BEGIN
	SELECT RAISE(ABORT, 'the anchor only moves forward');
END;
