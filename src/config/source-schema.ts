/**
 * The `sources:` section: the core keys every source has (kind, secret or secrets, allowUnsigned,
 * dedupeWindow, onUndecodable), and the rest decoded by the source plugin that `kind` names, with its own codec
 * (issues located under `sources.<name>`), as destinations are by their `type`.
 */
import { sequenceT } from 'fp-ts/lib/Apply.js';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { pluginTextRedactor } from '../observability/redact.ts';
import type { SourcePlugin } from '../sources/api.ts';
import { BUILTIN_SOURCES } from '../sources/builtin.ts';
import { errorText } from '../sources/decode.ts';
import {
  bool,
  duration,
  list,
  nonEmptyString,
  oneOf,
  optional,
  secretString,
  withDefault,
} from './codecs.ts';
import { type ConfigIssue, didYouMean, everyIssue, fail, type KeyPath, type Validation } from './issues.ts';
import { struct } from './keys.ts';
import { decodePluginOptions } from './plugin-options.ts';
import { decodeAt, namedEntries, namedEntry } from './schema.ts';
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

/** The core keys of a source. */
export const sourceCore = struct({
  kind: nonEmptyString,
  secret: optional(secretString),
  // During a secret rotation: every secret a body may be signed with, the new one first (`switchboard mta rotate`).
  secrets: optional(list(secretString, 'a list of secrets')),
  allowUnsigned: withDefault(bool, false),
  dedupeWindow: withDefault(duration, 24 * 3_600_000),
  onUndecodable: withDefault(oneOf(['accept', 'reject'] as const, 'accept or reject'), 'accept'),
});

/** A source's core keys, decoded. */
type Core = t.TypeOf<typeof sourceCore>;

/** Source plugins by kind: the built-ins and any loaded from `plugins.dirs`. */
export type SourceRegistry = ReadonlyMap<string, SourcePlugin>;

/** Decodes every source, each one's problems apart from the others'; a source decoded is ready to verify bodies. */
export function decodeSources(
  raw: unknown,
  registry: SourceRegistry,
  secrets?: Secrets,
): Array<Validation<SourceConfig>> {
  return namedEntries(raw, 'source', (name, value) =>
    namedEntry(name, value, 'source', (entry, path) => decodeSource(name, entry, path, registry, secrets)),
  );
}

function decodeSource(
  name: string,
  value: Record<string, unknown>,
  path: KeyPath,
  registry: SourceRegistry,
  secrets?: Secrets,
): Validation<SourceConfig> {
  const core: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    ((SOURCE_CORE_KEYS as readonly string[]).includes(k) ? core : rest)[k] = v;
  const decoded = decodeAt(sourceCore, core, path, secrets);
  // The plugin with its options decoded: one part, so a missing plugin is reported once.
  const plugged = E.chain((plugin: SourcePlugin) =>
    E.map((options: unknown) => ({ plugin, options }))(
      decodePluginOptions(
        plugin.options,
        rest,
        { path, who: `the ${plugin.kind} source plugin`, coreKeys: SOURCE_CORE_KEYS },
        secrets,
      ),
    ),
  )(findPluginOf(value.kind, registry, path));
  // The secrets are judged as soon as the core decoded, whatever the plugin says; their form once both are known.
  const signing = E.isRight(decoded) ? signingSecrets(decoded.right, path) : E.right([]);
  const keyForm =
    E.isRight(decoded) && E.isRight(plugged)
      ? secretsFit(decoded.right, plugged.right.plugin, path)
      : E.right(0);
  return E.map(
    ([c, { plugin, options }, keys]: [
      Core,
      { plugin: SourcePlugin; options: unknown },
      string[],
      number,
    ]): SourceConfig => ({
      name,
      kind: plugin.kind,
      plugin,
      options,
      secrets: keys,
      ...(keys.length === 0 ? {} : { secret: keys[0] }),
      allowUnsigned: c.allowUnsigned,
      dedupeWindowMs: c.dedupeWindow,
      onUndecodable: c.onUndecodable,
    }),
  )(sequenceT(everyIssue)(decoded, plugged, signing, keyForm));
}

/** Each secret the plugin's `checkSecret` says it cannot use, at its own path (`secret` or `secrets[i]`). */
function secretsFit(c: Core, plugin: SourcePlugin, path: KeyPath): Validation<number> {
  const written: Array<[string, KeyPath]> = [
    ...(c.secrets ?? []).map((s, i): [string, KeyPath] => [s, [...path, 'secrets', i]]),
    ...(c.secret === undefined ? [] : [[c.secret, [...path, 'secret']] as [string, KeyPath]]),
  ];
  // A user plugin's words go through the redaction plugin text gets elsewhere (every secret of the source, in
  // every encoding, however short): it must not quote the secret, and one that throws may well have. A
  // built-in's sentences are ours and quote nothing.
  const keys = written.map(([secret]) => secret);
  const builtin = BUILTIN_SOURCES.get(plugin.kind) === plugin;
  const clean = (text: string) => (builtin ? text : pluginTextRedactor(keys).redact(text));
  const issues = written.flatMap(([secret, at]) => {
    if (secret === '' || !plugin.checkSecret) return [];
    let why: unknown;
    try {
      why = plugin.checkSecret(secret);
    } catch (err) {
      return [
        {
          path: at,
          message: clean(
            `the ${plugin.kind} source plugin failed while checking the secret: ${errorText(err)}`,
          ),
        },
      ];
    }
    if (why === undefined) return [];
    return [
      {
        path: at,
        message: clean(
          typeof why === 'string'
            ? why
            : `the ${plugin.kind} source plugin's checkSecret answered ${typeof why}, not a reason or undefined`,
        ),
      },
    ];
  });
  return issues.length === 0 ? E.right(written.length) : E.left(issues);
}

/** Every secret a body may be signed with, newest first: `secret` or `secrets`, not both; none only if allowUnsigned. */
function signingSecrets(c: Core, path: KeyPath): Validation<string[]> {
  const keys = [...(c.secrets ?? []), ...(c.secret === undefined ? [] : [c.secret])].filter((s) => s !== '');
  if (c.secret !== undefined && c.secrets !== undefined) {
    return fail([...path, 'secrets'], 'give either secret or secrets (a list, during a rotation), not both');
  }
  if (keys.length === 0 && !c.allowUnsigned) {
    return fail(
      [...path, c.secrets !== undefined ? 'secrets' : 'secret'],
      'no secret to verify signatures with: set secret, or allowUnsigned: true for local testing',
    );
  }
  return E.right(keys);
}

/**
 * The warnings a decoded source deserves: accepting unsigned webhooks is for local testing only. With no secret
 * there is nothing to check a signature with, so every webhook is accepted, whatever signature it carries.
 */
export function sourceWarnings(source: SourceConfig): ConfigIssue[] {
  if (!source.allowUnsigned) return [];
  const message =
    source.secrets.length === 0
      ? 'true and no secret is set, so every webhook is accepted, with any signature or none (for local testing only; set the secret to refuse wrong signatures)'
      : 'true, so webhooks without a signature are accepted (a wrong signature still gets 401; for local testing only)';
  return [{ path: ['sources', source.name, 'allowUnsigned'], message }];
}

/** The plugin a source's `kind` names (a kind that is not a string is the core codec's to report). */
function findPluginOf(kind: unknown, registry: SourceRegistry, path: KeyPath): Validation<SourcePlugin> {
  if (typeof kind !== 'string') return E.left([]);
  const plugin = registry.get(kind);
  if (plugin !== undefined) return E.right(plugin);
  const known = [...registry.keys()].sort();
  return fail(
    [...path, 'kind'],
    `unknown source kind "${kind}" (known: ${known.join(', ')})${didYouMean(kind, known)}`,
  );
}
