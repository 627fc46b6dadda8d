import type { ThrottleSnapshot } from '../delivery/throttle.ts';
import type { Pause, Store } from '../store/types.ts';
import type { BreakerView } from './breaker.ts';

/**
 * What a destination is doing, most telling first: removed from the config, paused by an operator, breaker
 * open, throttled (the receiver asked it to wait or slow down: 429 / Retry-After), or active.
 */
export type DestinationStateName = 'active' | 'paused' | 'breaker-open' | 'throttled' | 'removed';

/**
 * One destination as GET /api/destinations, `switchboard destinations` and the console show it. Times are ISO
 * 8601 UTC; counts are deliveries (`pending`, `inFlight`) or attempts in the last hour (`delivered1h`,
 * `failed1h`: retries, permanent failures and dead ends; `throttled1h`: tries the receiver asked to slow down,
 * which are no failure).
 */
export interface DestinationState {
  name: string;
  /** The plugin type from the config; `unknown` for a destination no longer in it. */
  type: string;
  state: DestinationStateName;
  pause?: { by: string; comment?: string; since: string; expiresAt?: string };
  breaker?: BreakerView;
  /** The receiver's throttle, while it holds: sends wait until `throttledUntil`, or go at `ratePerSecond`. */
  throttle?: ThrottleSnapshot;
  pending: number;
  inFlight: number;
  /** Dead deliveries on record (retries exhausted): dead letters, `switchboard replay --dead` sends them again. */
  dead: number;
  oldestPendingAt?: string;
  delivered1h: number;
  failed1h: number;
  throttled1h: number;
  lastError?: { at: string; reason: string };
}

/** The answer of GET /api/destinations; `pausedRoutes` lists route pauses (they hold one route's deliveries). */
export interface DestinationStates {
  destinations: DestinationState[];
  pausedRoutes: Pause[];
}

/** What the computation reads. `breaker` is absent where no gateway runs (the CLI on the store alone). */
export interface DestinationStateDeps {
  store: Pick<Store, 'listPauses' | 'destinationActivity'>;
  /** Destinations in the config, in config order, with their plugin type. */
  configured: ReadonlyArray<{ name: string; type: string }>;
  now: number;
  breaker?: (destination: string) => BreakerView | undefined;
  /** The running worker's throttle; absent where no gateway runs, undefined for a destination not throttled. */
  throttle?: (destination: string) => ThrottleSnapshot | undefined;
}

const HOUR_MS = 3_600_000;

/**
 * Every configured destination, then every destination no longer configured that still has a pause, queued
 * deliveries or attempts on record (`removed`: its deliveries wait until it comes back or an operator acts).
 * Expired pauses are lifted on the way (Store.listPauses).
 */
export async function destinationStates(deps: DestinationStateDeps): Promise<DestinationStates> {
  const now = new Date(deps.now);
  const [pauses, activity] = await Promise.all([
    deps.store.listPauses({ now }),
    deps.store.destinationActivity({ since: new Date(deps.now - HOUR_MS), now }),
  ]);
  const pauseOf = new Map(pauses.map((p) => [p.name, p]));
  const activityOf = new Map(activity.map((a) => [a.destination, a]));
  const configured = new Set(deps.configured.map((d) => d.name));
  const removed = [
    ...new Set([
      ...pauses.map((p) => p.name).filter((n) => !n.startsWith('route:')),
      ...activity.filter((a) => a.pending + a.inFlight > 0).map((a) => a.destination),
    ]),
  ]
    .filter((n) => !configured.has(n))
    .sort();
  const rows = [...deps.configured, ...removed.map((name) => ({ name, type: 'unknown' }))].map(
    ({ name, type }): DestinationState => {
      const pause = pauseOf.get(name);
      const a = activityOf.get(name);
      const breaker = configured.has(name) ? deps.breaker?.(name) : undefined;
      const throttle = configured.has(name) ? deps.throttle?.(name) : undefined;
      const state: DestinationStateName = !configured.has(name)
        ? 'removed'
        : pause
          ? 'paused'
          : breaker?.state === 'open'
            ? 'breaker-open'
            : throttle
              ? 'throttled'
              : 'active';
      return {
        name,
        type,
        state,
        ...(pause ? { pause: withoutName(pause) } : {}),
        ...(breaker ? { breaker } : {}),
        ...(throttle ? { throttle } : {}),
        pending: a?.pending ?? 0,
        inFlight: a?.inFlight ?? 0,
        dead: a?.dead ?? 0,
        ...(a?.oldestPendingAt ? { oldestPendingAt: a.oldestPendingAt } : {}),
        delivered1h: a?.delivered ?? 0,
        failed1h: a?.failed ?? 0,
        throttled1h: a?.throttled ?? 0,
        ...(a?.lastError ? { lastError: a.lastError } : {}),
      };
    },
  );
  return { destinations: rows, pausedRoutes: pauses.filter((p) => p.name.startsWith('route:')) };
}

function withoutName({ name: _, ...rest }: Pause): DestinationState['pause'] & object {
  return rest;
}
