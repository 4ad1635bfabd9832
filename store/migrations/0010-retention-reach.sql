-- 0010: retention. Finished outbox rows older than keep_outbox are deleted in batches; before
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
