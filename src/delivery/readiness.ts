import type { ControlsSnapshot } from './worker.ts';

/**
 * The delivery controls' part of /readyz details: every destination whose breaker is not closed or that is
 * paused by a throttle, e.g. `{ destinations: { "ops-slack": { state: "open", openUntil: "…" } } }`.
 * Empty when all is well. An open breaker does not make the service unready: events are still accepted
 * and kept, and the other destinations deliver.
 */
export function controlsReadiness(controls: Record<string, ControlsSnapshot>): {
  destinations?: Record<string, ControlsSnapshot>;
} {
  const notable = Object.entries(controls).filter(
    ([, c]) => c.state !== 'closed' || c.throttledUntil !== undefined,
  );
  return notable.length === 0 ? {} : { destinations: Object.fromEntries(notable) };
}
