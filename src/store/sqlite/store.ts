import { type Bound, bindOperations } from '../bind.ts';
import * as shared from '../operations.ts';
import type { Store } from '../types.ts';
import type { SqliteDb } from './db.ts';
import { ingest, ingestPrepared } from './ingest.ts';
import { migrate } from './migrate.ts';
import * as queue from './queue.ts';

/** Options of the SQLite store beyond its file. */
export interface SqliteStoreOptions {
  /** Rejected payloads kept (default 10,000). */
  maxRejected?: number;
}

/** SQLite's own operations: claims, leases, completions, ingest and migrations. */
export const SQLITE_OPERATIONS = { ...queue, ingest, ingestPrepared, migrate };

/** Every operation the SQLite store answers, by name (the threaded store sends these to its thread). */
export const SQLITE_OPERATION_NAMES = Object.keys({ ...shared, ...SQLITE_OPERATIONS }) as Array<
  keyof typeof shared | keyof typeof SQLITE_OPERATIONS
>;

/**
 * The embedded store: one SQLite file in WAL mode. The work is synchronous inside each operation
 * (better-sqlite3); the operations are async only to share the Store contract. Also answers the batched forms
 * the threaded store sends (ingestPrepared, completeBatch).
 */
export type SQLiteStore = Store & Bound<typeof SQLITE_OPERATIONS> & { readonly db: SqliteDb };

/** The SQLite store over one connection. */
export function sqliteStore(db: SqliteDb): SQLiteStore {
  return {
    ...bindOperations(db, shared),
    ...bindOperations(db, SQLITE_OPERATIONS),
    db,
    close: async () => {
      if (db.raw.open) db.raw.close();
    },
  };
}
