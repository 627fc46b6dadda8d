import pg from 'pg';

/** How long the store waits on PostgreSQL before giving up; each bounds how long a webhook can wait for a 503. */
export interface PostgresTimeouts {
  /** Opening a connection (TCP, TLS, auth), ms. */
  connectTimeoutMs: number;
  /** One statement on the server (`statement_timeout`), ms; the client gives up 2 s later if no answer comes. */
  statementTimeoutMs: number;
  /** A transaction left open without a statement (`idle_in_transaction_session_timeout`), ms. */
  idleInTransactionTimeoutMs: number;
}

/** The defaults of `store.connectTimeout`, `store.statementTimeout` and `store.idleInTransactionTimeout`. */
export const DEFAULT_PG_TIMEOUTS: PostgresTimeouts = {
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 10_000,
  idleInTransactionTimeoutMs: 15_000,
};

/** Margin of the client-side read timeout over statement_timeout: covers a server (or network) that never answers. */
const READ_MARGIN_MS = 2_000;
/** Reconnect backoff after a failed connection: doubles from the first to the last, reset by a success. */
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5_000;

/** The store is unreachable right now; answered at once while the pool waits before its next connection attempt. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** What a pool reports about its connections. */
export interface PoolEvents {
  /** A connection failed or was lost (restart, network cut, timeout). Never thrown: the work on it fails instead. */
  connectionError?(err: Error): void;
}

type ConnectCallback = (
  err: Error | undefined,
  client?: pg.PoolClient,
  done?: (release?: unknown) => void,
) => void;

/**
 * A pg Pool that survives PostgreSQL going away. Every client has an 'error' listener for its whole life
 * (pg-pool only listens while a client is idle, so a connection lost while checked out used to end the process
 * with an unhandled 'error' event); lost clients are discarded and replaced on demand. After a failed connection
 * attempt, new connections wait a backoff (100 ms doubling to 5 s) and calls fail at once with
 * StoreUnavailableError meanwhile, so an outage costs fast 503s rather than a connection storm. Timeouts bound
 * connecting, each statement, and idle transactions.
 */
export class ResilientPool extends pg.Pool {
  private backoffMs = 0;
  private retryAt = 0;
  private lastFailure = '';

  constructor(
    config: pg.PoolConfig,
    timeouts: PostgresTimeouts,
    private readonly events: PoolEvents = {},
  ) {
    super({
      ...config,
      connectionTimeoutMillis: timeouts.connectTimeoutMs,
      statement_timeout: timeouts.statementTimeoutMs,
      query_timeout: timeouts.statementTimeoutMs + READ_MARGIN_MS,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
      keepAlive: true,
    });
    this.on('connect', (client) => client.on('error', (err) => this.lost(err)));
    // Idle clients' errors also reach the pool (which has already discarded the client).
    this.on('error', (err) => this.lost(err));
  }

  // pg-pool calls connect(callback) for pool.query; callers of the store use the promise form.
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
    const waitMs = this.retryAt - Date.now();
    if (waitMs > 0) {
      const err = new StoreUnavailableError(
        `PostgreSQL is unreachable (${this.lastFailure}); next connection attempt in ${waitMs} ms`,
      );
      if (callback) {
        process.nextTick(() => callback(err, undefined, () => {}));
        return undefined;
      }
      return Promise.reject(err);
    }
    const connecting = super.connect() as Promise<pg.PoolClient>;
    const tracked = connecting.then(
      (client) => {
        this.backoffMs = 0;
        this.retryAt = 0;
        return client;
      },
      (err: Error) => {
        // Waiting for a free pooled client timed out: the database is slow or the pool too small, not gone.
        if (!/timeout exceeded when trying to connect/.test(err.message)) this.failedToConnect(err);
        throw err;
      },
    );
    if (!callback) return tracked;
    tracked.then(
      (client) => callback(undefined, client, (release) => client.release(release as Error | undefined)),
      (err: Error) => callback(err, undefined, () => {}),
    );
    return undefined;
  }

  private failedToConnect(err: Error): void {
    this.backoffMs = this.backoffMs === 0 ? BACKOFF_FIRST_MS : Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    this.retryAt = Date.now() + this.backoffMs;
    this.lastFailure = describe(err);
    this.events.connectionError?.(detached(err));
  }

  private lost(err: Error): void {
    this.events.connectionError?.(detached(err));
  }
}

/**
 * The error without what pg-pool attaches to it: `err.client` is the whole pg Client, with its connection
 * parameters (the password among them); a logger serializing the error would write all of it.
 */
function detached(err: Error): Error {
  const copy = new Error(err.message, { cause: (err as { cause?: unknown }).cause });
  copy.name = err.name;
  copy.stack = err.stack;
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}

/** A short, address-free description of a connection failure, for errors a client may see via readiness. */
function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code}` : err.message.split('\n')[0].slice(0, 120);
}

/** True when `err` means the connection itself is unusable (lost, timed out), rather than the statement failing. */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e instanceof StoreUnavailableError) return true;
  // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08xxx connection exceptions.
  if (typeof e.code === 'string' && (/^57P0[123]$/.test(e.code) || e.code.startsWith('08'))) return true;
  return /Connection terminated|Query read timeout|ECONNRESET|ECONNREFUSED|EPIPE|not queryable/i.test(
    String(e.message),
  );
}
