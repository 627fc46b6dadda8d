import type pg from 'pg';
import { deliveryConditions, REPLAYABLE_STATES, where } from '../filters.ts';
import type { DeliveryFilter, ReplayOptions } from '../types.ts';
import { inTransaction, PRUNE_REPLAY_LOCK, pgBind } from './db.ts';

const REPLAY_SET = `SET state = 'pending', attempt_offset = attempt_offset + attempts, attempts = 0, first_attempt_at = NULL, next_at = $1, updated_at = $1`;
const replayable = (o: ReplayOptions = {}) =>
  `state IN (${[...REPLAYABLE_STATES, ...(o.includeDelivered ? ['delivered'] : [])].map((s) => `'${s}'`).join(', ')})`;

/**
 * Puts failed/dead (optionally delivered) deliveries back to pending now: a fresh retry budget, attempt numbers
 * continuing, by ids or by filter; answers how many.
 */
export async function replayPostgres(
  pool: pg.Pool,
  target: { ids: string[] } | { filter: DeliveryFilter },
  now: Date,
  options?: ReplayOptions,
): Promise<number> {
  if ('ids' in target && target.ids.length === 0) return 0;
  let sql: string;
  let params: unknown[];
  if ('ids' in target) {
    sql = `UPDATE deliveries ${REPLAY_SET} WHERE id = ANY ($2::text[]) AND ${replayable(options)}`;
    params = [now.getTime(), target.ids];
  } else {
    params = [now.getTime()];
    const conditions = [...deliveryConditions(target.filter, pgBind(params)), replayable(options)];
    sql = `UPDATE deliveries ${REPLAY_SET}${where(conditions)}`;
  }
  return inTransaction(pool, async (client) => {
    await client.query(PRUNE_REPLAY_LOCK.replay);
    return (await client.query(sql, params)).rowCount ?? 0;
  });
}
