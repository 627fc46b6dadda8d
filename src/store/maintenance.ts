import { activitySql, fillActivity } from './activity-sql.ts';
import { ACTIVE } from './filters.ts';
import { iso, type Millis } from './rows.ts';
import type { Sql, Statement } from './sql.ts';
import type { DeliveryState, DestinationActivity, MaintenanceOps, QueueStats } from './types.ts';

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

// Dead letters waiting for an operator, per destination: a range of the (state, destination, created_at) index.
const DEAD = `SELECT destination, COUNT(*) AS count FROM deliveries WHERE state = 'dead' GROUP BY destination`;

/** The row the write probe inserts and deletes in one transaction; no destination or route has this name. */
const WRITE_PROBE = 'switchboard:write-probe';

/**
 * What the write probe must get before it commits, besides a commit of its own: the locks ingest takes. SQLite
 * has one write lock for the whole file, which any write transaction takes. PostgreSQL locks per table: a
 * session holding `LOCK TABLE events` stopped every webhook while the probe, writing only `paused`, committed
 * and /readyz answered ready (found by an outside fault test). ROW EXCLUSIVE is what ingest's INSERTs take, so
 * this waits exactly when they would, and writes nothing to those tables.
 */
const INGEST_LOCKS: Record<Sql['dialect'], Statement[]> = {
  sqlite: [],
  postgres: [{ sql: 'LOCK TABLE dedupe, events, deliveries IN ROW EXCLUSIVE MODE' }],
};

/**
 * Cheap liveness query for /readyz; with `write`, also a commit that leaves nothing behind, after taking ingest's
 * locks, each wait bounded by `waitMs` when given. Throws on failure.
 */
export async function ping(sql: Sql, { write = false, waitMs }: Parameters<MaintenanceOps['ping']>[0] = {}) {
  await sql.all('SELECT 1');
  if (!write) return;
  // Nothing stays behind and no other transaction ever sees the row.
  await sql.write(
    [
      ...INGEST_LOCKS[sql.dialect],
      { sql: 'INSERT INTO paused (destination) VALUES (?) ON CONFLICT DO NOTHING', params: [WRITE_PROBE] },
      { sql: 'DELETE FROM paused WHERE destination = ?', params: [WRITE_PROBE] },
    ],
    { waitMs },
  );
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

/**
 * Counts of pending/sending deliveries per destination and state, the oldest one's creation time, and the dead
 * deliveries per destination.
 */
export async function queueStats(
  sql: Sql,
  _args: Parameters<MaintenanceOps['queueStats']>[0],
): Promise<QueueStats> {
  const [depth, oldest, dead] = await Promise.all([
    sql.all<{ destination: string; state: DeliveryState; count: number | string }>(QUEUE_DEPTH),
    sql.all<{ destination: string; created_at: number | string }>(OLDEST_PENDING),
    sql.all<{ destination: string; count: number | string }>(DEAD),
  ]);
  return {
    depth: depth.map((r) => ({ destination: r.destination, state: r.state, count: Number(r.count) })),
    dead: dead.map((r) => ({ destination: r.destination, count: Number(r.count) })),
    oldestPending: oldest.map((r) => ({
      destination: r.destination,
      createdAt: new Date(Number(r.created_at)),
    })),
  };
}

/** Delivered and failed attempts per destination since ? (epoch ms); reads the attempts_started_at index. */
const ATTEMPTS_SINCE = `
  SELECT d.destination,
         SUM(CASE WHEN a.outcome = 'delivered' THEN 1 ELSE 0 END) AS delivered,
         SUM(CASE WHEN a.outcome IN ('delivered', 'throttled') THEN 0 ELSE 1 END) AS failed,
         SUM(CASE WHEN a.outcome = 'throttled' THEN 1 ELSE 0 END) AS throttled
  FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
  WHERE a.started_at >= ?
  GROUP BY d.destination`;

// The latest failed attempt per destination: the one query the dialects write differently. SQLite takes the
// bare columns from the MAX row; PostgreSQL needs DISTINCT ON.
const LAST_ERROR = {
  sqlite: `
    SELECT d.destination, MAX(a.started_at) AS at, a.reason
    FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
    WHERE a.outcome <> 'delivered' AND a.reason IS NOT NULL
    GROUP BY d.destination`,
  postgres: `
    SELECT DISTINCT ON (d.destination) d.destination, a.started_at AS at, a.reason
    FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
    WHERE a.outcome <> 'delivered' AND a.reason IS NOT NULL
    ORDER BY d.destination, a.started_at DESC`,
};

type AttemptCounts = {
  destination: string;
  delivered: number | string | null;
  failed: number | string | null;
  throttled: number | string | null;
};

/** Queue depth, attempts since `since` and the latest error, per destination with any of these, by name. */
export async function destinationActivity(
  sql: Sql,
  { since, now }: Parameters<MaintenanceOps['destinationActivity']>[0],
) {
  const [stats, attempts, errors] = await Promise.all([
    queueStats(sql, { now }),
    sql.all<AttemptCounts>(ATTEMPTS_SINCE, [since.getTime()]),
    sql.all<{ destination: string; at: Millis; reason: string }>(LAST_ERROR[sql.dialect]),
  ]);
  return toActivity(stats, attempts, errors);
}

/** Joins the three answers into one entry per destination that has anything on record, by name. */
function toActivity(
  stats: QueueStats,
  attempts: AttemptCounts[],
  errors: Array<{ destination: string; at: Millis; reason: string }>,
): DestinationActivity[] {
  const byName = new Map<string, DestinationActivity>();
  const entry = (destination: string) => {
    let a = byName.get(destination);
    if (!a) {
      a = { destination, pending: 0, inFlight: 0, dead: 0, delivered: 0, failed: 0, throttled: 0 };
      byName.set(destination, a);
    }
    return a;
  };
  for (const d of stats.depth) {
    if (d.state === 'pending') entry(d.destination).pending = Number(d.count);
    if (d.state === 'sending') entry(d.destination).inFlight = Number(d.count);
  }
  for (const o of stats.oldestPending) entry(o.destination).oldestPendingAt = o.createdAt.toISOString();
  for (const r of attempts) {
    entry(r.destination).delivered = Number(r.delivered ?? 0);
    entry(r.destination).failed = Number(r.failed ?? 0);
    entry(r.destination).throttled = Number(r.throttled ?? 0);
  }
  for (const d of stats.dead) entry(d.destination).dead = d.count;
  for (const e of errors) entry(e.destination).lastError = { at: iso(e.at), reason: e.reason };
  return [...byName.values()].sort((a, b) => a.destination.localeCompare(b.destination));
}

// Integer division buckets the epoch-ms times; the bucket size is cast so neither driver binds it as a float.
const ACTIVITY = activitySql((n) => (n <= 2 ? 'CAST(? AS BIGINT)' : '?'));

/** Received events and attempt outcomes per bucket (the console's chart), every bucket present, oldest first. */
export async function activity(
  sql: Sql,
  { since, until, bucketMs }: Parameters<MaintenanceOps['activity']>[0],
) {
  const args = [bucketMs, bucketMs, since.getTime(), until.getTime()];
  const [received, attempts] = await Promise.all([
    sql.all<{ bucket: number | string; n: number | string }>(ACTIVITY.received, args),
    sql.all<{ bucket: number | string; delivered: number | string; failed: number | string }>(
      ACTIVITY.attempts,
      args,
    ),
  ]);
  return fillActivity(since.getTime(), until.getTime(), bucketMs, received, attempts);
}
