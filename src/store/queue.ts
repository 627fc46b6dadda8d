import { deliveryConditions, REPLAYABLE_STATES, stateList, where } from './filters.ts';
import { chunked, type Param, placeholders, questionBind, type Sql, type Statement } from './sql.ts';
import type { QueueOps, ReplayOptions } from './types.ts';

/**
 * The queue operations whose SQL both dialects speak. Claims, leases and completions differ (SKIP LOCKED and
 * arrays in PostgreSQL, prepared per-row statements under one write lock in SQLite): sqlite/queue.ts and
 * postgres/queue.ts.
 */

// next_at stays as it was when claimed (due then, so due now): a released delivery keeps its place in line.
const RELEASE_ALL = `
  UPDATE deliveries SET state = 'pending', lease_owner = NULL, lease_until = NULL, updated_at = ?
  WHERE lease_owner = ? AND state = 'sending'`;

const NEXT_DUE = `SELECT MIN(next_at) AS next_at FROM deliveries WHERE destination = ? AND state = 'pending'`;

// Attempt numbers continue across replays: attempt_offset keeps those made before; the budget starts again.
const REPLAY_SET = `SET state = 'pending', attempt_offset = attempt_offset + attempts, attempts = 0,
  first_attempt_at = NULL, next_at = ?, updated_at = ?`;
const replayable = (o: ReplayOptions) =>
  `state IN (${stateList([...REPLAYABLE_STATES, ...(o.includeDelivered ? ['delivered'] : [])])})`;
/** Ids bound per replay statement: well under both drivers' limits on bound values. */
const IDS_PER_STATEMENT = 500;

/** Puts every delivery `owner` holds back to pending, due as before, attempts unchanged; answers how many. */
export async function releaseAll(sql: Sql, { owner, now }: Parameters<QueueOps['releaseAll']>[0]) {
  const [released] = await sql.write([{ sql: RELEASE_ALL, params: [now.getTime(), owner] }]);
  return released;
}

/** The earliest nextAt among a destination's pending deliveries (null: none pending). */
export async function nextDue(sql: Sql, { destination }: Parameters<QueueOps['nextDue']>[0]) {
  const [row] = await sql.all<{ next_at: number | string | null }>(NEXT_DUE, [destination]);
  return row === undefined || row.next_at === null ? null : new Date(Number(row.next_at));
}

/**
 * Puts failed/dead (optionally delivered) deliveries back to pending now: a fresh retry budget, attempt numbers
 * continuing, by ids or by filter; answers how many.
 */
export async function replay(sql: Sql, args: Parameters<QueueOps['replay']>[0]) {
  const t = args.now.getTime();
  let statements: Statement[];
  if ('ids' in args) {
    statements = chunked(args.ids, IDS_PER_STATEMENT).map((ids) => ({
      sql: `UPDATE deliveries ${REPLAY_SET} WHERE id IN (${placeholders(ids.length)}) AND ${replayable(args)}`,
      params: [t, t, ...ids],
    }));
  } else {
    const params: Param[] = [t, t];
    const conditions = [...deliveryConditions(args.filter, questionBind(params)), replayable(args)];
    statements = [{ sql: `UPDATE deliveries ${REPLAY_SET}${where(conditions)}`, params }];
  }
  if (statements.length === 0) return 0;
  const changed = await sql.write(statements, { lock: 'replay' });
  return changed.reduce((a, b) => a + b, 0);
}
