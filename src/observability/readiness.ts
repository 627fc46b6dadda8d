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
 * Assesses readiness. The store check pings it (a read when writes are healthy; a write probe when the last
 * write failed, which is how recovery is noticed even when no traffic arrives), bounded by `timeoutMs`, so a
 * hung store makes /readyz answer 503 instead of hanging. Never throws.
 */
export async function assessReadiness(input: ReadinessInput): Promise<ReadinessReport> {
  const checks: Record<string, ReadinessCheck> = {};
  const reasons: string[] = [];
  const writes = input.health.current;
  try {
    await storeAnswer(input.store.ping({ write: writes.failing }), input.timeoutMs);
    if (writes.failing) input.health.succeeded();
    checks.store = { ok: true, status: 'ok' };
  } catch (err) {
    if (writes.failing) input.health.failed(err);
    const kind = storeFaultKind(err);
    checks.store = {
      ok: false,
      status: writes.failing ? `cannot write (${kind})` : `unavailable (${kind})`,
      error: (err as Error).message,
    };
    reasons.push(`store ${checks.store.status}`);
  }
  if (checks.store.ok) {
    const after = input.health.current;
    checks.writes = after.failing
      ? {
          ok: false,
          status: `failing (${after.kind})`,
          error: after.error,
          since: new Date(after.since!).toISOString(),
        }
      : { ok: true, status: 'ok' };
    if (after.failing) reasons.push(`store writes failing (${after.kind})`);
  }
  checks.workers = input.workersRunning ? { ok: true, status: 'running' } : { ok: false, status: 'stopped' };
  if (!input.workersRunning) reasons.push('delivery workers are stopped');
  checks.shutdown = input.stopping ? { ok: false, status: 'shutting down' } : { ok: true, status: 'no' };
  if (input.stopping) reasons.push('shutting down');
  return { ready: reasons.length === 0, checks, reasons };
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
