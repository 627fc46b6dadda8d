import * as t from 'io-ts';
import { describe } from '../describe.ts';

/**
 * Small field codecs shared by the twelve payload codecs. Each is named the way an error message says what was
 * expected ("expected a string, got 1"), so the reporter never has to translate io-ts's names.
 */

/** A codec that only checks a value's type, named for messages. */
export function leaf<A>(name: string, is: (u: unknown) => u is A): t.Type<A, A, unknown> {
  return new t.Type<A, A, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity);
}

/**
 * A field MTA marks optional: it may be absent or null (documented), and both mean "not given". The union
 * carries the inner codec's name so a wrong value reads "expected a string", not "expected a string | null".
 */
export function optional<C extends t.Mixed>(codec: C) {
  return t.union([codec, t.null, t.undefined], codec.name);
}

/** Any JSON string. */
export const Text = leaf('a string', (u): u is string => typeof u === 'string');

/** A JSON array of strings (e.g. MMS media URLs: provisional, so only the type is checked, not URL syntax). */
export const TextList = t.array(Text, 'an array of strings');

/** MTA's ids and status codes: JSON numbers without a fraction. */
export const WholeNumber = new t.Type<number, number, unknown>(
  'a whole number',
  (u): u is number => typeof u === 'number' && Number.isInteger(u),
  (u, c) => {
    if (typeof u !== 'number') return t.failure(u, c, `expected a number, got ${describe(u)}`);
    return Number.isInteger(u) ? t.success(u) : t.failure(u, c, `expected a whole number, got ${u}`);
  },
  t.identity,
);
