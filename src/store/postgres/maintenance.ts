import type pg from 'pg';
import { activitySql, fillActivity } from '../activity-sql.ts';
import { OLDEST_PENDING_SQL, QUEUE_DEPTH_SQL } from '../stats-sql.ts';
import type { ActivityBucket, DeliveryState, QueueStats } from '../types.ts';
import { inTransaction, PRUNE_REPLAY_LOCK } from './db.ts';

const PRUNE_BATCH = 1000;

// Batches keep each transaction short; the cascade removes the events' deliveries and their attempts.
const PRUNE_EVENTS = `
  DELETE FROM events WHERE id IN (
    SELECT id FROM events
    WHERE received_at < $1
      AND NOT EXISTS (
        SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.state IN ('pending', 'sending'))
    LIMIT ${PRUNE_BATCH})`;

const PRUNE_DEDUPE = 'DELETE FROM dedupe WHERE expires_at <= $1';

/** Deletes old events whose deliveries are all final (cascading), and expired dedupe keys. */
export async function prunePostgres(pool: pg.Pool, before: Date, now: Date): Promise<number> {
  let deleted = 0;
  for (;;) {
    const changes = await inTransaction(pool, async (client) => {
      await client.query(PRUNE_REPLAY_LOCK.prune);
      return (await client.query(PRUNE_EVENTS, [before.getTime()])).rowCount ?? 0;
    });
    deleted += changes;
    if (changes < PRUNE_BATCH) break;
  }
  await pool.query(PRUNE_DEDUPE, [now.getTime()]);
  return deleted;
}

/** Counts of pending/sending deliveries per destination, and the oldest one's creation time. */
export async function queueStatsPostgres(pool: pg.Pool): Promise<QueueStats> {
  const [depth, oldest] = await Promise.all([
    pool.query<{ destination: string; state: DeliveryState; count: string }>(QUEUE_DEPTH_SQL),
    pool.query<{ destination: string; created_at: string }>(OLDEST_PENDING_SQL),
  ]);
  return {
    depth: depth.rows.map((r) => ({ destination: r.destination, state: r.state, count: Number(r.count) })),
    oldestPending: oldest.rows.map((r) => ({
      destination: r.destination,
      createdAt: new Date(Number(r.created_at)),
    })),
  };
}

/** Destinations an operator has paused. */
export async function pausedPostgres(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ destination: string }>(
    'SELECT destination FROM paused ORDER BY destination',
  );
  return rows.map((r) => r.destination);
}

/** Pauses or resumes a destination; both are idempotent. */
export async function setPausedPostgres(pool: pg.Pool, destination: string, paused: boolean): Promise<void> {
  if (paused)
    await pool.query('INSERT INTO paused (destination) VALUES ($1) ON CONFLICT DO NOTHING', [destination]);
  else await pool.query('DELETE FROM paused WHERE destination = $1', [destination]);
}

const PG_ACTIVITY = activitySql((n) => (n <= 2 ? `$${n}::bigint` : `$${n}`));

/** Received events and attempt outcomes per bucket (the console's chart). */
export async function activityPostgres(
  pool: pg.Pool,
  since: Date,
  until: Date,
  bucketMs: number,
): Promise<ActivityBucket[]> {
  const args = [bucketMs, bucketMs, since.getTime(), until.getTime()];
  const [received, attempts] = await Promise.all([
    pool.query<{ bucket: string; n: string }>(PG_ACTIVITY.received, args),
    pool.query<{ bucket: string; delivered: string; failed: string }>(PG_ACTIVITY.attempts, args),
  ]);
  return fillActivity(since.getTime(), until.getTime(), bucketMs, received.rows, attempts.rows);
}
