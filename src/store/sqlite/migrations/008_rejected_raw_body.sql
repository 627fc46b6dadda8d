-- A rejected payload's `body` is UTF-8 text: a body that is not UTF-8 (ISO-8859-1 "é") had each bad byte replaced
-- by U+FFFD there, so the only copy of an authentic body refused with onUndecodable: reject was not the body MTA
-- sent, and resubmitting it stored that altered text as the event. The exact bytes (base64) are kept beside it
-- whenever the text cannot hold them (ingress/quarantine.ts, keptBody).
ALTER TABLE rejected ADD COLUMN raw_body TEXT;
