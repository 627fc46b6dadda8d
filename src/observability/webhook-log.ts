import type { ReceiveOutcome } from '../ingress/receive.ts';
import type { Log } from './log.ts';
import type { Metrics } from './metrics.ts';
import { storeCause } from './store-log.ts';

/**
 * What the webhook listener reports for every answer, as one log line and its metrics: `info` for an accepted
 * event (its id, type, whether it was a duplicate), `warn` for a refused one (reason, error, a source plugin's own reason, store cause, and
 * the configured sources when the one asked for is unknown: the answer itself does not name them); `error`
 * for a 500 (a source plugin's bug), and `warn` for a body kept as unrecognized because its plugin failed.
 * `durationMs` is the time from the request's start to its answer.
 */
export function webhookLog(log: Log, metrics: Metrics) {
  return (source: string, outcome: ReceiveOutcome, durationMs: number): void => {
    const ok = outcome.status === 200;
    metrics.webhook(
      source,
      outcome.status,
      ok
        ? {
            type: outcome.type,
            duplicate: outcome.body.duplicate,
            unrouted: outcome.unrouted,
            secretIndex: outcome.secretIndex,
          }
        : { reason: outcome.reason },
      durationMs / 1000,
    );
    if (ok && outcome.notes) metrics.decoded(source, outcome.type, outcome.notes);
    const line = {
      source,
      status: outcome.status,
      durationMs: Math.round(durationMs * 10) / 10,
      ...(ok
        ? {
            eventId: outcome.body.id,
            type: outcome.type,
            duplicate: outcome.body.duplicate || undefined,
            ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
          }
        : {
            reason: outcome.reason,
            error: outcome.body.error,
            ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
            ...storeCause(outcome.cause),
            ...(outcome.configured ? { configured: outcome.configured.join(', ') || 'none' } : {}),
          }),
    };
    if (ok && outcome.detail !== undefined)
      log.warn(
        line,
        'webhook accepted as unrecognized: its source plugin failed on it (a bug in the plugin)',
      );
    else if (ok) log.info(line, 'webhook accepted');
    else if (outcome.status === 500)
      log.error(line, 'webhook refused: its source plugin failed (a bug in the plugin)');
    else log.warn(line, 'webhook refused');
  };
}
