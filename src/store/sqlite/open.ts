import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { makeDirectory } from '../../make-directory.ts';
import { BUSY_TIMEOUT_MS, SqliteDb } from './db.ts';
import { sqliteOpenError } from './file-error.ts';
import { bodyKey } from './recent-bodies.ts';
import { type SQLiteStore, type SqliteStoreOptions, sqliteStore } from './store.ts';

/**
 * The size the write-ahead log is cut back to once a checkpoint has copied it into the database (bytes). SQLite
 * reuses the WAL file from its start but never shrinks it: a burst, or a long read that held checkpoints
 * back, left `switchboard.db-wal` at its largest for ever (found by an attack). sqlite.org/pragma.html#pragma_journal_size_limit
 */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Opens (creating if needed, with its parent directory) the SQLite store at `path`. Call migrate() before use.
 * WAL lets readers run beside the one writer; synchronous=FULL makes each commit durable before it returns.
 *
 * @throws StoreFileError naming `path`, the error and a remedy (a directory, not a database, no permission, ...).
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SQLiteStore {
  let raw: Database.Database;
  try {
    if (path !== ':memory:') makeDirectory(dirname(path));
    raw = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw sqliteOpenError(path, error);
  }
  try {
    raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.pragma('foreign_keys = ON');
    raw.pragma(`journal_size_limit = ${options.walSizeLimitBytes ?? WAL_SIZE_LIMIT_BYTES}`);
    // Migration 005 fills events.body_key with it; ingest computes the same in JS.
    raw.function('switchboard_body_key', { deterministic: true }, (source, hash) =>
      bodyKey(String(source), String(hash)),
    );
  } catch (error) {
    raw.close();
    // A file that is not a database opens; the first pragma that reads it says so.
    throw sqliteOpenError(path, error);
  }
  return sqliteStore(new SqliteDb(raw, options.maxRejected));
}
