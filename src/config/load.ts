/**
 * The config loader: parse → interpolate → decode → link → build, reporting every problem from every stage
 * in one run, each located at `file:line:column` with its key path. Stages that can still run meaningfully
 * run even when an earlier one found problems; only a YAML syntax error stops the rest.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PluginLogger } from '../destinations/api.ts';
import { loadPlugins, type PluginRegistry } from '../destinations/host.ts';
import { catalogOf } from '../routing/catalog.ts';
import type { SourcePlugin } from '../sources/api.ts';
import { BUILTIN_SOURCES, layoutsFor } from '../sources/builtin.ts';
import { adminExposureWarning } from './admin-exposure.ts';
import { buildRoutes, closeAll, createDestinations, deepFreeze, frozenMap, SILENT_LOGGER } from './build.ts';
import { isRecord } from './codecs.ts';
import { type Env, interpolate } from './interpolate.ts';
import { type ConfigIssue, formatPath, type KeyPath } from './issues.ts';
import { linkDestinations } from './link.ts';
import { locate, type ParsedConfig, parseYaml } from './parse.ts';
import { DEFAULT_DELIVERY, DEFAULT_PLUGIN_DIRS, decodeSections, type Findings } from './schema.ts';
import { collectKeyedSecrets, Secrets } from './secrets.ts';
import type { Config } from './types.ts';

/** One problem, located in the file. `line` and `column` are 1-based; 0 when the file could not be read. */
export interface LocatedIssue {
  file: string;
  line: number;
  column: number;
  /** The key path as users write it, e.g. `routes[2].match.status`; '' for the whole file. */
  path: string;
  message: string;
}

/** A built config and the warnings to log loudly, or every problem found. */
export type LoadResult =
  | { ok: true; config: Config; warnings: string[] }
  | { ok: false; issues: LocatedIssue[] };

/** What loadConfig needs besides the file. */
export interface LoadOptions {
  env: Env;
  /** The destination plugins config may name (see loadConfigWithPlugins for loading them from plugins.dirs). */
  plugins: PluginRegistry;
  /** Source plugins beyond the built-ins (loaded from plugins.dirs by loadConfigWithPlugins). */
  sourcePlugins?: ReadonlyMap<string, SourcePlugin>;
  logger?: PluginLogger;
}

/** Loads and builds a config file against an already loaded plugin registry. */
export async function loadConfig(file: string, opts: LoadOptions): Promise<LoadResult> {
  const path = resolve(file);
  const text = await readText(path);
  if (typeof text !== 'string') return { ok: false, issues: [text] };
  return runStages(path, text, opts, []);
}

/**
 * Loads a config file with the plugins its own `plugins.dirs` names (default ./plugins, relative to the
 * file): what `start`, `check` and reload use. Plugin load errors are issues located at `plugins.dirs`.
 */
export async function loadConfigWithPlugins(
  file: string,
  opts: { env: Env; logger?: PluginLogger },
): Promise<LoadResult> {
  const path = resolve(file);
  const text = await readText(path);
  if (typeof text !== 'string') return { ok: false, issues: [text] };
  const parsed = parseYaml(text);
  if (parsed.syntaxErrors.length > 0) return { ok: false, issues: syntaxIssues(path, parsed) };
  const dirs = pluginDirs(parsed, path, opts.env);
  const { registry, sources, errors } = await loadPlugins(dirs);
  const pluginIssues = errors.map((message) => ({ path: ['plugins', 'dirs'], message }));
  const sourcePlugins = new Map([...sources].map(([kind, s]) => [kind, s.plugin] as const));
  return runStages(path, text, { ...opts, plugins: registry, sourcePlugins }, pluginIssues, parsed);
}

/** The built-in destinations (slack, email, http, file, discord) ship in this repo's plugins/ folder. */
const BUILTIN_PLUGIN_DIR = fileURLToPath(new URL('../../plugins', import.meta.url));

/**
 * The plugin folders to load: the built-ins always (so a config kept outside the repo still has them), then
 * the folders the file names, resolved against the file's folder. The default ./plugins is used only if it
 * exists; a folder the file names explicitly must exist.
 */
function pluginDirs(parsed: ParsedConfig, file: string, env: Env): string[] {
  const raw = parsed.doc.toJS() as unknown;
  const dirs = isRecord(raw) && isRecord(raw.plugins) ? interpolate(raw.plugins.dirs, env).value : undefined;
  const usable =
    Array.isArray(dirs) && dirs.every((d) => typeof d === 'string' && d !== '')
      ? (dirs as string[])
      : undefined;
  const named = (usable ?? DEFAULT_PLUGIN_DIRS).map((d) => resolve(dirname(file), d));
  const wanted = usable ? named : named.filter((d) => existsSync(d));
  return [...new Set([BUILTIN_PLUGIN_DIR, ...wanted])];
}

async function runStages(
  file: string,
  text: string,
  opts: LoadOptions,
  earlier: ConfigIssue[],
  alreadyParsed?: ParsedConfig,
): Promise<LoadResult> {
  const parsed = alreadyParsed ?? parseYaml(text);
  if (parsed.syntaxErrors.length > 0) return { ok: false, issues: syntaxIssues(file, parsed) };
  let js: unknown;
  try {
    js = parsed.doc.toJS();
  } catch (err) {
    return { ok: false, issues: [{ file, line: 1, column: 1, path: '', message: (err as Error).message }] };
  }
  if (js === null || js === undefined)
    return fail(file, parsed, [{ path: [], message: 'the config file is empty' }]);
  if (!isRecord(js)) {
    return fail(file, parsed, [
      { path: [], message: 'expected a map of sections (server, sources, destinations, routes…)' },
    ]);
  }
  const { value, issues: envIssues, secrets: fromEnv } = interpolate(js, opts.env);
  const root = value as Record<string, unknown>;
  const secrets = new Secrets([...fromEnv, ...collectKeyedSecrets(root)]);
  const findings: Findings = { issues: [...earlier], warnings: [] };

  const sourcePlugins = new Map([...BUILTIN_SOURCES, ...(opts.sourcePlugins ?? [])]);
  const sections = decodeSections(root, findings, secrets, sourcePlugins);
  // Routes may name what the configured sources declare; with none configured (yet), what any loaded one does.
  const configured = [...sections.sources.values()].map((s) => s.plugin);
  const catalog = catalogOf(configured.length > 0 ? configured : sourcePlugins.values());
  const destinations = linkDestinations(
    root.destinations,
    opts.plugins,
    sections.delivery ?? DEFAULT_DELIVERY,
    findings,
    secrets,
    catalog,
  );
  const layouts = (type: string) => layoutsFor(sourcePlugins.values(), type);
  const built = createDestinations(
    destinations.linked,
    opts.logger ?? SILENT_LOGGER,
    findings,
    secrets,
    layouts,
  );
  const router = buildRoutes(root.routes, destinations.declared, findings, catalog);

  // A variable that is not set leaves '' behind; later stages' complaints about that '' are the same problem.
  const issues = [
    ...envIssues,
    ...findings.issues.filter((i) => !envIssues.some((e) => startsWith(i.path, e.path))),
  ];
  if (
    issues.length > 0 ||
    !router ||
    !sections.server ||
    !sections.store ||
    !sections.delivery ||
    !sections.admin ||
    !sections.plugins
  ) {
    await closeAll(built.values());
    return fail(file, parsed, issues, secrets);
  }
  const exposure = adminExposureWarning(sections.admin);
  if (exposure) findings.warnings.push({ path: ['admin', 'token'], message: exposure });
  if (router.routeNames.length === 0) {
    findings.warnings.push({
      path: ['routes'],
      message: 'none defined, so every event will be stored as unrouted',
    });
  }
  const config: Config = Object.freeze({
    file,
    server: deepFreeze(sections.server),
    sources: frozenMap([...sections.sources].map(([k, v]) => [k, deepFreeze(v)] as const)),
    store: deepFreeze(sections.store),
    delivery: deepFreeze(sections.delivery),
    admin: deepFreeze(sections.admin),
    plugins: deepFreeze({ dirs: sections.plugins.dirs.map((d) => resolve(dirname(file), d)) }),
    destinations: frozenMap(built),
    router,
    secrets: Object.freeze(secrets.list()),
  });
  const warnings = located(file, parsed, findings.warnings, secrets).map((w) => formatIssue(w));
  return { ok: true, config, warnings };
}

function fail(file: string, parsed: ParsedConfig, issues: ConfigIssue[], secrets?: Secrets): LoadResult {
  return { ok: false, issues: located(file, parsed, issues, secrets) };
}

/** Locates issues in the document, hides secrets once more, and sorts them top to bottom like the file. */
function located(
  file: string,
  parsed: ParsedConfig,
  issues: ConfigIssue[],
  secrets?: Secrets,
): LocatedIssue[] {
  return issues
    .map((issue, order) => ({
      order,
      issue: {
        file,
        ...locate(parsed, issue.path),
        path: formatPath(issue.path),
        message: secrets ? secrets.redact(issue.message) : issue.message,
      },
    }))
    .sort((a, b) => a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.order - b.order)
    .map((x) => x.issue);
}

function syntaxIssues(file: string, parsed: ParsedConfig): LocatedIssue[] {
  return parsed.syntaxErrors.map((e) => ({
    file,
    line: e.line,
    column: e.column,
    path: '',
    message: e.message,
  }));
}

function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

async function readText(file: string): Promise<string | LocatedIssue> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'config file not found' : `cannot read config file: ${(err as Error).message}`;
    return { file, line: 0, column: 0, path: '', message };
  }
}

/** `config.yaml:12:5 routes[2].match.status: "DELIVERD" is not …`, the file relative to the working directory. */
export function formatIssue(issue: LocatedIssue, cwd: string = process.cwd()): string {
  const rel = relative(cwd, issue.file);
  const file = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : issue.file;
  const where = issue.line > 0 ? `${file}:${issue.line}:${issue.column}` : `${file}:`;
  return issue.path === '' ? `${where} ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/**
 * Which config file to use (contract §5): `--config FILE`, else $SWITCHBOARD_CONFIG, else ./config.yaml,
 * else ./config.example.yaml with a warning.
 */
export function resolveConfigPath(
  flag: string | undefined,
  env: Env,
  cwd: string,
): { path: string; warning?: string } {
  if (flag !== undefined && flag !== '') return { path: resolve(cwd, flag) };
  const fromEnv = env.SWITCHBOARD_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { path: resolve(cwd, fromEnv) };
  const main = resolve(cwd, 'config.yaml');
  if (existsSync(main)) return { path: main };
  const example = resolve(cwd, 'config.example.yaml');
  if (existsSync(example)) {
    return {
      path: example,
      warning:
        'no --config, $SWITCHBOARD_CONFIG or ./config.yaml; using ./config.example.yaml (copy it to config.yaml to make it yours)',
    };
  }
  return { path: main };
}
