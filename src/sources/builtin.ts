import type { SourcePlugin } from './api.ts';
import hmacSource from './hmac/index.ts';
import mtaSource from './mta/index.ts';
import standardWebhooksSource from './standard-webhooks/index.ts';

/** The sources that ship with Switchboard, by kind; user plugins in `plugins/` are added beside them. */
export const BUILTIN_SOURCES: ReadonlyMap<string, SourcePlugin> = new Map(
  [mtaSource, standardWebhooksSource, hmacSource].map((p) => [p.kind, p as unknown as SourcePlugin] as const),
);

/**
 * Every loaded source's layouts for one destination type, merged by event type (a later plugin does not
 * override an earlier one's type). What `PluginContext.layouts` answers.
 */
export function layoutsFor(
  sources: Iterable<SourcePlugin>,
  destinationType: string,
): Record<string, Readonly<Record<string, string>>> {
  const out: Record<string, Readonly<Record<string, string>>> = {};
  for (const source of sources) {
    for (const [type, layout] of Object.entries(source.layouts?.[destinationType] ?? {})) {
      if (!Object.hasOwn(out, type)) out[type] = layout;
    }
  }
  return out;
}

/**
 * The event types these sources' events may have, for filters (`?type=`): every declared type, or `open` when
 * one of them takes its types from the provider (or is not known here, e.g. a plugin not loaded).
 */
export function eventTypesOf(plugins: Iterable<SourcePlugin | undefined>): readonly string[] | 'open' {
  const types = new Set<string>();
  for (const p of plugins) {
    if (p === undefined || p.eventTypes === 'open') return 'open';
    for (const t of p.eventTypes) types.add(t);
  }
  return [...types];
}

/**
 * A configured source's sample bodies by event type: empty when its plugin has none, or when its `samples`
 * throws or answers no object (a bug in it, which made the console's "Try a route" a 500 for every source).
 */
export function samplesOf(source: {
  plugin: SourcePlugin;
  options: unknown;
}): Readonly<Record<string, unknown>> {
  const { samples } = source.plugin;
  let found: unknown;
  try {
    found = typeof samples === 'function' ? samples(source.options) : samples;
  } catch {
    return {};
  }
  return typeof found === 'object' && found !== null && !Array.isArray(found)
    ? (found as Record<string, unknown>)
    : {};
}

/**
 * A configured source's one-line description (`mta v3`): its plugin's `summary`, or its kind when it has none,
 * or when it throws or answers no text (a bug in it, which ended `check` and made "Try a route" a 500).
 */
export function summaryOf(source: { kind: string; plugin: SourcePlugin; options: unknown }): string {
  if (!source.plugin.summary) return source.kind;
  try {
    const said: unknown = source.plugin.summary(source.options);
    return typeof said === 'string' && said.trim() !== '' ? said : source.kind;
  } catch {
    return source.kind;
  }
}
