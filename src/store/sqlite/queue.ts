import { newId } from '../../ids.ts';
import { type ClaimedRaw, lastError, parseClaimed } from '../rows.ts';
import type { ClaimedDelivery, CompleteArgs, QueueOps } from '../types.ts';
import type { SqliteDb } from './db.ts';
import { moveWithin } from './new-deliveries.ts';
import { type ErrorFields, errorFields } from './thread-error.ts';

// A paused destination holds everything (until its pause expires, if it has an expiry); a paused route (`route:<name>` in paused) holds only its own
// deliveries, filtered before the limit so it never blocks the rest of the destination's queue.
// Each branch walks deliveries_due in claim order; the union is re-sorted and cut to the limit.
// The limit is written into the text (claimable()), not bound: see there.
const CLAIMABLE = `
  SELECT c.id, c.event_id, c.route, c.attempts, c.attempt_offset, c.first_attempt_at, e.event
  FROM (
    SELECT * FROM (
      SELECT id, event_id, route, attempts, attempt_offset, first_attempt_at, next_at FROM deliveries
      WHERE destination = @destination AND state = 'pending' AND next_at <= @now
        AND NOT EXISTS (
          SELECT 1 FROM paused
          WHERE destination = 'route:' || deliveries.route AND (expires_at IS NULL OR expires_at > @now))
      ORDER BY next_at, id LIMIT $limit)
    UNION ALL
    SELECT * FROM (
      SELECT id, event_id, route, attempts, attempt_offset, first_attempt_at, next_at FROM deliveries
      WHERE destination = @destination AND state = 'sending' AND lease_until < @now
        AND NOT EXISTS (
          SELECT 1 FROM paused
          WHERE destination = 'route:' || deliveries.route AND (expires_at IS NULL OR expires_at > @now))
      ORDER BY next_at, id LIMIT $limit)
  ) c
  JOIN events e ON e.id = c.event_id
  WHERE NOT EXISTS (
    SELECT 1 FROM paused WHERE destination = @destination AND (expires_at IS NULL OR expires_at > @now))
  ORDER BY c.next_at, c.id
  LIMIT $limit`;

/** Limits up to this are written as they are; larger ones are rounded up to a power of two (then cut). */
const EXACT_LIMITS = 64;
const claimableTexts = new Map<number, string>();

/**
 * The claim query for at most `limit` rows (a whole number ≥ 1), with the limit as a literal: the rows it answers
 * may number more than `limit` (up to twice) above EXACT_LIMITS, and the caller takes the first `limit`.
 *
 * Not `LIMIT @limit`: SQLite (3.53 here) reads a bound LIMIT's value while planning, and then marks the
 * statement to be compiled again whenever that parameter is bound, which better-sqlite3 does on every call. Each
 * claim parsed and planned this query anew: 10% of the store thread's CPU while draining a backlog (perf:
 * sqlite3Reprepare under Statement::JS_all in claimRaw, and in no other statement of the delivery or ingest
 * path). Literal limits keep one prepared statement per limit; rounding bounds how many (at most 64 + 10, as
 * `concurrency` is at most 1,000 and a digest claims 500).
 */
function claimable(limit: number): { text: string; rows: number } {
  const rows = limit <= EXACT_LIMITS ? limit : 2 ** Math.ceil(Math.log2(limit));
  let text = claimableTexts.get(rows);
  if (text === undefined) {
    text = CLAIMABLE.replaceAll('$limit', String(rows));
    claimableTexts.set(rows, text);
  }
  return { text, rows };
}

// TAKE, INSERT_ATTEMPT and FINISH run once per delivery and bind by position: better-sqlite3 looks each named
// parameter up on the object it is given, which cost as much as the statement itself (see sqlite/ingest.ts).
// Parameters: owner, until, now, id.
const TAKE = `
  UPDATE deliveries SET state = 'sending', lease_owner = ?, lease_until = ?, updated_at = ?
  WHERE id = ?`;

const RENEW = `
  UPDATE deliveries SET lease_until = @until
  WHERE id = @id AND lease_owner = @owner AND state = 'sending'`;

const DEFER = `
  UPDATE deliveries SET state = 'pending', next_at = @until, lease_owner = NULL, lease_until = NULL, updated_at = @now
  WHERE id = @id AND lease_owner = @owner AND state = 'sending'`;

// The attempt is kept even when the lease was lost, unless the delivery itself is gone (pruned).
// Parameters: id, number, startedAt, durationMs, outcome, reason, statusCode, deliveryId.
const INSERT_ATTEMPT = `
  INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, outcome, reason, status_code)
  SELECT ?, id, ? + attempt_offset, ?, ?, ?, ?, ? FROM deliveries WHERE id = ?`;

// A throttled try does not move the attempt count; any try, throttled or not, starts the retry budget (so a
// receiver that throttles every call ends when retryFor runs out: delivery/policy.ts).
// Parameters: state, nextAt, lastError, throttled (1 or 0), number, startedAt, now, deliveryId, owner.
const FINISH = `
  UPDATE deliveries
  SET state = ?, next_at = ?, last_error = ?,
      attempts = CASE WHEN ? THEN attempts ELSE ? END,
      first_attempt_at = COALESCE(first_attempt_at, ?),
      lease_owner = NULL, lease_until = NULL, updated_at = ?
  WHERE id = ? AND lease_owner = ? AND state = 'sending'`;

interface ClaimableRow {
  id: string;
  event_id: string;
  route: string;
  attempts: number;
  attempt_offset: number;
  first_attempt_at: number | null;
  event: string;
}

/** Claims due deliveries under the write lock, so a second claimer (any process) waits and sees them taken. */
export async function claim(
  db: SqliteDb,
  args: Parameters<QueueOps['claim']>[0],
): Promise<ClaimedDelivery[]> {
  return parseClaimed(await claimRaw(db, args));
}

/**
 * claim(), answering each event as its stored JSON text: the threaded store parses it on the main thread, as a
 * string crosses between threads far more cheaply than the object it holds.
 */
export async function claimRaw(
  db: SqliteDb,
  { destination, limit, owner, leaseMs, now }: Parameters<QueueOps['claim']>[0],
): Promise<ClaimedRaw[]> {
  if (limit < 1) return [];
  const t = now.getTime();
  return db.transaction(() => {
    moveWithin(db); // ingest's new deliveries join the queue in this transaction: one commit, not two
    const wanted = Math.floor(limit);
    const { text, rows: asked } = claimable(wanted);
    let rows = db.stmt(text).all({ destination, now: t }) as ClaimableRow[];
    if (asked > wanted) rows = rows.slice(0, wanted);
    const take = db.stmt(TAKE);
    for (const row of rows) take.run(owner, t + leaseMs, t, row.id);
    return rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      destination,
      route: row.route,
      attempts: row.attempts,
      attemptOffset: row.attempt_offset,
      ...(row.first_attempt_at !== null && { firstAttemptAt: row.first_attempt_at }),
      event: row.event,
    }));
  }, 'queue');
}

/** Extends the leases `owner` still holds; answers the ids renewed. */
export async function renewLeases(
  db: SqliteDb,
  { ids, owner, leaseMs, now }: Parameters<QueueOps['renewLeases']>[0],
): Promise<string[]> {
  const until = now.getTime() + leaseMs;
  return db.transaction(
    () => ids.filter((id) => db.stmt(RENEW).run({ id, owner, until }).changes === 1),
    'queue',
  );
}

/** Puts held deliveries back to pending until `until`, without an attempt. */
export async function defer(
  db: SqliteDb,
  { ids, owner, until, now }: Parameters<QueueOps['defer']>[0],
): Promise<number> {
  return db.transaction(
    () =>
      ids.filter(
        (id) => db.stmt(DEFER).run({ id, owner, until: until.getTime(), now: now.getTime() }).changes === 1,
      ).length,
    'queue',
  );
}

/** Records the attempt, then moves the delivery on only if `owner` still holds it. */
export async function complete(db: SqliteDb, args: CompleteArgs): Promise<boolean> {
  return completeNow(db, args);
}

/** complete(), synchronously, in a transaction (a savepoint inside a batch's) of its own. */
function completeNow(db: SqliteDb, args: CompleteArgs): boolean {
  return db.transaction(() => completeStatements(db, args), 'queue');
}

/** The statements of one completion, in the caller's transaction. */
function completeStatements(
  db: SqliteDb,
  { deliveryId, owner, attempt, next, now, fallback = [] }: CompleteArgs,
): boolean {
  {
    const startedAt = attempt.startedAt.getTime();
    const throttled = attempt.outcome === 'throttled' ? 1 : 0;
    db.stmt(INSERT_ATTEMPT).run(
      newId(now.getTime()),
      attempt.number,
      startedAt,
      Math.round(attempt.durationMs),
      attempt.outcome,
      attempt.reason ?? null,
      attempt.statusCode ?? null,
      deliveryId,
    );
    const nextAt = next.state === 'pending' ? next.nextAt.getTime() : null;
    const error = lastError(attempt.outcome, attempt.reason);
    const moved = db
      .stmt(FINISH)
      .run(next.state, nextAt, error, throttled, attempt.number, startedAt, now.getTime(), deliveryId, owner);
    const held = moved.changes === 1;
    if (held && (next.state === 'failed' || next.state === 'dead')) {
      for (const destination of fallback) {
        db.stmt(INSERT_FALLBACK).run({
          id: newId(now.getTime()),
          fallback: destination,
          deliveryId,
          now: now.getTime(),
        });
      }
    }
    return held;
  }
}

/** One completion's answer in a batch: whether the lease was still held, or why it failed. */
export type CompleteOutcome = { held: boolean } | { error: ErrorFields };

/**
 * Several completions in one transaction: one commit (and one write of the shared index pages) for all of them.
 * Tried first without savepoints; if any completion fails, the whole transaction is rolled back and run again
 * with each completion in a savepoint of its own, so the one that fails rolls back alone and is answered as such.
 */
export async function completeBatch(
  db: SqliteDb,
  { batch }: { batch: CompleteArgs[] },
): Promise<CompleteOutcome[]> {
  try {
    return db.transaction(
      () => batch.map((args): CompleteOutcome => ({ held: completeStatements(db, args) })),
      'queue',
    );
  } catch {
    return db.transaction(
      () =>
        batch.map((args): CompleteOutcome => {
          try {
            return { held: completeNow(db, args) };
          } catch (err) {
            return { error: errorFields(err) };
          }
        }),
      'queue',
    );
  }
}

// A fallback delivery of the same event, unless that destination already has one for it.
const INSERT_FALLBACK = `
  INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
  SELECT @id, d.event_id, @fallback, 'fallback from ' || d.destination, 'pending', 0, @now, @now, @now
  FROM deliveries d
  WHERE d.id = @deliveryId
    AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.event_id = d.event_id AND x.destination = @fallback)`;
