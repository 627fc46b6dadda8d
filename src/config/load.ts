/**
 * The config loader: parse → interpolate → decode → link → build, reporting every problem from every stage
 * in one run, each located at `file:line:column` with its key path. Stages that can still run meaningfully
 * run even when an earlier one found problems; only a YAML syntax error stops the rest.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sequenceS } from 'fp-ts/lib/Apply.js';
import * as E from 'fp-ts/lib/Either.js';
import type { PluginLogger } from '../destinations/api.ts';
import { loadPlugins, type PluginRegistry } from '../destinations/host.ts';
import { rememberSecrets } from '../destinations/http.ts';
import { catalogOf } from '../routing/catalog.ts';
import type { SourcePlugin } from '../sources/api.ts';
import { BUILTIN_SOURCES, layoutsFor } from '../sources/builtin.ts';
import { adminExposureWarning } from './admin-exposure.ts';
import { buildRoutes, closeAll, createDestination, deepFreeze, frozenMap, SILENT_LOGGER } from './build.ts';
import { isRecord } from './codecs.ts';
import { type Env, interpolate } from './interpolate.ts';
import { type ConfigIssue, collect, everyIssue, type KeyPath, rights, unless } from './issues.ts';
import { checkGroupBy, declaredDestinations, linkDestinations } from './link.ts';
import { type ParsedConfig, parseYaml, readTree } from './parse.ts';
import { quotedScalarsIn } from './quoted-scalars.ts';
import { readConfigText } from './read.ts';
import { formatIssue, type LocatedIssue, locateIssues } from './report.ts';
import { misreadNumbersInRoutes } from './route-numbers.ts';
import { slowRouteRegexes } from './route-regexes.ts';
import {
  BODY_LIMIT_RANGE,
  checkDelivery,
  checkSections,
  DEFAULT_DELIVERY,
  DEFAULT_PLUGIN_DIRS,
  decodeAdmin,
  decodeDelivery,
  decodePlugins,
  decodeServer,
  decodeStore,
} from './schema.ts';
import { collectKeyedSecrets, Secrets } from './secrets.ts';
import { decodeSources, sourceWarnings } from './source-schema.ts';
import type { Config, DeliverySettings } from './types.ts';

export { formatIssue, type LocatedIssue } from './report.ts';

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
  const read = await readConfigText(path);
  if (!read.ok) return { ok: false, issues: [unread(path, read.message)] };
  return runStages(path, read, opts, []);
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
  const read = await readConfigText(path);
  if (!read.ok) return { ok: false, issues: [unread(path, read.message)] };
  const parsed = parseYaml(read.text);
  const tree = readTree(parsed);
  if (E.isLeft(tree)) return { ok: false, issues: locateIssues(path, parsed, tree.left) };
  const { dirs, missing } = pluginDirs(parsed, path, opts.env);
  const { registry, sources, errors } = await loadPlugins(dirs);
  const pluginIssues = [...missing, ...errors.map((message) => ({ path: ['plugins', 'dirs'], message }))];
  const sourcePlugins = new Map([...sources].map(([kind, s]) => [kind, s.plugin] as const));
  return runStages(path, read, { ...opts, plugins: registry, sourcePlugins }, pluginIssues, parsed);
}

/**
 * The source plugins in a config file's own plugin folders (`plugins.dirs`, default ./plugins), kind → plugin,
 * for a command that reads the sources section alone (`sign`). Problems loading any plugin come back as
 * `plugins.dirs: …` lines, never thrown; a file that does not parse gives none (the section load says why).
 */
export async function sourcePluginsOf(
  file: string,
  env: Env,
): Promise<{ plugins: Map<string, SourcePlugin>; problems: string[] }> {
  const path = resolve(file);
  const read = await readConfigText(path);
  if (!read.ok) return { plugins: new Map(), problems: [] };
  const parsed = parseYaml(read.text);
  if (E.isLeft(readTree(parsed))) return { plugins: new Map(), problems: [] };
  const { dirs } = pluginDirs(parsed, path, env);
  const { sources, errors } = await loadPlugins(dirs);
  return {
    plugins: new Map([...sources].map(([kind, s]) => [kind, s.plugin] as const)),
    problems: errors.map((message) => `${path}: plugins.dirs: ${message}`),
  };
}

/** The built-in destinations (slack, email, http, file, discord) ship in this repo's plugins/ folder. */
const BUILTIN_PLUGIN_DIR = fileURLToPath(new URL('../../plugins', import.meta.url));

/**
 * The plugin folders to load: the built-ins always (so a config kept outside the repo still has them), then
 * the folders the file names, resolved against the file's folder. The default ./plugins is used only if it
 * exists; a folder the file names explicitly must exist, and one that does not is an issue that says where it
 * was looked for (a copied config once said only "plugins does not exist").
 */
function pluginDirs(
  parsed: ParsedConfig,
  file: string,
  env: Env,
): { dirs: string[]; missing: ConfigIssue[] } {
  const raw = parsed.doc.toJS() as unknown;
  const dirs = isRecord(raw) && isRecord(raw.plugins) ? interpolate(raw.plugins.dirs, env).value : undefined;
  const usable =
    Array.isArray(dirs) && dirs.every((d) => typeof d === 'string' && d !== '')
      ? (dirs as string[])
      : undefined;
  const named = (usable ?? DEFAULT_PLUGIN_DIRS).map((d) => resolve(dirname(file), d));
  const missing = usable
    ? named.flatMap((d, i): ConfigIssue[] =>
        existsSync(d)
          ? []
          : [
              {
                path: ['plugins', 'dirs', i],
                message: `plugin folder ${d} does not exist (relative folders are read from the config file's folder, ${dirname(file)}): create it, correct the path, or remove it (the built-in plugins load without it)`,
              },
            ],
      )
    : [];
  return { dirs: [...new Set([BUILTIN_PLUGIN_DIR, ...named.filter((d) => existsSync(d))])], missing };
}

/**
 * parse → interpolate → decode → link → build. Each section, source, destination and the routes is its own
 * validation, so every problem of every part is reported in one run; a part that needs another's value chains
 * on it (a destination is built once it linked). Only a file that is no YAML map stops everything.
 */
async function runStages(
  file: string,
  read: { text: string; digest: string },
  opts: LoadOptions,
  earlier: ConfigIssue[],
  alreadyParsed?: ParsedConfig,
): Promise<LoadResult> {
  const parsed = alreadyParsed ?? parseYaml(read.text);
  const tree = readTree(parsed);
  if (E.isLeft(tree)) return { ok: false, issues: locateIssues(file, parsed, tree.left) };
  const interpolated = interpolate(tree.right, opts.env);
  const root = interpolated.value as Record<string, unknown>;
  const secrets = new Secrets([...interpolated.secrets, ...collectKeyedSecrets(root)]);

  const sourcePlugins = new Map([...BUILTIN_SOURCES, ...(opts.sourcePlugins ?? [])]);
  const sources = decodeSources(root.sources, sourcePlugins, secrets);
  // Routes may name what the configured sources declare; with none configured (yet), what any loaded one does.
  const configured = rights(sources).map((s) => s.plugin);
  const catalog = catalogOf(configured.length > 0 ? configured : sourcePlugins.values());
  const delivery = decodeDelivery(root.delivery, secrets);
  const linked = linkDestinations(
    root.destinations,
    opts.plugins,
    E.getOrElse(() => DEFAULT_DELIVERY)(delivery),
    secrets,
  );
  const layouts = (type: string) => layoutsFor(sourcePlugins.values(), type);
  const logger = opts.logger ?? SILENT_LOGGER;
  const destinations = await Promise.all(
    linked.map((d) =>
      E.isLeft(d) ? Promise.resolve(d) : createDestination(d.right, logger, secrets, layouts),
    ),
  );

  const stages = sequenceS(everyIssue)({
    earlier: unless(earlier, undefined),
    sections: checkSections(root),
    quoted: unless(quotedScalarsIn(tree.right, sourcePlugins), undefined),
    server: decodeServer(root.server, secrets),
    delivery: E.chain((d: DeliverySettings) => checkDelivery(d, ['delivery']))(delivery),
    admin: decodeAdmin(root.admin, secrets),
    plugins: decodePlugins(root.plugins, secrets),
    sources: collect(sources),
    store: decodeStore(root.store, secrets),
    groupBy: checkGroupBy(root.destinations, catalog),
    destinations: collect(destinations),
    router: buildRoutes(root.routes, declaredDestinations(root.destinations), catalog),
    misreadNumbers: unless(misreadNumbersInRoutes(parsed.doc, catalog), undefined),
  });
  // A variable that is not set leaves '' behind; later stages' complaints about that '' are the same problem.
  const result = sequenceS(everyIssue)({
    env: unless(interpolated.issues, undefined),
    built: E.mapLeft((issues: ConfigIssue[]) =>
      issues.filter((i) => !interpolated.issues.some((e) => startsWith(i.path, e.path))),
    )(stages),
  });
  if (E.isLeft(result)) {
    await closeAll(rights(destinations));
    return { ok: false, issues: locateIssues(file, parsed, result.left, secrets) };
  }
  const built = result.right.built;
  const config: Config = Object.freeze({
    file,
    digest: read.digest,
    server: deepFreeze(built.server),
    sources: frozenMap(built.sources.map((s) => [s.name, deepFreeze(s)] as const)),
    store: deepFreeze(built.store),
    delivery: deepFreeze(built.delivery),
    admin: deepFreeze(built.admin),
    plugins: deepFreeze({ dirs: built.plugins.dirs.map((d) => resolve(dirname(file), d)) }),
    destinations: frozenMap(built.destinations.map((d) => [d.name, d] as const)),
    router: built.router,
    secrets: Object.freeze(secrets.list()),
  });
  rememberSecrets(config.secrets);
  const warnings = locateIssues(file, parsed, warningsOf(config, root.routes), secrets).map((w) =>
    formatIssue(w),
  );
  return { ok: true, config, warnings };
}

/** What a config that loads still deserves to be told loudly (`routes`: the section as parsed). */
function warningsOf(config: Config, routes: unknown): ConfigIssue[] {
  const none: ConfigIssue[] = [
    ...(config.sources.size === 0
      ? [
          {
            path: ['sources'],
            message:
              // biome-ignore lint/suspicious/noTemplateCurlyInString: it shows the config's own ${VAR} syntax
              'none defined, so every webhook is answered 404: add one, e.g. `mta: { kind: mta, version: 3, secret: "${MTA_WEBHOOK_SECRET}" }`',
          },
        ]
      : []),
    ...(config.router.routeNames.length === 0
      ? [{ path: ['routes'], message: 'none defined, so every event will be stored as unrouted' }]
      : []),
  ];
  const exposure = adminExposureWarning(config.admin);
  const exposed: ConfigIssue[] = exposure ? [{ path: ['admin', 'token'], message: exposure }] : [];
  const limit = config.server.bodyLimitBytes;
  const small: ConfigIssue[] =
    limit < BODY_LIMIT_RANGE.warnBelow
      ? [
          {
            path: ['server', 'bodyLimit'],
            message: `${limit} bytes, so most webhooks will get 413 (MTA's run to a few hundred bytes); 256kb is the default`,
          },
        ]
      : [];
  const { routeNames, unreachable } = config.router;
  const dead: ConfigIssue[] = unreachable.map(({ index, after }) => ({
    path: ['routes', index],
    message: `route "${routeNames[index]}" can never match: route "${after}" above it matches every event and does not continue (move "${routeNames[index]}" above it, or give "${after}" continue: true)`,
  }));
  const shared: ConfigIssue[] = routeNames.flatMap((name, index) =>
    config.destinations.has(name)
      ? [
          {
            path: ['routes', index, 'name'],
            message: `"${name}" names both this route and a destination, so \`switchboard pause ${name}\` (and resume) cannot tell which one you mean: rename one`,
          },
        ]
      : [],
  );
  return [
    ...[...config.sources.values()].flatMap(sourceWarnings),
    ...exposed,
    ...small,
    ...none,
    ...dead,
    ...shared,
    ...slowRouteRegexes(routes),
  ];
}

function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

/** A file that was not read, as the one issue about it (no line to point at). */
function unread(file: string, message: string): LocatedIssue {
  return { file, line: 0, column: 0, path: '', message };
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
