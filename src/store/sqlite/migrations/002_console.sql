-- The console's activity chart counts attempts by time (delivered / failed per minute over the last hours);
-- without this index that is a scan of every attempt ever kept.
CREATE INDEX attempts_started_at ON attempts (started_at);
