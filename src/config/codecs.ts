/**
 * io-ts building blocks for the config schema. Each codec's `name` is the expectation in plain words
 * ("an integer between 1 and 65535"), which report.ts turns into `expected …, got …`. Values from the
 * environment are strings, so numbers and booleans also accept their string spelling. Maps with exactly their
 * declared keys (struct, strict) are in keys.ts.
 */
import * as t from 'io-ts';
import { type HeaderValueFlaw, headerValueFlaw } from '../header-value.ts';
import { describeValue, didYouMean } from './issues.ts';
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

/**
 * A secret (`secret`, `token`): a string. An unquoted run of digits is a number to YAML (leading zeros lost),
 * so a number is refused with the fix, and without its value.
 */
export const secretString: Codec<string> = new t.Type<string, unknown, unknown>(
  'a string',
  (u): u is string => typeof u === 'string',
  (u, c) => {
    if (typeof u === 'string') return t.success(u);
    if (typeof u !== 'number') return t.failure(u, c);
    return t.failure(
      u,
      c,
      'expected a string, got a number (hidden): put the secret in quotes ("…") so YAML reads it as text; unquoted digits are a number, and leading zeros are lost',
    );
  },
  (a) => a,
);

const NO_CLIENT = 'so no client could send it in its Authorization header (Bearer <token>)';

/** Why a header secret is refused, and the fix, per flaw; never the value. */
const HEADER_FLAWS: Record<HeaderValueFlaw, string> = {
  'line break': `the value (not shown) holds a line break, which an HTTP header cannot carry, ${NO_CLIENT}: write the token on one line in quotes (a YAML | or > block keeps its last line break; |- drops it), or remove the line break from the variable it comes from`,
  'control character': `the value (not shown) holds a control character, which an HTTP header cannot carry, ${NO_CLIENT}: use letters, digits and punctuation only, e.g. what openssl rand -hex 32 prints`,
  'beyond Latin-1': `the value (not shown) holds a character outside Latin-1, which an HTTP header cannot carry, ${NO_CLIENT}: use letters, digits and punctuation only, e.g. what openssl rand -hex 32 prints`,
  'edge whitespace': `the value (not shown) starts or ends with a space or tab, which HTTP strips from a header, ${NO_CLIENT} whole: remove it`,
};

/**
 * A secret clients send in an HTTP header (`admin.token`, as `Authorization: Bearer <token>`). One that a header
 * cannot carry whole would be taken at start and then let no client in, so it is refused with what is wrong
 * and how to fix it, never with the value.
 */
export const headerSecret: Codec<string> = new t.Type<string, unknown, unknown>(
  'a string',
  (u): u is string => typeof u === 'string' && headerValueFlaw(u) === undefined,
  (u, c) => {
    const decoded = secretString.validate(u, c);
    if (decoded._tag === 'Left') return decoded;
    const flaw = headerValueFlaw(decoded.right);
    if (flaw === undefined) return decoded;
    return t.failure(u, c, HEADER_FLAWS[flaw]);
  },
  (a) => a,
);

/** A string with something in it. */
export const nonEmptyString: Codec<string> = refine('a non-empty string', (u) =>
  typeof u === 'string' && u.trim() !== '' ? u : undefined,
);

/** An HTTP header name (an RFC 9110 token: no spaces, colons or line breaks), as a source reads it. */
export const headerName: Codec<string> = refine(
  "an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)",
  (u) => (typeof u === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(u) ? u : undefined),
);

/**
 * What a number or true/false codec reads: the string spelling is accepted for values from `${...}` (the
 * environment only holds strings), and quoted-scalars.ts refuses it written in the file.
 */
export type Scalar = 'a number' | 'true or false';

/** A codec that reads a number or true/false (see `Scalar`). */
export type ScalarCodec<A> = Codec<A> & { readonly scalar: Scalar };

function scalar<A>(codec: Codec<A>, kind: Scalar): ScalarCodec<A> {
  return Object.assign(codec, { scalar: kind });
}

/** An integer in [min, max]; `"8080"` (from an env var) counts. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): ScalarCodec<number> {
  const name =
    max === Number.MAX_SAFE_INTEGER
      ? `an integer of at least ${min}`
      : `an integer between ${min} and ${max}`;
  const codec = refine(name, (u) => {
    const n =
      typeof u === 'number' ? u : typeof u === 'string' && /^\s*-?\d+\s*$/.test(u) ? Number(u) : Number.NaN;
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  });
  return scalar(codec, 'a number');
}

/** A number ≥ min (decimals allowed). */
export function positiveNumber(min: number): ScalarCodec<number> {
  const codec = refine(`a number of at least ${min}`, (u) => {
    const n = typeof u === 'number' ? u : typeof u === 'string' && u.trim() !== '' ? Number(u) : Number.NaN;
    return Number.isFinite(n) && n >= min ? n : undefined;
  });
  return scalar(codec, 'a number');
}

/** true or false; `"true"`/`"false"` (from an env var) count. */
export const bool: ScalarCodec<boolean> = scalar(
  refine('true or false', (u) =>
    typeof u === 'boolean' ? u : u === 'true' ? true : u === 'false' ? false : undefined,
  ),
  'true or false',
);

const DAY_MS = 86_400_000;

/**
 * The longest duration any key takes: 3650d (10 years). Durations are added to now (a retry's time, the
 * retention and dedupe cutoffs); `99999999999d` once made a retry time no Date can hold, stored as NULL and
 * never retried. Nothing a gateway waits for or keeps is sensibly set beyond 10 years.
 */
export const MAX_DURATION_MS = 3650 * DAY_MS;

/**
 * The longest timeout: 24d. A timeout arms a Node.js timer (or PostgreSQL's statement_timeout), which holds at
 * most 2^31-1 ms (24.8 days); Node fires a longer one after 1 ms, so `timeout: 30d` aborted every attempt at once.
 */
export const MAX_TIMEOUT_MS = 24 * DAY_MS;

/** A duration in the config's own notation, largest unit first: 3650d, 24d, 1s. */
function showDuration(ms: number): string {
  const unit = ms % DAY_MS === 0 ? 'd' : ms % 1000 === 0 ? 's' : 'ms';
  return `${ms / { d: DAY_MS, s: 1000, ms: 1 }[unit]}${unit}`;
}

/**
 * A failure that shows the value: report.ts words it `expected <want>, got <value><detail>`, describing the value
 * as for every other codec, so one from `${...}` is `a secret value (hidden)` (a codec cannot tell; the loader's
 * secrets can). `message` is the same sentence without secrets, for readers other than the reporter.
 */
export interface ValueError extends t.ValidationError {
  readonly want: string;
  readonly detail: string;
}

export function failureShowing(u: unknown, c: t.Context, want: string, detail = ''): t.Validation<never> {
  const error: ValueError = {
    value: u,
    context: c,
    message: `expected ${want}, got ${describeValue(u)}${detail}`,
    want,
    detail,
  };
  return t.failures([error]);
}

function durationCodec(name: string, min: number, max: number, why: string): Codec<number> {
  const inRange = (ms: number | undefined) => ms !== undefined && ms >= min && ms <= max;
  return new t.Type<number, unknown, unknown>(
    name,
    (u): u is number => typeof u === 'number' && u >= min && u <= max,
    (u, c) => {
      const ms = typeof u === 'string' ? parseDuration(u) : u === 0 ? 0 : undefined;
      if (ms !== undefined && inRange(ms)) return t.success(ms);
      if (ms !== undefined && ms > max)
        return failureShowing(u, c, name, `: at most ${showDuration(max)} here (${why})`);
      if (ms === 0) return failureShowing(u, c, name, ': zero is not allowed here');
      // A bare number has no unit: say so rather than guess seconds or milliseconds, suggesting only a
      // spelling this key accepts.
      if (typeof u === 'number') {
        const fix = [`${u}s`, `${u}ms`].find((text) => inRange(parseDuration(text)));
        return failureShowing(u, c, name, ` (add a unit${fix === undefined ? '' : `, e.g. ${fix}`})`);
      }
      return t.failure(u, c);
    },
    (a) => a,
  );
}

/** A duration such as `500ms`, `10s`, `15m`, `24h`, `7d`, decoded to milliseconds; `0` allowed. */
export const duration: Codec<number> = durationCodec(
  'a duration like 500ms, 10s, 15m, 24h or 7d',
  0,
  MAX_DURATION_MS,
  '10 years',
);

/** A duration longer than zero. */
export const positiveDuration: Codec<number> = durationCodec(
  'a duration longer than 0, like 500ms, 10s or 15m',
  1,
  MAX_DURATION_MS,
  '10 years',
);

/** A timeout: longer than zero, and at most what a timer can hold (MAX_TIMEOUT_MS). */
export const timeoutDuration: Codec<number> = durationCodec(
  'a duration longer than 0, like 500ms, 10s or 15m',
  1,
  MAX_TIMEOUT_MS,
  'the longest a timer can wait',
);

/** A size such as `256kb` or `1mb`, decoded to bytes. */
export const size: Codec<number> = sizeBetween(0, Number.MAX_SAFE_INTEGER);

/** A size in [min, max] bytes; out of range says the range in the config's own notation. */
export function sizeBetween(min: number, max: number): Codec<number> {
  const name = 'a size like 256kb or 1mb';
  return new t.Type<number, unknown, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => {
      const bytes =
        typeof u === 'string'
          ? parseSize(u)
          : typeof u === 'number' && Number.isInteger(u) && u >= 0
            ? u
            : undefined;
      if (bytes === undefined) return t.failure(u, c);
      if (bytes >= min && bytes <= max) return t.success(bytes);
      return failureShowing(u, c, `a size between ${showSize(min)} and ${showSize(max)}`);
    },
    (a) => a,
  );
}

/** A size in the config's own notation, largest unit that divides it: 1kb, 256mb, 100b. */
function showSize(bytes: number): string {
  for (const [unit, n] of [
    ['gb', 1024 ** 3],
    ['mb', 1024 ** 2],
    ['kb', 1024],
  ] as const)
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  return `${bytes}b`;
}

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

/** A codec that only decides what absence means (`withDefault`, `optional`); `inner` reads present values. */
export type AbsenceCodec<A> = Codec<A> & { readonly inner: t.Decoder<unknown, unknown> };

/** A value that is `default` when the key is absent. */
export function withDefault<A>(codec: Codec<A>, fallback: A): AbsenceCodec<A> {
  const outer = new t.Type<A, unknown, unknown>(
    codec.name,
    codec.is,
    (u, c) => (u === undefined ? t.success(fallback) : codec.validate(u, c)),
    codec.encode,
  );
  return Object.assign(outer, { inner: codec });
}

/** A value that may be absent. */
export function optional<A>(codec: Codec<A>): AbsenceCodec<A | undefined> {
  const outer = new t.Type<A | undefined, unknown, unknown>(
    codec.name,
    (u): u is A | undefined => u === undefined || codec.is(u),
    (u, c) => (u === undefined ? t.success(undefined) : codec.validate(u, c)),
    (a) => a,
  );
  return Object.assign(outer, { inner: codec });
}

/** A YAML map as decoded: a plain object, not a list. */
export function isRecord(u: unknown): u is Record<string, unknown> {
  return u !== null && typeof u === 'object' && !Array.isArray(u);
}
