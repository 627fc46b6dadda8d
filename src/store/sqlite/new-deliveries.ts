import type { SqliteDb } from './db.ts';

/** What ingest inserts for each new delivery (see migration 007): the delivery row's own columns. */
export const INSERT_NEW_DELIVERY =
  'INSERT INTO deliveries_new (id, event_id, destination, route, created_at) VALUES (?, ?, ?, ?, ?)';

const ANY_NEW = 'SELECT EXISTS (SELECT 1 FROM deliveries_new) AS waiting';

// Pending and due from the moment they were ingested, as ingest used to write them.
const MOVE = `
  INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
  SELECT id, event_id, destination, route, 'pending', 0, created_at, created_at, created_at
  FROM deliveries_new ORDER BY rowid`;

/**
 * Moves every delivery ingest has written to `deliveries_new` (by any connection to the file) into
 * `deliveries`, in one transaction: after it returns, every query sees them where the queue, the admin API and
 * the prunes look. Called before each store operation other than ingest (sqliteStore), by the store thread a
 * moment after an ingest burst, and on close. Costs one read of an empty table when there is nothing to move.
 *
 * The move needs no fsync of its own (`queue` durability): until a later commit syncs it, a power loss can
 * only undo the move, and the rows are then still in `deliveries_new`, as durable as their events. Throws what
 * SQLite throws; see moveBeforeOperation for what the operations do with it.
 */
export function moveNewDeliveries(db: SqliteDb): number {
  if (db.raw.inTransaction) return 0; // inside an operation's own transaction: its caller moved them first
  const { waiting } = db.stmt(ANY_NEW).get() as { waiting: number };
  if (!waiting) return 0;
  return db.transaction(() => {
    const moved = db.stmt(MOVE).run().changes;
    db.stmt('DELETE FROM deliveries_new').run();
    return moved;
  }, 'queue');
}

/** SQLite's result codes for a store that cannot write right now: a full disk, a lock, a read-only file, I/O. */
const CANNOT_WRITE = /^SQLITE_(FULL|BUSY|LOCKED|READONLY|IOERR)/;

/**
 * The move an operation runs first. When the store cannot write right now (a full disk, say), the operation
 * goes ahead without it, so reads keep answering: the rows left behind are deliveries a moment old, pending,
 * and no operation depends on seeing them at once (prune only removes events older than the retention). Any
 * other error (a bug) is thrown: a move that never happens would leave deliveries unsent without a word.
 */
export function moveBeforeOperation(db: SqliteDb): void {
  try {
    moveNewDeliveries(db);
  } catch (err) {
    if (!CANNOT_WRITE.test(String((err as { code?: unknown }).code))) throw err;
  }
}
