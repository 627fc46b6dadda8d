import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteStore } from './open.ts';
import type { SQLITE_OPERATION_NAMES, SqliteStoreOptions } from './store.ts';
import { type ErrorFields, errorFields } from './thread-error.ts';

/**
 * The worker-thread side of ThreadedSqliteStore: owns the better-sqlite3 connection and runs each requested
 * store method in turn. Calls are answered in order, one at a time, exactly as the direct store would run them.
 */
export interface StoreCall {
  id: number;
  /** A store operation (ingestPrepared / completeBatch for the batched forms), or close. */
  method: (typeof SQLITE_OPERATION_NAMES)[number] | 'close';
  /** The operation's one named-argument object (undefined for those that take none). */
  args: unknown;
}

/** The answer to one call: a result, or the error's plain fields (errors do not survive postMessage whole). */
export type StoreReply = { id: number; result: unknown } | { id: number; error: ErrorFields };

const { path, options } = workerData as { path: string; options: SqliteStoreOptions };
const store = openSqliteStore(path, options);
const port = parentPort!;

port.on('message', async ({ id, method, args }: StoreCall) => {
  try {
    const result = await (store[method] as (a: unknown) => Promise<unknown>)(args);
    port.postMessage({ id, result } satisfies StoreReply);
  } catch (err) {
    port.postMessage({ id, error: errorFields(err) } satisfies StoreReply);
  }
});
port.postMessage({ ready: true });
