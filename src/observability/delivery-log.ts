import type { DeliveryObserver } from '../delivery/observer.ts';
import { controlEvents } from './control-log.ts';
import type { ControlMetrics } from './control-metrics.ts';
import type { Log } from './log.ts';
import type { Metrics } from './metrics.ts';
import { storeFaultKind } from './store-health.ts';

/** Errors closer together than this are one run (a worker retries at least every second while it fails). */
const WORKER_ERROR_RUN_GAP_MS = 10_000;
/** Within a run, one line per destination per this long. */
const WORKER_ERROR_REPEAT_MS = 60_000;

/**
 * What the delivery workers report, as log lines and metrics: one line per attempt (its outcome decides the
 * level and message), breaker and throttle changes, worker errors and bookkeeping the store did not take.
 */
export function deliveryLog(
  log: Log,
  metrics: Metrics,
  controlMetrics: ControlMetrics,
  now: () => number = Date.now,
): DeliveryObserver {
  const workerErrors = new Map<string, { lastAt: number; loggedAt: number; suppressed: number }>();
  return {
    ...controlEvents(log, controlMetrics),
    attempt: (r) => {
      metrics.attempt(r);
      const line = {
        eventId: r.eventId,
        deliveryId: r.deliveryId,
        destination: r.destination,
        attempt: r.number,
        outcome: r.outcome,
        durationMs: r.durationMs,
        ...(r.failure
          ? { reason: r.failure.reason, error: r.failure.message, statusCode: r.failure.statusCode }
          : {}),
        ...(r.retryInMs !== undefined ? { retryInMs: r.retryInMs } : {}),
        ...(r.leaseHeld ? {} : { leaseLost: true }),
      };
      if (r.outcome === 'delivered') log.info(line, 'delivered');
      else if (r.outcome === 'throttled') log.info(line, 'throttled; no attempt spent');
      else if (r.outcome === 'retry') log.warn(line, 'attempt failed; will retry');
      else
        log.error(
          line,
          r.outcome === 'dead' ? 'delivery dead: retry budget spent' : 'delivery failed permanently',
        );
    },
    workerError: (destination, err) => {
      // A worker retries every second while the store is away, and so does the pauses' refresh: one line each
      // per second, with a stack, for the whole outage (found by an attack). Logged when a run of errors starts
      // and then at most once a minute, with how many were left out.
      const at = now();
      const run = workerErrors.get(destination);
      const ongoing = run !== undefined && at - run.lastAt < WORKER_ERROR_RUN_GAP_MS;
      if (ongoing && at - run.loggedAt < WORKER_ERROR_REPEAT_MS) {
        run.lastAt = at;
        run.suppressed++;
        return;
      }
      const repeated = ongoing ? run.suppressed : 0;
      workerErrors.set(destination, { lastAt: at, loggedAt: at, suppressed: 0 });
      log.error(
        {
          destination,
          err,
          cause: storeFaultKind(err),
          ...(repeated > 0 ? { repeated } : {}),
        },
        destination === '*' ? 'could not read the pauses; retrying' : 'delivery worker error; backing off',
      );
    },
    bookkeepingFailed: (destination, deliveryId, err, tries) => {
      // The first failure and then every tenth: an outage of minutes should not flood the log.
      if (tries === 1 || tries % 10 === 0)
        log.warn(
          { destination, deliveryId, tries, err, cause: storeFaultKind(err) },
          'could not record the attempt; retrying until the store is back',
        );
    },
  };
}
