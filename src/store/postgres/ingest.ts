import type pg from 'pg';
import { newId } from '../../ids.ts';
import { eventColumns } from '../rows.ts';
import type { IngestOps, IngestRequest, IngestResult } from '../types.ts';
import { inTransaction, type PgDb } from './db.ts';

// Insert each key, or take it over when expired. Rows not returned are held by a live duplicate; a concurrent
// transaction inserting the same key makes this one wait for its outcome, so dedupe holds across instances.
const CLAIM_DEDUPE_KEYS = `
  INSERT INTO dedupe (source, body_hash, event_id, expires_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
  ON CONFLICT (source, body_hash) DO UPDATE SET event_id = EXCLUDED.event_id, expires_at = EXCLUDED.expires_at
    WHERE dedupe.expires_at <= $5
  RETURNING source, body_hash`;

const ORIGINAL_EVENTS = `
  SELECT d.source, d.body_hash, d.event_id
  FROM dedupe d JOIN unnest($1::text[], $2::text[]) AS k (source, body_hash)
    ON d.source = k.source AND d.body_hash = k.body_hash`;

const INSERT_EVENTS = `
  INSERT INTO events (id, source, type, received_at, body_hash, event, routes, unrouted)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::json[], $7::json[],
                       $8::boolean[])`;

const INSERT_DELIVERIES = `
  INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
  SELECT id, event_id, destination, route, 'pending', 0, $5, $5, $5
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS d (id, event_id, destination, route)`;

const keyOf = (r: IngestRequest) => `${r.event.source}\u0000${r.bodyHash}`;

/** Commits a whole batch in one transaction with a handful of multi-row statements, whatever its size. */
export async function ingest(
  { pool }: PgDb,
  { batch, now }: Parameters<IngestOps['ingest']>[0],
): Promise<IngestResult[]> {
  if (batch.length === 0) return [];
  const t = now.getTime();
  return inTransaction(pool, async (client) => {
    const results: IngestResult[] = batch.map((r) => ({ id: r.event.id, duplicate: false }));
    // The first request of each dedupe key competes for it; later ones in the batch duplicate the first.
    const leaders = new Map<string, number>();
    const followers: Array<[number, number]> = [];
    batch.forEach((r, i) => {
      if (r.dedupeWindowMs <= 0) return;
      const leader = leaders.get(keyOf(r));
      if (leader === undefined) leaders.set(keyOf(r), i);
      else followers.push([i, leader]);
    });
    const lost = await losers(client, batch, [...leaders.entries()], t);
    if (lost.length > 0) {
      const originals = await client.query<{ source: string; body_hash: string; event_id: string }>(
        ORIGINAL_EVENTS,
        [lost.map((i) => batch[i].event.source), lost.map((i) => batch[i].bodyHash)],
      );
      const byKey = new Map(originals.rows.map((o) => [`${o.source}\u0000${o.body_hash}`, o.event_id]));
      for (const i of lost)
        results[i] = { id: byKey.get(keyOf(batch[i])) ?? batch[i].event.id, duplicate: true };
    }
    for (const [i, leader] of followers) results[i] = { id: results[leader].id, duplicate: true };
    const fresh = batch.filter((_, i) => !results[i].duplicate);
    await insertEvents(client, fresh, t);
    await insertDeliveries(client, fresh, t);
    return results;
  });
}

/** Upserts the batch's dedupe keys (sorted, so concurrent batches lock them in one order); answers the losers. */
async function losers(
  client: pg.PoolClient,
  batch: IngestRequest[],
  leaders: Array<[string, number]>,
  now: number,
): Promise<number[]> {
  if (leaders.length === 0) return [];
  leaders.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const requests = leaders.map(([, i]) => batch[i]);
  const won = await client.query<{ source: string; body_hash: string }>(CLAIM_DEDUPE_KEYS, [
    requests.map((r) => r.event.source),
    requests.map((r) => r.bodyHash),
    requests.map((r) => r.event.id),
    requests.map((r) => now + r.dedupeWindowMs),
    now,
  ]);
  const winners = new Set(won.rows.map((w) => `${w.source}\u0000${w.body_hash}`));
  return leaders.filter(([key]) => !winners.has(key)).map(([, i]) => i);
}

/** One multi-row insert of the batch's new events. */
async function insertEvents(client: pg.PoolClient, requests: IngestRequest[], now: number): Promise<void> {
  if (requests.length === 0) return;
  const rows = requests.map((r) => ({ ...eventColumns(r.event, r.routes, r.deliveries.length, now), r }));
  await client.query(INSERT_EVENTS, [
    rows.map((c) => c.id),
    rows.map((c) => c.source),
    rows.map((c) => c.type),
    rows.map((c) => c.receivedAt),
    rows.map((c) => c.r.bodyHash),
    rows.map((c) => c.event),
    rows.map((c) => c.routes),
    rows.map((c) => c.unrouted),
  ]);
}

/** One multi-row insert of the deliveries of the batch's new events, pending and due now. */
async function insertDeliveries(
  client: pg.PoolClient,
  requests: IngestRequest[],
  now: number,
): Promise<void> {
  const rows = requests.flatMap((r) => r.deliveries.map((d) => ({ ...d, eventId: r.event.id })));
  if (rows.length === 0) return;
  await client.query(INSERT_DELIVERIES, [
    rows.map(() => newId(now)),
    rows.map((d) => d.eventId),
    rows.map((d) => d.destination),
    rows.map((d) => d.route),
    now,
  ]);
}
