import type { Dispatcher } from '../delivery/dispatcher.ts';

/** A destination's circuit breaker as the operator sees it. `openUntil`: when the next probe may go (ISO 8601). */
export interface BreakerView {
  state: 'closed' | 'open' | 'half-open';
  openUntil?: string;
}

/**
 * The one place that reads a running destination's circuit breaker (from the worker's CircuitBreaker in
 * delivery/controls.ts); undefined when the destination has none or no worker runs here.
 */
export function breakerOf(dispatcher: Dispatcher, destination: string, now: number): BreakerView | undefined {
  const breaker = dispatcher.breaker(destination);
  if (!breaker) return undefined;
  const wait = breaker.waitMs(now);
  if (breaker.state !== 'open') return { state: breaker.state };
  // Past its cooldown an open breaker lets the next probe through: half-open in all but name.
  return wait > 0 ? { state: 'open', openUntil: new Date(now + wait).toISOString() } : { state: 'half-open' };
}
