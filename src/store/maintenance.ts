import { ACTIVE } from './filters.ts';
import type { Sql } from './sql.ts';
import type { DeliveryState, MaintenanceOps } from './types.ts';

/** Keeping the store small and observable, in SQL both dialects speak. */

const PRUNE_BATCH = 1000;

// Batches keep each write transaction short, so ingest never waits long behind a big prune; the cascade removes
// the events' deliveries and their attempts.
const PRUNE_EVENTS = `
  DELETE FROM events WHERE id IN (
    SELECT id FROM events
    WHERE received_at < ?
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.${ACTIVE})
    LIMIT ${PRUNE_BATCH})`;

const PRUNE_DEDUPE = 'DELETE FROM dedupe WHERE expires_at <= ?';

// Both read the (state, destination, created_at) index over the few non-final rows.
const QUEUE_DEPTH = `
  SELECT destination, state, COUNT(*) AS count FROM deliveries
  WHERE ${ACTIVE} GROUP BY destination, state ORDER BY destination, state`;
const OLDEST_PENDING = `
  SELECT destination, MIN(created_at) AS created_at FROM deliveries
  WHERE ${ACTIVE} GROUP BY destination ORDER BY destination`;

/** Cheap liveness query for /readyz; throws when the store does not answer. */
export async function ping(sql: Sql) {
  await sql.all('SELECT 1');
}

/** Deletes old events whose deliveries are all final (cascading), and expired dedupe keys; answers how many. */
export async function prune(sql: Sql, { before, now }: Parameters<MaintenanceOps['prune']>[0]) {
  let deleted = 0;
  for (;;) {
    // Losing a prune to power loss only means pruning it again, so these commits need no fsync of their own.
    const [changes] = await sql.write([{ sql: PRUNE_EVENTS, params: [before.getTime()] }], {
      durability: 'queue',
      lock: 'prune',
    });
    deleted += changes;
    if (changes < PRUNE_BATCH) break;
  }
  await sql.write([{ sql: PRUNE_DEDUPE, params: [now.getTime()] }], { durability: 'queue' });
  return deleted;
}

/** Counts of pending/sending deliveries per destination and state, and the oldest one's creation time. */
export async function queueStats(sql: Sql, _args: Parameters<MaintenanceOps['queueStats']>[0]) {
  const [depth, oldest] = await Promise.all([
    sql.all<{ destination: string; state: DeliveryState; count: number | string }>(QUEUE_DEPTH),
    sql.all<{ destination: string; created_at: number | string }>(OLDEST_PENDING),
  ]);
  return {
    depth: depth.map((r) => ({ destination: r.destination, state: r.state, count: Number(r.count) })),
    oldestPending: oldest.map((r) => ({
      destination: r.destination,
      createdAt: new Date(Number(r.created_at)),
    })),
  };
}
