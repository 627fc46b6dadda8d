import type pg from 'pg';
import { loadMigrations } from '../migrations.ts';
import { inTransaction, type PgDb } from './db.ts';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

/**
 * How long one migration statement may take (ms). Not `store.statementTimeout` (10 s by default), which is for
 * the queue's statements: a CREATE INDEX over a large table takes longer, and the start failed with "canceling
 * statement due to statement timeout" (found by an attack).
 */
const MIGRATION_TIMEOUT_MS = 3_600_000;

/** How long an instance waits before asking again for the turn another instance's migration holds (ms). */
const TURN_POLL_MS = 250;

/**
 * Creates the schema (when one is named) and applies the numbered migrations not yet recorded, all in one
 * transaction under an advisory lock keyed by the schema, so instances starting together take turns.
 *
 * The turn is asked for without waiting (pg_try_advisory_xact_lock), again every TURN_POLL_MS while another
 * instance has it, so every statement but the migrations' own is bounded by the store's timeouts. A blocking
 * wait for the lock needed an hour-long client timeout, and a connection that went silent meanwhile (a
 * partition, a NAT entry gone: the grant never arrives) held the start for that hour (found by an attack).
 *
 * @throws Error when the schema records a migration newer than this build's newest, before any change: an
 *   instance left on an older release beside upgraded ones would read and write a layout it does not know.
 */
export async function migrate({ pool, schema }: PgDb): Promise<void> {
  while (!(await migrateInTurn(pool, schema)))
    await new Promise((resolve) => setTimeout(resolve, TURN_POLL_MS));
}

/** One try: false when another instance holds the turn (nothing done), else migrates and answers true. */
function migrateInTurn(pool: pg.Pool, schema: string | undefined): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const turn = await client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok',
      [`switchboard.migrate.${schema ?? ''}`],
    );
    if (!turn.rows[0].ok) return false;
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
    const missing = migrations.filter((m) => !done.has(m.version));
    if (missing.length === 0) return true;
    // The server's limit for the rest of this transaction, and pg's client-side read timeout, for each migration.
    await client.query(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
    const long = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
      // pg reads `query_timeout` from a query's config too; its types do not list it.
      client.query<R>({ text, values, query_timeout: MIGRATION_TIMEOUT_MS + 2_000 } as pg.QueryConfig);
    for (const migration of missing) {
      await long(migration.sql);
      await long('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    }
    return true;
  });
}
