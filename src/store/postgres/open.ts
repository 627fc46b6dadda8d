import pg from 'pg';
import type { Store } from '../types.ts';
import { PgDb } from './db.ts';
import { postgresStore } from './store.ts';

/** Where and how to connect. `schema` (created by migrate()) isolates one store, e.g. per test. */
export interface PostgresStoreOptions {
  url: string;
  poolSize: number;
  schema?: string;
  /** Rejected payloads kept (default 10,000). */
  maxRejected?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a pool for the PostgreSQL store. Call migrate() before use. With `schema`, every pooled connection
 * starts with that schema as its search_path, so the store's unqualified SQL lands there.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`postgres schema "${schema}" must be a lowercase identifier ([a-z_][a-z0-9_]*)`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    options: schema === undefined ? undefined : `-c search_path=${schema}`,
  });
  // An idle client's connection error would otherwise crash the process; the next query reports the outage
  // (ping fails, /readyz answers 503) and the pool replaces the client.
  pool.on('error', () => {});
  return postgresStore(new PgDb(pool, schema, options.maxRejected));
}
