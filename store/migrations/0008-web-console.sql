-- 0008: the web console's accounts, sessions and failed logins.

CREATE TABLE web_users (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	role		TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'official', 'admin')),
	hash		TEXT NOT NULL,			-- crypt(3) string: yescrypt, "$y$…"
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);

-- The cookie is never stored: only the SHA-256 of it, so a copy of the database opens no session.
CREATE TABLE web_sessions (
	id		TEXT PRIMARY KEY,		-- hex SHA-256 of the cookie value
	user_id		INTEGER NOT NULL REFERENCES web_users (id) ON DELETE CASCADE,
	csrf		TEXT NOT NULL,			-- the token every form of this session carries
	address		TEXT NOT NULL,			-- where it logged in from (shown, not enforced)
	created_at	INTEGER NOT NULL,
	seen_at		INTEGER NOT NULL,		-- idle expiry counts from here
	expires_at	INTEGER NOT NULL		-- absolute expiry
) WITHOUT ROWID;
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- Wrong passwords per account and client address, with the lock they led to.
CREATE TABLE web_login_failures (
	name		TEXT NOT NULL,
	address		TEXT NOT NULL,
	failures	INTEGER NOT NULL DEFAULT 0,
	locked_until	INTEGER NOT NULL DEFAULT 0,
	last_at		INTEGER NOT NULL,
	PRIMARY KEY (name, address)
) WITHOUT ROWID;
