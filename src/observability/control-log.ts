import type { DeliveryObserver } from '../delivery/observer.ts';
import type { ControlMetrics } from './control-metrics.ts';
import type { Log } from './log.ts';

/**
 * The log lines (and metric counts) for the delivery controls: a breaker opening is an error operators must
 * see, half-opening and closing are news; a throttle pause is a warning, logged once per pause rather than
 * once per delivery.
 */
export function controlEvents(
  log: Log,
  metrics: ControlMetrics,
): Pick<DeliveryObserver, 'breakerChanged' | 'throttled'> {
  return {
    breakerChanged(destination, change) {
      metrics.breakerChanged(destination, change.state);
      const line = { destination, breaker: change.state, from: change.from, openUntil: change.openUntil };
      if (change.state === 'open')
        log.error(line, `circuit breaker open: no sends to ${destination} until ${change.openUntil}`);
      else if (change.state === 'half-open')
        log.warn(line, `circuit breaker half-open: one probe to ${destination}`);
      else log.info(line, `circuit breaker closed: ${destination} answers again`);
    },
    throttled(destination, state, failure) {
      log.warn(
        {
          destination,
          throttledUntil: state.throttledUntil,
          ratePerSecond: state.ratePerSecond,
          statusCode: failure.statusCode,
          error: failure.message,
        },
        `destination asked to slow down: ${destination} paused until ${state.throttledUntil}`,
      );
    },
  };
}
