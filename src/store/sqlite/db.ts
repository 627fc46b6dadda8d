import type Database from 'better-sqlite3';
import type { Bind } from '../filters.ts';

/** A better-sqlite3 connection with a cache of prepared statements, reused across calls. */
export class SqliteDb {
  private readonly statements = new Map<string, Database.Statement>();

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
  write<T>(fn: () => T): T {
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
