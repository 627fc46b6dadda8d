import type { SendFailure } from '../destinations/errors.ts';
import type { AttemptRecord } from '../store/types.ts';
import type { BreakerSnapshot, CircuitState } from './controls.ts';
import type { ThrottleSnapshot } from './throttle.ts';

/** One finished attempt, as reported to logs and metrics. */
export interface AttemptReport {
  destination: string;
  deliveryId: string;
  eventId: string;
  number: number;
  outcome: AttemptRecord['outcome'];
  durationMs: number;
  failure?: SendFailure;
  /** When the outcome is `retry`: the delay before the next attempt. */
  retryInMs?: number;
  /** False when another worker had reclaimed the delivery meanwhile (the attempt is still recorded). */
  leaseHeld: boolean;
}

/** Receives what the delivery workers do; the service wires logs and metrics to it. */
export interface DeliveryObserver {
  attempt(report: AttemptReport): void;
  /** A store or worker error that did not concern one delivery (the worker backs off and goes on). */
  workerError(destination: string, err: unknown): void;
  /** A destination's circuit breaker opened, half-opened or closed. */
  breakerChanged?(destination: string, change: { from: CircuitState } & BreakerSnapshot): void;
  /** A destination asked to slow down and is paused (once per pause, not per delivery). */
  throttled?(destination: string, state: ThrottleSnapshot, failure: SendFailure): void;
  /** Recording an attempt's outcome failed (try number `tries`); it is tried again until the store takes it. */
  bookkeepingFailed?(destination: string, deliveryId: string, err: unknown, tries: number): void;
}
