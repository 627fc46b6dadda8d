-- A rejected payload's `body` is UTF-8 text, and PostgreSQL's text holds no NUL: a body that is not UTF-8, or holds
-- a NUL byte, had those bytes replaced by U+FFFD there, so the only copy of an authentic body refused with
-- onUndecodable: reject was not the body MTA sent. The exact bytes (base64) are kept beside it whenever the text
-- cannot hold them (ingress/quarantine.ts, keptBody).
ALTER TABLE rejected ADD COLUMN raw_body TEXT;
