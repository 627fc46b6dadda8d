import type { PoolEvents } from '../store/postgres/pool.ts';
import type { Log } from './log.ts';
import { storeFaultKind } from './store-health.ts';

/** The log fields naming the store failure behind a 503: its message and its kind (disk_full, timeout, ...). */
export function storeCause(cause: unknown): { cause?: string; causeKind?: string } {
  if (cause === undefined) return {};
  return { cause: cause instanceof Error ? cause.message : String(cause), causeKind: storeFaultKind(cause) };
}

/**
 * Logs lost and refused store connections: expected events (a restart, a cut), never thrown; the work on them
 * fails and is retried. At most one line a second, which is enough to see an outage start and last.
 */
export function logConnectionEvents(log: Log, now: () => number = Date.now): PoolEvents {
  let last = Number.NEGATIVE_INFINITY;
  return {
    connectionError: (err) => {
      if (now() - last < 1000) return;
      last = now();
      log.warn(
        { err, cause: storeFaultKind(err) },
        'store connection lost or refused; reconnecting with backoff',
      );
    },
  };
}
