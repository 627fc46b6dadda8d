import type { StoreConfig } from '../config/types.ts';
import { openPostgresStore } from './postgres/open.ts';
import type { PoolEvents } from './postgres/pool.ts';
import { isFileFault, sqliteOpenError } from './sqlite/file-error.ts';
import { openSqliteStore } from './sqlite/open.ts';
import { type SqliteFileEvents, ThreadedSqliteStore } from './sqlite/threaded.ts';
import type { Store } from './types.ts';

/**
 * Opens the configured backend and brings its schema up to date (migrations are a no-op when current).
 * `threaded` runs SQLite on its own thread, for the long-running service; short CLI commands use it directly.
 * `events` hears of lost connections (PostgreSQL) and of a SQLite file deleted or replaced while open.
 */
export async function openStore(
  config: StoreConfig,
  opts: { threaded?: boolean; events?: PoolEvents & SqliteFileEvents } = {},
): Promise<Store> {
  const store =
    config.driver === 'sqlite'
      ? opts.threaded
        ? new ThreadedSqliteStore(config.path, {}, opts.events)
        : openSqliteStore(config.path)
      : await openPostgresStore({
          url: config.url,
          poolSize: config.poolSize,
          schema: config.schema,
          timeouts: config.timeouts,
          events: opts.events,
        });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    // A file that opened but cannot be read or written as the gateway's database: said with its path.
    if (config.driver === 'sqlite' && isFileFault(error)) throw sqliteOpenError(config.path, error);
    throw error;
  }
  return store;
}

/**
 * Where the store is, in words safe for a log line or an error: `PostgreSQL at host:port/database` (no user,
 * no password, no query) or `SQLite at <path>`.
 */
export function storeWhere(config: StoreConfig): string {
  if (config.driver === 'sqlite') return `SQLite at ${config.path}`;
  try {
    const url = new URL(config.url);
    const host = url.host || 'localhost';
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    return `PostgreSQL at ${host}${database ? `/${database}` : ''}`;
  } catch {
    return 'PostgreSQL';
  }
}
