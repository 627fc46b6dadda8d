import { deliveryConditions, REPLAYABLE_STATES, where } from '../filters.ts';
import type { DeliveryFilter, ReplayOptions } from '../types.ts';
import { type SqliteDb, sqliteBind } from './db.ts';

const REPLAY_SET = `SET state = 'pending', attempt_offset = attempt_offset + attempts, attempts = 0, first_attempt_at = NULL, next_at = ?, updated_at = ?`;
const replayable = (o: ReplayOptions = {}) =>
  `state IN (${[...REPLAYABLE_STATES, ...(o.includeDelivered ? ['delivered'] : [])].map((s) => `'${s}'`).join(', ')})`;

/**
 * Puts failed/dead (optionally delivered) deliveries back to pending now: a fresh retry budget, attempt numbers
 * continuing, by ids or by filter; answers how many.
 */
export function replaySqlite(
  db: SqliteDb,
  target: { ids: string[] } | { filter: DeliveryFilter },
  now: Date,
  options?: ReplayOptions,
): number {
  const t = now.getTime();
  if ('ids' in target) {
    const sql = `UPDATE deliveries ${REPLAY_SET} WHERE id = ? AND ${replayable(options)}`;
    return db.write(() => target.ids.reduce((n, id) => n + db.stmt(sql).run(t, t, id).changes, 0));
  }
  const params: unknown[] = [t, t];
  const conditions = [...deliveryConditions(target.filter, sqliteBind(params)), replayable(options)];
  return db.write(
    () => db.stmt(`UPDATE deliveries ${REPLAY_SET}${where(conditions)}`).run(...params).changes,
  );
}
