import { Worker } from 'node:worker_threads';
import type { Store } from '../types.ts';
import type { SqliteStoreOptions } from './store.ts';
import type { StoreCall, StoreReply } from './thread.ts';

// Workers do not inherit the tsx loader that bin/switchboard.js registers: register it, then load the TS entry.
const BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.resolve('./thread.ts'))}); })`;

/** Every Store method, forwarded as is. */
const METHODS = [
  'migrate',
  'ping',
  'ingest',
  'claim',
  'renewLeases',
  'complete',
  'defer',
  'releaseAll',
  'nextDue',
  'getEvent',
  'listEvents',
  'listDeliveries',
  'replay',
  'addRejected',
  'listRejected',
  'getRejected',
  'deleteRejected',
  'prune',
  'queueStats',
  'pausedDestinations',
  'setPaused',
] as const satisfies ReadonlyArray<Exclude<keyof Store, 'close'>>;

/** A store error carried back from the worker thread. */
export class StoreThreadError extends Error {
  constructor(
    message: string,
    name: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = name;
  }
}

/**
 * The SQLite store on its own thread. better-sqlite3 is synchronous, so on the main thread every commit's
 * fsync stalls HTTP parsing and delivery; here the main thread only posts calls and awaits answers, and group
 * commit batches whatever arrives while the disk syncs. Same semantics as SQLiteStore (calls run in order on
 * one connection); the same store suite runs against both.
 */
export class ThreadedSqliteStore implements Store {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;
  private readonly ready: Promise<void>;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.worker = new Worker(BOOT, { eval: true, workerData: { path, options } });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`the SQLite store thread exited (code ${code})`)));
    });
    this.ready.catch(() => {}); // surfaced by the first call instead
    this.worker.on('message', (reply: StoreReply | { ready: true }) => {
      if (!('id' in reply)) return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply)
        waiter?.reject(new StoreThreadError(reply.error.message, reply.error.name, reply.error.code));
      else waiter?.resolve(reply.result);
    });
    // A dead thread fails every call in flight and every later one: the service turns that into 503 / not ready.
    const fail = (err: Error) => {
      this.failure = err;
      for (const w of this.pending.values()) w.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the SQLite store thread exited (code ${code})`)));
  }

  private async call<T>(method: StoreCall['method'], args: unknown[]): Promise<T> {
    await this.ready;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } satisfies StoreCall);
    });
  }

  /** Closes the connection in the thread, then ends the thread. */
  async close(): Promise<void> {
    if (!this.failure) await this.call('close', []).catch(() => {});
    await this.worker.terminate();
  }
}

// The forwarding methods, one per Store method: `store.x(...args)` runs `x` in the thread.
for (const method of METHODS) {
  Object.defineProperty(ThreadedSqliteStore.prototype, method, {
    value(this: ThreadedSqliteStore, ...args: unknown[]) {
      return (this as unknown as { call(m: string, a: unknown[]): Promise<unknown> }).call(method, args);
    },
  });
}

// Declaration merging gives the class the Store methods that the loop above defines.
export interface ThreadedSqliteStore extends Omit<Store, 'close'> {}
