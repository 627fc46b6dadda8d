import { deliveryConditions, REPLAYABLE_STATES, where } from '../filters.ts';
import type { DeliveryFilter } from '../types.ts';
import { type SqliteDb, sqliteBind } from './db.ts';

const REPLAY_SET = `SET state = 'pending', attempts = 0, first_attempt_at = NULL, next_at = ?, updated_at = ?`;
const ONLY_REPLAYABLE = `state IN (${REPLAYABLE_STATES.map((s) => `'${s}'`).join(', ')})`;

/** Puts failed/dead deliveries back to pending now with attempts reset, by ids or by filter; answers how many. */
export function replaySqlite(
  db: SqliteDb,
  target: { ids: string[] } | { filter: DeliveryFilter },
  now: Date,
): number {
  const t = now.getTime();
  if ('ids' in target) {
    const sql = `UPDATE deliveries ${REPLAY_SET} WHERE id = ? AND ${ONLY_REPLAYABLE}`;
    return db.write(() => target.ids.reduce((n, id) => n + db.stmt(sql).run(t, t, id).changes, 0));
  }
  const params: unknown[] = [t, t];
  const conditions = [...deliveryConditions(target.filter, sqliteBind(params)), ONLY_REPLAYABLE];
  return db.write(
    () => db.stmt(`UPDATE deliveries ${REPLAY_SET}${where(conditions)}`).run(...params).changes,
  );
}
