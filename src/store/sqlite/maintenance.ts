import { activitySql, fillActivity } from '../activity-sql.ts';
import {
  ATTEMPTS_SINCE,
  EXPIRE_PAUSES,
  LAST_ERROR_SQLITE,
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
import type { SqliteDb } from './db.ts';

const PRUNE_BATCH = 1000;

// Batches keep each write transaction short, so ingest never waits long behind a big prune.
const PRUNE_EVENTS = `
  DELETE FROM events WHERE id IN (
    SELECT id FROM events
    WHERE received_at < ?
      AND NOT EXISTS (
        SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.state IN ('pending', 'sending'))
    LIMIT ${PRUNE_BATCH})`;

const PRUNE_DEDUPE = 'DELETE FROM dedupe WHERE expires_at <= ?';

/** Deletes old events whose deliveries are all final (cascading), and expired dedupe keys. */
export function pruneSqlite(db: SqliteDb, before: Date, now: Date): number {
  let deleted = 0;
  for (;;) {
    // Losing a prune to power loss only means pruning it again, so these commits need no fsync of their own.
    const changes = db.write(() => db.stmt(PRUNE_EVENTS).run(before.getTime()).changes, 'queue');
    deleted += changes;
    if (changes < PRUNE_BATCH) break;
  }
  db.write(() => db.stmt(PRUNE_DEDUPE).run(now.getTime()), 'queue');
  return deleted;
}

/** Counts of pending/sending deliveries per destination, and the oldest one's creation time. */
export function queueStatsSqlite(db: SqliteDb): QueueStats {
  const depth = db.stmt(QUEUE_DEPTH_SQL).all() as Array<{
    destination: string;
    state: DeliveryState;
    count: number;
  }>;
  const oldest = db.stmt(OLDEST_PENDING_SQL).all() as Array<{ destination: string; created_at: number }>;
  return {
    depth,
    oldestPending: oldest.map((r) => ({ destination: r.destination, createdAt: new Date(r.created_at) })),
  };
}

/** Destinations an operator has paused (pauses past their expiry lift first, when `now` is given). */
export function pausedSqlite(db: SqliteDb, now?: Date): string[] {
  return listPausesSqlite(db, now).map((p) => p.name);
}

/** Every pause in force; expired ones are deleted first. */
export function listPausesSqlite(db: SqliteDb, now?: Date): Pause[] {
  if (now !== undefined) {
    const expire = db.stmt(EXPIRE_PAUSES(() => '?'));
    // A read-only query when nothing expired: no write lock taken on every poll.
    const due = db
      .stmt('SELECT 1 FROM paused WHERE expires_at IS NOT NULL AND expires_at <= ?')
      .get(now.getTime());
    if (due !== undefined) db.write(() => expire.run(now.getTime()));
  }
  return (db.stmt(LIST_PAUSES).all() as PauseRecord[]).map(toPause);
}

/** Pauses (with who, why, until when) or resumes a destination; both are idempotent. */
export function setPausedSqlite(
  db: SqliteDb,
  destination: string,
  paused: boolean,
  how?: PauseRequest,
  now: Date = new Date(),
): void {
  db.write(() => {
    if (paused)
      db.stmt(UPSERT_PAUSE(() => '?')).run(
        destination,
        how?.by ?? 'unknown',
        how?.comment ?? null,
        now.getTime(),
        how?.expiresAt?.getTime() ?? null,
      );
    else db.stmt('DELETE FROM paused WHERE destination = ?').run(destination);
  });
}

/** Queue depth, attempts since `since` and the latest error, per destination. */
export function activitySqlite(db: SqliteDb, since: Date): DestinationActivity[] {
  const attempts = db.stmt(ATTEMPTS_SINCE(() => '?')).all(since.getTime()) as Parameters<
    typeof toActivity
  >[1];
  const errors = db.stmt(LAST_ERROR_SQLITE).all() as Parameters<typeof toActivity>[2];
  return toActivity(queueStatsSqlite(db), attempts, errors);
}

/** Received events and attempt outcomes per bucket (the console's chart). */
export function activityBucketsSqlite(
  db: SqliteDb,
  since: Date,
  until: Date,
  bucketMs: number,
): ActivityBucket[] {
  // better-sqlite3 binds JS numbers as REAL; an INTEGER divisor keeps the division whole.
  const sql = activitySql((n) => (n <= 2 ? 'CAST(? AS INTEGER)' : '?'));
  const args = [bucketMs, bucketMs, since.getTime(), until.getTime()];
  const received = db.stmt(sql.received).all(...args) as Array<{ bucket: number; n: number }>;
  const attempts = db.stmt(sql.attempts).all(...args) as Array<{
    bucket: number;
    delivered: number;
    failed: number;
  }>;
  return fillActivity(since.getTime(), until.getTime(), bucketMs, received, attempts);
}
