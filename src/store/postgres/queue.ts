import type pg from 'pg';
import type { GatewayEvent } from '../../event.ts';
import { newId } from '../../ids.ts';
import { lastError } from '../rows.ts';
import type { AttemptRecord, ClaimedDelivery, NextState } from '../types.ts';
import { inTransaction, pgText } from './db.ts';

// A paused destination holds everything (until its pause expires, if it has an expiry); a paused route (`route:<name>` in paused) holds only its own
// deliveries, filtered before the limit so it never blocks the rest of the destination's queue.
// Each CTE walks deliveries_due in claim order and skips rows another claimer has locked; the union is
// re-sorted and cut to the limit, and only those rows are taken.
const CLAIM = `
  WITH due AS (
    SELECT id, event_id, next_at FROM deliveries
    WHERE destination = $1 AND state = 'pending' AND next_at <= $2
      AND NOT EXISTS (SELECT 1 FROM paused WHERE destination = $1 AND (expires_at IS NULL OR expires_at > $2))
      AND NOT EXISTS (
        SELECT 1 FROM paused
        WHERE destination = 'route:' || deliveries.route AND (expires_at IS NULL OR expires_at > $2))
    ORDER BY next_at, id LIMIT $3
    FOR UPDATE SKIP LOCKED
  ), expired AS (
    SELECT id, event_id, next_at FROM deliveries
    WHERE destination = $1 AND state = 'sending' AND lease_until < $2
      AND NOT EXISTS (SELECT 1 FROM paused WHERE destination = $1 AND (expires_at IS NULL OR expires_at > $2))
      AND NOT EXISTS (
        SELECT 1 FROM paused
        WHERE destination = 'route:' || deliveries.route AND (expires_at IS NULL OR expires_at > $2))
    ORDER BY next_at, id LIMIT $3
    FOR UPDATE SKIP LOCKED
  ), chosen AS (
    SELECT id, event_id FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) AS u
    ORDER BY next_at, id LIMIT $3
  )
  UPDATE deliveries AS d
  SET state = 'sending', lease_owner = $4, lease_until = $5, updated_at = $2
  FROM chosen JOIN events AS e ON e.id = chosen.event_id
  WHERE d.id = chosen.id
  RETURNING d.id, d.event_id, d.route, d.attempts, d.attempt_offset, d.first_attempt_at, d.next_at, e.event`;

const RENEW = `
  UPDATE deliveries SET lease_until = $3
  WHERE id = ANY ($1::text[]) AND lease_owner = $2 AND state = 'sending'
  RETURNING id`;

// One statement: the attempt is kept even when the lease was lost, unless the delivery is gone (pruned). A
// completion retried after its COMMIT's answer was lost (connection cut) finds its attempt already recorded.
const COMPLETE = `
  WITH attempt AS (
    INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, outcome, reason, status_code)
    SELECT $1::text, $2::text, $3::int + (SELECT attempt_offset FROM deliveries WHERE id = $2), $4::bigint, $5::int, $6::text, $7::text, $8::int
    WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = $2)
      AND NOT EXISTS (SELECT 1 FROM attempts WHERE delivery_id = $2 AND number = $3 AND started_at = $4)
  )
  UPDATE deliveries
  SET state = $10, next_at = $11, last_error = $12,
      attempts = CASE WHEN $6::text = 'throttled' THEN attempts ELSE $3::int END,
      first_attempt_at = CASE WHEN $6::text = 'throttled' THEN first_attempt_at
                              ELSE COALESCE(first_attempt_at, $4::bigint) END,
      lease_owner = NULL, lease_until = NULL, updated_at = $13
  WHERE id = $2 AND lease_owner = $9 AND state = 'sending'`;

// A fallback delivery of the same event, unless that destination already has one for it.
const INSERT_FALLBACK = `
  INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
  SELECT $1, d.event_id, $2::text, 'fallback from ' || d.destination, 'pending', 0, $4, $4, $4
  FROM deliveries d
  WHERE d.id = $3
    AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.event_id = d.event_id AND x.destination = $2::text)`;

const RELEASE_ALL = `
  UPDATE deliveries SET state = 'pending', next_at = $2, lease_owner = NULL, lease_until = NULL, updated_at = $2
  WHERE lease_owner = $1 AND state = 'sending'`;

const NEXT_DUE = `SELECT MIN(next_at) AS next_at FROM deliveries WHERE destination = $1 AND state = 'pending'`;

interface ClaimedRow {
  id: string;
  event_id: string;
  route: string;
  attempts: number;
  attempt_offset: number;
  first_attempt_at: string | null;
  next_at: string;
  event: GatewayEvent;
}

/** Claims due deliveries with SKIP LOCKED, so concurrent claimers (any instance) never share one. */
export async function claimPostgres(
  pool: pg.Pool,
  destination: string,
  limit: number,
  owner: string,
  leaseMs: number,
  now: Date,
): Promise<ClaimedDelivery[]> {
  const t = now.getTime();
  const { rows } = await pool.query<ClaimedRow>({
    name: 'switchboard-claim',
    text: CLAIM,
    values: [destination, t, limit, owner, t + leaseMs],
  });
  rows.sort((a, b) => Number(a.next_at) - Number(b.next_at) || (a.id < b.id ? -1 : 1));
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    destination,
    route: r.route,
    attempts: r.attempts,
    attemptOffset: Number(r.attempt_offset),
    ...(r.first_attempt_at !== null && { firstAttemptAt: Number(r.first_attempt_at) }),
    event: r.event,
  }));
}

/** Extends the leases `owner` still holds; answers the ids renewed. */
export async function renewPostgres(
  pool: pg.Pool,
  ids: string[],
  owner: string,
  leaseMs: number,
  now: Date,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await pool.query<{ id: string }>({
    name: 'switchboard-renew',
    text: RENEW,
    values: [ids, owner, now.getTime() + leaseMs],
  });
  const renewed = new Set(rows.map((r) => r.id));
  return ids.filter((id) => renewed.has(id));
}

const DEFER = `
  UPDATE deliveries SET state = 'pending', next_at = $3, lease_owner = NULL, lease_until = NULL, updated_at = $4
  WHERE id = ANY($1::text[]) AND lease_owner = $2 AND state = 'sending'`;

/** Puts held deliveries back to pending until `until`, without an attempt. */
export async function deferPostgres(
  pool: pg.Pool,
  ids: string[],
  owner: string,
  until: Date,
  now: Date,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await pool.query({
    name: 'switchboard-defer',
    text: DEFER,
    values: [ids, owner, until.getTime(), now.getTime()],
  });
  return result.rowCount ?? 0;
}

/** Records the attempt, then moves the delivery on only if `owner` still holds it. */
export async function completePostgres(
  pool: pg.Pool,
  deliveryId: string,
  owner: string,
  attempt: AttemptRecord,
  next: NextState,
  now: Date,
  fallback: readonly string[] = [],
): Promise<boolean> {
  const final = next.state === 'failed' || next.state === 'dead';
  if (final && fallback.length > 0) {
    // The verdict and the fallback deliveries commit together, so a crash cannot keep one without the other.
    return inTransaction(pool, async (client) => {
      const held = await completeWith(client, deliveryId, owner, attempt, next, now);
      if (held) {
        for (const destination of fallback) {
          await client.query(INSERT_FALLBACK, [newId(now.getTime()), destination, deliveryId, now.getTime()]);
        }
      }
      return held;
    });
  }
  return completeWith(pool, deliveryId, owner, attempt, next, now);
}

async function completeWith(
  db: pg.Pool | pg.PoolClient,
  deliveryId: string,
  owner: string,
  attempt: AttemptRecord,
  next: NextState,
  now: Date,
): Promise<boolean> {
  const result = await db.query({
    name: 'switchboard-complete',
    text: COMPLETE,
    values: [
      newId(now.getTime()),
      deliveryId,
      attempt.number,
      attempt.startedAt.getTime(),
      Math.round(attempt.durationMs),
      attempt.outcome,
      pgText(attempt.reason ?? null),
      attempt.statusCode ?? null,
      owner,
      next.state,
      next.state === 'pending' ? next.nextAt.getTime() : null,
      pgText(lastError(attempt.outcome, attempt.reason)),
      now.getTime(),
    ],
  });
  return result.rowCount === 1;
}

/** Puts every delivery `owner` holds back to pending, due now, attempts unchanged. */
export async function releaseAllPostgres(pool: pg.Pool, owner: string, now: Date): Promise<number> {
  const result = await pool.query({
    name: 'switchboard-release-all',
    text: RELEASE_ALL,
    values: [owner, now.getTime()],
  });
  return result.rowCount ?? 0;
}

/** The earliest nextAt among a destination's pending deliveries. */
export async function nextDuePostgres(pool: pg.Pool, destination: string): Promise<Date | null> {
  const { rows } = await pool.query<{ next_at: string | null }>({
    name: 'switchboard-next-due',
    text: NEXT_DUE,
    values: [destination],
  });
  return rows[0].next_at === null ? null : new Date(Number(rows[0].next_at));
}
