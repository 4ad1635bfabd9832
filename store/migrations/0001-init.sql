-- 0001: the core tables. Times are epoch seconds (UTC); numbers are E.164 text.

CREATE TABLE areas (
	code		TEXT PRIMARY KEY,		-- Kemendagri code: 16, 1671, 167101, 1671011001
	name		TEXT NOT NULL,
	norm		TEXT NOT NULL,			-- name folded for lookup (parsers/norm)
	level		INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
	parent		TEXT,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX areas_norm ON areas (norm);
CREATE INDEX areas_parent ON areas (parent);

CREATE TABLE subscribers (
	id		INTEGER PRIMARY KEY,
	number		TEXT NOT NULL UNIQUE,
	name		TEXT,
	status		TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'stopped')),
	since		INTEGER NOT NULL,		-- when the current status began
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);

-- An announcement to an area reaches every subscription whose code starts with the area's code.
CREATE TABLE subscriptions (
	area		TEXT NOT NULL,
	subscriber_id	INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (area, subscriber_id)
) WITHOUT ROWID;
CREATE INDEX subscriptions_subscriber ON subscriptions (subscriber_id);

CREATE TABLE roles (
	number		TEXT NOT NULL,
	role		TEXT NOT NULL CHECK (role IN ('leader', 'official')),
	kim		TEXT,				-- leader: the KIM's name
	area		TEXT,				-- leader: the KIM's area
	pin_salt	TEXT,				-- official: hex salt
	pin_hash	TEXT,				-- official: hex hash of salt + PIN
	failed_pins	INTEGER NOT NULL DEFAULT 0,
	locked_until	INTEGER NOT NULL DEFAULT 0,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	PRIMARY KEY (number, role)
) WITHOUT ROWID;

CREATE TABLE inbox (
	id		INTEGER PRIMARY KEY,
	modem		TEXT NOT NULL,
	sender		TEXT NOT NULL,
	smsc_at		INTEGER NOT NULL DEFAULT 0,	-- SMSC timestamp
	text		TEXT NOT NULL,			-- UTF-8; hex for binary messages
	coding		TEXT NOT NULL DEFAULT 'gsm7',	-- gsm7, ucs2, 8bit
	parts		INTEGER NOT NULL DEFAULT 1,
	flags		TEXT NOT NULL DEFAULT '',	-- comma list: incomplete, binary
	dedup		TEXT NOT NULL UNIQUE,		-- sender + SMSC time + content/UDH
	received_at	INTEGER NOT NULL,
	action		TEXT,				-- what was done with it; NULL until routed
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX inbox_received ON inbox (received_at);
CREATE INDEX inbox_unrouted ON inbox (id) WHERE action IS NULL;

-- Parts of concatenated messages waiting for their siblings (they survive a restart).
CREATE TABLE inbox_parts (
	id		INTEGER PRIMARY KEY,
	modem		TEXT NOT NULL,
	sender		TEXT NOT NULL,
	smsc_at		INTEGER NOT NULL DEFAULT 0,
	concat_ref	INTEGER NOT NULL,
	total		INTEGER NOT NULL,
	seq		INTEGER NOT NULL,
	text		TEXT NOT NULL,
	coding		TEXT NOT NULL,
	udh		TEXT NOT NULL DEFAULT '',
	received_at	INTEGER NOT NULL,
	UNIQUE (sender, concat_ref, total, seq)
);

CREATE TABLE announcements (
	id		INTEGER PRIMARY KEY,
	text		TEXT NOT NULL,
	areas		TEXT NOT NULL,			-- JSON array of codes
	priority	INTEGER NOT NULL DEFAULT 1,	-- 0 alert, 1 normal
	source		TEXT NOT NULL,			-- console, or the official's number
	not_before	INTEGER NOT NULL DEFAULT 0,
	expires_at	INTEGER NOT NULL DEFAULT 0,	-- 0 = never
	recipients	INTEGER NOT NULL DEFAULT 0,
	segments	INTEGER NOT NULL DEFAULT 1,
	encoding	TEXT NOT NULL DEFAULT 'gsm7',
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);

CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	number		TEXT NOT NULL,
	text		TEXT,				-- NULL: the announcement's text
	kind		TEXT NOT NULL CHECK (kind IN ('reply', 'confirm', 'announcement', 'kim', 'manual')),
	priority	INTEGER NOT NULL DEFAULT 1,
	status		TEXT NOT NULL DEFAULT 'queued' CHECK (status IN
			    ('queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'cancelled')),
	announcement_id	INTEGER REFERENCES announcements (id),
	inbox_id	INTEGER,
	modem		TEXT,
	attempts	INTEGER NOT NULL DEFAULT 0,
	not_before	INTEGER NOT NULL DEFAULT 0,
	expires_at	INTEGER NOT NULL DEFAULT 0,
	segments	INTEGER NOT NULL DEFAULT 0,
	refs		TEXT,				-- message references from the modem, comma list
	last_error	TEXT,
	sent_at		INTEGER,
	delivered_at	INTEGER,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX outbox_queue ON outbox (priority, not_before, id) WHERE status = 'queued';
CREATE INDEX outbox_sending ON outbox (id) WHERE status = 'sending';
CREATE INDEX outbox_announcement ON outbox (announcement_id, status);
CREATE INDEX outbox_number ON outbox (number, created_at);

CREATE TABLE posts (
	id		INTEGER PRIMARY KEY,
	sender		TEXT NOT NULL,
	kim		TEXT,
	area		TEXT,
	text		TEXT NOT NULL,
	status		TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'rejected')),
	inbox_id	INTEGER,
	received_at	INTEGER NOT NULL,
	reviewed_at	INTEGER,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX posts_status ON posts (status, id);

-- Every console or SMS command that changed something.
CREATE TABLE audit (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	actor		TEXT NOT NULL,			-- console, sms:+62…, http
	action		TEXT NOT NULL,
	detail		TEXT NOT NULL DEFAULT '{}'	-- JSON
);
