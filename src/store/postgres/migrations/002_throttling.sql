-- Throttling costs no attempt and the retry budget runs by time (issue 14).
-- `throttled` joins the attempt outcomes; first_attempt_at: when the retry budget (delivery.retryFor)
-- started, reset by replay.

ALTER TABLE deliveries ADD COLUMN first_attempt_at BIGINT;

ALTER TABLE attempts DROP CONSTRAINT attempts_outcome_check;
ALTER TABLE attempts ADD CONSTRAINT attempts_outcome_check
  CHECK (outcome IN ('delivered', 'retry', 'throttled', 'failed', 'dead'));

UPDATE deliveries SET first_attempt_at = (SELECT MIN(started_at) FROM attempts WHERE delivery_id = deliveries.id);
