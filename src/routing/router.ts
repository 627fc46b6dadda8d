import type { GatewayEvent } from '../event.ts';
import type { RouteVerdict } from '../store/types.ts';
import type { Matcher } from './match.ts';
import type { Router, RoutingDecision } from './types.ts';

/** One built route, as buildRouter makes it from config. */
export interface Route {
  readonly name: string;
  /** Undefined for a catch-all (no `match`, or an empty one). */
  readonly match?: Matcher;
  readonly to: readonly string[];
  readonly continue: boolean;
}

/**
 * The routing decision, Alertmanager-style over a flat list: routes in order, each match adds its
 * destinations, and the first match ends the walk unless that route says `continue: true`.
 */
export function createRouter(routes: readonly Route[]): Router {
  const routeNames = Object.freeze(routes.map((r) => r.name));
  const stop = routes.findIndex((r) => r.match === undefined && !r.continue);
  const unreachable =
    stop < 0 ? [] : routes.slice(stop + 1).map((_, k) => ({ index: stop + 1 + k, after: routes[stop].name }));
  return {
    routeNames,
    unreachable,
    route: (event) => decide(routes, event),
  };
}

function decide(routes: readonly Route[], event: GatewayEvent): RoutingDecision {
  const verdicts: RouteVerdict[] = [];
  const destinations: RoutingDecision['destinations'] = [];
  const chosen = new Set<string>();
  let unrouted = true;
  for (const route of routes) {
    const verdict = judge(route, event);
    verdicts.push(verdict);
    if (!verdict.matched) continue;
    unrouted = false;
    for (const destination of route.to) {
      // An event reaches a destination once; the first route that chose it is the one on record.
      if (chosen.has(destination)) continue;
      chosen.add(destination);
      destinations.push({ destination, route: route.name });
    }
    if (!route.continue) break;
  }
  return { routes: verdicts, destinations, unrouted };
}

function judge(route: Route, event: GatewayEvent): RouteVerdict {
  if (route.match === undefined)
    return { name: route.name, matched: true, reason: 'matches everything (no match)' };
  const outcome = route.match.evaluate(event);
  return {
    name: route.name,
    matched: outcome.holds,
    reason: `${outcome.holds ? 'matched' : 'not matched'}: ${outcome.reason}`,
  };
}
