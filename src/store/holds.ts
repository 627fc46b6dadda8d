import type { Sql } from './sql.ts';
import type { HoldOps } from './types.ts';

/** Operator holds (`switchboard pause`), in SQL both dialects speak. */

/** Destinations (and `route:<name>` holds) an operator has paused, sorted. */
export async function pausedDestinations(sql: Sql) {
  const rows = await sql.all<{ destination: string }>('SELECT destination FROM paused ORDER BY destination');
  return rows.map((r) => r.destination);
}

/** Pauses or resumes a destination; both are idempotent. */
export async function setPaused(sql: Sql, { destination, paused }: Parameters<HoldOps['setPaused']>[0]) {
  await sql.write([
    paused
      ? { sql: 'INSERT INTO paused (destination) VALUES (?) ON CONFLICT DO NOTHING', params: [destination] }
      : { sql: 'DELETE FROM paused WHERE destination = ?', params: [destination] },
  ]);
}
