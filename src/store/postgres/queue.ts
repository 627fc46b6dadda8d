import type pg from 'pg';
import type { GatewayEvent } from '../../event.ts';
import { newId } from '../../ids.ts';
import { lastError } from '../rows.ts';
import type { ClaimedDelivery, CompleteArgs, QueueOps } from '../types.ts';
import { inTransaction, type PgDb, pgText } from './db.ts';

// A paused destination holds everything (until its pause expires, if it has an expiry); a paused route
// (`route:<name>` in paused) holds only its own deliveries, filtered before the limit so it never blocks the
// rest of the destination's queue. Each CTE walks deliveries_due in claim order and skips rows another claimer
// has locked; the union is re-sorted and cut to the limit, and only those rows are taken.
const claimable = (which: string) => `
    SELECT id, event_id, next_at FROM deliveries
    WHERE destination = $1 AND ${which}
      AND NOT EXISTS (SELECT 1 FROM paused WHERE destination = $1 AND (expires_at IS NULL OR expires_at > $2))
      AND NOT EXISTS (
        SELECT 1 FROM paused
        WHERE destination = 'route:' || deliveries.route AND (expires_at IS NULL OR expires_at > $2))
    ORDER BY next_at, id LIMIT $3
    FOR UPDATE SKIP LOCKED`;

const CLAIM = `
  WITH due AS (${claimable("state = 'pending' AND next_at <= $2")}
  ), expired AS (${claimable("state = 'sending' AND lease_until < $2")}
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

// Completions ($1: a JSON array of rows, see completionRow; $2: their delivery ids), one or many, in one statement
// and one commit: each completion alone cost its own WAL flush, and a busy destination finishes many at once.
// Answers the ids whose lease was still held. An attempt is kept even when the lease was lost, unless the delivery
// is gone (pruned); a completion retried after its COMMIT's answer was lost (connection cut) finds its attempt
// already recorded. A batch never names one delivery twice (completeBatch splits it). Every table is reached through $2 = ANY(...) on an index: joined to the JSON rows
// alone (estimated at 100), the planner scanned all of deliveries and attempts, milliseconds per batch and
// growing with the table.
const COMPLETE_BATCH = `
  WITH c AS (
    SELECT * FROM json_to_recordset($1::json) AS c (
      attempt_id text, delivery_id text, number int, started_at bigint, duration_ms int, outcome text,
      reason text, status_code int, owner text, state text, next_at bigint, last_error text, now bigint)
  ),
  attempt AS (
    INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, outcome, reason, status_code)
    SELECT c.attempt_id, c.delivery_id, c.number + d.attempt_offset, c.started_at, c.duration_ms, c.outcome,
           c.reason, c.status_code
    FROM c JOIN deliveries AS d ON d.id = c.delivery_id
    WHERE d.id = ANY ($2::text[])
      AND NOT EXISTS (
        SELECT 1 FROM attempts AS a
        WHERE a.delivery_id = ANY ($2::text[]) AND a.delivery_id = c.delivery_id
          AND a.number = c.number + d.attempt_offset AND a.started_at = c.started_at)
  )
  UPDATE deliveries AS d
  SET state = c.state, next_at = c.next_at, last_error = c.last_error,
      attempts = CASE WHEN c.outcome = 'throttled' THEN d.attempts ELSE c.number END,
      first_attempt_at = COALESCE(d.first_attempt_at, c.started_at),
      lease_owner = NULL, lease_until = NULL, updated_at = c.now
  FROM c
  WHERE d.id = ANY ($2::text[]) AND d.id = c.delivery_id AND d.lease_owner = c.owner AND d.state = 'sending'
  RETURNING d.id`;

// A fallback delivery of the same event, unless that destination already has one for it.
const INSERT_FALLBACK = `
  INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
  SELECT $1, d.event_id, $2::text, 'fallback from ' || d.destination, 'pending', 0, $4, $4, $4
  FROM deliveries d
  WHERE d.id = $3
    AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.event_id = d.event_id AND x.destination = $2::text)`;

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
export async function claim(
  { pool }: PgDb,
  { destination, limit, owner, leaseMs, now }: Parameters<QueueOps['claim']>[0],
): Promise<ClaimedDelivery[]> {
  if (limit < 1) return [];
  const t = now.getTime();
  const { rows } = await pool.query<ClaimedRow>({
    name: 'switchboard-claim',
    text: CLAIM,
    values: [destination, t, Math.floor(limit), owner, t + leaseMs],
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
export async function renewLeases(
  { pool }: PgDb,
  { ids, owner, leaseMs, now }: Parameters<QueueOps['renewLeases']>[0],
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
export async function defer(
  { pool }: PgDb,
  { ids, owner, until, now }: Parameters<QueueOps['defer']>[0],
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
export async function complete({ pool }: PgDb, args: CompleteArgs): Promise<boolean> {
  const { deliveryId, now, fallback = [] } = args;
  if (needsTransaction(args)) {
    // The verdict and the fallback deliveries commit together, so a crash cannot keep one without the other.
    return inTransaction(pool, async (client) => {
      const held = await completeWith(client, args);
      if (held) {
        for (const destination of fallback) {
          await client.query(INSERT_FALLBACK, [newId(now.getTime()), destination, deliveryId, now.getTime()]);
        }
      }
      return held;
    });
  }
  return completeWith(pool, args);
}

/** One completion through COMPLETE_BATCH, on the pool or inside the caller's transaction. */
async function completeWith(db: pg.Pool | pg.PoolClient, args: CompleteArgs): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>({
    name: 'switchboard-complete-batch',
    text: COMPLETE_BATCH,
    values: [`[${completionRow(args)}]`, [args.deliveryId]],
  });
  return rows.length === 1;
}

/**
 * complete() for many deliveries at once: one statement and one commit for all of them (COMPLETE_BATCH), so a
 * destination finishing 16 sends costs one WAL flush, not 16. Answers, in order, whether each lease was still
 * held, or the Error for that completion. A completion that adds fallback deliveries keeps its own transaction
 * (complete). One delivery named twice is completed in a second statement after the first. When the batch
 * statement is refused for its data (SQLSTATE classes 22 and 23), each completion is tried alone, so one bad
 * row fails only its own caller; any other failure (a lost connection) fails them all, and they are retried.
 */
export async function completeBatch(
  db: PgDb,
  { batch }: { batch: CompleteArgs[] },
): Promise<Array<boolean | Error>> {
  const results: Array<boolean | Error> = new Array(batch.length);
  const plain: number[] = [];
  const own: number[] = [];
  for (const [i, args] of batch.entries()) (needsTransaction(args) ? own : plain).push(i);
  await Promise.all([
    ...own.map(async (i) => {
      results[i] = await complete(db, batch[i]).catch(asError);
    }),
    (async () => {
      for (const round of uniqueRounds(plain, (i) => batch[i].deliveryId)) {
        const held = await completeRound(
          db,
          round.map((i) => batch[i]),
        );
        round.forEach((i, k) => {
          results[i] = held[k];
        });
      }
    })(),
  ]);
  return results;
}

/** Whether a completion must commit with the fallback deliveries it adds (a final verdict with fallbacks). */
function needsTransaction({ next, fallback = [] }: CompleteArgs): boolean {
  return (next.state === 'failed' || next.state === 'dead') && fallback.length > 0;
}

/** `indexes` split into rounds in which no key repeats; a repeated key goes to a later round. */
function uniqueRounds(indexes: number[], key: (i: number) => string): number[][] {
  const rounds: Array<{ keys: Set<string>; indexes: number[] }> = [];
  for (const i of indexes) {
    const k = key(i);
    let round = rounds.find((r) => !r.keys.has(k));
    if (!round) {
      round = { keys: new Set(), indexes: [] };
      rounds.push(round);
    }
    round.keys.add(k);
    round.indexes.push(i);
  }
  return rounds.map((r) => r.indexes);
}

/** One COMPLETE_BATCH statement for the round (see completeBatch for the fallback to one by one). */
async function completeRound(db: PgDb, round: CompleteArgs[]): Promise<Array<boolean | Error>> {
  try {
    const { rows } = await db.pool.query<{ id: string }>({
      name: 'switchboard-complete-batch',
      text: COMPLETE_BATCH,
      values: [`[${round.map(completionRow).join(',')}]`, round.map((args) => args.deliveryId)],
    });
    const held = new Set(rows.map((r) => r.id));
    return round.map((args) => held.has(args.deliveryId));
  } catch (err) {
    if (!isDataError(err)) return round.map(() => asError(err));
    return Promise.all(round.map((args) => complete(db, args).catch(asError)));
  }
}

/** One completion as a row of COMPLETE_BATCH's JSON (text through pgText: PostgreSQL text holds no NUL). */
function completionRow({ deliveryId, owner, attempt, next, now }: CompleteArgs): string {
  return JSON.stringify({
    attempt_id: newId(now.getTime()),
    delivery_id: deliveryId,
    number: attempt.number,
    started_at: attempt.startedAt.getTime(),
    duration_ms: Math.round(attempt.durationMs),
    outcome: attempt.outcome,
    reason: pgText(attempt.reason ?? null),
    status_code: attempt.statusCode ?? null,
    owner: pgText(owner),
    state: next.state,
    next_at: next.state === 'pending' ? next.nextAt.getTime() : null,
    last_error: pgText(lastError(attempt.outcome, attempt.reason)),
    now: now.getTime(),
  });
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the rows, not the server. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
