-- The JSON filters (status name, phone, tag) read the event with `#>>`, which unescapes every string of the
-- document on the way and fails on `\u0000` or a lone surrogate (`\ud800`): PostgreSQL's text cannot hold them,
-- though its json type stores them. One such event, authentic and kept as sent, made every status, phone and tag
-- listing fail (503) until it was pruned. This reads the field the fast way and, only when that fails, from a
-- copy of the document with those escapes replaced by U+FFFD (a valid surrogate pair becomes two U+FFFD there:
-- the fallback only decides whether the event matches). filters.ts calls it for PostgreSQL.
CREATE OR REPLACE FUNCTION switchboard_json_text(doc json, path text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN doc #>> path;
EXCEPTION WHEN untranslatable_character OR invalid_text_representation THEN
  RETURN regexp_replace(doc::text, '\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})', '\\ufffd', 'g')::json #>> path;
END
$$;
