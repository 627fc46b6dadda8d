/**
 * The `sources:` section: the core keys every source has (kind, secret or secrets, allowUnsigned,
 * dedupeWindow, onUndecodable), and the rest decoded by the source plugin that `kind` names, with its own codec
 * (issues located under `sources.<name>`), as destinations are by their `type`.
 */
import type { SourcePlugin } from '../sources/api.ts';
import {
  bool,
  duration,
  isRecord,
  list,
  nonEmptyString,
  oneOf,
  optional,
  str,
  struct,
  withDefault,
} from './codecs.ts';
import { didYouMean, under } from './issues.ts';
import { decodePluginOptions } from './plugin-options.ts';
import { checkNamedEntry, decodeAt, type Findings } from './schema.ts';
import type { Secrets } from './secrets.ts';
import type { SourceConfig } from './types.ts';

/** The keys of a source that belong to the core; everything else is its plugin's options. */
export const SOURCE_CORE_KEYS = [
  'kind',
  'secret',
  'secrets',
  'allowUnsigned',
  'dedupeWindow',
  'onUndecodable',
] as const;

const sourceCore = struct({
  kind: nonEmptyString,
  secret: optional(str),
  // During a secret rotation: every secret a body may be signed with, the new one first (`switchboard mta rotate`).
  secrets: optional(list(str, 'a list of secrets')),
  allowUnsigned: withDefault(bool, false),
  dedupeWindow: withDefault(duration, 24 * 3_600_000),
  onUndecodable: withDefault(oneOf(['accept', 'reject'] as const, 'accept or reject'), 'accept'),
});

/** Source plugins by kind: the built-ins and any loaded from `plugins.dirs`. */
export type SourceRegistry = ReadonlyMap<string, SourcePlugin>;

/** Decodes every source; each one's problems are reported independently of the others. */
export function decodeSources(
  raw: unknown,
  registry: SourceRegistry,
  findings: Findings,
  secrets?: Secrets,
): Map<string, SourceConfig> {
  const out = new Map<string, SourceConfig>();
  if (raw === undefined || raw === null) return out;
  if (!isRecord(raw)) {
    findings.issues.push({ path: ['sources'], message: 'expected a map of source names to sources' });
    return out;
  }
  for (const [name, value] of Object.entries(raw)) {
    const source = decodeOne(name, value, registry, findings, secrets);
    if (source !== undefined) out.set(name, source);
  }
  return out;
}

function decodeOne(
  name: string,
  value: unknown,
  registry: SourceRegistry,
  findings: Findings,
  secrets?: Secrets,
): SourceConfig | undefined {
  const path = ['sources', name];
  const before = findings.issues.length;
  if (!checkNamedEntry(name, value, path, 'source', findings)) return undefined;
  const core: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    ((SOURCE_CORE_KEYS as readonly string[]).includes(k) ? core : rest)[k] = v;
  const c = decodeAt(sourceCore, core, path, findings, secrets);
  const plugin =
    typeof value.kind === 'string' ? findPlugin(value.kind, registry, path, findings) : undefined;
  const options = plugin && decodeOptions(plugin, rest, path, findings, secrets);
  if (c === undefined) return undefined;
  const keys = [...(c.secrets ?? []), ...(c.secret === undefined ? [] : [c.secret])].filter((s) => s !== '');
  if (c.secret !== undefined && c.secrets !== undefined) {
    findings.issues.push({
      path: [...path, 'secrets'],
      message: 'give either secret or secrets (a list, during a rotation), not both',
    });
  } else if (keys.length === 0 && !c.allowUnsigned) {
    findings.issues.push({
      path: [...path, c.secrets !== undefined ? 'secrets' : 'secret'],
      message: 'no secret to verify signatures with: set secret, or allowUnsigned: true for local testing',
    });
  }
  if (c.allowUnsigned && findings.issues.length === before) {
    findings.warnings.push({
      path: [...path, 'allowUnsigned'],
      message:
        'true, so webhooks without a signature are accepted (a wrong signature still gets 401; for local testing only)',
    });
  }
  if (findings.issues.length > before || plugin === undefined || options === undefined) return undefined;
  return {
    name,
    kind: plugin.kind,
    plugin,
    options: options.value,
    secrets: keys,
    ...(keys.length === 0 ? {} : { secret: keys[0] }),
    allowUnsigned: c.allowUnsigned,
    dedupeWindowMs: c.dedupeWindow,
    onUndecodable: c.onUndecodable,
  };
}

function findPlugin(kind: string, registry: SourceRegistry, path: (string | number)[], findings: Findings) {
  const plugin = registry.get(kind);
  if (plugin !== undefined) return plugin;
  const known = [...registry.keys()].sort();
  findings.issues.push({
    path: [...path, 'kind'],
    message: `unknown source kind "${kind}" (known: ${known.join(', ')})${didYouMean(kind, known)}`,
  });
  return undefined;
}

function decodeOptions(
  plugin: SourcePlugin,
  raw: Record<string, unknown>,
  path: (string | number)[],
  findings: Findings,
  secrets?: Secrets,
): { value: unknown } | undefined {
  // Our struct codecs report unknown keys themselves (with a suggestion); checking again would say it twice.
  const ownsKeys = (plugin.options as { _tag?: string })._tag === 'StructType';
  const who = `the ${plugin.kind} source plugin`;
  return decodePluginOptions(plugin.options, raw, { path, who, ownsKeys }, findings, secrets);
}
