-- Throttling costs no attempt and the retry budget runs by time (issue 14).
-- `throttled` joins the attempt outcomes; SQLite cannot alter a CHECK, so the attempts table is rebuilt.
-- first_attempt_at: when the retry budget (delivery.retryFor) started; reset by replay.

ALTER TABLE deliveries ADD COLUMN first_attempt_at INTEGER;

CREATE TABLE attempts_002 (
  id          TEXT PRIMARY KEY,
  delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  number      INTEGER NOT NULL,
  started_at  INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'throttled', 'failed', 'dead')),
  reason      TEXT,
  status_code INTEGER
) STRICT;

INSERT INTO attempts_002 SELECT id, delivery_id, number, started_at, duration_ms, outcome, reason, status_code
FROM attempts;

DROP TABLE attempts;
ALTER TABLE attempts_002 RENAME TO attempts;
CREATE INDEX attempts_delivery ON attempts (delivery_id, number);

-- Deliveries already retried keep a budget that starts at their first recorded attempt.
UPDATE deliveries SET first_attempt_at = (SELECT MIN(started_at) FROM attempts WHERE delivery_id = deliveries.id);
