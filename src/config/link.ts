/**
 * Stage 3: link each destination to its plugin (`raw → Validation<LinkedDestination>` per destination). The type must be a loaded plugin, the options must pass the
 * plugin's own codec (issues land under `destinations.<name>`), and fallbacks must name other destinations.
 */
import { sequenceT } from 'fp-ts/lib/Apply.js';
import * as E from 'fp-ts/lib/Either.js';
import type { DestinationPlugin } from '../destinations/api.ts';
import type { PluginRegistry } from '../destinations/host.ts';
import type { FieldCatalog } from '../routing/catalog.ts';
import { resolveField } from '../routing/fields.ts';
import { isRecord } from './codecs.ts';
import { CORE_KEYS, type DestinationCore, destinationCore, splitDestination } from './destination-schema.ts';
import { collect, didYouMean, everyIssue, fail, type KeyPath, type Validation } from './issues.ts';
import { decodePluginOptions } from './plugin-options.ts';
import { decodeAt, mergeDelivery, namedEntries, namedEntry } from './schema.ts';
import type { Secrets } from './secrets.ts';
import type { DeliverySettings } from './types.ts';

/** A destination whose type, core keys and options all decoded: ready for its plugin's `create`. */
export interface LinkedDestination {
  name: string;
  plugin: DestinationPlugin;
  core: DestinationCore;
  delivery: DeliverySettings;
  options: unknown;
}

/** The destination names the file declares (what routes and fallbacks may name), valid or not. */
export function declaredDestinations(raw: unknown): ReadonlySet<string> {
  return new Set(isRecord(raw) ? Object.keys(raw) : []);
}

type Core = DestinationCore;
type Plugged = { plugin: DestinationPlugin; options: unknown };

/** Decodes and links every destination, each one's problems apart from the others'. */
export function linkDestinations(
  raw: unknown,
  registry: PluginRegistry,
  defaults: DeliverySettings,
  secrets?: Secrets,
): Array<Validation<LinkedDestination>> {
  const declared = declaredDestinations(raw);
  return namedEntries(raw, 'destination', (name, value) =>
    namedEntry(name, value, 'destination', (entry, path) =>
      linkOne(name, entry, path, declared, registry, defaults, secrets),
    ),
  );
}

function linkOne(
  name: string,
  value: Record<string, unknown>,
  path: KeyPath,
  declared: ReadonlySet<string>,
  registry: PluginRegistry,
  defaults: DeliverySettings,
  secrets?: Secrets,
): Validation<LinkedDestination> {
  const { core: rawCore, options: rawOptions } = splitDestination(value);
  const core = decodeAt(destinationCore, rawCore, path, secrets);
  // The plugin with its options decoded: one part, so a missing plugin is reported once.
  const plugged = E.chain((plugin: DestinationPlugin) =>
    E.map((options: unknown) => ({ plugin, options }))(
      decodePluginOptions(
        plugin.config,
        rawOptions,
        { path, who: `the ${plugin.type} plugin`, coreKeys: CORE_KEYS },
        secrets,
      ),
    ),
  )(findPlugin(value.type, registry, path));
  const fallback = checkFallback(name, rawCore.fallback, declared, [...path, 'fallback']);
  // Judged as soon as the core decoded, whatever the plugin says.
  const delivery = E.isRight(core)
    ? mergeDelivery(defaults, core.right.delivery, [...path, 'delivery'])
    : E.right(defaults);
  return E.map(([core, { plugin, options }, , delivery]: [Core, Plugged, unknown, DeliverySettings]) => ({
    name,
    plugin,
    core,
    delivery,
    options,
  }))(sequenceT(everyIssue)(core, plugged, fallback, delivery));
}

/** The plugin a destination's `type` names (a type that is not a string is the core codec's to report). */
function findPlugin(type: unknown, registry: PluginRegistry, path: KeyPath): Validation<DestinationPlugin> {
  if (typeof type !== 'string') return E.left([]);
  const entry = registry.get(type);
  if (entry !== undefined) return E.right(entry.plugin);
  const known = [...registry.keys()].sort();
  const list =
    known.length === 0 ? 'no plugins are loaded; check plugins.dirs' : `known: ${known.join(', ')}`;
  return fail([...path, 'type'], `unknown destination type "${type}" (${list})${didYouMean(type, known)}`);
}

/** Fallbacks must name other declared destinations; checked on the raw value so other errors do not hide it. */
function checkFallback(
  name: string,
  raw: unknown,
  declared: ReadonlySet<string>,
  path: KeyPath,
): Validation<unknown> {
  const targets: unknown[] = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  return collect(
    targets.map((target, i): Validation<unknown> => {
      if (typeof target !== 'string' || target === '') return E.right(target); // the schema reports it
      if (target === name) return fail([...path, i], 'a destination cannot be its own fallback');
      if (declared.has(target)) return E.right(target);
      const others = [...declared].filter((d) => d !== name);
      return fail([...path, i], `unknown destination "${target}"${didYouMean(target, others)}`);
    }),
  );
}

/**
 * `group.by` paths must be fields the configured sources declare (or type, source, tags.<key>, payload.<path>).
 * Checked beside linking, not before building: a bad path does not hide a destination's template problems.
 */
export function checkGroupBy(raw: unknown, catalog: FieldCatalog): Validation<unknown> {
  if (!isRecord(raw)) return E.right(raw);
  return collect(
    Object.entries(raw).flatMap(([name, value]) => {
      const by = isRecord(value) && isRecord(value.group) ? value.group.by : undefined;
      if (!Array.isArray(by)) return [];
      return by.map((p, i): Validation<unknown> => {
        if (typeof p !== 'string' || p === '') return E.right(p); // the schema reports it
        return E.mapLeft((message: string) => [{ path: ['destinations', name, 'group', 'by', i], message }])(
          resolveField(p, catalog),
        );
      });
    }),
  );
}
