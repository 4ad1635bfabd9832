-- 0002: pending numbered choices (ambiguous area names) and per-modem daily counters.

CREATE TABLE pending_choices (
	number		TEXT PRIMARY KEY,
	action		TEXT NOT NULL,			-- subscribe, unsubscribe
	options		TEXT NOT NULL,			-- JSON array of area codes, in the order offered
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE modem_counters (
	modem		TEXT NOT NULL,
	day		TEXT NOT NULL,			-- YYYY-MM-DD, local time
	sent		INTEGER NOT NULL DEFAULT 0,
	received	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (modem, day)
) WITHOUT ROWID;
