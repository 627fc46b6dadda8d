import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Log } from './observability/log.ts';
import { publicReadiness, type ReadinessReport } from './observability/readiness.ts';
import { type StoreFaultKind, storeFaultKind } from './observability/store-health.ts';
import { isStoreFileError } from './store/sqlite/file-error.ts';
import type { Store } from './store/types.ts';

/** Where the start stands while the store cannot be reached: since when (epoch ms), how often tried, why not. */
export interface StoreWait {
  since: number;
  attempts: number;
  kind?: StoreFaultKind;
  /** The last error's message (may name hosts and ports: admin eyes only). */
  error?: string;
}

/** The start was given up (SIGTERM, SIGINT) while it waited for the store. */
export class StartAborted extends Error {
  constructor() {
    super('stopped while waiting for the event store');
    this.name = 'StartAborted';
  }
}

/** Faults that clear by themselves: a database restarting or not up yet, a full disk, a slow answer. */
const WAIT_OUT = new Set<StoreFaultKind>(['unreachable', 'timeout', 'disk_full']);

/** First and longest pause between two tries (ms): doubling from the first, up to the longest. */
export const STORE_WAIT_FIRST_MS = 1_000;
export const STORE_WAIT_LONGEST_MS = 10_000;

/**
 * Opens the store, waiting as long as it takes while the failure is one that clears by itself (PostgreSQL down,
 * restarting, not resolvable yet, out of connections; a full disk; a timeout), so a gateway started before its
 * database does not exit. Each failed try is logged at warn with the next pause (1 s doubling to 10 s).
 * Any other failure (a wrong password, a missing database, a path that cannot be opened) is thrown at once, as
 * waiting would not mend it. `state` is updated in place for the listeners' 503s.
 *
 * @throws an Error naming the store, its `cause` the store's error, when waiting will not mend it (a StoreFileError,
 *   which names the file and the remedy itself, as it is); StartAborted when `signal` aborts first.
 */
export async function openStoreWaiting(
  open: () => Promise<Store>,
  opts: {
    log: Log;
    signal?: AbortSignal;
    state: StoreWait;
    describe: string;
    /** More fields for each log line (the listeners' URLs). */
    fields?: Record<string, unknown>;
  },
): Promise<Store> {
  const { log, signal, state } = opts;
  let pause = STORE_WAIT_FIRST_MS;
  for (;;) {
    if (signal?.aborted) throw new StartAborted();
    state.attempts += 1;
    try {
      return await unlessAborted(open(), signal);
    } catch (err) {
      if (err instanceof StartAborted) throw err;
      const kind = storeFaultKind(err);
      if (!WAIT_OUT.has(kind)) {
        // It names the file and says what to do already (sqlite/file-error.ts).
        if (isStoreFileError(err)) throw err;
        throw new Error(`cannot open the event store (${opts.describe}): ${(err as Error).message}`, {
          cause: err,
        });
      }
      state.kind = kind;
      state.error = (err as Error).message;
      log.warn(
        { ...opts.fields, err: state.error, cause: kind, attempt: state.attempts, retryInMs: pause },
        `the event store (${opts.describe}) is not reachable yet (${kind}); waiting for it: webhooks are answered 503 until it is`,
      );
    }
    await pauseFor(pause, signal);
    pause = Math.min(pause * 2, STORE_WAIT_LONGEST_MS);
  }
}

/**
 * `attempt`, or StartAborted as soon as `signal` aborts: one try can wait long (another instance's migration
 * holds the lock, or a connection went silent mid-migration), and a stop asked meanwhile was not heard until it
 * ended (found by an attack). A store the abandoned try opens later is closed.
 */
function unlessAborted(attempt: Promise<Store>, signal?: AbortSignal): Promise<Store> {
  if (signal === undefined) return attempt;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      attempt.then(
        (store) => store.close().catch(() => {}),
        () => {},
      );
      reject(new StartAborted());
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    attempt.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function pauseFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The readiness report while waiting: the store check failing with its kind, nothing else started. */
export function waitingReadiness(state: StoreWait): ReadinessReport {
  const status = `unavailable (${state.kind ?? 'connecting'})`;
  return {
    ready: false,
    checks: {
      store: {
        ok: false,
        status,
        since: new Date(state.since).toISOString(),
        attempts: state.attempts,
        ...(state.error === undefined ? {} : { error: state.error }),
      },
      workers: { ok: false, status: 'not started: waiting for the store' },
    },
    reasons: [`store ${status}`, 'delivery workers are not started yet'],
  };
}

/**
 * What a listener answers while the start waits for the store: /healthz 200 (the process is alive), /readyz
 * 503 with the reason (the store's error only on the admin listener), a webhook 503 as for any store outage
 * (the sender retries: nothing is taken that cannot be committed), anything else 503 saying why.
 */
export function answerWhileWaiting(listener: 'webhooks' | 'admin', state: StoreWait): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return json(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/readyz') {
      const report = waitingReadiness(state);
      const shown = listener === 'admin' ? report : publicReadiness(report);
      return json(
        res,
        503,
        listener === 'admin'
          ? { status: 'not ready', ...shown }
          : { status: 'not ready', reasons: shown.reasons },
      );
    }
    if (listener === 'webhooks' && path.startsWith('/webhooks/'))
      return json(res, 503, { error: 'the event store is unavailable; retry later' });
    json(res, 503, {
      error: `switchboard is starting and waiting for its event store (${state.kind ?? 'connecting'}); try again once /readyz answers 200`,
    });
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
