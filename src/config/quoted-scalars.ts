/**
 * Numbers and true/false written in quotes (`port: '8080'`, `version: "3"`). The codecs read a number's string
 * spelling because `${PORT}` can only give a string; written in the file, the quotes make the value text, so it
 * is refused like any other wrong type. Read on the tree before interpolation, where a value from the
 * environment still shows its `${`. Plugin options are the plugin's codec's to judge (io-ts's own number
 * refuses strings already); a source plugin's struct is walked like the core's.
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { SourcePlugin } from '../sources/api.ts';
import { isRecord, OneOfType, type Scalar } from './codecs.ts';
import { destinationCore } from './destination-schema.ts';
import type { ConfigIssue, KeyPath } from './issues.ts';
import { StructType } from './keys.ts';
import { delivery, postgres, server, sqlite } from './schema.ts';
import { sourceCore } from './source-schema.ts';

/** Every quoted number or true/false in the raw (not yet interpolated) config tree. */
export function quotedScalarsIn(
  root: Record<string, unknown>,
  sourcePlugins: ReadonlyMap<string, SourcePlugin>,
): ConfigIssue[] {
  const store = isRecord(root.store) && root.store.driver === 'postgres' ? postgres : sqlite;
  const entries = (section: unknown) => (isRecord(section) ? Object.entries(section) : []);
  return [
    ...quotedScalars(server, root.server, ['server']),
    ...quotedScalars(store, root.store, ['store']),
    ...quotedScalars(delivery, root.delivery, ['delivery']),
    ...entries(root.sources).flatMap(([name, entry]) => {
      const kind = isRecord(entry) && typeof entry.kind === 'string' ? entry.kind : undefined;
      const options = kind === undefined ? undefined : sourcePlugins.get(kind)?.options;
      return [
        ...quotedScalars(sourceCore, entry, ['sources', name]),
        ...quotedScalars(options, entry, ['sources', name]),
      ];
    }),
    ...entries(root.destinations).flatMap(([name, entry]) =>
      quotedScalars(destinationCore, entry, ['destinations', name]),
    ),
  ];
}

/** The quoted numbers and true/false under `path`, following the keys a struct declares (others are ignored). */
export function quotedScalars(codec: unknown, raw: unknown, path: KeyPath): ConfigIssue[] {
  const c = present(codec);
  if (c instanceof StructType) {
    if (!isRecord(raw)) return [];
    const props = c.props as Record<string, unknown>;
    return Object.entries(raw).flatMap(([k, v]) =>
      Object.hasOwn(props, k) ? quotedScalars(props[k], v, [...path, k]) : [],
    );
  }
  const wants = scalarOf(c);
  if (wants === undefined || typeof raw !== 'string' || raw.includes('${')) return [];
  // A string the codec refuses anyway is reported by the decoder, once.
  if (E.isLeft((c as t.Decoder<unknown, unknown>).decode(raw))) return [];
  return [
    {
      path,
      message: `expected ${wants}, got ${JSON.stringify(raw)} (text: it is in quotes); write ${raw.trim()} without quotes`,
    },
  ];
}

/** Through `withDefault` and `optional`: the codec that reads a present value. */
function present(codec: unknown): unknown {
  let c = codec as { inner?: unknown } | undefined;
  while (c?.inner !== undefined) c = c.inner as { inner?: unknown };
  return c;
}

/** What a codec reads when it is a number or true/false codec (numbers only for a closed set of numbers). */
function scalarOf(codec: unknown): Scalar | undefined {
  const marked = (codec as { scalar?: Scalar } | undefined)?.scalar;
  if (marked !== undefined) return marked;
  const numbers = codec instanceof OneOfType && codec.literals.every((l) => typeof l === 'number');
  return numbers ? 'a number' : undefined;
}
