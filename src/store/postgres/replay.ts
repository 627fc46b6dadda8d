import type pg from 'pg';
import { deliveryConditions, REPLAYABLE_STATES, where } from '../filters.ts';
import type { DeliveryFilter } from '../types.ts';
import { pgBind } from './db.ts';

const REPLAY_SET = `SET state = 'pending', attempts = 0, next_at = $1, updated_at = $1`;
const ONLY_REPLAYABLE = `state IN (${REPLAYABLE_STATES.map((s) => `'${s}'`).join(', ')})`;

/** Puts failed/dead deliveries back to pending now with attempts reset, by ids or by filter; answers how many. */
export async function replayPostgres(
  pool: pg.Pool,
  target: { ids: string[] } | { filter: DeliveryFilter },
  now: Date,
): Promise<number> {
  if ('ids' in target) {
    if (target.ids.length === 0) return 0;
    const sql = `UPDATE deliveries ${REPLAY_SET} WHERE id = ANY ($2::text[]) AND ${ONLY_REPLAYABLE}`;
    const result = await pool.query(sql, [now.getTime(), target.ids]);
    return result.rowCount ?? 0;
  }
  const params: unknown[] = [now.getTime()];
  const conditions = [...deliveryConditions(target.filter, pgBind(params)), ONLY_REPLAYABLE];
  const result = await pool.query(`UPDATE deliveries ${REPLAY_SET}${where(conditions)}`, params);
  return result.rowCount ?? 0;
}
