import type { Store } from '../store/types.ts';
import { withTimeout } from '../time-limit.ts';
import { type StoreHealth, storeFaultKind } from './store-health.ts';

/** One readiness check: whether it passes and, for operators, why not. */
export interface ReadinessCheck {
  ok: boolean;
  /** Plain words, safe for anyone (no addresses, no messages from the store). */
  status: string;
  /** Only with the admin token: the underlying error message, which may name hosts and ports. */
  error?: string;
  [more: string]: unknown;
}

/** What /readyz answers: ready or not, each check, and one reason per failed check. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
  reasons: string[];
}

/** What readiness looks at. */
export interface ReadinessInput {
  store: Store;
  health: StoreHealth;
  workersRunning: boolean;
  stopping: boolean;
  /** Longest wait for the store's answer before the check fails (ms). */
  timeoutMs: number;
}

/**
 * Assesses readiness. Never throws, and answers within about `timeoutMs`: a hung store makes /readyz answer
 * 503, not hang. The store check reads (`SELECT 1`), then proves that a commit can happen: by ingest's own
 * recent commits when there are some, else by committing a write probe that takes ingest's locks
 * (StoreHealth.writeProbeWanted: after a failed write, while an ingest commit is stalled, or when none has
 * succeeded for a while). So a store that answers reads but cannot commit (a lock held elsewhere, a full disk,
 * a read-only primary) is not ready, recovery is noticed without any webhook arriving, and an instance taking
 * traffic is checked without writing.
 */
export async function assessReadiness(input: ReadinessInput): Promise<ReadinessReport> {
  const checks: Record<string, ReadinessCheck> = {};
  const reasons: string[] = [];
  const { store, health, timeoutMs } = input;
  const deadline = Date.now() + timeoutMs;
  const probe = health.writeProbeWanted();
  try {
    await storeAnswer(store.ping(), timeoutMs);
    checks.store = { ok: true, status: 'ok' };
  } catch (err) {
    // Writes were failing already: that is still the news (`cannot write (file_replaced)` fails reads too).
    const failing = probe === 'failing';
    if (failing) health.failed(err);
    const kind = storeFaultKind(err);
    checks.store = {
      ok: false,
      status: failing ? `cannot write (${kind})` : `unavailable (${kind})`,
      error: (err as Error).message,
    };
  }
  if (checks.store.ok && probe !== undefined) {
    const left = Math.max(1, deadline - Date.now());
    try {
      await storeAnswer(
        health.probe(() => store.ping({ write: true, waitMs: storeWaitMs(left) })),
        left,
      );
    } catch (err) {
      // Outlasting the bound counts as failing; the probe's own outcome, when it comes, replaces this.
      health.failed(err);
      checks.store = {
        ok: false,
        status: `cannot write (${storeFaultKind(err)})`,
        error: (err as Error).message,
      };
    }
  }
  if (!checks.store.ok) reasons.push(`store ${checks.store.status}`);
  else {
    const after = health.current;
    const lastCommit = health.lastCommit?.toISOString();
    checks.writes = after.failing
      ? {
          ok: false,
          status: `failing (${after.kind})`,
          error: after.error,
          since: new Date(after.since!).toISOString(),
        }
      : { ok: true, status: 'ok', basis: probe ? `write probe (${probe})` : 'recent commits', lastCommit };
    if (after.failing) reasons.push(`store writes failing (${after.kind})`);
  }
  checks.workers = input.workersRunning ? { ok: true, status: 'running' } : { ok: false, status: 'stopped' };
  if (!input.workersRunning) reasons.push('delivery workers are stopped');
  checks.shutdown = input.stopping ? { ok: false, status: 'shutting down' } : { ok: true, status: 'no' };
  if (input.stopping) reasons.push('shutting down');
  return { ready: reasons.length === 0, checks, reasons };
}

/**
 * How long the store itself may wait for a lock during a probe bounded by `ms`: it gives up first, so the
 * answer names the lock (`cannot write (locked)`) rather than a bare timeout, and the probe's connection and
 * lock request are let go instead of waiting out the store's own timeouts after /readyz has answered.
 */
function storeWaitMs(ms: number): number {
  return Math.max(1, Math.floor(ms * 0.75));
}

/** The report as anyone may see it: every `error` (store messages, which may name hosts) removed. */
export function publicReadiness(report: ReadinessReport): ReadinessReport {
  const checks: Record<string, ReadinessCheck> = {};
  for (const [name, { error: _hidden, ...check }] of Object.entries(report.checks)) checks[name] = check;
  return { ...report, checks };
}

/** `work`, or a rejection "the store did not answer within `ms` ms" (see withTimeout). */
export function storeAnswer<T>(work: Promise<T>, ms: number): Promise<T> {
  return withTimeout(work, ms, () => new Error(`the store did not answer within ${ms} ms`));
}
