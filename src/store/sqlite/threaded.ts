import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { TurnBatcher } from '../turn-batcher.ts';
import type { Store } from '../types.ts';
import { prepareIngest } from './ingest.ts';
import type { CompleteArgs, CompleteOutcome } from './queue.ts';
import type { SqliteStoreOptions } from './store.ts';
import type { StoreCall, StoreReply } from './thread.ts';
import { StoreThreadError } from './thread-error.ts';

export { StoreThreadError };

let threadScript: string | undefined;

/**
 * The code the store thread runs: thread.ts and everything it imports, bundled by esbuild into one CommonJS
 * script (about 25 kB, under 100 ms, once per process). A worker does not inherit the tsx loader, and
 * registering tsx in it would start a module-loader thread of its own: about 25 MB more resident memory.
 * better-sqlite3 stays outside, required by its absolute path so the script runs from any directory; the one
 * `import.meta.url` in the bundle (sqlite/migrate.ts, finding its .sql files) is pinned to that file's place.
 */
function storeThreadScript(): string {
  if (threadScript === undefined) {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const result = buildSync({
      entryPoints: [fileURLToPath(new URL('./thread.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'error',
      alias: { 'better-sqlite3': sqlite },
      external: [sqlite],
      define: { 'import.meta.url': JSON.stringify(new URL('./migrate.ts', import.meta.url).href) },
    });
    threadScript = result.outputFiles[0].text;
  }
  return threadScript;
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
  /**
   * Completions gathered per event-loop turn and committed together: each one alone would commit its own write
   * of the same hot index pages, and with many deliveries finishing at once that was most of the store
   * thread's work. Each caller still gets its own answer after the commit.
   */
  private readonly completions = new TurnBatcher<CompleteArgs, boolean>(async (batch) => {
    const outcomes = await this.call<CompleteOutcome[]>('completeBatch', [batch]);
    return outcomes.map((o) => ('error' in o ? StoreThreadError.from(o.error) : o.held));
  });

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.worker = new Worker(storeThreadScript(), { eval: true, workerData: { path, options } });
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
      if ('error' in reply) waiter?.reject(StoreThreadError.from(reply.error));
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

  // Each Store method runs in the thread with the same arguments; the types are the interface's own.
  migrate: Store['migrate'] = (...a) => this.call('migrate', a);
  ping: Store['ping'] = (...a) => this.call('ping', a);
  // Prepared here: the event's JSON crosses to the thread as a string, far cheaper than cloning the object.
  ingest: Store['ingest'] = (batch, now) => this.call('ingestPrepared', [prepareIngest(batch, now), now]);
  claim: Store['claim'] = (...a) => this.call('claim', a);
  renewLeases: Store['renewLeases'] = (...a) => this.call('renewLeases', a);
  complete: Store['complete'] = (...args) => this.completions.submit(args);
  defer: Store['defer'] = (...a) => this.call('defer', a);
  releaseAll: Store['releaseAll'] = (...a) => this.call('releaseAll', a);
  nextDue: Store['nextDue'] = (...a) => this.call('nextDue', a);
  getEvent: Store['getEvent'] = (...a) => this.call('getEvent', a);
  listEvents: Store['listEvents'] = (...a) => this.call('listEvents', a);
  listDeliveries: Store['listDeliveries'] = (...a) => this.call('listDeliveries', a);
  replay: Store['replay'] = (...a) => this.call('replay', a);
  addRejected: Store['addRejected'] = (...a) => this.call('addRejected', a);
  listRejected: Store['listRejected'] = (...a) => this.call('listRejected', a);
  getRejected: Store['getRejected'] = (...a) => this.call('getRejected', a);
  deleteRejected: Store['deleteRejected'] = (...a) => this.call('deleteRejected', a);
  prune: Store['prune'] = (...a) => this.call('prune', a);
  queueStats: Store['queueStats'] = (...a) => this.call('queueStats', a);
  activity: Store['activity'] = (...a) => this.call('activity', a);
  pausedDestinations: Store['pausedDestinations'] = (...a) => this.call('pausedDestinations', a);
  setPaused: Store['setPaused'] = (...a) => this.call('setPaused', a);
  getDelivery: Store['getDelivery'] = (...a) => this.call('getDelivery', a);
  listPauses: Store['listPauses'] = (...a) => this.call('listPauses', a);
  destinationActivity: Store['destinationActivity'] = (...a) => this.call('destinationActivity', a);

  private async call<T>(method: StoreCall['method'], args: unknown[]): Promise<T> {
    await this.ready;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } satisfies StoreCall);
    });
  }

  /** Closes the connection in the thread (after any completions still gathering), then ends the thread. */
  async close(): Promise<void> {
    await this.completions.drain();
    if (!this.failure) await this.call('close', []).catch(() => {});
    await this.worker.terminate();
  }
}
