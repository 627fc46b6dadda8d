import type Database from 'better-sqlite3';
import { MAX_REJECTED } from '../filters.ts';
import type { Durability, Param, Sql, Statement, WriteOptions } from '../sql.ts';
import { lockHeldError } from './file-error.ts';

export type { Durability };

/** How long a statement waits for another connection's write lock (the CLI shares the file). */
export const BUSY_TIMEOUT_MS = 5000;
/** A call that has waited less than this keeps the whole busy wait, so the pragma is not set for every commit. */
const LOCK_WAIT_SLACK_MS = 250;

/**
 * Now, in ms, on the clock lock deadlines are measured with: the process's monotonic clock, the same on every
 * thread. Not Date.now(): a wait is a duration, and a wall clock stepped forward (NTP) between a call's asking
 * and its running cut its wait to nothing, a 503 for a lock released a moment later.
 */
export function lockClockMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

/**
 * A better-sqlite3 connection with a cache of prepared statements, reused across calls. It runs the shared SQL
 * (the Sql interface) and, for the dialect's own files, synchronous transactions.
 */
export class SqliteDb implements Sql {
  private readonly statements = new Map<string, Database.Statement>();
  private synchronous: Durability = 'full';
  /** The connection's busy_timeout (ms), as openSqliteStore sets it unless boundLockWait lowered it. */
  private busyTimeoutMs = BUSY_TIMEOUT_MS;
  /**
   * When (lockClockMs) the current call's waits for another process's write lock end, for every transaction it
   * starts; undefined: each waits the whole busy_timeout. The store thread sets it per call (thread.ts).
   */
  lockDeadline: number | undefined;
  readonly dialect = 'sqlite';

  constructor(
    readonly raw: Database.Database,
    readonly maxRejected: number = MAX_REJECTED,
  ) {}

  /** The prepared statement for `sql`, prepared on first use. */
  stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.raw.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken up front (waiting busy_timeout).
   * `queue` durability commits without an fsync of its own (synchronous=NORMAL in WAL mode): see Durability.
   */
  transaction<T>(fn: () => T, durability: Durability = 'full'): T {
    const raw = this.raw;
    // Nested: a savepoint, so a failure rolls back only the inner part.
    if (raw.inTransaction) return this.within(fn, 'SAVEPOINT inner', 'RELEASE inner', 'ROLLBACK TO inner');
    this.boundLockWait();
    if (durability !== this.synchronous) {
      // Outside any transaction, as SQLite requires; the setting applies to the commits that follow.
      this.stmt(`PRAGMA synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`).run();
      this.synchronous = durability;
    }
    return this.within(fn, 'BEGIN IMMEDIATE', 'COMMIT', 'ROLLBACK');
  }

  /**
   * Sets busy_timeout to what is left until `lockDeadline`. busy_timeout alone bounds each statement's wait, not a
   * caller's: on the store thread, calls queued behind one waiting for the lock each waited their own 5 s in turn,
   * so while a script held the lock for 20 s webhooks were answered only when it let go (found by fault injection)
   * instead of 503 within the busy wait (docs/store-faults.md). Past the deadline a BEGIN tries the lock once.
   */
  boundLockWait(): void {
    const left =
      this.lockDeadline === undefined
        ? BUSY_TIMEOUT_MS
        : Math.min(BUSY_TIMEOUT_MS, Math.max(0, this.lockDeadline - lockClockMs()));
    const wanted = left > BUSY_TIMEOUT_MS - LOCK_WAIT_SLACK_MS ? BUSY_TIMEOUT_MS : left;
    if (wanted === this.busyTimeoutMs) return;
    this.raw.pragma(`busy_timeout = ${wanted}`);
    this.busyTimeoutMs = wanted;
  }

  /** Runs `fn` without waiting for another connection's write lock: a BEGIN answers SQLITE_BUSY at once. */
  withoutLockWait<T>(fn: () => T): T {
    return this.withLockWait(Number.NEGATIVE_INFINITY, fn);
  }

  /**
   * better-sqlite3's `transaction()`, with statements from the cache: that one builds four wrapper functions on
   * every call, and the store starts hundreds of transactions a second. Same rules: `undo` when `fn` or the
   * ending statement throws, while the transaction is still open.
   */
  private within<T>(fn: () => T, begin: string, end: string, undo: string): T {
    try {
      this.stmt(begin).run();
    } catch (err) {
      throw lockHeldError(this.raw.name, err);
    }
    try {
      const result = fn();
      this.stmt(end).run();
      return result;
    } catch (err) {
      if (this.raw.inTransaction) {
        this.stmt(undo).run();
        if (undo !== 'ROLLBACK') this.stmt(end).run();
      }
      throw err;
    }
  }

  async all<T>(sql: string, params: Param[] = []): Promise<T[]> {
    return this.stmt(sql).all(...params.map(sqliteValue)) as T[];
  }

  // Writes are serialized by SQLite's one write lock, so a WriteLock needs nothing more here.
  async write(statements: Statement[], options: WriteOptions = {}): Promise<number[]> {
    const write = () =>
      this.transaction(
        () =>
          statements.map(({ sql, params = [] }) => this.stmt(sql).run(...params.map(sqliteValue)).changes),
        options.durability,
      );
    return options.waitMs === undefined ? write() : this.withLockWait(options.waitMs, write);
  }

  /** Runs `fn` waiting at most `ms` for another connection's write lock (less if the call's own deadline is nearer). */
  private withLockWait<T>(ms: number, fn: () => T): T {
    const deadline = this.lockDeadline;
    this.lockDeadline = Math.min(deadline ?? Number.POSITIVE_INFINITY, lockClockMs() + ms);
    try {
      return fn();
    } finally {
      this.lockDeadline = deadline;
      this.boundLockWait();
    }
  }
}

/** SQLite has no boolean: true/false are stored as 1/0. */
function sqliteValue(value: Param): Exclude<Param, boolean> {
  return typeof value === 'boolean' ? Number(value) : value;
}
