import { FILE_REPLACED } from '../store/sqlite/file-identity.ts';
import type { Store } from '../store/types.ts';

/** The store's write path as last seen: failing since when and why, or healthy. */
export interface WriteState {
  failing: boolean;
  /** Epoch ms of the first failure of the current run of failures. */
  since?: number;
  /** The last failure's message (may name internal addresses: admin eyes only). */
  error?: string;
  /** A short, address-free name for the last failure (disk_full, unreachable, timeout, read_only, file_replaced, error). */
  kind?: StoreFaultKind;
}

/** What kind of store fault an error is, in words safe for anyone to read. */
export type StoreFaultKind =
  | 'disk_full'
  | 'unreachable'
  | 'timeout'
  | 'read_only'
  | 'file_replaced'
  | 'error';

/** Names a store error's kind, for /readyz and log lines (the message itself may carry addresses). */
export function storeFaultKind(err: unknown): StoreFaultKind {
  const e = err as { code?: unknown; message?: unknown } | null;
  const text = `${String(e?.code ?? '')} ${String(e?.message ?? err)}`;
  // First: its message names store.path, which may hold any of the words below.
  if (e?.code === FILE_REPLACED) return 'file_replaced';
  if (/SQLITE_FULL|disk is full|ENOSPC|53100/i.test(text)) return 'disk_full';
  if (/READONLY|read-only|EROFS|25006/i.test(text)) return 'read_only';
  if (/timeout|timed out|57014|did not answer/i.test(text)) return 'timeout';
  if (
    /ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|terminated|unreachable|57P0|^08|53300|too many clients|shutting down|starting up/i.test(
      text,
    )
  )
    return 'unreachable';
  return 'error';
}

/**
 * Remembers whether the store's last write failed and no write has succeeded since: a store that answers
 * `SELECT 1` but cannot commit (full disk, lost primary) must still make /readyz fail.
 */
export class StoreHealth {
  private state: WriteState = { failing: false };

  constructor(private readonly now: () => number = Date.now) {}

  /** A write committed: the store can write again. */
  succeeded(): void {
    if (this.state.failing) this.state = { failing: false };
  }

  /** A write failed. */
  failed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.state = {
      failing: true,
      since: this.state.failing ? this.state.since : this.now(),
      error: message,
      kind: storeFaultKind(err),
    };
  }

  /** The current state (a copy). */
  get current(): WriteState {
    return { ...this.state };
  }
}

/** Store methods that commit data whenever they succeed: their success proves the store can write. */
const PROVING = new Set<keyof Store>(['ingest', 'complete', 'addRejected', 'replay', 'setPaused']);
/** Store methods that write only when there is something to write: their failure counts, their success does not. */
const WRITING = new Set<keyof Store>([...PROVING, 'claim', 'renewLeases', 'defer', 'releaseAll', 'prune']);

/**
 * The same store, reporting each write's result to `health`. A claim that finds nothing succeeds on a full
 * disk, so only methods that always commit something clear a failure (see PROVING).
 */
export function watchWrites(store: Store, health: StoreHealth): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      if (!WRITING.has(key as keyof Store)) return value.bind(target);
      const proving = PROVING.has(key as keyof Store);
      return async (...args: unknown[]) => {
        try {
          const result = await value.apply(target, args);
          if (proving) health.succeeded();
          return result;
        } catch (err) {
          health.failed(err);
          throw err;
        }
      };
    },
  });
}
