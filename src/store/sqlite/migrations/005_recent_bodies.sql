-- Dedupe through the event rows (sqlite/ingest.ts, sqlite/recent-bodies.ts): each event keeps the 52-bit key
-- of its (source, body hash), and the received_at index carries it, so the in-memory index of recent bodies
-- loads from that index alone (numbers, not every event's JSON). Rows of the last eight days (the longest
-- window kept in memory is seven) get their key now; older ones never need it. The index is appended in time
-- order, so ingest writes about the pages it wrote before.
ALTER TABLE events ADD COLUMN body_key INTEGER;
UPDATE events SET body_key = switchboard_body_key(source, body_hash)
WHERE received_at >= (unixepoch() - 8 * 86400) * 1000;
DROP INDEX events_received_at;
CREATE INDEX events_received_at ON events (received_at, body_key);
