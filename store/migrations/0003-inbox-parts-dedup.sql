-- 0003: parts of long messages are de-duplicated by content, not by (sender, ref, total, seq):
-- an 8-bit concatenation reference wraps after 256 messages, so two live groups of one sender
-- may share it, and a part re-read after its message was assembled must not start a new group.

DROP TABLE inbox_parts;
CREATE TABLE inbox_parts (
	id		INTEGER PRIMARY KEY,
	modem		TEXT NOT NULL,
	sender		TEXT NOT NULL,
	smsc_at		INTEGER NOT NULL DEFAULT 0,
	concat_ref	INTEGER NOT NULL,
	total		INTEGER NOT NULL,
	seq		INTEGER NOT NULL,
	text		TEXT NOT NULL,			-- UTF-8; hex for binary parts
	coding		TEXT NOT NULL,			-- gsm7, ucs2, 8bit
	udh		TEXT NOT NULL DEFAULT '',
	dedup		TEXT NOT NULL UNIQUE,		-- sender + SMSC time + text + UDH of this part
	received_at	INTEGER NOT NULL
);
CREATE INDEX inbox_parts_group ON inbox_parts (modem, sender, concat_ref, total, seq);
CREATE INDEX inbox_parts_age ON inbox_parts (received_at);

-- Dedup keys of parts already assembled into an inbox row (a re-read after a crash between
-- commit and delete finds them here). Pruned after a week.
CREATE TABLE inbox_seen_parts (
	dedup		TEXT PRIMARY KEY,
	inbox_id	INTEGER NOT NULL,
	seen_at		INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX inbox_seen_parts_age ON inbox_seen_parts (seen_at);
