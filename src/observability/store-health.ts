import { FILE_REPLACED } from '../store/sqlite/file-identity.ts';
import type { Store } from '../store/types.ts';

/** The store's write path as last seen: failing since when and why, or healthy. */
export interface WriteState {
  failing: boolean;
  /** Epoch ms of the first failure of the current run of failures. */
  since?: number;
  /** The last failure's message (may name internal addresses: admin eyes only). */
  error?: string;
  /** A short, address-free name for the last failure (disk_full, locked, unreachable, timeout, read_only, file_replaced, error). */
  kind?: StoreFaultKind;
}

/** What kind of store fault an error is, in words safe for anyone to read. */
export type StoreFaultKind =
  | 'disk_full'
  /** Another session holds a lock the write needs (SQLite's write lock, a PostgreSQL table or row lock). */
  | 'locked'
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
  if (/^(SQLITE_BUSY|SQLITE_LOCKED|55P03)/.test(String(e?.code ?? ''))) return 'locked';
  if (/SQLITE_FULL|disk is full|ENOSPC|53100/i.test(text)) return 'disk_full';
  if (/READONLY|read-only|EROFS|25006/i.test(text)) return 'read_only';
  // Before timeout: PostgreSQL says "canceling statement due to lock timeout".
  if (/lock timeout|database is locked/i.test(text)) return 'locked';
  if (/timeout|timed out|57014|did not answer/i.test(text)) return 'timeout';
  if (
    /ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|terminated|unreachable|57P0|^08|53300|too many clients|shutting down|starting up/i.test(
      text,
    )
  )
    return 'unreachable';
  return 'error';
}

/** Why /readyz must commit a probe itself rather than rely on what ingest's commits showed. */
export type WriteProbeReason =
  /** The last write failed: only a commit shows that the store can write again. */
  | 'failing'
  /** An ingest commit has been waiting without any finishing (a lock held elsewhere): the next ones would wait too. */
  | 'stalled'
  /** No ingest commit has succeeded lately: nothing else says whether one can (no traffic, or none let in). */
  | 'idle';

/** How recent an ingest commit must be for /readyz to take it as proof, and how long one may wait before it is stalled (ms). */
export interface WriteEvidence {
  recentMs: number;
  stalledMs: number;
}

/**
 * A commit within the last 10 s stands for every /readyz in that time: an instance taking webhooks has its
 * readiness checked without writing, and an idle one writes a probe at most every 10 s (plus one per /readyz
 * while a fault lasts). An ingest commit waiting 2 s (the /readyz bound) is far past any healthy commit.
 */
export const WRITE_EVIDENCE: WriteEvidence = { recentMs: 10_000, stalledMs: 2_000 };

/**
 * What is known of the store's write path: whether the last write failed and no write has succeeded since (a
 * store that answers `SELECT 1` but cannot commit, such as a full disk or a lost primary, must still make
 * /readyz fail), when ingest last committed, and whether an ingest commit is waiting. Ingest reports a counter
 * and a timestamp per commit batch, nothing more; /readyz decides from these when it must commit a probe itself
 * (writeProbeWanted) and runs one probe at a time (probe).
 */
export class StoreHealth {
  private state: WriteState = { failing: false };
  /** Epoch ms of the last ingest commit or write probe that succeeded. */
  private lastCommitAt = Number.NEGATIVE_INFINITY;
  /** Ingest commits under way, and when one last started on an idle store or one finished (epoch ms). */
  private committing = 0;
  private progressAt = 0;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly evidence: WriteEvidence = WRITE_EVIDENCE,
  ) {}

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

  /** An ingest commit (one group-commit batch) starts. */
  ingestStarted(): void {
    if (this.committing++ === 0) this.progressAt = this.now();
  }

  /** An ingest commit succeeded. */
  ingestCommitted(): void {
    this.committing--;
    this.progressAt = this.lastCommitAt = this.now();
    this.succeeded();
  }

  /** An ingest commit failed. */
  ingestFailed(err: unknown): void {
    this.committing--;
    this.progressAt = this.now();
    this.failed(err);
  }

  /** Why /readyz must commit a probe now, or undefined when recent ingest commits answer for the store. */
  writeProbeWanted(): WriteProbeReason | undefined {
    const now = this.now();
    if (this.state.failing) return 'failing';
    if (this.committing > 0 && now - this.progressAt >= this.evidence.stalledMs) return 'stalled';
    if (now - this.lastCommitAt >= this.evidence.recentMs) return 'idle';
    return undefined;
  }

  /**
   * Runs `commit` (a write probe) and records its outcome, unless one is still running: then its outcome is
   * awaited instead, so /readyz asked often during a fault holds one connection and one lock wait, not one each.
   */
  probe(commit: () => Promise<void>): Promise<void> {
    this.probing ??= commit().then(
      () => {
        this.lastCommitAt = this.now();
        this.succeeded();
        this.probing = undefined;
      },
      (err: unknown) => {
        this.failed(err);
        this.probing = undefined;
        throw err;
      },
    );
    return this.probing;
  }

  /** The current state (a copy). */
  get current(): WriteState {
    return { ...this.state };
  }

  /** When a commit last succeeded (an ingest batch or a write probe), or undefined if none has. */
  get lastCommit(): Date | undefined {
    return Number.isFinite(this.lastCommitAt) ? new Date(this.lastCommitAt) : undefined;
  }
}

/** Store methods that commit data whenever they succeed: their success proves the store can write. */
const PROVING = new Set<keyof Store>(['ingest', 'complete', 'addRejected', 'replay', 'setPaused']);
/** Store methods that write only when there is something to write: their failure counts, their success does not. */
const WRITING = new Set<keyof Store>([...PROVING, 'claim', 'renewLeases', 'defer', 'releaseAll', 'prune']);

/**
 * The same store, reporting each write's result to `health`. A claim that finds nothing succeeds on a full
 * disk, so only methods that always commit something clear a failure (see PROVING). Ingest (one call per
 * group-commit batch) also tells when its commits start and end, for /readyz's evidence of recent commits.
 */
export function watchWrites(store: Store, health: StoreHealth): Store {
  // Wrapped once per method, not at every access: the store's methods are read on every webhook and claim.
  const wrapped = new Map<PropertyKey, { of: Method; as: Method }>();
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      const known = wrapped.get(key);
      if (known !== undefined && known.of === value) return known.as;
      const as = wrap(target, key, value as Method, health);
      wrapped.set(key, { of: value as Method, as });
      return as;
    },
  });
}

/** `value`, a method of `target`, reporting to `health` what its outcome says of the store's writes. */
type Method = (...args: unknown[]) => unknown;

function wrap(target: Store, key: PropertyKey, value: Method, health: StoreHealth): Method {
  if (key === 'ingest')
    return async (...args: unknown[]) => {
      health.ingestStarted();
      try {
        const result = await value.apply(target, args);
        health.ingestCommitted();
        return result;
      } catch (err) {
        health.ingestFailed(err);
        throw err;
      }
    };
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
}
