-- Switchboard's first schema. Times are epoch milliseconds (INTEGER); JSON columns are TEXT.

CREATE TABLE events (
  id          TEXT PRIMARY KEY,
  source      TEXT NOT NULL,
  type        TEXT NOT NULL,
  status_name TEXT,
  received_at INTEGER NOT NULL,
  body_hash   TEXT NOT NULL,
  event       TEXT NOT NULL,
  routes      TEXT NOT NULL,
  unrouted    INTEGER NOT NULL
) STRICT;

-- Listing filters walk these newest first; received_at also serves prune.
CREATE INDEX events_type_id ON events (type, id);
CREATE INDEX events_status_id ON events (status_name, id);
CREATE INDEX events_unrouted_id ON events (unrouted, id);
CREATE INDEX events_received_at ON events (received_at);

CREATE TABLE deliveries (
  id          TEXT PRIMARY KEY,
  event_id    TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  destination TEXT NOT NULL,
  route       TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed', 'dead')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER,
  lease_owner TEXT,
  lease_until INTEGER,
  last_error  TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;

-- claim and nextDue: the due rows of one destination, already in claim order.
CREATE INDEX deliveries_due ON deliveries (destination, state, next_at, id);
-- getEvent, the events destination filter, and the prune cascade.
CREATE INDEX deliveries_event ON deliveries (event_id, destination);
-- queueStats and replay --dead/--failed: a range over the few non-final (or replayable) rows.
CREATE INDEX deliveries_state_destination ON deliveries (state, destination, created_at);
-- Listing by state or by destination, newest first.
CREATE INDEX deliveries_state_id ON deliveries (state, id);
CREATE INDEX deliveries_destination_id ON deliveries (destination, id);
-- releaseAll on shutdown.
CREATE INDEX deliveries_lease_owner ON deliveries (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE TABLE attempts (
  id          TEXT PRIMARY KEY,
  delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  number      INTEGER NOT NULL,
  started_at  INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'dead')),
  reason      TEXT,
  status_code INTEGER
) STRICT;

CREATE INDEX attempts_delivery ON attempts (delivery_id, number);

CREATE TABLE rejected (
  id          TEXT PRIMARY KEY,
  source      TEXT NOT NULL,
  url_event   TEXT,
  received_at INTEGER NOT NULL,
  body        TEXT NOT NULL,
  errors      TEXT NOT NULL
) STRICT;

-- One row per body seen recently; the upsert on this key is what makes dedupe atomic.
CREATE TABLE dedupe (
  source     TEXT NOT NULL,
  body_hash  TEXT NOT NULL,
  event_id   TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (source, body_hash)
) STRICT, WITHOUT ROWID;

CREATE INDEX dedupe_expires_at ON dedupe (expires_at);

CREATE TABLE paused (
  destination TEXT PRIMARY KEY
) STRICT;
