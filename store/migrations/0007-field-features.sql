-- 0007: field features (issue 15).
--  * code: the announcement's verification code (CEK), short, from an alphabet without
--    look-alikes; unique while set.
--  * corrects: a RALAT (correction) names the announcement it corrects; it goes to exactly the
--    numbers that one was sent to.
--  * state: 'active' (fanned out), 'pending' (an alert waiting for a second official's approval:
--    no outbox rows yet), 'cancelled', 'expired' (pending, never approved in time).
--  * requested_by / approved_by: who asked and who approved (two-person rule); approve_by: the
--    deadline of a pending one.
--  * summary_at: when the KIM leaders' reach summary was queued (0 = not yet).
--  * outbox.escalated: the copy was handed again to a SIM of another operator because its
--    delivery report was missing or failed after escalate_after.
ALTER TABLE announcements ADD COLUMN code TEXT;
ALTER TABLE announcements ADD COLUMN corrects INTEGER REFERENCES announcements (id);
ALTER TABLE announcements ADD COLUMN state TEXT NOT NULL DEFAULT 'active'
    CHECK (state IN ('active', 'pending', 'cancelled', 'expired'));
ALTER TABLE announcements ADD COLUMN requested_by TEXT;
ALTER TABLE announcements ADD COLUMN approved_by TEXT;
ALTER TABLE announcements ADD COLUMN approve_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE announcements ADD COLUMN summary_at INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX announcements_code ON announcements (code) WHERE code IS NOT NULL;
CREATE INDEX announcements_pending ON announcements (approve_by) WHERE state = 'pending';
CREATE INDEX announcements_corrects ON announcements (corrects) WHERE corrects IS NOT NULL;

ALTER TABLE outbox ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;
-- the escalation sweep: copies of announcements handed to the network and not delivered
CREATE INDEX outbox_undelivered ON outbox (sent_at) WHERE kind = 'announcement' AND escalated = 0
    AND status IN ('sent', 'failed') AND sent_at IS NOT NULL;
