import { loadMigrations } from '../migrations.ts';
import type { SqliteDb } from './db.ts';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

/**
 * Applies the numbered migrations not yet recorded in schema_migrations. Each runs in its own IMMEDIATE
 * transaction and re-checks inside it, so a second process migrating the same file at once is harmless.
 */
export async function migrate(db: SqliteDb): Promise<void> {
  db.raw.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  for (const migration of loadMigrations(MIGRATIONS)) {
    db.transaction(() => {
      const applied = db.stmt('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version);
      if (applied !== undefined) return;
      db.raw.exec(migration.sql);
      db.stmt('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
    });
  }
}
