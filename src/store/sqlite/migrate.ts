import { loadMigrations } from '../migrations.ts';
import type { SqliteDb } from './db.ts';
import { StoreFileError } from './file-error.ts';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

/**
 * Applies the numbered migrations not yet recorded in schema_migrations. Each runs in its own IMMEDIATE
 * transaction and re-checks inside it, so a second process migrating the same file at once is harmless. A file
 * already current is only read: no write lock, so a CLI command or a second gateway opens it while a gateway
 * holds the lock for its commits.
 *
 * @throws StoreFileError when the file records a migration newer than this build's newest, before any change:
 *   its newer schema would be read and written by code that does not know it.
 */
export async function migrate(db: SqliteDb): Promise<void> {
  const migrations = loadMigrations(MIGRATIONS);
  const hasTable = db
    .stmt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (hasTable === undefined)
    db.raw.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
  refuseNewer(db, migrations.length);
  const recorded = new Set(db.stmt('SELECT version FROM schema_migrations').pluck().all() as number[]);
  for (const migration of migrations.filter((m) => !recorded.has(m.version))) {
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
    throw new StoreFileError(
      `store.path ${db.raw.name} was written by a newer Switchboard (schema ${newest}, this build knows ${known}): upgrade, or point store.path at another file`,
    );
}
