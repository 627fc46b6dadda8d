import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { CompleteArgs } from '../types.ts';
import { BUSY_TIMEOUT_MS } from './db.ts';
import { FileIdentity } from './file-identity.ts';
import type { PreparedIngest } from './ingest.ts';
import { cannotWriteNow, moveNewDeliveries } from './new-deliveries.ts';
import { openSqliteStore } from './open.ts';
import type { SQLITE_OPERATION_NAMES, SQLiteStore, SqliteStoreOptions } from './store.ts';
import { type ErrorFields, errorFields } from './thread-error.ts';

/**
 * The worker-thread side of ThreadedSqliteStore: owns the better-sqlite3 connection and runs the requested
 * store methods one at a time, in the order they arrive. Consecutive ingest calls waiting when one starts are
 * committed together in one transaction (each caller still gets its own results): group commit across the
 * batches the main thread sent while the last commit ran. Consecutive completion batches are merged alike.
 */
export interface StoreCall {
  id: number;
  /** A store operation (ingestPrepared / completeBatch for the batched forms), or close. */
  method: (typeof SQLITE_OPERATION_NAMES)[number] | 'close';
  /** The operation's one named-argument object (undefined for those that take none). */
  args: unknown;
  /** When the main thread asked (lockClockMs, a monotonic clock): the call waits for another process's write lock until BUSY_TIMEOUT_MS after. */
  askedAt: number;
}

/** The answer to one call: a result, or the error's plain fields (errors do not survive postMessage whole). */
export type StoreReply = { id: number; result: unknown } | { id: number; error: ErrorFields };

type IngestArgs = { batch: PreparedIngest[]; now: Date };
type CompleteBatchArgs = { batch: CompleteArgs[] };

/** The thread's first message: opened, or why not (an error thrown here would reach the main thread without its message). */
export type ThreadReady = { ready: true } | { ready: false; error: ErrorFields };

const { path, options } = workerData as { path: string; options: SqliteStoreOptions };
const port = parentPort!;
const queue: StoreCall[] = [];
let working = false;
// Definitely set whenever a call can arrive: the port is listened to only once the store is open.
let store!: SQLiteStore;
let identity: FileIdentity | undefined;
try {
  store = openSqliteStore(path, options);
  identity = FileIdentity.of(path);
  port.on('message', (call: StoreCall) => {
    queue.push(call);
    void work();
  });
  port.postMessage({ ready: true } satisfies ThreadReady);
} catch (err) {
  // Nothing listens on the port, so the thread ends once this is sent.
  port.postMessage({ ready: false, error: errorFields(err) } satisfies ThreadReady);
}

/** Runs what has queued, taking in every message already waiting on the port before each call. */
async function work(): Promise<void> {
  if (working) return;
  working = true;
  try {
    for (;;) {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) queue.push(m.message);
      if (queue.length === 0) return;
      const method = queue[0].method;
      let n = 1;
      let askedAt = queue[0].askedAt;
      for (; n < queue.length && queue[n].method === method; n++)
        askedAt = Math.min(askedAt, queue[n].askedAt);
      // Each caller waits for the lock at most BUSY_TIMEOUT_MS from its asking, however long it queued here;
      // close too. Cleared after the batch: a deadline left over would cut the wait of whatever runs next on the
      // connection outside a call (close's move once its caller's 5 s had passed, as found by a test).
      store.db.lockDeadline = askedAt + BUSY_TIMEOUT_MS;
      try {
        if (store.db.raw.open) store.db.boundLockWait(); // closed: the call itself answers that
        // Checked before every batch, so no commit into a deleted or replaced file is answered as a success.
        const lost = method === 'close' ? undefined : identity?.lost();
        if (lost) {
          const error = errorFields(lost);
          for (const { id } of queue.splice(0, n)) port.postMessage({ id, error } satisfies StoreReply);
        } else if (method === 'ingestPrepared') {
          await together(queue.splice(0, n), ingestAll);
          moveSoon();
        } else if (n > 1 && method === 'completeBatch') await together(queue.splice(0, n), completeAll);
        else await answer(queue.shift()!);
      } finally {
        store.db.lockDeadline = undefined;
      }
    }
  } finally {
    working = false;
  }
}

/**
 * How long after an ingest its new deliveries are moved into `deliveries` (new-deliveries.ts) when no other call
 * has moved them first (every other call does, the dispatcher's claims included): during a burst to a paused
 * destination, one move per this many ms instead of seven index pages per commit; and other connections to the
 * file (the CLI) see them there soon.
 */
const MOVE_AFTER_MS = 50;
let moveTimer: NodeJS.Timeout | undefined;

function moveSoon(): void {
  if (moveTimer !== undefined) return;
  moveTimer = setTimeout(() => {
    moveTimer = undefined;
    try {
      moveNewDeliveries(store.db, { wait: false });
    } catch (err) {
      // Another process holds the write lock, or the disk is full: the rows wait in deliveries_new, as durable,
      // for the next call's move or this timer's next turn.
      if (cannotWriteNow(err) && store.db.raw.open) moveSoon();
    }
  }, MOVE_AFTER_MS);
  moveTimer.unref();
}

async function answer({ id, method, args }: StoreCall): Promise<void> {
  try {
    const result = await (store[method] as (a: unknown) => Promise<unknown>)(args);
    port.postMessage({ id, result } satisfies StoreReply);
  } catch (err) {
    port.postMessage({ id, error: errorFields(err) } satisfies StoreReply);
  }
}

/** Several ingest batches as one: one transaction, every batch's events together. */
function ingestAll(all: IngestArgs[]): Promise<unknown[]> {
  const now = new Date(Math.max(...all.map((a) => a.now.getTime())));
  return store.ingestPrepared({ batch: all.flatMap((a) => a.batch), now });
}

/** Several completion batches as one (completeBatch answers each completion on its own). */
function completeAll(all: CompleteBatchArgs[]): Promise<unknown[]> {
  return store.completeBatch({ batch: all.flatMap((a) => a.batch) });
}

/**
 * Several calls of one batched operation run as one by `run` (one transaction, one commit): each caller gets
 * its own slice of the results, in order, or the error.
 */
async function together<A extends { batch: unknown[] }>(
  calls: StoreCall[],
  run: (all: A[]) => Promise<unknown[]>,
): Promise<void> {
  const all = calls.map((c) => c.args as A);
  try {
    const results = await run(all);
    let at = 0;
    for (const [i, { id }] of calls.entries()) {
      const result = results.slice(at, at + all[i].batch.length);
      at += all[i].batch.length;
      port.postMessage({ id, result } satisfies StoreReply);
    }
  } catch (err) {
    const error = errorFields(err);
    for (const { id } of calls) port.postMessage({ id, error } satisfies StoreReply);
  }
}
