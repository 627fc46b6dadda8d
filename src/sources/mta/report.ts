import * as t from 'io-ts';
import { formatPath } from '../../config/issues.ts';
import type { BodyProblem } from '../api.ts';
import { describe } from './describe.ts';

/** Names io-ts gives its own codecs, in the words our messages use. Our codecs are named readably already. */
const READABLE: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
  Int: 'a whole number',
  UnknownRecord: 'an object',
  UnknownArray: 'an array',
};

interface Located {
  keys: Array<string | number>;
  expected: string;
  error: t.ValidationError;
}

/**
 * Renders io-ts errors as one plain-words problem per bad field, e.g.
 * `{ path: 'messageId', message: 'expected a number, got the string "abc"' }`.
 *
 * io-ts reports every branch of a union: `optional(X)` alone yields "not X", "not null", "not undefined".
 * Branches share their parent's path, so we group by path, say what the field's own codec expected, and drop
 * a path's errors when a deeper path also failed (a branch that got further explains the problem better).
 */
export function report(errors: t.Errors): BodyProblem[] {
  const located = errors.map(locate);
  const hasDeeperError = new Set<string>();
  for (const l of located) {
    for (let n = 0; n < l.keys.length; n++) hasDeeperError.add(JSON.stringify(l.keys.slice(0, n)));
  }
  const byPath = new Map<string, Located[]>();
  for (const l of located) {
    if (hasDeeperError.has(JSON.stringify(l.keys))) continue;
    const path = formatPath(l.keys);
    const group = byPath.get(path);
    if (group) group.push(l);
    else byPath.set(path, [l]);
  }
  return [...byPath].map(([path, group]) => ({ path, message: messageFor(group) }));
}

/** One message for all errors at a path: missing beats a codec's own words, which beat the generic form. */
function messageFor(group: Located[]): string {
  const first = group[0];
  if (first.error.value === undefined) return 'is required';
  const own = group.find((l) => l.error.message !== undefined);
  if (own) return own.error.message!;
  return `expected ${first.expected}, got ${describe(first.error.value)}`;
}

/** The error's key path (union and intersection members do not add a key) and the codec that owns that path. */
function locate(error: t.ValidationError): Located {
  const keys: Array<string | number> = [];
  let expected = error.context[0]?.type;
  for (let i = 1; i < error.context.length; i++) {
    const parent = error.context[i - 1].type;
    if (parent instanceof t.UnionType || parent instanceof t.IntersectionType) continue;
    const { key, type } = error.context[i];
    keys.push(parent instanceof t.ArrayType ? Number(key) : key);
    expected = type;
  }
  const name = expected?.name ?? 'something else';
  return { keys, expected: READABLE[name] ?? name, error };
}
