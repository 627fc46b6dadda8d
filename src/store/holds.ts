import { iso, type Millis } from './rows.ts';
import type { Sql } from './sql.ts';
import type { HoldOps, Pause } from './types.ts';

/** Operator holds (`switchboard pause`) with who, why and until when, in SQL both dialects speak. */

/** A `paused` row as both backends select it. */
interface PauseRecord {
  destination: string;
  paused_by: string | null;
  comment: string | null;
  since: Millis | null;
  expires_at: Millis | null;
}

const EXPIRED = 'SELECT 1 FROM paused WHERE expires_at IS NOT NULL AND expires_at <= ?';
const EXPIRE_PAUSES = 'DELETE FROM paused WHERE expires_at IS NOT NULL AND expires_at <= ?';
const LIST_PAUSES =
  'SELECT destination, paused_by, comment, since, expires_at FROM paused ORDER BY destination';
const UPSERT_PAUSE = `
  INSERT INTO paused (destination, paused_by, comment, since, expires_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (destination) DO UPDATE
  SET paused_by = excluded.paused_by, comment = excluded.comment, since = excluded.since,
      expires_at = excluded.expires_at`;

/** Maps a stored pause to its API shape; pauses recorded before details were kept say `by: "unknown"`. */
function toPause(r: PauseRecord): Pause {
  const pause: Pause = {
    name: r.destination,
    by: r.paused_by ?? 'unknown',
    since: r.since === null ? new Date(0).toISOString() : iso(r.since),
  };
  if (r.comment !== null) pause.comment = r.comment;
  if (r.expires_at !== null) pause.expiresAt = iso(r.expires_at);
  return pause;
}

/** Every pause in force; with `now`, expired ones are deleted first. */
async function pausesNow(sql: Sql, now: Date | undefined): Promise<Pause[]> {
  // A read-only query when nothing expired: no write lock taken on every poll.
  if (now !== undefined && (await sql.all(EXPIRED, [now.getTime()])).length > 0) {
    await sql.write([{ sql: EXPIRE_PAUSES, params: [now.getTime()] }]);
  }
  return (await sql.all<PauseRecord>(LIST_PAUSES)).map(toPause);
}

/** Destinations (and `route:<name>` holds) an operator has paused, sorted. */
export async function pausedDestinations(sql: Sql, args: Parameters<HoldOps['pausedDestinations']>[0] = {}) {
  return (await pausesNow(sql, args.now)).map((p) => p.name);
}

/** Every pause in force, by name; pauses past their expiry are deleted first. */
export async function listPauses(sql: Sql, { now }: Parameters<HoldOps['listPauses']>[0]) {
  return pausesNow(sql, now);
}

/** Pauses (with who, why, until when) or resumes a destination; both are idempotent. */
export async function setPaused(
  sql: Sql,
  { destination, paused, how, now = new Date() }: Parameters<HoldOps['setPaused']>[0],
) {
  await sql.write([
    paused
      ? {
          sql: UPSERT_PAUSE,
          params: [
            destination,
            how?.by ?? 'unknown',
            how?.comment ?? null,
            now.getTime(),
            how?.expiresAt?.getTime() ?? null,
          ],
        }
      : { sql: 'DELETE FROM paused WHERE destination = ?', params: [destination] },
  ]);
}
