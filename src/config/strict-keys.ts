/**
 * Unknown keys in a plugin's options. A plugin's io-ts codec usually ignores (`t.type`) or silently drops
 * (`t.exact`) keys it does not declare, so the loader reads the declared keys off the codec and reports the
 * rest as typos, at any depth it can see into.
 */
import type * as t from 'io-ts';
import { isRecord, unknownKeyMessage } from './codecs.ts';
import type { ConfigIssue, KeyPath } from './issues.ts';

type Inspectable = {
  _tag?: string;
  domain?: t.Decoder<unknown, unknown> & { name: string };
  codomain?: unknown;
  props?: Record<string, unknown>;
  type?: Inspectable;
  types?: Inspectable[];
};

/**
 * The keys an io-ts codec declares, when it is built from object types (type, partial, exact, strict,
 * intersection, union, refinement, readonly, our struct); undefined when it cannot be told (then the codec
 * alone decides).
 */
export function knownKeys(codec: unknown): string[] | undefined {
  const c = codec as Inspectable;
  switch (c._tag) {
    case 'StructType':
    case 'InterfaceType':
    case 'PartialType':
    case 'StrictType':
      return Object.keys(c.props ?? {});
    case 'ExactType':
    case 'RefinementType':
    case 'ReadonlyType':
      return knownKeys(c.type);
    case 'IntersectionType':
    case 'UnionType': {
      const parts = (c.types ?? []).map(knownKeys);
      return parts.some((p) => p === undefined) ? undefined : [...new Set(parts.flat() as string[])];
    }
    default:
      return undefined;
  }
}

/** The codec a composite codec uses for one key (the first member declaring it). */
function propCodec(codec: unknown, key: string): unknown {
  const c = codec as Inspectable;
  switch (c._tag) {
    case 'StructType':
    case 'InterfaceType':
    case 'PartialType':
    case 'StrictType':
      return c.props?.[key];
    case 'ExactType':
    case 'RefinementType':
    case 'ReadonlyType':
      return propCodec(c.type, key);
    case 'IntersectionType':
    case 'UnionType':
      for (const member of c.types ?? []) {
        const found = propCodec(member, key);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The item codec of a list codec, seen through refinements. */
function itemCodec(codec: unknown): unknown {
  const c = codec as Inspectable;
  if (c._tag === 'ArrayType' || c._tag === 'ReadonlyArrayType') return c.type;
  if (c._tag === 'RefinementType' || c._tag === 'ReadonlyType') return itemCodec(c.type);
  return undefined;
}

function unwrapped(codec: unknown): Inspectable {
  let c = codec as Inspectable;
  while ((c._tag === 'ExactType' || c._tag === 'RefinementType' || c._tag === 'ReadonlyType') && c.type)
    c = c.type;
  return c;
}

/** Reports keys the codec does not declare, and returns the value without them (so no one reports them twice). */
export function checkKeys(
  codec: unknown,
  value: unknown,
  path: KeyPath,
): { issues: ConfigIssue[]; value: unknown } {
  const issues: ConfigIssue[] = [];
  const walk = (c: unknown, v: unknown, at: KeyPath): unknown => {
    if (Array.isArray(v)) {
      const item = itemCodec(c);
      return item === undefined ? v : v.map((x, i) => walk(item, x, [...at, i]));
    }
    const dictionary = unwrapped(c);
    if (isRecord(v) && dictionary._tag === 'DictionaryType' && dictionary.domain !== undefined) {
      return walkDictionary(dictionary.domain, dictionary.codomain, v, at);
    }
    const known = isRecord(v) ? knownKeys(c) : undefined;
    if (!isRecord(v) || known === undefined) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (known.includes(k)) out[k] = walk(propCodec(c, k), x, [...at, k]);
      else issues.push({ path: [...at, k], message: unknownKeyMessage(k, known) });
    }
    return out;
  };
  // io-ts's record drops keys its domain rejects without a word; say which and why.
  const walkDictionary = (
    domain: NonNullable<Inspectable['domain']>,
    codomain: unknown,
    v: Record<string, unknown>,
    at: KeyPath,
  ): unknown => {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const result = domain.validate(k, [{ key: '', type: domain, actual: k }]);
      if (result._tag === 'Left') {
        const why = result.left[0]?.message ?? `expected ${domain.name}`;
        issues.push({
          path: [...at, k],
          message: `${JSON.stringify(k)} is not allowed as a key here: ${why}`,
        });
      } else out[k] = walk(codomain, x, [...at, k]);
    }
    return out;
  };
  const stripped = walk(codec, value, path);
  return { issues, value: stripped };
}
