-- Statistics for the health authority (docs/console.md, "Statistics"):
-- aggregates only, never a person.

-- One figure per day and metric.  A day that is over is counted once
-- from the live tables, by the first statistics request after it ends
-- ("declarations", "checkins", "verifications"), so the 14-day trend
-- reads 13 stored rows per metric and counts only today.  The colours
-- ("green", "yellow", "red", "not_evaluated": people by the colour cached
-- for the day) cannot be counted again afterwards: each statistics
-- request writes today's, and a day keeps the last written on it.
CREATE TABLE stats_days (
	day TEXT NOT NULL CHECK (length(day) = 10),
	metric TEXT NOT NULL,
	value INTEGER NOT NULL,
	PRIMARY KEY (day, metric)
) WITHOUT ROWID;

-- People by colour: the colour cached today (color_until is the next
-- cutoff) is a range of this index for each colour, without reading
-- the persons rows.
CREATE INDEX persons_colour ON persons (color, color_until);

-- Checks by issuing region: the day's range of this index holds the
-- issuer, so the rows are not read (it replaces the index on the time
-- alone, which served the purge, as this one does).
DROP INDEX verifications_checked_at;
CREATE INDEX verifications_checked_issuer ON verifications (checked_at, issuer);
