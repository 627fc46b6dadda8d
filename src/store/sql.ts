/**
 * What the SQL written once for both backends needs from a connection. Statements use `?` placeholders in
 * order; the PostgreSQL side numbers them (`$1`, `$2`, …) and the SQLite side stores booleans as 0/1. Rows come
 * back as the driver gives them: see rows.ts for the few ways the two differ (BIGINT as text, parsed JSON).
 */

/** A value bound to a `?` placeholder. */
export type Param = string | number | boolean | null;

/** One statement and its parameters. */
export interface Statement {
  sql: string;
  params?: Param[];
}

/**
 * How durable a write must be before it returns (SQLite; PostgreSQL commits are always durable):
 * - `full`: fsync of the WAL on commit. Ingest, replays, operator actions: a 200 or a "replayed" must survive
 *   power loss.
 * - `queue`: no fsync of its own. Survives a process crash like a full commit; only an OS crash or power loss
 *   can roll back the last ones, which puts a claimed or delivered delivery back to an earlier state: it is sent
 *   again (at-least-once), never lost. The next full commit syncs these too.
 */
export type Durability = 'full' | 'queue';

/**
 * Prune and replay exclude each other (any instance): a replay turns a final delivery back to pending, and a
 * prune that judged the event finished a moment earlier would delete it, replayed delivery and all. Replays
 * share the lock; each prune batch takes it alone. SQLite needs none: its writes are serialized already.
 */
export type WriteLock = 'prune' | 'replay';

/** A connection (or pool) that runs shared SQL. */
export interface Sql {
  /** For the rare query the dialects cannot share (say why where it is used). */
  readonly dialect: 'sqlite' | 'postgres';
  /** Rejected payloads kept; older ones are trimmed as new ones arrive. */
  readonly maxRejected: number;
  /** The rows one query answers. */
  all<T>(sql: string, params?: Param[]): Promise<T[]>;
  /** Runs write statements in one transaction, in order; answers each one's count of changed rows. */
  write(statements: Statement[], options?: WriteOptions): Promise<number[]>;
}

/** How one write transaction runs. */
export interface WriteOptions {
  durability?: Durability;
  lock?: WriteLock;
  /**
   * Longest wait for another session's lock, ms, instead of the store's own (SQLite's 5 s busy wait,
   * `store.statementTimeout`); on PostgreSQL each statement also ends a moment after it. For a probe that must
   * give up before its caller does.
   */
  waitMs?: number;
}

/** A Bind that collects values for `?` placeholders (see filters.ts). */
export function questionBind(params: Param[]): (value: string | number | boolean) => string {
  return (value) => {
    params.push(value);
    return '?';
  };
}

/** `?, ?, ?` for `count` values. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** Splits a list into runs of at most `size` (statements bind a bounded number of values). */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
