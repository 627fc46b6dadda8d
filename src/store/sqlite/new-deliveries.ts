import type { SqliteDb } from './db.ts';

/** What ingest inserts for each new delivery (see migration 007): the delivery row's own columns. */
export const INSERT_NEW_DELIVERY =
  'INSERT INTO deliveries_new (id, event_id, destination, route, created_at) VALUES (?, ?, ?, ?, ?)';

const ANY_NEW = 'SELECT EXISTS (SELECT 1 FROM deliveries_new) AS waiting';

// Pending and due from the moment they were ingested, as ingest used to write them. A row whose event is gone
// (deleted by hand, or pruned by an older version that did not know this table) is dropped, as the event's
// deletion would have removed its delivery: moving it would break the foreign key and stop every later move.
const MOVE = `
  INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
  SELECT id, event_id, destination, route, 'pending', 0, created_at, created_at, created_at
  FROM deliveries_new n WHERE EXISTS (SELECT 1 FROM events e WHERE e.id = n.event_id) ORDER BY rowid`;

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
export function moveNewDeliveries(db: SqliteDb, { wait = true }: { wait?: boolean } = {}): number {
  if (db.raw.inTransaction) return 0; // inside an operation's own transaction: its caller moved them first
  if (!anyNew(db)) return 0;
  const move = () => db.transaction(() => moveRows(db), 'queue');
  // Not waiting for another connection's write lock: SQLITE_BUSY at once instead of after busy_timeout.
  return wait ? move() : db.withoutLockWait(move);
}

function anyNew(db: SqliteDb): boolean {
  return (db.stmt(ANY_NEW).get() as { waiting: number }).waiting === 1;
}

/**
 * The move, in the caller's write transaction (which must be open): a claim moves inside its own, so the pages
 * both write (the deliveries table and its state indexes) are committed once, not twice. Measured with the
 * store alone, batches of 8: 17.0 WAL pages for move and claim together instead of 15.6 + 5.6.
 */
export function moveWithin(db: SqliteDb): number {
  return anyNew(db) ? moveRows(db) : 0;
}

/** The move's two statements (nothing to move moves nothing). */
function moveRows(db: SqliteDb): number {
  const moved = db.stmt(MOVE).run().changes;
  db.stmt('DELETE FROM deliveries_new').run();
  return moved;
}

/** SQLite's result codes for a store that cannot write right now: a full disk, a lock, a read-only file, I/O. */
const CANNOT_WRITE = /^SQLITE_(FULL|BUSY|LOCKED|READONLY|IOERR)/;

/** Operations that must not run before the move has happened: prune deletes events with no active delivery. */
const NEED_MOVE = new Set(['prune']);

/**
 * The move operation `name` runs first. Most go ahead without it when the store cannot write right now
 * (another process holds the write lock, a full disk): reads keep answering at once, without waiting out the
 * busy timeout, and the rows left behind are deliveries a moment old, pending, that the next move takes. Prune
 * waits for the lock and fails when the move fails, as it would count an event whose delivery is still in
 * `deliveries_new` as finished. Any other error (a bug) is thrown: a move that never happens would leave
 * deliveries unsent without a word.
 */
export function moveBeforeOperation(db: SqliteDb, name: string): void {
  if (NEED_MOVE.has(name)) {
    moveNewDeliveries(db);
    return;
  }
  try {
    moveNewDeliveries(db, { wait: false });
  } catch (err) {
    if (!cannotWriteNow(err)) throw err;
  }
}

/** Whether `err` says the store cannot write right now (so a move can wait for a later turn). */
export function cannotWriteNow(err: unknown): boolean {
  return CANNOT_WRITE.test(String((err as { code?: unknown }).code));
}
