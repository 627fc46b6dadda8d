import type { BreakerSnapshot } from '../delivery/controls.ts';
import type { Dispatcher } from '../delivery/dispatcher.ts';

/** A destination's circuit breaker as the operator sees it. `openUntil`: when the next probe may go (ISO 8601). */
export type BreakerView = BreakerSnapshot;

/**
 * The one place that reads a running destination's circuit breaker (the worker's CircuitBreaker in
 * delivery/controls.ts); undefined when the destination has none or no worker runs here.
 */
export function breakerOf(dispatcher: Dispatcher, destination: string, now: number): BreakerView | undefined {
  return dispatcher.breaker(destination)?.snapshot(now);
}
