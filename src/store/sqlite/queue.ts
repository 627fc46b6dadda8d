import { newId } from '../../ids.ts';
import { lastError } from '../rows.ts';
import type { AttemptRecord, ClaimedDelivery, NextState, Store } from '../types.ts';
import type { SqliteDb } from './db.ts';
import { type ErrorFields, errorFields } from './thread-error.ts';

// A paused destination holds everything (until its pause expires, if it has an expiry); a paused route (`route:<name>` in paused) holds only its own
// deliveries, filtered before the limit so it never blocks the rest of the destination's queue.
// Each branch walks deliveries_due in claim order; the union is re-sorted and cut to the limit.
const CLAIMABLE = `
  SELECT c.id, c.event_id, c.route, c.attempts, c.attempt_offset, c.first_attempt_at, e.event
  FROM (
    SELECT * FROM (
      SELECT id, event_id, route, attempts, attempt_offset, first_attempt_at, next_at FROM deliveries
      WHERE destination = @destination AND state = 'pending' AND next_at <= @now
        AND NOT EXISTS (
          SELECT 1 FROM paused
          WHERE destination = 'route:' || deliveries.route AND (expires_at IS NULL OR expires_at > @now))
      ORDER BY next_at, id LIMIT @limit)
    UNION ALL
    SELECT * FROM (
      SELECT id, event_id, route, attempts, attempt_offset, first_attempt_at, next_at FROM deliveries
      WHERE destination = @destination AND state = 'sending' AND lease_until < @now
        AND NOT EXISTS (
          SELECT 1 FROM paused
          WHERE destination = 'route:' || deliveries.route AND (expires_at IS NULL OR expires_at > @now))
      ORDER BY next_at, id LIMIT @limit)
  ) c
  JOIN events e ON e.id = c.event_id
  WHERE NOT EXISTS (
    SELECT 1 FROM paused WHERE destination = @destination AND (expires_at IS NULL OR expires_at > @now))
  ORDER BY c.next_at, c.id
  LIMIT @limit`;

const TAKE = `
  UPDATE deliveries SET state = 'sending', lease_owner = @owner, lease_until = @until, updated_at = @now
  WHERE id = @id`;

const RENEW = `
  UPDATE deliveries SET lease_until = @until
  WHERE id = @id AND lease_owner = @owner AND state = 'sending'`;

const DEFER = `
  UPDATE deliveries SET state = 'pending', next_at = @until, lease_owner = NULL, lease_until = NULL, updated_at = @now
  WHERE id = @id AND lease_owner = @owner AND state = 'sending'`;

// The attempt is kept even when the lease was lost, unless the delivery itself is gone (pruned).
const INSERT_ATTEMPT = `
  INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, outcome, reason, status_code)
  SELECT @id, @deliveryId, @number + (SELECT attempt_offset FROM deliveries WHERE id = @deliveryId), @startedAt, @durationMs, @outcome, @reason, @statusCode
  WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = @deliveryId)`;

// A throttled try moves neither the attempt count nor the start of the retry budget.
const FINISH = `
  UPDATE deliveries
  SET state = @state, next_at = @nextAt, last_error = @lastError,
      attempts = CASE WHEN @outcome = 'throttled' THEN attempts ELSE @number END,
      first_attempt_at = CASE WHEN @outcome = 'throttled' THEN first_attempt_at
                              ELSE COALESCE(first_attempt_at, @startedAt) END,
      lease_owner = NULL, lease_until = NULL, updated_at = @now
  WHERE id = @deliveryId AND lease_owner = @owner AND state = 'sending'`;

const RELEASE_ALL = `
  UPDATE deliveries SET state = 'pending', next_at = @now, lease_owner = NULL, lease_until = NULL, updated_at = @now
  WHERE lease_owner = @owner AND state = 'sending'`;

const NEXT_DUE = `SELECT MIN(next_at) AS next_at FROM deliveries WHERE destination = ? AND state = 'pending'`;

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
export function claimSqlite(
  db: SqliteDb,
  destination: string,
  limit: number,
  owner: string,
  leaseMs: number,
  now: Date,
): ClaimedDelivery[] {
  const t = now.getTime();
  return db.write(() => {
    const rows = db.stmt(CLAIMABLE).all({ destination, now: t, limit }) as ClaimableRow[];
    for (const row of rows) db.stmt(TAKE).run({ id: row.id, owner, until: t + leaseMs, now: t });
    return rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      destination,
      route: row.route,
      attempts: row.attempts,
      attemptOffset: row.attempt_offset,
      ...(row.first_attempt_at !== null && { firstAttemptAt: row.first_attempt_at }),
      event: JSON.parse(row.event),
    }));
  }, 'queue');
}

/** Extends the leases `owner` still holds; answers the ids renewed. */
export function renewSqlite(
  db: SqliteDb,
  ids: string[],
  owner: string,
  leaseMs: number,
  now: Date,
): string[] {
  const until = now.getTime() + leaseMs;
  return db.write(() => ids.filter((id) => db.stmt(RENEW).run({ id, owner, until }).changes === 1), 'queue');
}

/** Puts held deliveries back to pending until `until`, without an attempt. */
export function deferSqlite(db: SqliteDb, ids: string[], owner: string, until: Date, now: Date): number {
  return db.write(
    () =>
      ids.filter(
        (id) => db.stmt(DEFER).run({ id, owner, until: until.getTime(), now: now.getTime() }).changes === 1,
      ).length,
    'queue',
  );
}

/** Records the attempt, then moves the delivery on only if `owner` still holds it. */
export function completeSqlite(
  db: SqliteDb,
  deliveryId: string,
  owner: string,
  attempt: AttemptRecord,
  next: NextState,
  now: Date,
  fallback: readonly string[] = [],
): boolean {
  return db.write(() => {
    db.stmt(INSERT_ATTEMPT).run({
      id: newId(now.getTime()),
      deliveryId,
      number: attempt.number,
      startedAt: attempt.startedAt.getTime(),
      durationMs: Math.round(attempt.durationMs),
      outcome: attempt.outcome,
      reason: attempt.reason ?? null,
      statusCode: attempt.statusCode ?? null,
    });
    const moved = db.stmt(FINISH).run({
      deliveryId,
      owner,
      state: next.state,
      number: attempt.number,
      outcome: attempt.outcome,
      startedAt: attempt.startedAt.getTime(),
      nextAt: next.state === 'pending' ? next.nextAt.getTime() : null,
      lastError: lastError(attempt.outcome, attempt.reason),
      now: now.getTime(),
    });
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
  }, 'queue');
}

/** The arguments of one Store.complete call. */
export type CompleteArgs = Parameters<Store['complete']>;

/** One completion's answer in a batch: whether the lease was still held, or why it failed. */
export type CompleteOutcome = { held: boolean } | { error: ErrorFields };

/**
 * Several completions in one transaction, each in a savepoint of its own: one commit (and one write of the
 * shared index pages) for all of them, while a completion that fails rolls back alone and is answered as such.
 */
export function completeBatchSqlite(db: SqliteDb, batch: CompleteArgs[]): CompleteOutcome[] {
  return db.write(
    () =>
      batch.map((args): CompleteOutcome => {
        try {
          return { held: completeSqlite(db, ...args) };
        } catch (err) {
          return { error: errorFields(err) };
        }
      }),
    'queue',
  );
}

// A fallback delivery of the same event, unless that destination already has one for it.
const INSERT_FALLBACK = `
  INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
  SELECT @id, d.event_id, @fallback, 'fallback from ' || d.destination, 'pending', 0, @now, @now, @now
  FROM deliveries d
  WHERE d.id = @deliveryId
    AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.event_id = d.event_id AND x.destination = @fallback)`;

/** Puts every delivery `owner` holds back to pending, due now, attempts unchanged. */
export function releaseAllSqlite(db: SqliteDb, owner: string, now: Date): number {
  return db.write(() => db.stmt(RELEASE_ALL).run({ owner, now: now.getTime() }).changes);
}

/** The earliest nextAt among a destination's pending deliveries. */
export function nextDueSqlite(db: SqliteDb, destination: string): Date | null {
  const row = db.stmt(NEXT_DUE).get(destination) as { next_at: number | null };
  return row.next_at === null ? null : new Date(row.next_at);
}
