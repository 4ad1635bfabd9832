-- 0009: the box's own clock beside the (possibly network-corrected) times, and retention.

-- A box without a real-time clock may run on the GSM network's time (gateway/netclock.c): rows
-- keep the system clock's reading too, and which clock their times come from.
ALTER TABLE inbox ADD COLUMN box_at INTEGER;		-- the system clock at receipt; NULL before 0010
ALTER TABLE inbox ADD COLUMN clock TEXT;		-- 'system', or 'network' when it was corrected
ALTER TABLE announcements ADD COLUMN box_at INTEGER;
ALTER TABLE announcements ADD COLUMN clock TEXT;

-- Retention. Finished outbox rows older than keep_outbox are deleted in batches; before
-- they go, what they said about reach is added here, per announcement, per village (the
-- recipient's subscription inside the announcement's areas; '' when it is gone) and per final
-- status, so announcement counts and per-area reach stay right for ever.
CREATE TABLE announcement_reach (
	announcement_id	INTEGER NOT NULL REFERENCES announcements (id),
	area		TEXT NOT NULL,
	status		TEXT NOT NULL,
	n		INTEGER NOT NULL,
	PRIMARY KEY (announcement_id, area, status)
) WITHOUT ROWID;
