/**
 * SQL and row mapping for the operator's view of the queue, shared by both backends: pauses with who / why /
 * until when, and per-destination activity (queue depth, attempts in a window, the latest error). `p(n)` renders
 * the n-th placeholder (`?` for SQLite, `$n` for PostgreSQL).
 */
import { iso, type Millis } from './rows.ts';
import type { DestinationActivity, Pause, QueueStats } from './types.ts';

/** A `paused` row as both backends select it. */
export interface PauseRecord {
  destination: string;
  paused_by: string | null;
  comment: string | null;
  since: Millis | null;
  expires_at: Millis | null;
}

/** Pauses that lifted by themselves (expiry at or before $1). */
export const EXPIRE_PAUSES = (p: (n: number) => string) =>
  `DELETE FROM paused WHERE expires_at IS NOT NULL AND expires_at <= ${p(1)}`;

/** Every pause, by name. */
export const LIST_PAUSES =
  'SELECT destination, paused_by, comment, since, expires_at FROM paused ORDER BY destination';

/** Records a pause, replacing the details of one already there. */
export const UPSERT_PAUSE = (p: (n: number) => string) => `
  INSERT INTO paused (destination, paused_by, comment, since, expires_at)
  VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})
  ON CONFLICT (destination) DO UPDATE
  SET paused_by = excluded.paused_by, comment = excluded.comment, since = excluded.since,
      expires_at = excluded.expires_at`;

/** Delivered and failed attempts per destination since $1 (epoch ms); reads the attempts_started_at index. */
export const ATTEMPTS_SINCE = (p: (n: number) => string) => `
  SELECT d.destination,
         SUM(CASE WHEN a.outcome = 'delivered' THEN 1 ELSE 0 END) AS delivered,
         SUM(CASE WHEN a.outcome <> 'delivered' THEN 1 ELSE 0 END) AS failed
  FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
  WHERE a.started_at >= ${p(1)}
  GROUP BY d.destination`;

/** The latest failed attempt per destination (SQLite: the bare columns come from the MAX row). */
export const LAST_ERROR_SQLITE = `
  SELECT d.destination, MAX(a.started_at) AS at, a.reason
  FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
  WHERE a.outcome <> 'delivered' AND a.reason IS NOT NULL
  GROUP BY d.destination`;

/** The latest failed attempt per destination (PostgreSQL). */
export const LAST_ERROR_POSTGRES = `
  SELECT DISTINCT ON (d.destination) d.destination, a.started_at AS at, a.reason
  FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
  WHERE a.outcome <> 'delivered' AND a.reason IS NOT NULL
  ORDER BY d.destination, a.started_at DESC`;

/** Maps a stored pause to its API shape; pauses recorded before details were kept say `by: "unknown"`. */
export function toPause(r: PauseRecord): Pause {
  const pause: Pause = {
    name: r.destination,
    by: r.paused_by ?? 'unknown',
    since: r.since === null ? new Date(0).toISOString() : iso(r.since),
  };
  if (r.comment !== null) pause.comment = r.comment;
  if (r.expires_at !== null) pause.expiresAt = iso(r.expires_at);
  return pause;
}

/** Joins the three answers into one entry per destination that has anything on record, by name. */
export function toActivity(
  stats: QueueStats,
  attempts: Array<{ destination: string; delivered: number | string | null; failed: number | string | null }>,
  errors: Array<{ destination: string; at: Millis; reason: string }>,
): DestinationActivity[] {
  const byName = new Map<string, DestinationActivity>();
  const entry = (destination: string) => {
    let a = byName.get(destination);
    if (!a) {
      a = { destination, pending: 0, inFlight: 0, delivered: 0, failed: 0 };
      byName.set(destination, a);
    }
    return a;
  };
  for (const d of stats.depth) {
    if (d.state === 'pending') entry(d.destination).pending = Number(d.count);
    if (d.state === 'sending') entry(d.destination).inFlight = Number(d.count);
  }
  for (const o of stats.oldestPending) entry(o.destination).oldestPendingAt = o.createdAt.toISOString();
  for (const r of attempts) {
    entry(r.destination).delivered = Number(r.delivered ?? 0);
    entry(r.destination).failed = Number(r.failed ?? 0);
  }
  for (const e of errors) entry(e.destination).lastError = { at: iso(e.at), reason: e.reason };
  return [...byName.values()].sort((a, b) => a.destination.localeCompare(b.destination));
}
