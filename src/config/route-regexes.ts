/**
 * The route regexes that could hold the event loop on text a stranger sends (routing/regex-hazard.ts), as
 * warnings at each `regex:` operand under `routes[].match`. Warnings, not errors: the test is a heuristic, and
 * such a pattern still matches as written.
 */
import * as E from 'fp-ts/lib/Either.js';
import { compileRegex } from '../routing/conditions.ts';
import { backtrackingHazard } from '../routing/regex-hazard.ts';
import { isRecord } from './codecs.ts';
import type { ConfigIssue, KeyPath } from './issues.ts';

/** Every `regex:` operand of `routes` (the section as parsed) that backtrackingHazard flags. */
export function slowRouteRegexes(routes: unknown): ConfigIssue[] {
  if (!Array.isArray(routes)) return [];
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: KeyPath): void => {
    if (Array.isArray(node))
      node.forEach((item, i) => {
        walk(item, [...path, i]);
      });
    if (!isRecord(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'regex' || typeof value !== 'string') {
        walk(value, [...path, key]);
        continue;
      }
      const re = compileRegex(value);
      const hazard = E.isRight(re) ? backtrackingHazard(re.right) : undefined;
      if (hazard !== undefined) issues.push({ path: [...path, key], message: hazard });
    }
  };
  routes.forEach((route, i) => {
    if (isRecord(route)) walk(route.match, ['routes', i, 'match']);
  });
  return issues;
}
