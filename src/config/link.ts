/**
 * Stage 3: link each destination to its plugin. The type must be a loaded plugin, the options must pass the
 * plugin's own codec (issues land under `destinations.<name>`), and fallbacks must name other destinations.
 */
import type { DestinationPlugin } from '../destinations/api.ts';
import type { PluginRegistry } from '../destinations/host.ts';
import type { FieldCatalog } from '../routing/catalog.ts';
import { resolveField } from '../routing/fields.ts';
import { isRecord } from './codecs.ts';
import { type DestinationCore, destinationCore, splitDestination } from './destination-schema.ts';
import { didYouMean, type KeyPath, under } from './issues.ts';
import { decodePluginOptions } from './plugin-options.ts';
import { checkNamedEntry, decodeAt, type Findings, mergeDelivery } from './schema.ts';
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

/** The destinations section linked: every declared name (for routes), and the ones ready to build. */
export interface LinkedDestinations {
  declared: ReadonlySet<string>;
  linked: LinkedDestination[];
}

/** Decodes and links every destination, reporting each one's problems independently of the others. */
export function linkDestinations(
  raw: unknown,
  registry: PluginRegistry,
  defaults: DeliverySettings,
  findings: Findings,
  secrets?: Secrets,
  catalog?: FieldCatalog,
): LinkedDestinations {
  if (raw === undefined || raw === null) return { declared: new Set(), linked: [] };
  if (!isRecord(raw)) {
    findings.issues.push({
      path: ['destinations'],
      message: 'expected a map of destination names to destinations',
    });
    return { declared: new Set(), linked: [] };
  }
  const declared = new Set(Object.keys(raw));
  const linked: LinkedDestination[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const d = linkOne(name, value, declared, registry, defaults, findings, secrets);
    const by = isRecord(value) && isRecord(value.group) ? value.group.by : undefined;
    if (Array.isArray(by) && catalog)
      checkGroupBy(by, ['destinations', name, 'group', 'by'], catalog, findings);
    if (d !== undefined) linked.push(d);
  }
  return { declared, linked };
}

function linkOne(
  name: string,
  value: unknown,
  declared: ReadonlySet<string>,
  registry: PluginRegistry,
  defaults: DeliverySettings,
  findings: Findings,
  secrets?: Secrets,
): LinkedDestination | undefined {
  const path = ['destinations', name];
  const before = findings.issues.length;
  if (!checkNamedEntry(name, value, path, 'destination', findings)) return undefined;
  const { core: rawCore, options: rawOptions } = splitDestination(value);
  const core = decodeAt(destinationCore, rawCore, path, findings, secrets);
  const plugin =
    typeof value.type === 'string' ? findPlugin(value.type, registry, path, findings) : undefined;
  const options = plugin && decodeOptions(plugin, rawOptions, path, findings, secrets);
  checkFallback(name, rawCore.fallback, declared, [...path, 'fallback'], findings);
  const delivery = core && mergeDelivery(defaults, core.delivery, [...path, 'delivery'], findings);
  if (findings.issues.length > before || !plugin || !core || !delivery || options === undefined)
    return undefined;
  return { name, plugin, core, delivery, options: options.value };
}

function findPlugin(
  type: string,
  registry: PluginRegistry,
  path: KeyPath,
  findings: Findings,
): DestinationPlugin | undefined {
  const entry = registry.get(type);
  if (entry !== undefined) return entry.plugin;
  const known = [...registry.keys()].sort();
  const list =
    known.length === 0 ? 'no plugins are loaded; check plugins.dirs' : `known: ${known.join(', ')}`;
  findings.issues.push({
    path: [...path, 'type'],
    message: `unknown destination type "${type}" (${list})${didYouMean(type, known)}`,
  });
  return undefined;
}

/** Decodes options with the plugin's codec, after rejecting keys the codec does not declare (when it can tell). */
function decodeOptions(
  plugin: DestinationPlugin,
  raw: Record<string, unknown>,
  path: KeyPath,
  findings: Findings,
  secrets?: Secrets,
): { value: unknown } | undefined {
  return decodePluginOptions(
    plugin.config,
    raw,
    { path, who: `the ${plugin.type} plugin` },
    findings,
    secrets,
  );
}

/** Fallbacks must name other declared destinations; checked on the raw value so other errors do not hide it. */
function checkFallback(
  name: string,
  raw: unknown,
  declared: ReadonlySet<string>,
  path: KeyPath,
  findings: Findings,
): void {
  const targets = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  targets.forEach((target, i) => {
    if (typeof target !== 'string' || target === '') return; // the schema reports it
    if (target === name) {
      findings.issues.push({ path: [...path, i], message: 'a destination cannot be its own fallback' });
    } else if (!declared.has(target)) {
      const others = [...declared].filter((d) => d !== name);
      findings.issues.push({
        path: [...path, i],
        message: `unknown destination "${target}"${didYouMean(target, others)}`,
      });
    }
  });
}

/** `group.by` paths must be fields the configured sources declare (or type, source, tags.<key>, payload.<path>). */
function checkGroupBy(
  by: readonly unknown[],
  path: KeyPath,
  catalog: FieldCatalog,
  findings: Findings,
): void {
  by.forEach((p, i) => {
    if (typeof p !== 'string' || p === '') return; // the schema reports it
    const field = resolveField(p, catalog);
    if (field._tag === 'Left') findings.issues.push({ path: [...path, i], message: field.left });
  });
}
