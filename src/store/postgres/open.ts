import { DEFAULT_PG_TIMEOUTS, type PoolEvents, type PostgresTimeouts, ResilientPool } from './pool.ts';
import { PostgresStore } from './store.ts';

/** Where and how to connect. `schema` (created by migrate()) isolates one store, e.g. per test. */
export interface PostgresStoreOptions {
  url: string;
  poolSize: number;
  schema?: string;
  /** Rejected payloads kept (default 10,000). */
  maxRejected?: number;
  /** Connect, statement and idle-in-transaction limits (defaults: DEFAULT_PG_TIMEOUTS). */
  timeouts?: Partial<PostgresTimeouts>;
  /** Told of every lost or failed connection (for the log); the store itself recovers. */
  events?: PoolEvents;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a pool for the PostgreSQL store. Call migrate() before use. With `schema`, every pooled connection
 * starts with that schema as its search_path, so the store's unqualified SQL lands there.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`postgres schema "${schema}" must be a lowercase identifier ([a-z_][a-z0-9_]*)`);
  }
  const pool = new ResilientPool(
    {
      connectionString: options.url,
      max: options.poolSize,
      options: schema === undefined ? undefined : `-c search_path=${schema}`,
    },
    { ...DEFAULT_PG_TIMEOUTS, ...options.timeouts },
    options.events,
  );
  return new PostgresStore(pool, schema, options.maxRejected);
}
