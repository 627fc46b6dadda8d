import type { GatewayEvent } from '../event.ts';
import type { RouteVerdict } from '../store/types.ts';

/** Where one event goes, and why. Produced by a Router, a pure function of the event and the built rules. */
export interface RoutingDecision {
  /** One verdict per route that was evaluated, in order (routes after a final match are not evaluated). */
  routes: RouteVerdict[];
  /** Each destination at most once, in first-chosen order, with the route that chose it. */
  destinations: Array<{ destination: string; route: string }>;
  /** True when no route matched. */
  unrouted: boolean;
}

/** A rule set built once per config load. */
export interface Router {
  route(event: GatewayEvent): RoutingDecision;
  /** Route names in order (for `check`'s summary and for pause/resume by route). */
  readonly routeNames: readonly string[];
  /**
   * Routes no event can reach, by position in `routeNames`, each with the catch-all above it that ends every
   * walk (no `match`, no `continue: true`): `check` warns about them.
   */
  readonly unreachable: ReadonlyArray<{ index: number; after: string }>;
}
