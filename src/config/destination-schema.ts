/**
 * The keys of a destination that belong to the core rather than to its plugin: `type` and the delivery
 * controls (contract §7). Everything else under a destination is the plugin's, decoded in link.ts.
 */
import * as t from 'io-ts';
import {
  type Codec,
  duration,
  integer,
  list,
  nonEmptyString,
  optional,
  positiveDuration,
  rate,
  refine,
  withDefault,
} from './codecs.ts';
import { struct } from './keys.ts';
import { deliveryOverride } from './schema.ts';

/** The keys stripped from a destination before its options go to the plugin's codec. */
export const CORE_KEYS = ['type', 'delivery', 'rateLimit', 'circuitBreaker', 'fallback', 'group'] as const;

/** A field path a digest may group by: the same paths routes match on (`type`, `status.name`, `tags.x`…). */
// Checked against the sources' declared fields in link.ts, once the sources are known.
const groupField: Codec<string> = refine('a field path such as type, status.name or tags.campaign', (u) =>
  typeof u === 'string' && /^[^\s.][^\s]*$/.test(u) ? u : undefined,
);

/** One name, or a list of names (a single fallback is often written without brackets). */
const names: Codec<string[]> = new t.Type<string[], unknown, unknown>(
  'a destination name or a list of them',
  (u): u is string[] => Array.isArray(u) && u.every((n) => typeof n === 'string'),
  (u, c) => (typeof u === 'string' ? nameList.validate([u], c) : nameList.validate(u, c)),
  (a) => a,
);
const nameList = list(nonEmptyString, 'a list of destination names');

/** The core keys of a destination, decoded. */
export const destinationCore = struct({
  type: nonEmptyString,
  delivery: deliveryOverride,
  rateLimit: optional(rate),
  circuitBreaker: optional(
    struct({
      failures: withDefault(integer(1), 5),
      cooldown: withDefault(positiveDuration, 60_000),
    }),
  ),
  fallback: withDefault(names, []),
  group: optional(
    struct({
      by: list(groupField, 'a list of field paths'),
      wait: withDefault(duration, 30_000),
      interval: withDefault(positiveDuration, 5 * 60_000),
    }),
  ),
});

/** A destination's decoded core keys. */
export type DestinationCore = t.TypeOf<typeof destinationCore>;

/** Splits a destination's map into its core keys and its plugin's options. */
export function splitDestination(raw: Record<string, unknown>): {
  core: Record<string, unknown>;
  options: Record<string, unknown>;
} {
  const core: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if ((CORE_KEYS as readonly string[]).includes(k)) core[k] = v;
    else options[k] = v;
  }
  return { core, options };
}
