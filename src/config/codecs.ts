/**
 * io-ts building blocks for the config schema. Each codec's `name` is the expectation in plain words
 * ("an integer between 1 and 65535"), which report.ts turns into `expected …, got …`. Values from the
 * environment are strings, so numbers and booleans also accept their string spelling.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { type ConfigIssue, didYouMean, type KeyPath, under } from './issues.ts';
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

/** The props of a struct: one codec per allowed key. */
export type Props = Record<string, t.Mixed>;

/** The decoded shape of a struct. */
export type StructOf<P extends Props> = { [K in keyof P]: t.TypeOf<P[K]> };

/**
 * A map with exactly these keys: an unknown key is an error with a suggestion (io-ts's own `type` ignores
 * them, `exact` drops them silently). Every key's codec sees `undefined` when the key is absent, so
 * `withDefault`/`optional` decide what absence means. The section itself may be absent: it then decodes as `{}`.
 */
export class StructType<P extends Props> extends t.Type<StructOf<P>, unknown, unknown> {
  /** Lets report.ts and `strict` recognise a struct (it reports its own unknown keys). */
  readonly _tag = 'StructType' as const;

  constructor(
    readonly props: P,
    name = 'a map of keys',
  ) {
    super(
      name,
      (u): u is StructOf<P> => isRecord(u) && Object.keys(props).every((k) => props[k].is(u[k])),
      (u, c) => {
        const input = u === undefined ? {} : u;
        if (!isRecord(input)) return t.failure(u, c);
        const keys = Object.keys(props);
        const errors = errorsAt(c, input, unknownKeys(input, keys));
        const out: Record<string, unknown> = {};
        for (const key of keys) {
          const codec = props[key];
          const result = codec.validate(input[key], t.appendContext(c, key, codec, input[key]));
          if (result._tag === 'Left') errors.push(...result.left);
          else if (result.right !== undefined) out[key] = result.right;
        }
        return errors.length > 0 ? t.failures(errors) : t.success(out as StructOf<P>);
      },
      (a) => a,
    );
  }
}

/** Builds a StructType. */
export function struct<P extends Props>(props: P, name?: string): StructType<P> {
  return new StructType(props, name);
}

/** `unknown key "porrt" (did you mean port?)`, or the list of allowed keys when nothing is close. */
export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const hint = didYouMean(key, allowed);
  if (hint !== '') return `unknown key "${key}"${hint}`;
  return `unknown key "${key}" (allowed here: ${allowed.join(', ')})`;
}

/**
 * The one place unknown keys are found: an issue for each key of `value` that is not `allowed`, worded by
 * `message` (by default `unknownKeyMessage`). Structs, `strict`, the config's sections and routes all use it.
 */
export function unknownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  message: (key: string, allowed: readonly string[]) => string = unknownKeyMessage,
): ConfigIssue[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ path: [key], message: message(key, allowed) }));
}

/** The context entry of a list: its items' keys are read as indexes by the reporter. */
const LIST_ENTRY = t.array(t.unknown);

/** Issues found below `value` (paths relative to it) as io-ts errors, so they reach the one reporter. */
function errorsAt(context: t.Context, value: unknown, issues: readonly ConfigIssue[]): t.ValidationError[] {
  return issues.map((issue) => {
    let ctx = context;
    let v = value;
    issue.path.forEach((key, i) => {
      v = isRecord(v) || Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
      ctx = t.appendContext(
        ctx,
        String(key),
        typeof issue.path[i + 1] === 'number' ? LIST_ENTRY : t.unknown,
        v,
      );
    });
    return { value: v, context: ctx, message: issue.message };
  });
}

/**
 * A codec we do not own (a plugin's options, written with io-ts's `type`, `partial`, `exact`, `intersection`…)
 * made strict: keys it does not declare are errors with a suggestion, at any depth it declares, instead of
 * being ignored or silently dropped; it then decodes the value without them. A struct inside reports its own.
 */
export function strict<A>(codec: t.Decoder<unknown, A>): t.Decoder<unknown, A> {
  if (codec instanceof StructType) return codec;
  return new t.Type<A, unknown, unknown>(
    codec.name,
    (u): u is A => E.isRight(codec.decode(u)),
    (u, c) => {
      const keys = checkKeys(codec, u, []);
      // The codec validates in this codec's own context entry, so the reporter sees the codec that decides.
      const own = c.length === 0 ? c : [...c.slice(0, -1), { ...c[c.length - 1], type: codec }];
      const result = codec.validate(keys.value, own);
      if (keys.issues.length === 0) return result;
      return t.failures([...errorsAt(c, u, keys.issues), ...(E.isLeft(result) ? result.left : [])]);
    },
    (a) => a,
  );
}

/** The io-ts codecs whose declared keys `strict` can read (their public `_tag`, `props`, `type`, `types`). */
type ObjectCodec =
  | StructType<Props>
  | t.InterfaceType<t.Props>
  | t.PartialType<t.Props>
  | t.StrictType<t.Props>
  | t.ExactType<t.Mixed>
  | t.RefinementType<t.Mixed>
  | t.ReadonlyType<t.Mixed>
  | t.IntersectionType<t.Mixed[]>
  | t.UnionType<t.Mixed[]>
  | t.ArrayType<t.Mixed>
  | t.ReadonlyArrayType<t.Mixed>
  | t.DictionaryType<t.Mixed, t.Mixed>;

function asObjectCodec(codec: unknown): ObjectCodec | undefined {
  const tag = (codec as { _tag?: unknown } | undefined)?._tag;
  return typeof tag === 'string' && OBJECT_TAGS.has(tag) ? (codec as ObjectCodec) : undefined;
}

const OBJECT_TAGS: ReadonlySet<string> = new Set([
  'StructType',
  'InterfaceType',
  'PartialType',
  'StrictType',
  'ExactType',
  'RefinementType',
  'ReadonlyType',
  'IntersectionType',
  'UnionType',
  'ArrayType',
  'ReadonlyArrayType',
  'DictionaryType',
]);

/**
 * The keys a codec declares, each with the codec of its value (the first member declaring it), when it is built
 * from object types (type, partial, exact, strict, intersection, union, refinement, readonly, our struct);
 * undefined when it cannot be told (then the codec alone decides).
 */
function declared(codec: unknown): Map<string, unknown> | undefined {
  const c = asObjectCodec(codec);
  switch (c?._tag) {
    case 'StructType':
    case 'InterfaceType':
    case 'PartialType':
    case 'StrictType':
      return new Map(Object.entries(c.props));
    case 'ExactType':
    case 'RefinementType':
    case 'ReadonlyType':
      return declared(c.type);
    case 'IntersectionType':
    case 'UnionType': {
      const parts = c.types.map(declared);
      if (parts.some((p) => p === undefined)) return undefined;
      const props = new Map<string, unknown>();
      for (const [k, v] of (parts as Array<Map<string, unknown>>).flatMap((p) => [...p]))
        if (!props.has(k)) props.set(k, v);
      return props;
    }
    default:
      return undefined;
  }
}

/** The keys a codec declares (see `declared`); undefined when it cannot be told. */
export function knownKeys(codec: unknown): string[] | undefined {
  const keys = declared(codec);
  return keys && [...keys.keys()];
}

/** Through refinements and readonly: the list or dictionary codec that validates. */
function container(codec: unknown): ObjectCodec | undefined {
  const c = asObjectCodec(codec);
  if (c?._tag === 'RefinementType' || c?._tag === 'ReadonlyType') return container(c.type);
  return c?._tag === 'ArrayType' || c?._tag === 'ReadonlyArrayType' || c?._tag === 'DictionaryType'
    ? c
    : undefined;
}

/**
 * Reports the keys a codec does not declare (paths under `path`) and returns the value without them, so the
 * codec never sees them. Stops at a struct, which reports its own. io-ts's record drops keys its domain rejects
 * without a word: those are reported too, with the domain's reason.
 */
export function checkKeys(
  codec: unknown,
  value: unknown,
  path: KeyPath,
): { issues: ConfigIssue[]; value: unknown } {
  const issues: ConfigIssue[] = [];
  const walk = (c: unknown, v: unknown, at: KeyPath): unknown => {
    if (c instanceof StructType) return v;
    const inner = container(c);
    if (Array.isArray(v)) {
      const item =
        inner?._tag === 'ArrayType' || inner?._tag === 'ReadonlyArrayType' ? inner.type : undefined;
      return item === undefined ? v : v.map((x, i) => walk(item, x, [...at, i]));
    }
    if (!isRecord(v)) return v;
    if (inner?._tag === 'DictionaryType') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const result = inner.domain.validate(k, [{ key: '', type: inner.domain, actual: k }]);
        if (E.isRight(result)) out[k] = walk(inner.codomain, x, [...at, k]);
        else {
          const why = result.left[0]?.message ?? `expected ${inner.domain.name}`;
          issues.push({
            path: [...at, k],
            message: `${JSON.stringify(k)} is not allowed as a key here: ${why}`,
          });
        }
      }
      return out;
    }
    const props = declared(c);
    if (props === undefined) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (props.has(k)) out[k] = walk(props.get(k), x, [...at, k]);
      else issues.push(...under(at, unknownKeys({ [k]: x }, [...props.keys()])));
    }
    return out;
  };
  return { issues, value: walk(codec, value, path) };
}

/** A YAML map as decoded: a plain object, not a list. */
export function isRecord(u: unknown): u is Record<string, unknown> {
  return u !== null && typeof u === 'object' && !Array.isArray(u);
}
