import type { BreakerSnapshot } from '../delivery/controls.ts';
import type { Dispatcher } from '../delivery/dispatcher.ts';
import type { ThrottleSnapshot } from '../delivery/throttle.ts';

/** A destination's circuit breaker as the operator sees it. `openUntil`: when the next probe may go (ISO 8601). */
export type BreakerView = BreakerSnapshot;

/**
 * The one place that reads a running destination's circuit breaker (the worker's CircuitBreaker in
 * delivery/controls.ts); undefined when the destination has none or no worker runs here.
 */
export function breakerOf(dispatcher: Dispatcher, destination: string, now: number): BreakerView | undefined {
  return dispatcher.breaker(destination)?.snapshot(now);
}

/**
 * A running destination's throttle while it holds: paused by the receiver's Retry-After until `throttledUntil`,
 * or paced at `ratePerSecond` while recovering. Undefined when unthrottled or no worker runs here.
 */
export function throttleOf(dispatcher: Dispatcher, destination: string): ThrottleSnapshot | undefined {
  const controls = dispatcher.controls()[destination];
  if (!controls || (controls.throttledUntil === undefined && controls.ratePerSecond === undefined))
    return undefined;
  const { throttledUntil, ratePerSecond } = controls;
  return { ...(throttledUntil && { throttledUntil }), ...(ratePerSecond !== undefined && { ratePerSecond }) };
}
