-- 0010: every command from a hub carries a random id. A box remembers which id it applied under
-- which number, so that a hub restored from a backup (which hands out numbers its boxes already
-- applied) is noticed, and a command such a hub sends again under a new number is not applied twice.
CREATE TABLE downlink_applied (
	lane		TEXT NOT NULL,
	epoch		TEXT NOT NULL,
	seq		INTEGER NOT NULL,
	id		TEXT NOT NULL,
	at		INTEGER NOT NULL,
	PRIMARY KEY (lane, epoch, seq)
) WITHOUT ROWID;
CREATE INDEX downlink_applied_id ON downlink_applied (id);
CREATE INDEX downlink_applied_at ON downlink_applied (at);
