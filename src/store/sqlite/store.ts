import { type Bound, bindOperations } from '../bind.ts';
import * as shared from '../operations.ts';
import type { Store } from '../types.ts';
import type { SqliteDb } from './db.ts';
import { ingest, ingestPrepared } from './ingest.ts';
import { migrate } from './migrate.ts';
import { moveBeforeOperation, moveNewDeliveries } from './new-deliveries.ts';
import * as queue from './queue.ts';

/** Options of the SQLite store beyond its file. */
export interface SqliteStoreOptions {
  /** Rejected payloads kept (default 10,000). */
  maxRejected?: number;
  /** What the write-ahead log is cut back to after a checkpoint, in bytes (default 64 MiB; see open.ts). */
  walSizeLimitBytes?: number;
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

/**
 * Operations that run without first moving ingest's new deliveries into `deliveries` (new-deliveries.ts): ingest
 * and migrate need none, and claims move them inside their own transaction (queue.ts).
 */
const WITHOUT_MOVE = new Set<string>(['ingest', 'ingestPrepared', 'migrate', 'claim', 'claimRaw']);

/**
 * The SQLite store over one connection. Every operation but ingest and migrate first moves the deliveries
 * ingest left in `deliveries_new` into `deliveries`, so none of them needs to know that table.
 */
export function sqliteStore(db: SqliteDb): SQLiteStore {
  const operations: Record<string, unknown> = {
    ...bindOperations(db, shared),
    ...bindOperations(db, SQLITE_OPERATIONS),
  };
  for (const [name, op] of Object.entries(operations)) {
    if (WITHOUT_MOVE.has(name)) continue;
    const run = op as (...args: unknown[]) => Promise<unknown>;
    operations[name] = async (...args: unknown[]) => {
      moveBeforeOperation(db, name);
      return run(...args);
    };
  }
  return {
    ...(operations as Bound<typeof shared> & Bound<typeof SQLITE_OPERATIONS>),
    db,
    close: async () => {
      if (!db.raw.open) return;
      try {
        moveNewDeliveries(db); // not needed (the next opener moves them), but leaves the file as readers expect
      } catch {
        // a full disk or a store not yet migrated: the rows stay in deliveries_new, as durable
      }
      db.raw.close();
    },
  };
}
