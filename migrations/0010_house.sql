-- Three corrections found in review (issue: the house, second version).
--
-- 1. Passports are keyed by type, nationality and number: before, two
--    foreigners with the same passport number from different countries
--    were one person.  The keyed hash cannot be recomputed here (the raw
--    number is not stored, and the key is not the database's), so the
--    passport persons stored so far are marked id_legacy: the next time
--    the number is presented (a declaration, a checkpoint lookup) with
--    the nationality they were registered with, person.c moves them to
--    the new key (and their case-list entries with them).
ALTER TABLE persons ADD COLUMN id_legacy INTEGER NOT NULL DEFAULT 0
    CHECK (id_legacy IN (0, 1));
UPDATE persons SET id_legacy = 1 WHERE id_type = 'passport';

-- 2. A cause once cleared stays cleared: the first day of the latest run
--    of clean declarations long enough to clear a red (or a yellow) cause
--    is kept with the person when the colour is computed, so that the
--    purge of the declarations behind it (kept 14 days) does not bring
--    back a cause (a case listing is kept 28) that they had cleared.
--    "" until such a run is seen; days compare as text.
--    A run that ends today is not settled: today's declaration may still
--    get worse (a day keeps its worst answers).  So the marks of the day
--    (clear_*_today, computed on clear_day, overwritten by every
--    computation that day) become settled (clear_*_from, which only move
--    forward) once the day is over: the day's last computation, made
--    after its last declaration, saw the day as it ended.  Marks are kept
--    for one rules configuration (clear_rules): other day counts, no marks.
ALTER TABLE persons ADD COLUMN clear_red_from TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN clear_yellow_from TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN clear_red_today TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN clear_yellow_today TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN clear_day TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN clear_rules TEXT NOT NULL DEFAULT '';

-- 3. A purge that fails is released and retried with a growing pause.
ALTER TABLE purge_runs ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE purge_runs ADD COLUMN retry_at INTEGER;
