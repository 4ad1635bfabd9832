-- 0006: the uplink. A box keeps an outbox of records for its hub (two lanes, seq per lane,
-- deleted only when the hub acknowledged them) and remembers which hub commands it applied; a hub
-- keeps its boxes, their records (idempotent on box, epoch, lane, seq), and per-box command queues.
-- The broker is never the system of record: these tables are.

CREATE TABLE uplink_meta (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	epoch		TEXT NOT NULL,			-- random per database: a restored copy never reuses ids
	inbox_cursor	INTEGER NOT NULL DEFAULT 0,	-- last inbox row copied into uplink_out
	post_cursor	INTEGER NOT NULL DEFAULT 0	-- last post copied into uplink_out
);
INSERT INTO uplink_meta (id, epoch, inbox_cursor, post_cursor) VALUES (1, lower(hex(randomblob(8))),
    (SELECT coalesce(max(id), 0) FROM inbox), (SELECT coalesce(max(id), 0) FROM posts));

-- box → hub: prio (posts, alert progress) and bulk (received SMS, statistics)
CREATE TABLE uplink_lanes (
	lane		TEXT PRIMARY KEY,
	next_seq	INTEGER NOT NULL DEFAULT 1,
	acked		INTEGER NOT NULL DEFAULT 0,	-- highest seq the hub committed
	acked_at	INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO uplink_lanes (lane) VALUES ('prio'), ('bulk');

CREATE TABLE uplink_out (
	lane		TEXT NOT NULL,
	seq		INTEGER NOT NULL,
	kind		TEXT NOT NULL,			-- sms, post, progress
	body		TEXT NOT NULL,			-- JSON object
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (lane, seq)
) WITHOUT ROWID;

-- hub → box, on the box: the last command applied per lane (alert, cmd) and the hub's epoch
CREATE TABLE downlink_lanes (
	lane		TEXT PRIMARY KEY,
	epoch		TEXT NOT NULL DEFAULT '',
	applied		INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO downlink_lanes (lane) VALUES ('alert'), ('cmd');

-- announcements that came from the hub, whose progress goes back up
CREATE TABLE downlink_announcements (
	announcement_id	INTEGER PRIMARY KEY,		-- the local announcement
	hub_id		INTEGER NOT NULL,		-- the hub's announcement id
	reported	TEXT NOT NULL DEFAULT ''	-- the last progress sent up (JSON), to send changes only
);

-- on a hub: the boxes below it, as their status messages describe them
CREATE TABLE hub_boxes (
	box		TEXT PRIMARY KEY,
	areas		TEXT NOT NULL DEFAULT '',	-- comma list of served area codes
	state		TEXT NOT NULL DEFAULT 'offline',
	last_seen	INTEGER NOT NULL DEFAULT 0,
	status		TEXT NOT NULL DEFAULT '{}',	-- the last status message (JSON)
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE hub_up_lanes (
	box		TEXT NOT NULL,
	epoch		TEXT NOT NULL,
	lane		TEXT NOT NULL,
	acked		INTEGER NOT NULL DEFAULT 0,	-- highest contiguous seq committed here
	PRIMARY KEY (box, epoch, lane)
) WITHOUT ROWID;

CREATE TABLE hub_records (
	id		INTEGER PRIMARY KEY,
	box		TEXT NOT NULL,
	epoch		TEXT NOT NULL,
	lane		TEXT NOT NULL,
	seq		INTEGER NOT NULL,
	kind		TEXT NOT NULL,
	body		TEXT NOT NULL,
	received_at	INTEGER NOT NULL,
	UNIQUE (box, epoch, lane, seq)
);

CREATE TABLE hub_down_lanes (
	box		TEXT NOT NULL,
	lane		TEXT NOT NULL,
	next_seq	INTEGER NOT NULL DEFAULT 1,
	acked		INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (box, lane)
) WITHOUT ROWID;

CREATE TABLE hub_down_out (
	box		TEXT NOT NULL,
	lane		TEXT NOT NULL,
	seq		INTEGER NOT NULL,
	kind		TEXT NOT NULL,			-- broadcast, post_review, post_reply, subscribers
	cmd		TEXT NOT NULL,			-- the command JSON, signed when sent
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (box, lane, seq)
) WITHOUT ROWID;

-- reach of a hub announcement in each box
CREATE TABLE hub_reach (
	announcement_id	INTEGER NOT NULL,
	box		TEXT NOT NULL,
	recipients	INTEGER NOT NULL DEFAULT 0,
	queued		INTEGER NOT NULL DEFAULT 0,
	sent		INTEGER NOT NULL DEFAULT 0,
	delivered	INTEGER NOT NULL DEFAULT 0,
	failed		INTEGER NOT NULL DEFAULT 0,
	updated_at	INTEGER NOT NULL,
	PRIMARY KEY (announcement_id, box)
) WITHOUT ROWID;

-- posts received from a box (box NULL: received here): box is the box that received the SMS,
-- via the box below this hub that sent the record (they differ above a regency hub), box_post_id
-- the post's id in via (decisions and replies go down there)
ALTER TABLE posts ADD COLUMN box TEXT;
ALTER TABLE posts ADD COLUMN via TEXT;
ALTER TABLE posts ADD COLUMN box_post_id INTEGER;

-- a post's review (published/rejected) goes up too: the hub's list must not stay "pending"
CREATE TABLE uplink_post_reviews (
	id		INTEGER PRIMARY KEY,
	post_id		INTEGER NOT NULL
);
CREATE TRIGGER posts_reviewed_uplink AFTER UPDATE OF status ON posts WHEN OLD.status != NEW.status
BEGIN
	INSERT INTO uplink_post_reviews (post_id) VALUES (NEW.id);
END;
