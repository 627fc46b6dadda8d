import type { Either } from 'fp-ts/lib/Either.js';
import * as E from 'fp-ts/lib/Either.js';
import { isRecord } from '../config/codecs.ts';
import type { ConfigIssue } from '../config/issues.ts';

/**
 * Small helpers for the build stage: every compile step returns `Either<ConfigIssue[], T>` with paths relative
 * to the node it read, and a parent gathers its children's issues rather than stopping at the first.
 */

// A config node that is a YAML mapping: one definition for every config stage.
export { isRecord };

/** One issue at `path` (relative to the node being compiled). */
export function fail<T = never>(path: ConfigIssue['path'], message: string): Either<ConfigIssue[], T> {
  return E.left([{ path, message }]);
}

/** Every right in order, or every issue from every left (never just the first). */
export function collect<T>(results: ReadonlyArray<Either<ConfigIssue[], T>>): Either<ConfigIssue[], T[]> {
  const issues: ConfigIssue[] = [];
  const values: T[] = [];
  for (const r of results) {
    if (E.isLeft(r)) issues.push(...r.left);
    else values.push(r.right);
  }
  return issues.length > 0 ? E.left(issues) : E.right(values);
}

/** How a config value is named in messages: strings quoted, everything else as YAML would show it. */
export function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  return String(value);
}
