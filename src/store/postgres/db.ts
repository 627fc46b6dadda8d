import type pg from 'pg';
import { MAX_REJECTED } from '../filters.ts';
import type { Param, Sql, Statement, WriteLock, WriteOptions } from '../sql.ts';
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

/**
 * Replaces what PostgreSQL text cannot hold with U+FFFD, as invalid bytes are: NUL, and a surrogate not in a
 * pair (sent as a parameter, UTF-8 encoding makes it U+FFFD anyway; inside JSON, as `\ud800`, the server
 * refuses it).
 */
export function pgText(value: string): string;
export function pgText(value: string | null): string | null;
export function pgText(value: string | null): string | null {
  return value === null ? null : value.replace(UNSTORABLE, '\uFFFD');
}

/** NUL, and a lone surrogate (with the u flag, a pair is one code point and does not match). */
const UNSTORABLE = /[\0\p{Cs}]/gu;

/**
 * Prune and replay exclude each other (any instance): a replay turns a final delivery back to pending, and a
 * prune that judged the event finished a moment earlier would delete it, replayed delivery and all. Replays
 * share the lock; each prune batch takes it alone, and its DELETE then sees every committed replay.
 */
export const PRUNE_REPLAY_LOCK: Record<WriteLock, string> = {
  prune: "SELECT pg_advisory_xact_lock(hashtext('switchboard:prune-replay'))",
  replay: "SELECT pg_advisory_xact_lock_shared(hashtext('switchboard:prune-replay'))",
};

/** A transaction's own lock and statement timeouts ($1 and $2, in ms), in place of the connection's. */
const BOUNDED_WAIT = "SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)";
/**
 * How much later than a bounded lock wait the statement waiting ends: at equal timeouts, the statement timeout
 * fired first, and the probe said `timeout` for what was a lock.
 */
const STATEMENT_MARGIN_MS = 250;

const numbered = new Map<string, string>();

/** The shared SQL's `?` placeholders as PostgreSQL's `$1`, `$2`, … (the shared SQL has no other `?`). */
function dollarPlaceholders(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, text);
  }
  return text;
}

/** Text parameters without NUL (see pgText); other values as they are. */
function pgValues(params: Param[]): Param[] {
  return params.map((v) => (typeof v === 'string' ? pgText(v) : v));
}

/** A pg Pool running the shared SQL (the Sql interface); the dialect's own files use `pool` directly. */
export class PgDb implements Sql {
  readonly dialect = 'postgres';

  constructor(
    readonly pool: pg.Pool,
    readonly schema: string | undefined,
    readonly maxRejected: number = MAX_REJECTED,
  ) {}

  async all<T>(sql: string, params: Param[] = []): Promise<T[]> {
    const result = await this.pool.query(dollarPlaceholders(sql), pgValues(params));
    return result.rows as T[];
  }

  // One statement without a lock or a wait of its own needs no transaction; PostgreSQL commits are always durable.
  async write(statements: Statement[], options: WriteOptions = {}): Promise<number[]> {
    const run = (db: pg.Pool | pg.PoolClient, { sql, params = [] }: Statement) =>
      db.query(dollarPlaceholders(sql), pgValues(params)).then((r) => r.rowCount ?? 0);
    if (statements.length === 1 && options.lock === undefined && options.waitMs === undefined)
      return [await run(this.pool, statements[0])];
    return inTransaction(this.pool, async (client) => {
      // For this transaction only (is_local): the pooled connection keeps the configured timeouts.
      if (options.waitMs !== undefined) {
        const ms = Math.max(1, Math.round(options.waitMs));
        await client.query(BOUNDED_WAIT, [String(ms), String(ms + STATEMENT_MARGIN_MS)]);
      }
      if (options.lock !== undefined) await client.query(PRUNE_REPLAY_LOCK[options.lock]);
      const counts: number[] = [];
      for (const statement of statements) counts.push(await run(client, statement));
      return counts;
    });
  }
}
