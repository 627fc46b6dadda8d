import type pg from 'pg';
import { activitySql, fillActivity } from '../activity-sql.ts';
import {
  ATTEMPTS_SINCE,
  EXPIRE_PAUSES,
  LAST_ERROR_POSTGRES,
  LIST_PAUSES,
  type PauseRecord,
  toActivity,
  toPause,
  UPSERT_PAUSE,
} from '../operator-sql.ts';
import { OLDEST_PENDING_SQL, QUEUE_DEPTH_SQL } from '../stats-sql.ts';
import type {
  ActivityBucket,
  DeliveryState,
  DestinationActivity,
  Pause,
  PauseRequest,
  QueueStats,
} from '../types.ts';
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

/** Destinations an operator has paused (pauses past their expiry lift first, when `now` is given). */
export async function pausedPostgres(pool: pg.Pool, now?: Date): Promise<string[]> {
  return (await listPausesPostgres(pool, now)).map((p) => p.name);
}

/** Every pause in force; expired ones are deleted first. */
export async function listPausesPostgres(pool: pg.Pool, now?: Date): Promise<Pause[]> {
  if (now !== undefined)
    await pool.query(
      EXPIRE_PAUSES((n) => `$${n}`),
      [now.getTime()],
    );
  const { rows } = await pool.query<PauseRecord>(LIST_PAUSES);
  return rows.map(toPause);
}

/** Pauses (with who, why, until when) or resumes a destination; both are idempotent. */
export async function setPausedPostgres(
  pool: pg.Pool,
  destination: string,
  paused: boolean,
  how?: PauseRequest,
  now: Date = new Date(),
): Promise<void> {
  if (paused)
    await pool.query(
      UPSERT_PAUSE((n) => `$${n}`),
      [
        destination,
        how?.by ?? 'unknown',
        how?.comment ?? null,
        now.getTime(),
        how?.expiresAt?.getTime() ?? null,
      ],
    );
  else await pool.query('DELETE FROM paused WHERE destination = $1', [destination]);
}

/** Queue depth, attempts since `since` and the latest error, per destination. */
export async function activityPostgres(pool: pg.Pool, since: Date): Promise<DestinationActivity[]> {
  const [stats, attempts, errors] = await Promise.all([
    queueStatsPostgres(pool),
    pool.query(
      ATTEMPTS_SINCE((n) => `$${n}`),
      [since.getTime()],
    ),
    pool.query(LAST_ERROR_POSTGRES),
  ]);
  return toActivity(stats, attempts.rows, errors.rows);
}

const PG_ACTIVITY = activitySql((n) => (n <= 2 ? `$${n}::bigint` : `$${n}`));

/** Received events and attempt outcomes per bucket (the console's chart). */
export async function activityBucketsPostgres(
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
