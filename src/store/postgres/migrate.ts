import { loadMigrations } from '../migrations.ts';
import { inTransaction, type PgDb } from './db.ts';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

/**
 * Creates the schema (when one is named) and applies the numbered migrations not yet recorded, all in one
 * transaction under an advisory lock keyed by the schema, so instances starting together take turns.
 */
export async function migrate({ pool, schema }: PgDb): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `switchboard.migrate.${schema ?? ''}`,
    ]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(applied.rows.map((r) => r.version));
    for (const migration of loadMigrations(MIGRATIONS)) {
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
