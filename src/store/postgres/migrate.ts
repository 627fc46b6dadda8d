import type pg from 'pg';
import { loadMigrations } from '../migrations.ts';
import { inTransaction, type PgDb } from './db.ts';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

/**
 * How long one migration statement, or the wait for another instance's migration, may take (ms). Not
 * `store.statementTimeout` (10 s by default), which is for the queue's statements: a CREATE INDEX over a large
 * table, or the turn of an instance starting beside one that runs it, takes longer, and the start failed with
 * "canceling statement due to statement timeout" (found by an attack).
 */
const MIGRATION_TIMEOUT_MS = 3_600_000;

/**
 * Creates the schema (when one is named) and applies the numbered migrations not yet recorded, all in one
 * transaction under an advisory lock keyed by the schema, so instances starting together take turns.
 *
 * @throws Error when the schema records a migration newer than this build's newest, before any change: an
 *   instance left on an older release beside upgraded ones would read and write a layout it does not know.
 */
export async function migrate({ pool, schema }: PgDb): Promise<void> {
  await inTransaction(pool, async (pooled) => {
    // The server's limit for this transaction, and pg's client-side read timeout, for each statement below.
    await pooled.query(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
    const client = {
      // pg reads `query_timeout` from a query's config too; its types do not list it.
      query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> =>
        pooled.query<R>({ text, values, query_timeout: MIGRATION_TIMEOUT_MS + 2_000 } as pg.QueryConfig),
    };
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `switchboard.migrate.${schema ?? ''}`,
    ]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(applied.rows.map((r) => r.version));
    const migrations = loadMigrations(MIGRATIONS);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known)
      throw new Error(
        `the PostgreSQL schema ${schema ?? "(the search_path's)"} was migrated by a newer Switchboard (schema ${newest}, this build knows ${known}): upgrade this instance, or point store.schema at another schema`,
      );
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    }
  });
}
