/**
 * Maps with exactly the keys they declare: the one place unknown keys are found (structs, `strict` plugin
 * codecs, the config's sections and routes), each reported with a suggestion, and the walk that reads a codec's
 * declared keys (report.ts, `switchboard shapes`).
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { isRecord } from './codecs.ts';
import { type ConfigIssue, didYouMean, type KeyPath, under } from './issues.ts';

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
export function strict<A>(
  codec: t.Decoder<unknown, A>,
  alsoAllowed: readonly string[] = [],
): t.Decoder<unknown, A> {
  if (codec instanceof StructType) {
    if (alsoAllowed.length === 0) return codec;
    // Keys the caller took out before decoding (absent here, so they decode to nothing) named among the allowed.
    const extra = Object.fromEntries(
      alsoAllowed.filter((k) => !(k in codec.props)).map((k) => [k, t.unknown]),
    );
    return new StructType({ ...codec.props, ...extra }, codec.name) as unknown as t.Decoder<unknown, A>;
  }
  return new t.Type<A, unknown, unknown>(
    codec.name,
    (u): u is A => E.isRight(codec.decode(u)),
    (u, c) => {
      const keys = checkKeys(codec, u, [], alsoAllowed);
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
  alsoAllowed: readonly string[] = [],
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
      else {
        const allowed = at.length === path.length ? [...props.keys(), ...alsoAllowed] : [...props.keys()];
        issues.push(...under(at, unknownKeys({ [k]: x }, allowed)));
      }
    }
    return out;
  };
  return { issues, value: walk(codec, value, path) };
}
