-- A person's colour, kept once computed.  The colour rules read a dozen
-- rows; checkpoints ask for the same person's colour many times a day.
-- The cached colour is used while color_gen_cached = color_gen (nothing
-- it depends on has changed: triggers below bump color_gen), before
-- color_until (the next daily cutoff: the rules count days) and while
-- color_rules matches the rules configuration.  A reader that computes a
-- colour stores it with the generation it read first, so a change made
-- meanwhile leaves the cache stale, never wrong.
ALTER TABLE persons ADD COLUMN color TEXT;
ALTER TABLE persons ADD COLUMN color_reasons INTEGER NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN color_green_on TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN color_rules TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN color_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN color_gen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN color_gen_cached INTEGER NOT NULL DEFAULT -1;

CREATE TRIGGER declarations_colour_ins AFTER INSERT ON declarations BEGIN
	UPDATE persons SET color_gen = color_gen + 1 WHERE id = NEW.person_id;
END;
CREATE TRIGGER declarations_colour_upd AFTER UPDATE ON declarations BEGIN
	UPDATE persons SET color_gen = color_gen + 1
	    WHERE id IN (OLD.person_id, NEW.person_id);
END;
CREATE TRIGGER declarations_colour_del AFTER DELETE ON declarations BEGIN
	UPDATE persons SET color_gen = color_gen + 1 WHERE id = OLD.person_id;
END;
CREATE TRIGGER travel_colour_ins AFTER INSERT ON declaration_travel BEGIN
	UPDATE persons SET color_gen = color_gen + 1 WHERE id =
	    (SELECT person_id FROM declarations WHERE id = NEW.declaration_id);
END;
CREATE TRIGGER travel_colour_del AFTER DELETE ON declaration_travel BEGIN
	UPDATE persons SET color_gen = color_gen + 1 WHERE id =
	    (SELECT person_id FROM declarations WHERE id = OLD.declaration_id);
END;
CREATE TRIGGER cases_colour_ins AFTER INSERT ON case_entries BEGIN
	UPDATE persons SET color_gen = color_gen + 1 WHERE id_hash = NEW.id_hash;
END;
CREATE TRIGGER cases_colour_upd AFTER UPDATE ON case_entries BEGIN
	UPDATE persons SET color_gen = color_gen + 1
	    WHERE id_hash IN (OLD.id_hash, NEW.id_hash);
END;
CREATE TRIGGER cases_colour_del AFTER DELETE ON case_entries BEGIN
	UPDATE persons SET color_gen = color_gen + 1 WHERE id_hash = OLD.id_hash;
END;
-- A new designation can change anyone who travelled: every cache goes.
CREATE TRIGGER risk_colour_ins AFTER INSERT ON risk_areas BEGIN
	UPDATE persons SET color_gen = color_gen + 1;
END;
CREATE TRIGGER risk_colour_upd AFTER UPDATE ON risk_areas BEGIN
	UPDATE persons SET color_gen = color_gen + 1;
END;
CREATE TRIGGER risk_colour_del AFTER DELETE ON risk_areas BEGIN
	UPDATE persons SET color_gen = color_gen + 1;
END;
