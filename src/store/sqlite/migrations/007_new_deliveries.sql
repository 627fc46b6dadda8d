-- Ingest writes a new delivery as one row of an append-only table (issue 19). A row of `deliveries` costs a
-- page in each of its seven B-trees (the table, its primary key and five indexes) on every ingest commit, about
-- half of the commit's WAL frames, paid before the 200 is sent. Here it is one table with no index, written at
-- the end. Before any other operation reads or writes the store, the rows here are moved into `deliveries` in
-- one transaction (sqlite/new-deliveries.ts), so every query sees them there; the store thread also moves them
-- shortly after a burst. A row here is as durable as its event: both are in the same ingest commit.
CREATE TABLE deliveries_new (
  id          TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  destination TEXT NOT NULL,
  route       TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;
