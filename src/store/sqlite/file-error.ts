import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * A fault of the SQLite store's file, said whole: which file, what is wrong, what to do (`cannot open store.path
 * <path>: <what is wrong> (<code>): <what to do>`, a newer schema, a lock held elsewhere). `code` is the
 * underlying error's (SQLITE_NOTADB, SQLITE_BUSY, EACCES, ...), so a full disk is still told apart as one that
 * waiting mends (store-wait.ts), and a held lock as one a later turn mends. The message names the file
 * already, so callers print it as it is.
 */
export class StoreFileError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'StoreFileError';
  }
}

/** Whether `err` (also as carried back from the store thread) already names the store and says what to do. */
export function isStoreFileError(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'StoreFileError';
}

/** SQLite error families about the file itself (not the SQL run on it): a migration failing so is a file fault. */
const FILE_FAULTS = /^SQLITE_(NOTADB|CORRUPT|BUSY|LOCKED|FULL|READONLY|CANTOPEN|IOERR|PERM)/;

/** Whether `err` is about the database file (its format, lock, disk, permissions) rather than a statement. */
export function isFileFault(err: unknown): boolean {
  return FILE_FAULTS.test(String((err as { code?: unknown } | null)?.code ?? ''));
}

const CHECK_PERMISSIONS =
  "check the path and its permissions: the gateway's user must be able to read and write the file and create files beside it";

/**
 * Turns what opening the SQLite file at `path` threw (making its directory, better-sqlite3's constructor, the
 * first pragmas, a migration) into a StoreFileError naming the path, the error and a remedy.
 */
export function sqliteOpenError(path: string, err: unknown): Error {
  // Already said (also when it came back from the store thread, as a StoreThreadError of that name).
  if (isStoreFileError(err)) return err as Error;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = String(e?.message ?? err);
  const { problem, remedy } = diagnose(path, code, message);
  return new StoreFileError(`cannot open store.path ${path}: ${problem}: ${remedy}`, code);
}

/** What is wrong, in words, and what to do about it. */
function diagnose(
  path: string,
  code: string | undefined,
  message: string,
): { problem: string; remedy: string } {
  const said = code && !message.includes(code) ? `${message} (${code})` : message;
  if (isDirectory(path))
    return {
      problem: `it is a directory, not a file (SQLite: ${said})`,
      remedy: `point store.path at a file in it, e.g. ${join(path, 'switchboard.db')}`,
    };
  const inTheWay = fileInTheWay(path);
  if (inTheWay !== undefined)
    return { problem: `${inTheWay} is a file, not a directory`, remedy: CHECK_PERMISSIONS };
  // SQLITE_READONLY_DIRECTORY and the like: their family decides the remedy.
  switch (code?.match(/^SQLITE_[A-Z]+/)?.[0] ?? code) {
    case 'SQLITE_NOTADB':
      return {
        problem: said,
        remedy: "point store.path at the gateway's database, or move this file away and a new one is made",
      };
    case 'SQLITE_CORRUPT':
      return { problem: said, remedy: 'the database is damaged: restore it from a backup, or move it away' };
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return {
        problem: said,
        remedy:
          'another process holds the database (a second gateway, or a switchboard command still running): stop it, or wait and try again',
      };
    case 'SQLITE_FULL':
    case 'ENOSPC':
      return { problem: said, remedy: 'the disk is full: free space' };
    default:
      return { problem: said, remedy: CHECK_PERMISSIONS };
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest existing level above `path` when it is a file rather than a directory (so nothing can go in it). */
function fileInTheWay(path: string): string | undefined {
  for (let level = dirname(resolve(path)); ; level = dirname(level)) {
    try {
      return statSync(level).isDirectory() ? undefined : level;
    } catch (err) {
      if (
        (err as NodeJS.ErrnoException).code !== 'ENOENT' &&
        (err as NodeJS.ErrnoException).code !== 'ENOTDIR'
      )
        return undefined;
    }
    if (dirname(level) === level) return undefined;
  }
}

/**
 * What BEGIN IMMEDIATE threw, said with the file when it is the write lock held elsewhere past busy_timeout
 * (SQLITE_BUSY): which file, and that another process holds it. The code stays SQLITE_BUSY, so callers that
 * wait for a later turn still recognise it. Any other error is returned as it is.
 */
export function lockHeldError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'SQLITE_BUSY') return err;
  return new StoreFileError(
    `store.path ${path}: database is locked (SQLITE_BUSY): another process holds its write lock (a gateway, or a switchboard command) and did not release it in time: try again; if it persists, find the process holding the file (fuser ${path})`,
    code,
  );
}
