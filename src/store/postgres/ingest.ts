import { newId } from '../../ids.ts';
import { eventColumns } from '../rows.ts';
import type { IngestOps, IngestRequest, IngestResult } from '../types.ts';
import type { PgDb } from './db.ts';

/**
 * A whole batch in ONE statement, so one round trip and its own (autocommit) transaction, whatever its size:
 *
 * - `claimed` takes each dedupe key: inserts it, or takes it over when expired. A live key is rewritten with its
 *   own values so that it is returned too (with its original event id): RETURNING answers every key, including a
 *   key that a concurrent transaction committed after this statement began (a later SELECT in the same statement
 *   would not see it). A concurrent transaction inserting the same key makes this one wait for its outcome, so
 *   dedupe holds across batches and instances. Keys arrive sorted, so concurrent batches lock them in one order.
 * - `fresh` inserts the events that need no key or won theirs; `delivered` inserts their deliveries, pending and
 *   due at $14 (the foreign key to events is checked at the end of the statement, after both inserts).
 */
const INGEST = `
  WITH batch AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::json[], $7::json[],
                         $8::boolean[], $9::bigint[]) WITH ORDINALITY
      AS b (id, source, type, received_at, body_hash, event, routes, unrouted, expires_at, n)
  ),
  claimed AS (
    INSERT INTO dedupe AS d (source, body_hash, event_id, expires_at)
    SELECT source, body_hash, id, expires_at FROM batch WHERE expires_at IS NOT NULL ORDER BY n
    ON CONFLICT (source, body_hash) DO UPDATE SET
      event_id = CASE WHEN d.expires_at <= $14 THEN EXCLUDED.event_id ELSE d.event_id END,
      expires_at = CASE WHEN d.expires_at <= $14 THEN EXCLUDED.expires_at ELSE d.expires_at END
    RETURNING d.source, d.body_hash, d.event_id
  ),
  fresh AS (
    INSERT INTO events (id, source, type, received_at, body_hash, event, routes, unrouted)
    SELECT id, source, type, received_at, body_hash, event, routes, unrouted FROM batch
    WHERE expires_at IS NULL OR id IN (SELECT event_id FROM claimed)
    RETURNING id
  ),
  delivered AS (
    INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
    SELECT id, event_id, destination, route, 'pending', 0, $14, $14, $14
    FROM unnest($10::text[], $11::text[], $12::text[], $13::text[]) AS d (id, event_id, destination, route)
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
 * Commits a whole batch with one statement (see INGEST). A request whose dedupe key is live, held by an earlier
 * batch or by an earlier request of this batch, answers the original event's id and writes nothing.
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
  const sent = [...keyed, ...undeduped].map((i) => batch[i]);
  const claimed = await pool.query<{ source: string; body_hash: string; event_id: string }>({
    name: 'switchboard-ingest',
    text: INGEST,
    values: params(sent, t),
  });
  const holders = new Map(claimed.rows.map((c) => [keyOf(c.source, c.body_hash), c.event_id]));
  const results: IngestResult[] = batch.map((r) => ({ id: r.event.id, duplicate: false }));
  for (const i of keyed) {
    const r = batch[i];
    const holder = holders.get(keyOf(r.event.source, r.bodyHash)) ?? r.event.id;
    if (holder !== r.event.id) results[i] = { id: holder, duplicate: true };
  }
  for (const [i, leader] of followers) results[i] = { id: results[leader].id, duplicate: true };
  return results;
}

/** INGEST's parameters: one array per column of the requests, one per column of their deliveries, and now. */
function params(requests: IngestRequest[], now: number): unknown[] {
  const rows = requests.map((r) => eventColumns(r.event, r.routes, r.deliveries.length, now));
  const deliveries = requests.flatMap((r) => r.deliveries.map((d) => ({ ...d, eventId: r.event.id })));
  return [
    rows.map((c) => c.id),
    rows.map((c) => c.source),
    rows.map((c) => c.type),
    rows.map((c) => c.receivedAt),
    requests.map((r) => r.bodyHash),
    rows.map((c) => c.event),
    rows.map((c) => c.routes),
    rows.map((c) => c.unrouted),
    requests.map((r) => (r.dedupeWindowMs > 0 ? now + r.dedupeWindowMs : null)),
    deliveries.map(() => newId(now)),
    deliveries.map((d) => d.eventId),
    deliveries.map((d) => d.destination),
    deliveries.map((d) => d.route),
    now,
  ];
}
