import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ClaimedRaw, parseClaimed } from '../rows.ts';
import { TurnBatcher } from '../turn-batcher.ts';
import type { CompleteArgs, Store } from '../types.ts';
import { lockClockMs } from './db.ts';
import { FILE_REPLACED } from './file-identity.ts';
import { prepareIngest } from './ingest.ts';
import type { CompleteOutcome } from './queue.ts';
import { SQLITE_OPERATION_NAMES, type SqliteStoreOptions } from './store.ts';
import type { StoreCall, StoreReply, ThreadReady } from './thread.ts';
import { StoreThreadError } from './thread-error.ts';

export { StoreThreadError };

let threadScript: string | undefined;

/** Whether this module runs from the TypeScript sources (tsx: tests, `npx switchboard`) rather than dist/. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * What the store thread runs. Built (dist/), that is thread.js itself. From the sources, it is thread.ts and
 * everything it imports, bundled by esbuild (a development dependency) into one CommonJS script (about 25 kB,
 * under 100 ms, once per process): a worker does not inherit the tsx loader, and registering tsx in it would
 * start a module-loader thread of its own, about 25 MB more resident memory. better-sqlite3 stays outside,
 * required by its absolute path so the script runs from any directory; the one `import.meta.url` in the bundle
 * (sqlite/migrate.ts, finding its .sql files) is pinned to that file's place.
 */
function storeThread(): { script: string | URL; eval: boolean } {
  if (!FROM_SOURCE) return { script: new URL('./thread.js', import.meta.url), eval: false };
  if (threadScript === undefined) {
    const require = createRequire(import.meta.url);
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const sqlite = require.resolve('better-sqlite3');
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
  return { script: threadScript, eval: true };
}

/** What the SQLite store thread reports besides answers. */
export interface SqliteFileEvents {
  /**
   * store.path was deleted or replaced while open (file-identity.ts): every call fails with `err` until the file
   * is back; told once per such run of failures, for an error log line.
   */
  fileLost?(err: Error): void;
}

/**
 * The SQLite store on its own thread. better-sqlite3 is synchronous, so on the main thread every commit's
 * fsync stalls HTTP parsing and delivery; here the main thread only posts calls and awaits answers, and group
 * commit batches whatever arrives while the disk syncs. Same semantics as the direct store (calls run in order
 * on one connection); the same store suite runs against both. Every operation is sent by name
 * (SQLITE_OPERATION_NAMES); ingest and complete take a batched form, and claim answers its events as text.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface declares what the constructor defines by name.
export class ThreadedSqliteStore {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;
  /** Whether the last answer said store.path was lost (so fileLost is told once per run of such answers). */
  private fileLost = false;
  private readonly ready: Promise<void>;
  /**
   * Completions gathered per event-loop turn and committed together: each one alone would commit its own write
   * of the same hot index pages, and with many deliveries finishing at once that was most of the store
   * thread's work. Each caller still gets its own answer after the commit.
   */
  private readonly completions = new TurnBatcher<CompleteArgs, boolean>(async (batch) => {
    const outcomes = await this.call<CompleteOutcome[]>('completeBatch', { batch });
    return outcomes.map((o) => ('error' in o ? StoreThreadError.from(o.error) : o.held));
  });

  constructor(
    path: string,
    options: SqliteStoreOptions = {},
    private readonly events: SqliteFileEvents = {},
  ) {
    for (const name of SQLITE_OPERATION_NAMES) {
      // ingest, complete and claim are this class's own (batched, prepared or parsed here): set by now.
      if (Object.hasOwn(this, name)) continue;
      Object.defineProperty(this, name, { value: (args?: unknown) => this.call(name, args), writable: true });
    }
    const thread = storeThread();
    this.worker = new Worker(thread.script, { eval: thread.eval, workerData: { path, options } });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', (first: ThreadReady) => {
        if (first.ready) resolve();
        else reject(StoreThreadError.from(first.error));
      });
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`the SQLite store thread exited (code ${code})`)));
    });
    this.ready.catch(() => {}); // surfaced by the first call instead
    this.worker.on('message', (reply: StoreReply | ThreadReady) => {
      if (!('id' in reply)) return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) {
        const err = StoreThreadError.from(reply.error);
        if (err.code === FILE_REPLACED && !this.fileLost) {
          this.fileLost = true;
          this.events.fileLost?.(err);
        }
        waiter?.reject(err);
      } else {
        this.fileLost = false;
        waiter?.resolve(reply.result);
      }
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

  /**
   * Group commit hands each event-loop turn's batch over at once, up to this many unanswered: the thread merges
   * every batch waiting when it starts a commit into that one transaction, so it goes from one commit to the
   * next without waiting for this thread to hear of the last one and send the next (one round trip per commit).
   */
  readonly ingestBatchesInFlight = 8;

  // Prepared here: the event's JSON crosses to the thread as a string, far cheaper than cloning the object.
  ingest: Store['ingest'] = ({ batch, now }) =>
    this.call('ingestPrepared', { batch: prepareIngest(batch, now), now });
  complete: Store['complete'] = (args) => this.completions.submit(args);
  // Events cross as their JSON text (see claimRaw) and are parsed here.
  claim: Store['claim'] = async (args) => parseClaimed(await this.call<ClaimedRaw[]>('claimRaw', args));

  private async call<T>(method: StoreCall['method'], args: unknown): Promise<T> {
    await this.ready;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args, askedAt: lockClockMs() } satisfies StoreCall);
    });
  }

  /** Closes the connection in the thread (after any completions still gathering), then ends the thread. */
  async close(): Promise<void> {
    await this.completions.drain();
    if (!this.failure) await this.call('close', undefined).catch(() => {});
    await this.worker.terminate();
  }
}

// The other operations are defined per instance from SQLITE_OPERATION_NAMES in the constructor.
export interface ThreadedSqliteStore extends Omit<Store, 'ingest' | 'complete' | 'claim' | 'close'> {}
