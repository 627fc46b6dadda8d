-- Ingest writes fewer index pages (issue 19): the unrouted filter's index held every event, routed or not, so each
-- commit rewrote about two of its pages (measured: 1.95 of ~29 WAL frames per commit of 7 events). Only
-- unrouted events, the rare ones an operator looks for, are indexed now; `unrouted = false` reads newest first
-- through the primary key, where nearly every row matches. filters.ts writes the condition as `unrouted` so the
-- planner can tell that this index covers it.
DROP INDEX IF EXISTS events_unrouted_id;
CREATE INDEX events_unrouted ON events (id) WHERE unrouted;
