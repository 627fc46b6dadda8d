import type Database from 'better-sqlite3';
import { MAX_REJECTED } from '../filters.ts';
import type { Durability, Param, Sql, Statement } from '../sql.ts';

export type { Durability };

/**
 * A better-sqlite3 connection with a cache of prepared statements, reused across calls. It runs the shared SQL
 * (the Sql interface) and, for the dialect's own files, synchronous transactions.
 */
export class SqliteDb implements Sql {
  private readonly statements = new Map<string, Database.Statement>();
  private synchronous: Durability = 'full';
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
    if (durability !== this.synchronous) {
      // Outside any transaction, as SQLite requires; the setting applies to the commits that follow.
      this.raw.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
      this.synchronous = durability;
    }
    return this.raw.transaction(fn).immediate();
  }

  async all<T>(sql: string, params: Param[] = []): Promise<T[]> {
    return this.stmt(sql).all(...params.map(sqliteValue)) as T[];
  }

  // Writes are serialized by SQLite's one write lock, so a WriteLock needs nothing more here.
  async write(statements: Statement[], options: { durability?: Durability } = {}): Promise<number[]> {
    return this.transaction(
      () => statements.map(({ sql, params = [] }) => this.stmt(sql).run(...params.map(sqliteValue)).changes),
      options.durability,
    );
  }
}

/** SQLite has no boolean: true/false are stored as 1/0. */
function sqliteValue(value: Param): Exclude<Param, boolean> {
  return typeof value === 'boolean' ? Number(value) : value;
}
