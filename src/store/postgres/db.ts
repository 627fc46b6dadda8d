import type pg from 'pg';
import type { Bind } from '../filters.ts';
import { isConnectionLoss } from './pool.ts';

/** Runs `fn` on one pooled client inside BEGIN/COMMIT, rolling back (and discarding the client) on error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A lost connection has no transaction left to roll back (the server ends it), and waiting for ROLLBACK's
    // answer on it would only delay the 503: discard the client at once.
    if (isConnectionLoss(error)) {
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    // A client whose ROLLBACK fails is in an unknown state: destroy it instead of returning it to the pool.
    const rollback = await client.query('ROLLBACK').then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
    client.release(rollback);
    throw error;
  }
}

/** A Bind for PostgreSQL: numbered `$n` placeholders. */
export function pgBind(params: unknown[]): Bind {
  return (value) => {
    params.push(value);
    return `$${params.length}`;
  };
}

/** Strips NUL, which PostgreSQL text cannot hold, replacing it as invalid bytes are (U+FFFD). */
export function pgText(value: string): string;
export function pgText(value: string | null): string | null;
export function pgText(value: string | null): string | null {
  return value === null ? null : value.replaceAll('\u0000', '\uFFFD');
}

/**
 * Prune and replay exclude each other (any instance): a replay turns a final delivery back to pending, and a
 * prune that judged the event finished a moment earlier would delete it, replayed delivery and all. Replays
 * share the lock; each prune batch takes it alone, and its DELETE then sees every committed replay.
 */
export const PRUNE_REPLAY_LOCK = {
  prune: "SELECT pg_advisory_xact_lock(hashtext('switchboard:prune-replay'))",
  replay: "SELECT pg_advisory_xact_lock_shared(hashtext('switchboard:prune-replay'))",
} as const;
