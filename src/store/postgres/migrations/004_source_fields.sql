-- Sources are plugins (issue 17): the core stores no provider's field in a column of its own. MTA's delivery
-- status name was copied into events.status_name; it is already inside the event JSON (event.status.name),
-- where the admin API's status filter now reads it, so the copy goes. Every existing row keeps its status in
-- its event, and an expression index keeps that filter as quick as the column's index was.
DROP INDEX IF EXISTS events_status_id;
ALTER TABLE events DROP COLUMN IF EXISTS status_name;
CREATE INDEX IF NOT EXISTS events_status_name_id ON events ((event::jsonb #>> '{status,name}'), id)
  WHERE (event::jsonb #>> '{status,name}') IS NOT NULL;
