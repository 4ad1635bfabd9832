-- 0005: the gateway-wide hourly budget of automatic replies counts recent reply/confirm rows: a small
-- partial index keeps that count cheap however many announcements the outbox holds.
CREATE INDEX outbox_auto_replies ON outbox (created_at) WHERE kind IN ('reply', 'confirm');
CREATE INDEX outbox_confirms ON outbox (number, created_at) WHERE kind = 'confirm';
