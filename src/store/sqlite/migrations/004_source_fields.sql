-- Sources are plugins (issue 17): the core stores no provider's field in a column of its own. MTA's delivery
-- status name was copied into events.status_name; it is already inside the event JSON (event.status.name),
-- where the admin API's status filter now reads it, so the copy goes. Every existing row keeps its status in
-- its event. The filter reads the JSON newest first, like the console's phone and tag filters.
DROP INDEX IF EXISTS events_status_id;
ALTER TABLE events DROP COLUMN status_name;
