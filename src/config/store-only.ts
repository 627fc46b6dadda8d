/**
 * What operator commands need from the config, and nothing more: the `store` section (`deliveries`, `replay`,
 * `pause`, `destinations`, ...) or the `sources` section (`sign`), validated, plus the names of destinations and
 * routes as written. Nothing else is interpolated or validated, so these commands keep working in an incident:
 * with a destination's secret unset, or right after an edit the running gateway refused.
 */

import { resolve } from 'node:path';
import { sequenceT } from 'fp-ts/lib/Apply.js';
import * as E from 'fp-ts/lib/Either.js';
import { isMap, isScalar } from 'yaml';
import { BUILTIN_SOURCES } from '../sources/builtin.ts';
import { isRecord } from './codecs.ts';
import { type Env, interpolate } from './interpolate.ts';
import { type ConfigIssue, collect, everyIssue, issuesOf, under, unless, type Validation } from './issues.ts';
import { sourcePluginsOf } from './load.ts';
import { type ParsedConfig, parseYaml, readTree } from './parse.ts';
import { readConfigText } from './read.ts';
import { formatIssue, locateIssues } from './report.ts';
import { decodeStore } from './schema.ts';
import { collectKeyedSecrets, Secrets } from './secrets.ts';
import { decodeSources } from './source-schema.ts';
import type { SourceConfig, StoreConfig } from './types.ts';

/** The store section and the names in the file. `secrets`: every value that can be resolved, for redaction. */
export interface StoreOnlyConfig {
  file: string;
  store: StoreConfig;
  destinations: Array<{ name: string; type: string }>;
  routes: string[];
  /** The `kind` of each source as written (for the event types filters may name). */
  sourceKinds: string[];
  /** The sources' names as written, when the file has a sources section (for `--source`'s did-you-mean). */
  sourceNames?: string[];
  secrets: string[];
}

/**
 * A partial load: the value (with `warnings` to print, e.g. YAML errors outside the section read), or every
 * problem as a `file:line:column path: message` line.
 */
export type PartialLoad<T> = { ok: true; config: T; warnings?: string[] } | { ok: false; problems: string[] };

/**
 * Reads the file and decodes one section with `decode`, interpolating only that section (other sections' unset
 * variables are no problem). Every resolvable secret of the file is collected for redaction all the same.
 */
async function loadSection<S, T>(
  file: string,
  env: Env,
  name: 'store' | 'sources',
  decode: (raw: unknown, secrets: Secrets) => Validation<S>,
  build: (section: S, root: Record<string, unknown>, path: string, secrets: Secrets) => T,
): Promise<PartialLoad<T>> {
  const path = resolve(file);
  const read = await readConfigText(path);
  if (!read.ok) return { ok: false, problems: [`${path}: ${read.message}`] };
  const parsed = parseYaml(read.text);
  const problems = (issues: ConfigIssue[], secrets?: Secrets) =>
    locateIssues(path, parsed, issues, secrets).map((i) => formatIssue(i));
  // An edit the gateway refused must not lock the operator out: YAML errors wholly outside the section read are
  // said as a warning, and the section is read from the rest of the document as yaml recovered it.
  const warnings: string[] = [];
  if (parsed.syntaxErrors.length > 0) {
    if (!sectionIntact(parsed, name)) return { ok: false, problems: problems(issuesOf(readTree(parsed))) };
    const first = parsed.syntaxErrors[0];
    warnings.push(
      `${path}:${first.line}:${first.column}: ${parsed.syntaxErrors.length} YAML syntax error(s) outside the ${name} section (the running gateway refuses this file; \`switchboard check\` says where): read the ${name} section all the same`,
    );
  }
  const js = parsed.doc.toJS() as unknown;
  const root = isRecord(js) ? js : {};
  const whole = interpolate(root, env);
  const secrets = new Secrets([...whole.secrets, ...collectKeyedSecrets(whole.value)]);
  const section = interpolate(root[name], env);
  const result = sequenceT(everyIssue)(
    unless(under([name], section.issues), undefined),
    decode(section.value, secrets),
  );
  if (E.isLeft(result)) return { ok: false, problems: problems(result.left, secrets) };
  return {
    ok: true,
    config: build(result.right[1], root, path, secrets),
    ...(warnings.length > 0 && { warnings }),
  };
}

/**
 * Whether a document with syntax errors still holds section `name` as a top-level key, with no error on its
 * lines or before them (an error above it may have changed what it belongs to).
 */
function sectionIntact(parsed: ParsedConfig, name: string): boolean {
  const contents = parsed.doc.contents;
  if (!isMap(contents)) return false;
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === name);
  const end = (pair?.value as { range?: [number, number, number] } | null | undefined)?.range?.[2];
  if (pair === undefined || end === undefined) return false;
  const lastLine = parsed.lines.linePos(end).line;
  return parsed.syntaxErrors.every((e) => e.line > lastLine);
}

/** Loads just the store section, and the destination and route names as written. */
export function loadStoreOnly(file: string, env: Env): Promise<PartialLoad<StoreOnlyConfig>> {
  return loadSection(file, env, 'store', decodeStore, (store, root, path, secrets) => ({
    file: path,
    store,
    destinations: isRecord(root.destinations)
      ? Object.entries(root.destinations).map(([name, d]) => ({
          name,
          type: isRecord(d) && typeof d.type === 'string' ? d.type : 'unknown',
        }))
      : [],
    routes: Array.isArray(root.routes)
      ? root.routes.map((r, i) => (isRecord(r) && typeof r.name === 'string' ? r.name : `route-${i}`))
      : [],
    sourceKinds: isRecord(root.sources)
      ? Object.values(root.sources).map((s) => (isRecord(s) && typeof s.kind === 'string' ? s.kind : ''))
      : [],
    ...(isRecord(root.sources) && { sourceNames: Object.keys(root.sources) }),
    secrets: secrets.list(),
  }));
}

/** Loads just the sources section (for `switchboard sign`). */
export async function loadSourcesOnly(
  file: string,
  env: Env,
): Promise<PartialLoad<{ file: string; sources: ReadonlyMap<string, SourceConfig> }>> {
  // The built-in kinds and the source plugins in the file's plugin folders (a `kind: statuspage` was refused
  // as unknown here while `check` and `start` knew it).
  const extra = await sourcePluginsOf(file, env);
  const kinds = new Map([...BUILTIN_SOURCES, ...extra.plugins]);
  const decode = (raw: unknown, secrets: Secrets) =>
    E.map((sources: SourceConfig[]) => new Map(sources.map((s) => [s.name, s] as const)))(
      collect(decodeSources(raw, kinds, secrets)),
    );
  const loaded = await loadSection(file, env, 'sources', decode, (sources, _root, path) => ({
    file: path,
    sources,
  }));
  return loaded.ok ? loaded : { ok: false, problems: [...extra.problems, ...loaded.problems] };
}
