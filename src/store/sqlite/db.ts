import type Database from 'better-sqlite3';
import type { Bind } from '../filters.ts';

/**
 * How durable a commit must be before it returns:
 * - `full`: fsync of the WAL on commit (synchronous=FULL). Ingest, replays, operator actions: a 200 or a
 *   "replayed" must survive power loss.
 * - `queue`: no fsync of its own (synchronous=NORMAL in WAL mode). Survives a process crash (SIGKILL) like a
 *   full commit; only an OS crash or power loss can roll back the last ones, which puts a claimed or delivered
 *   delivery back to an earlier state: it is sent again (at-least-once), never lost. The next full commit
 *   syncs these too. Used for claims, leases and attempt outcomes, which otherwise cost an fsync per delivery.
 */
export type Durability = 'full' | 'queue';

/** A better-sqlite3 connection with a cache of prepared statements, reused across calls. */
export class SqliteDb {
  private readonly statements = new Map<string, Database.Statement>();
  private synchronous: Durability = 'full';

  constructor(readonly raw: Database.Database) {}

  /** The prepared statement for `sql`, prepared on first use. */
  stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.raw.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken up front (waiting busy_timeout). */
  write<T>(fn: () => T, durability: Durability = 'full'): T {
    if (durability !== this.synchronous) {
      // Outside any transaction, as SQLite requires; the setting applies to the commits that follow.
      this.raw.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
      this.synchronous = durability;
    }
    return this.raw.transaction(fn).immediate();
  }
}

/** A Bind for SQLite: positional `?`, booleans stored as 0/1. */
export function sqliteBind(params: unknown[]): Bind {
  return (value) => {
    params.push(typeof value === 'boolean' ? Number(value) : value);
    return '?';
  };
}
