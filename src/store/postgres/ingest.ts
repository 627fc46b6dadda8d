import { newId } from '../../ids.ts';
import { eventColumns } from '../rows.ts';
import type { IngestOps, IngestRequest, IngestResult } from '../types.ts';
import { type PgDb, pgText } from './db.ts';

/**
 * A whole batch in ONE statement, so one round trip and its own (autocommit) transaction, whatever its size.
 * $1 is the batch's events and $2 their deliveries, each a JSON array of rows (see params), $3 is now (epoch ms).
 *
 * - `claimed` takes each dedupe key: inserts it, or takes it over when expired. A live key is rewritten with its
 *   own values so that it is returned too (with its original event id): RETURNING answers every key, including a
 *   key that a concurrent transaction committed after this statement began (a later SELECT in the same statement
 *   would not see it). A concurrent transaction inserting the same key makes this one wait for its outcome, so
 *   dedupe holds across batches and instances. Keys arrive sorted, so concurrent batches lock them in one order.
 * - `fresh` inserts the events that need no key or won theirs; `delivered` inserts their deliveries, pending and
 *   due at $3 (the foreign key to events is checked at the end of the statement, after both inserts).
 */
const INGEST = `
  WITH batch AS (
    SELECT * FROM ROWS FROM (
      json_to_recordset($1::json) AS (id text, source text, type text, received_at bigint, body_hash text,
                                      event text, routes text, unrouted boolean, expires_at bigint)
    ) WITH ORDINALITY AS b (id, source, type, received_at, body_hash, event, routes, unrouted, expires_at, n)
  ),
  claimed AS (
    INSERT INTO dedupe AS d (source, body_hash, event_id, expires_at)
    SELECT source, body_hash, id, expires_at FROM batch WHERE expires_at IS NOT NULL ORDER BY n
    ON CONFLICT (source, body_hash) DO UPDATE SET
      event_id = CASE WHEN d.expires_at <= $3 THEN EXCLUDED.event_id ELSE d.event_id END,
      expires_at = CASE WHEN d.expires_at <= $3 THEN EXCLUDED.expires_at ELSE d.expires_at END
    RETURNING d.source, d.body_hash, d.event_id
  ),
  fresh AS (
    INSERT INTO events (id, source, type, received_at, body_hash, event, routes, unrouted)
    SELECT id, source, type, received_at, body_hash, event::json, routes::json, unrouted FROM batch
    WHERE expires_at IS NULL OR id IN (SELECT event_id FROM claimed)
    RETURNING id
  ),
  delivered AS (
    INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
    SELECT id, event_id, destination, route, 'pending', 0, $3, $3, $3
    FROM json_to_recordset($2::json) AS d (id text, event_id text, destination text, route text)
    WHERE event_id IN (SELECT id FROM fresh)
  )
  SELECT source, body_hash, event_id FROM claimed`;

/**
 * Ingest batches one store commits at once, each one statement on its own pooled connection: while one waits
 * for its commit (WAL flush), the next is already on its way. Dedupe stays atomic between them (see INGEST).
 */
export const INGEST_BATCHES_IN_FLIGHT = 2;

const keyOf = (source: string, bodyHash: string) => `${source}\u0000${bodyHash}`;

/**
 * Commits a whole batch with one statement (see INGEST), or, when its JSON is over STATEMENT_CHARS, with one per
 * part, in order. A request whose dedupe key is live, held by an earlier batch or by an earlier request of this
 * batch, answers the original event's id and writes nothing.
 */
export async function ingest(
  { pool }: PgDb,
  { batch, now }: Parameters<IngestOps['ingest']>[0],
): Promise<IngestResult[]> {
  if (batch.length === 0) return [];
  const t = now.getTime();
  // The first request of each dedupe key competes for it; later ones in the batch duplicate the first.
  const leaders = new Map<string, number>();
  const followers: Array<[number, number]> = [];
  const undeduped: number[] = [];
  batch.forEach((r, i) => {
    const key = keyOf(r.event.source, r.bodyHash);
    const leader = leaders.get(key);
    if (r.dedupeWindowMs <= 0) undeduped.push(i);
    else if (leader === undefined) leaders.set(key, i);
    else followers.push([i, leader]);
  });
  const keyed = [...leaders.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i);
  const sent = [...keyed, ...undeduped].map((i) => rowsOf(batch[i], t));
  const holders = new Map<string, string>();
  // One statement for the whole batch, unless its text would be larger than STATEMENT_CHARS: then one per part,
  // in order (keys stay sorted across them).
  for (const part of parts(sent)) {
    const claimed = await pool.query<{ source: string; body_hash: string; event_id: string }>({
      name: 'switchboard-ingest',
      text: INGEST,
      values: [
        `[${part.map((r) => r.event).join(',')}]`,
        `[${part.flatMap((r) => r.deliveries).join(',')}]`,
        t,
      ],
    });
    for (const c of claimed.rows) holders.set(keyOf(c.source, c.body_hash), c.event_id);
  }
  const results: IngestResult[] = batch.map((r) => ({ id: r.event.id, duplicate: false }));
  for (const i of keyed) {
    const r = batch[i];
    const holder = holders.get(keyOf(r.event.source, r.bodyHash)) ?? r.event.id;
    if (holder !== r.event.id) results[i] = { id: holder, duplicate: true };
  }
  for (const [i, leader] of followers) results[i] = { id: results[leader].id, duplicate: true };
  return results;
}

/**
 * How large a batch's JSON may be in one statement, in characters. The server unpacks the rows at roughly 40 ns a
 * character: a burst of 1 MB webhooks made one 200 MB statement that outlasted the statement timeout (10 s), and
 * every webhook in it was answered 503, again on every retry. Each part still commits a request whole.
 */
const STATEMENT_CHARS = 8 * 1024 * 1024;

/** `rows` cut into runs of at most STATEMENT_CHARS of JSON (one row always makes a run, however large). */
function parts(rows: RequestRows[]): RequestRows[][] {
  const out: RequestRows[][] = [];
  let run: RequestRows[] = [];
  let size = 0;
  for (const r of rows) {
    if (run.length > 0 && size + r.size > STATEMENT_CHARS) {
      out.push(run);
      run = [];
      size = 0;
    }
    run.push(r);
    size += r.size;
  }
  if (run.length > 0) out.push(run);
  return out;
}

/** One request as INGEST's JSON rows: its event, its deliveries, and their size in characters. */
interface RequestRows {
  event: string;
  deliveries: string[];
  size: number;
}

/**
 * A request's rows for INGEST's parameters ($1 the events, $2 the deliveries, each a JSON array of rows). A
 * row's event and routes are their JSON text as a JSON string, which PostgreSQL unescapes back to that text
 * and casts to json: cheaper on both sides than pg's array literals (every element escaped here, unescaped and
 * validated there), and safe for any event. Nested as objects instead, json_to_recordset would unescape every
 * string inside, and an event holding "\u0000" or a lone surrogate would fail its whole batch.
 */
function rowsOf(r: IngestRequest, now: number): RequestRows {
  const c = eventColumns(r.event, r.routes, r.deliveries.length, now);
  const expiresAt = r.dedupeWindowMs > 0 ? now + r.dedupeWindowMs : null;
  const event = `{"id":${text(c.id)},"source":${text(c.source)},"type":${text(c.type)},"received_at":${c.receivedAt},"body_hash":${text(r.bodyHash)},"event":${JSON.stringify(c.event)},"routes":${JSON.stringify(c.routes)},"unrouted":${c.unrouted},"expires_at":${expiresAt}}`;
  const deliveries = r.deliveries.map(
    (d) =>
      `{"id":${text(newId(now))},"event_id":${text(c.id)},"destination":${text(d.destination)},"route":${text(d.route)}}`,
  );
  return { event, deliveries, size: event.length + deliveries.reduce((n, d) => n + d.length, 0) };
}

/** A value for a text column as a JSON string, without what PostgreSQL text cannot hold (pgText). */
function text(value: string): string {
  return JSON.stringify(pgText(value));
}
