-- 0004: the expiry sweep (every few seconds) looks only at queued rows that can expire.
CREATE INDEX outbox_expiry ON outbox (expires_at) WHERE status = 'queued' AND expires_at > 0;
