/**
 * io-ts building blocks for the config schema. Each codec's `name` is the expectation in plain words
 * ("an integer between 1 and 65535"), which report.ts turns into `expected …, got …`. Values from the
 * environment are strings, so numbers and booleans also accept their string spelling. Maps with exactly their
 * declared keys (struct, strict) are in keys.ts.
 */
import * as t from 'io-ts';
import { didYouMean } from './issues.ts';
import { parseDuration, parseRate, parseSize } from './units.ts';

/** A codec that decodes unknown input, which is all config codecs. */
export type Codec<A> = t.Type<A, unknown, unknown>;

/** A codec from a parse function that returns undefined for bad input; `name` says what is expected. */
export function refine<A>(name: string, parse: (u: unknown) => A | undefined): Codec<A> {
  return new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => parse(u) !== undefined,
    (u, c) => {
      const a = parse(u);
      return a === undefined ? t.failure(u, c) : t.success(a);
    },
    (a) => a,
  );
}

/** Any string, including ''. */
export const str: Codec<string> = refine('a string', (u) => (typeof u === 'string' ? u : undefined));

/** A string with something in it. */
export const nonEmptyString: Codec<string> = refine('a non-empty string', (u) =>
  typeof u === 'string' && u.trim() !== '' ? u : undefined,
);

/** An integer in [min, max]; `"8080"` (from an env var) counts. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Codec<number> {
  const name =
    max === Number.MAX_SAFE_INTEGER
      ? `an integer of at least ${min}`
      : `an integer between ${min} and ${max}`;
  return refine(name, (u) => {
    const n =
      typeof u === 'number' ? u : typeof u === 'string' && /^\s*-?\d+\s*$/.test(u) ? Number(u) : Number.NaN;
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  });
}

/** A number ≥ min (decimals allowed). */
export function positiveNumber(min: number): Codec<number> {
  return refine(`a number of at least ${min}`, (u) => {
    const n = typeof u === 'number' ? u : typeof u === 'string' && u.trim() !== '' ? Number(u) : Number.NaN;
    return Number.isFinite(n) && n >= min ? n : undefined;
  });
}

/** true or false; `"true"`/`"false"` (from an env var) count. */
export const bool: Codec<boolean> = refine('true or false', (u) =>
  typeof u === 'boolean' ? u : u === 'true' ? true : u === 'false' ? false : undefined,
);

function durationCodec(name: string, min: number): Codec<number> {
  return new t.Type<number, unknown, unknown>(
    name,
    (u): u is number => typeof u === 'number' && u >= min,
    (u, c) => {
      const ms = typeof u === 'string' ? parseDuration(u) : u === 0 ? 0 : undefined;
      if (ms !== undefined && ms >= min) return t.success(ms);
      // A bare number has no unit: say so rather than guess seconds or milliseconds.
      if (typeof u === 'number')
        return t.failure(u, c, `expected ${name}, got ${u} (add a unit, e.g. ${u}s)`);
      return t.failure(u, c);
    },
    (a) => a,
  );
}

/** A duration such as `500ms`, `10s`, `15m`, `24h`, `7d`, decoded to milliseconds; `0` allowed. */
export const duration: Codec<number> = durationCodec('a duration like 500ms, 10s, 15m, 24h or 7d', 0);

/** A duration longer than zero. */
export const positiveDuration: Codec<number> = durationCodec(
  'a duration longer than 0, like 500ms, 10s or 15m',
  1,
);

/** A size such as `256kb` or `1mb`, decoded to bytes. */
export const size: Codec<number> = refine('a size like 256kb or 1mb', (u) =>
  typeof u === 'string'
    ? parseSize(u)
    : typeof u === 'number' && Number.isInteger(u) && u >= 0
      ? u
      : undefined,
);

/** A rate such as `1/s`, `60/m` or `10/min`. */
export const rate: Codec<{ count: number; perMs: number }> = refine(
  'a rate like 1/s, 60/m or 100/hour',
  (u) => (typeof u === 'string' ? parseRate(u) : undefined),
);

/** A codec accepting a closed set of values; report.ts reads `literals` for "did you mean". */
export class OneOfType<L extends string | number> extends t.Type<L, unknown, unknown> {
  /** Lets report.ts recognise the codec. */
  readonly _tag = 'OneOfType' as const;

  constructor(
    readonly literals: readonly L[],
    name: string,
    label?: string,
  ) {
    super(
      name,
      (u): u is L => literals.includes(u as L),
      (u, c) => {
        const found = literals.find((v) => v === u || (typeof v === 'number' && String(v) === u));
        if (found !== undefined) return t.success(found);
        if (label === undefined || typeof u !== 'string') return t.failure(u, c);
        const known = literals.map(String);
        return t.failure(
          u,
          c,
          `unknown ${label} ${JSON.stringify(u)} (known: ${known.join(', ')})${didYouMean(u, known)}`,
        );
      },
      (a) => a,
    );
  }
}

/**
 * One of a few values (`"3"` matches 3). With a `label`, an unknown word reads
 * `unknown source kind "foo" (known: mta)`; without, `expected <name>, got …`.
 */
export function oneOf<L extends string | number>(
  literals: readonly L[],
  name: string,
  label?: string,
): Codec<L> {
  return new OneOfType(literals, name, label);
}

/** A list of items. */
export function list<A>(item: Codec<A>, name: string): Codec<A[]> {
  return t.array(item, name) as unknown as Codec<A[]>;
}

/** A value that is `default` when the key is absent. */
export function withDefault<A>(codec: Codec<A>, fallback: A): Codec<A> {
  return new t.Type<A, unknown, unknown>(
    codec.name,
    codec.is,
    (u, c) => (u === undefined ? t.success(fallback) : codec.validate(u, c)),
    codec.encode,
  );
}

/** A value that may be absent. */
export function optional<A>(codec: Codec<A>): Codec<A | undefined> {
  return new t.Type<A | undefined, unknown, unknown>(
    codec.name,
    (u): u is A | undefined => u === undefined || codec.is(u),
    (u, c) => (u === undefined ? t.success(undefined) : codec.validate(u, c)),
    (a) => a,
  );
}

/** A YAML map as decoded: a plain object, not a list. */
export function isRecord(u: unknown): u is Record<string, unknown> {
  return u !== null && typeof u === 'object' && !Array.isArray(u);
}
