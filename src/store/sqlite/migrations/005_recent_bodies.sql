-- Dedupe through the event rows (sqlite/ingest.ts, sqlite/recent-bodies.ts): each event keeps the 52-bit key
-- of its (source, body hash) and until when a duplicate of it counts (what the dedupe table's expires_at said),
-- and the received_at index carries the key, so the in-memory index of recent bodies loads from that index
-- alone (numbers, not every event's JSON). Rows of the last eight days (the longest window kept in memory is
-- seven) get theirs now; older ones never need it. The index is appended in time order, so ingest writes about
-- the pages it wrote before.
ALTER TABLE events ADD COLUMN body_key INTEGER;
ALTER TABLE events ADD COLUMN dedupe_until INTEGER;
UPDATE events SET body_key = switchboard_body_key(source, body_hash)
WHERE received_at >= (unixepoch() - 8 * 86400) * 1000;
UPDATE events SET dedupe_until = d.expires_at
FROM dedupe AS d
WHERE d.event_id = events.id AND events.received_at >= (unixepoch() - 8 * 86400) * 1000;
DROP INDEX events_received_at;
CREATE INDEX events_received_at ON events (received_at, body_key);
