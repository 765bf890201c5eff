-- The check-in trigger of 0011 rewrote the person's row at every
-- check-in, most often with the values it had (no designation where the
-- venue is, and the colour already marked as depending on the risk
-- areas): a random page of persons written for nothing each time.  The
-- same trigger, now writing only when a value changes.
DROP TRIGGER checkins_colour_ins;
CREATE TRIGGER checkins_colour_ins AFTER INSERT ON checkins
    WHEN NEW.person_id IS NOT NULL BEGIN
	UPDATE persons SET color_gen = color_gen + EXISTS (SELECT 1
	    FROM venues v LEFT JOIN regions r ON r.code = v.region
	    LEFT JOIN regions p ON p.code = r.parent
	    JOIN risk_areas ra ON ra.region IN (v.region, r.parent, p.parent)
	    WHERE v.id = NEW.venue_id),
	    color_epoch = CASE WHEN color_epoch = -1 THEN
	    (SELECT gen FROM colour_epoch) ELSE color_epoch END
	WHERE id = NEW.person_id AND (color_epoch = -1 OR EXISTS (SELECT 1
	    FROM venues v LEFT JOIN regions r ON r.code = v.region
	    LEFT JOIN regions p ON p.code = r.parent
	    JOIN risk_areas ra ON ra.region IN (v.region, r.parent, p.parent)
	    WHERE v.id = NEW.venue_id));
END;
