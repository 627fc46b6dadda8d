import { loadMigrations } from '../migrations.ts';
import type { SqliteDb } from './db.ts';
import { StoreOpenError } from './open-error.ts';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

/**
 * Applies the numbered migrations not yet recorded in schema_migrations. Each runs in its own IMMEDIATE
 * transaction and re-checks inside it, so a second process migrating the same file at once is harmless.
 *
 * @throws StoreOpenError when the file records a migration newer than this build's newest, before any change:
 *   its newer schema would be read and written by code that does not know it.
 */
export async function migrate(db: SqliteDb): Promise<void> {
  db.raw.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const migrations = loadMigrations(MIGRATIONS);
  refuseNewer(db, migrations.length);
  for (const migration of migrations) {
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

/** Throws when the file's schema is newer than `known`, the newest migration this build has. */
function refuseNewer(db: SqliteDb, known: number): void {
  const { newest } = db.stmt('SELECT MAX(version) AS newest FROM schema_migrations').get() as {
    newest: number | null;
  };
  if (newest !== null && newest > known)
    throw new StoreOpenError(
      `store.path ${db.raw.name} was written by a newer Switchboard (schema ${newest}, this build knows ${known}): upgrade, or point store.path at another file`,
    );
}
