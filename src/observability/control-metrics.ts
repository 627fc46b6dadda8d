import client from 'prom-client';
import type { CircuitState } from '../delivery/controls.ts';
import type { ControlsSnapshot } from '../delivery/worker.ts';

const STATES: readonly CircuitState[] = ['closed', 'open', 'half-open'];

/** The delivery-control metrics, fed by the breaker and throttle listeners and read at scrape time. */
export interface ControlMetrics {
  /** Counts a breaker moving to `state`. */
  breakerChanged(destination: string, state: CircuitState): void;
}

/**
 * Registers the per-destination breaker and throttle metrics on `registry`:
 * `switchboard_circuit_breaker_state{destination,state}` (1 for the current state, 0 for the others),
 * `switchboard_circuit_breaker_transitions_total{destination,state}`,
 * `switchboard_destination_throttled{destination}` (1 while paused by a throttle) and
 * `switchboard_destination_pace_per_second{destination}` (the adaptive pace, present only while pacing).
 */
export function registerControlMetrics(
  registry: client.Registry,
  controls: () => Record<string, ControlsSnapshot>,
): ControlMetrics {
  new client.Gauge({
    name: 'switchboard_circuit_breaker_state',
    help: 'Circuit breaker state per destination: 1 for the current state (closed, open, half-open), 0 for the others.',
    labelNames: ['destination', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [destination, c] of Object.entries(controls())) {
        for (const state of STATES) this.set({ destination, state }, c.state === state ? 1 : 0);
      }
    },
  });
  new client.Gauge({
    name: 'switchboard_destination_throttled',
    help: 'Whether the destination is paused because it asked to slow down (HTTP 429, Slack ratelimited).',
    labelNames: ['destination'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [destination, c] of Object.entries(controls())) {
        this.set({ destination }, c.throttledUntil === undefined ? 0 : 1);
      }
    },
  });
  new client.Gauge({
    name: 'switchboard_destination_pace_per_second',
    help: 'Sends per second allowed while a destination recovers from throttling (absent when unpaced).',
    labelNames: ['destination'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [destination, c] of Object.entries(controls())) {
        if (c.ratePerSecond !== undefined) this.set({ destination }, c.ratePerSecond);
      }
    },
  });
  const transitions = new client.Counter({
    name: 'switchboard_circuit_breaker_transitions_total',
    help: 'Circuit breaker state changes per destination, by the state entered.',
    labelNames: ['destination', 'state'] as const,
    registers: [registry],
  });
  return { breakerChanged: (destination, state) => transitions.inc({ destination, state }) };
}
