-- Operator controls: who paused a destination, why, since when and until when; attempt numbers that keep
-- counting across replays (attempt_offset = attempts made before the last replay); and an index for the
-- per-destination activity of the last hour (`switchboard destinations`, GET /api/destinations) and the web
-- console's chart of attempts per minute.

ALTER TABLE paused ADD COLUMN paused_by TEXT;
ALTER TABLE paused ADD COLUMN comment TEXT;
ALTER TABLE paused ADD COLUMN since BIGINT;
ALTER TABLE paused ADD COLUMN expires_at BIGINT;

ALTER TABLE deliveries ADD COLUMN attempt_offset INTEGER NOT NULL DEFAULT 0;

CREATE INDEX attempts_started_at ON attempts (started_at);
