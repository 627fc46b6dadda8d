import { sequenceS, sequenceT } from 'fp-ts/lib/Apply.js';
import type { Either } from 'fp-ts/lib/Either.js';
import * as E from 'fp-ts/lib/Either.js';
import { isRecord } from '../config/codecs.ts';
import {
  type ConfigIssue,
  collect,
  describeValue,
  didYouMean,
  everyIssue,
  fail,
  under,
  unless,
} from '../config/issues.ts';
import { unknownKeys } from '../config/keys.ts';
import type { FieldCatalog } from './catalog.ts';
import { compileMatch, type Matcher } from './match.ts';
import { createRouter, type Route } from './router.ts';
import type { Router } from './types.ts';

/** The keys a route may have; anything else is a typo worth stopping for. */
export const ROUTE_KEYS = ['name', 'match', 'to', 'continue'] as const;

/**
 * Builds the router from the `routes:` value (plain JS parsed from YAML; undefined or null means no routes),
 * checking every route against the configured destinations. Reports every problem, with paths relative to
 * `routes`, e.g. `[2, 'match', 'status']`.
 */
export function buildRouter(
  raw: unknown,
  destinations: ReadonlySet<string>,
  catalog: FieldCatalog,
): Either<ConfigIssue[], Router> {
  if (raw === undefined || raw === null) return E.right(createRouter([]));
  if (!Array.isArray(raw))
    return fail([], `routes is a list of routes, not ${describeValue(raw, { wording: 'not' })}`);
  const routes = collect(
    raw.map((route, i) =>
      E.mapLeft((issues: ConfigIssue[]) => under([i], issues))(buildRoute(route, i, destinations, catalog)),
    ),
  );
  const issues = [...(E.isLeft(routes) ? routes.left : []), ...duplicateNames(raw)];
  if (issues.length > 0 || E.isLeft(routes)) return E.left(issues.sort(byPath));
  return E.right(createRouter(routes.right));
}

/** The name a route is known by: its own, or `route-<index>` (the index its issues are reported under). */
function nameOf(raw: unknown, index: number): unknown {
  return isRecord(raw) && raw.name !== undefined ? raw.name : `route-${index}`;
}

function buildRoute(
  raw: unknown,
  index: number,
  destinations: ReadonlySet<string>,
  catalog: FieldCatalog,
): Either<ConfigIssue[], Route> {
  if (!isRecord(raw)) {
    return fail(
      [],
      `a route is a mapping such as { name: audit, to: [audit] }, not ${describeValue(raw, { wording: 'not' })}`,
    );
  }
  const unknown = unknownKeys(
    raw,
    ROUTE_KEYS,
    (k) => `unknown key "${k}" in a route${didYouMean(k, ROUTE_KEYS)}`,
  );
  const name = nameOf(raw, index);
  const route = sequenceS(everyIssue)({
    name:
      typeof name === 'string' && name !== ''
        ? E.right(name)
        : fail<string>(
            ['name'],
            `name is a non-empty string, not ${describeValue(name, { wording: 'not' })}`,
          ),
    match: buildMatch(raw.match, catalog),
    to: buildTo(raw.to, destinations),
    continue:
      raw.continue === undefined || typeof raw.continue === 'boolean'
        ? E.right(raw.continue === true)
        : fail<boolean>(
            ['continue'],
            `continue is true or false, not ${describeValue(raw.continue, { wording: 'not' })}`,
          ),
  });
  return E.map(([, r]: [unknown, Route]) => r)(sequenceT(everyIssue)(unless(unknown, raw), route));
}

function buildMatch(raw: unknown, catalog: FieldCatalog): Either<ConfigIssue[], Matcher | undefined> {
  // `match: {}` asks for nothing, so it is a catch-all like a route without `match`.
  if (raw === undefined || (isRecord(raw) && Object.keys(raw).length === 0)) return E.right(undefined);
  return E.mapLeft((issues: ConfigIssue[]) => under(['match'], issues))(compileMatch(raw, catalog));
}

function buildTo(raw: unknown, destinations: ReadonlySet<string>): Either<ConfigIssue[], string[]> {
  if (raw === undefined) return fail([], 'a route needs to: [destination, ...]');
  if (!Array.isArray(raw)) {
    return fail(
      ['to'],
      `to is a list of destination names, e.g. [audit], not ${describeValue(raw, { wording: 'not' })}`,
    );
  }
  if (raw.length === 0) return fail(['to'], 'to is empty; name at least one destination');
  return collect(
    raw.map((name, j): Either<ConfigIssue[], string> => {
      if (typeof name !== 'string')
        return fail(['to', j], `${describeValue(name, { wording: 'not' })} is not a destination name`);
      if (!destinations.has(name)) {
        return fail(['to', j], `unknown destination "${name}"${didYouMean(name, destinations)}`);
      }
      return E.right(name);
    }),
  );
}

function duplicateNames(raw: unknown[]): ConfigIssue[] {
  const firstIndex = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  raw.forEach((route, i) => {
    const name = nameOf(route, i);
    if (typeof name !== 'string' || name === '') return;
    const first = firstIndex.get(name);
    if (first === undefined) {
      firstIndex.set(name, i);
    } else if (isRecord(route) && route.name !== undefined) {
      issues.push({ path: [i, 'name'], message: `route name "${name}" is already used by routes[${first}]` });
    } else {
      issues.push({
        path: [i],
        message: `this route's default name "${name}" is already used by routes[${first}]; give it a name`,
      });
    }
  });
  return issues;
}

/** Issues in document order, so output reads top to bottom like the file. */
function byPath(a: ConfigIssue, b: ConfigIssue): number {
  const [x, y] = [a.path[0], b.path[0]];
  return typeof x === 'number' && typeof y === 'number' ? x - y : 0;
}
