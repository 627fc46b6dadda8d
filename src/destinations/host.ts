/**
 * The plugin host: finds destination plugins in folders and imports them (contract §6). A plugin is a folder
 * with index.ts/index.js or a single .ts/.js file whose default export is `{ type, config, create }`. tsx is
 * registered by bin/switchboard.js (and by mocha), or here before the first .ts plugin when the gateway runs
 * built (dist/), so .ts plugins load without a build step.
 *
 * Node caches imported modules, so a config reload sees the plugins loaded at start; changed plugin code
 * needs a restart.
 */
import { readdir, stat } from 'node:fs/promises';
import { register } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourcePlugin } from '../sources/api.ts';
import { BUILTIN_SOURCES } from '../sources/builtin.ts';
import { isSourceExport, sourceShapeProblems } from '../sources/shape.ts';
import { withTimeout } from '../time-limit.ts';
import type { DestinationPlugin } from './api.ts';

/** Loaded plugins by `type`, each with the file it came from. */
export type PluginRegistry = ReadonlyMap<string, { plugin: DestinationPlugin; file: string }>;

/** What loading produced: every plugin that loaded, and one message per problem (each naming its file). */
export interface LoadedPlugins {
  registry: PluginRegistry;
  /** Source plugins found in the same folders (a default export with `kind` rather than `type`). */
  sources: ReadonlyMap<string, { plugin: SourcePlugin; file: string }>;
  errors: string[];
}

let sharedResolution = false;

/**
 * Lets plugins anywhere on disk import `switchboard/plugin-sdk`, `io-ts` and `fp-ts` (see host-resolve.mjs).
 * Registered once per process, before the first plugin is imported.
 */
function shareGatewayModules(again = false): void {
  if (sharedResolution && !again) return;
  sharedResolution = true;
  // A second registration needs its own module instance (a query), or the hooks thread reuses the first.
  register(again ? './host-resolve.mjs?after-tsx' : './host-resolve.mjs', import.meta.url, {
    data: {
      gatewayUrl: new URL('../../package.json', import.meta.url).href,
      // The SDK beside this module (sdk.ts from the sources, sdk.js built): plugins and the core share one copy,
      // so the errors a plugin throws are the classes the core checks for.
      sdkUrl: new URL(import.meta.url.endsWith('.ts') ? './sdk.ts' : './sdk.js', import.meta.url).href,
    },
  });
}

/** Loads every plugin in each folder, in folder order then name order; problems are collected, not thrown. */
export async function loadPlugins(dirs: readonly string[]): Promise<LoadedPlugins> {
  shareGatewayModules();
  const registry = new Map<string, { plugin: DestinationPlugin; file: string }>();
  const sources = new Map<string, { plugin: SourcePlugin; file: string }>();
  const errors: string[] = [];
  for (const dir of dirs) {
    const files = await pluginFiles(resolve(dir), errors);
    for (const file of files) {
      const plugin = await importPlugin(file, errors);
      if (plugin === undefined) continue;
      if (isSourceExport(plugin)) {
        addSource(plugin, file, sources, errors);
        continue;
      }
      const existing = registry.get(plugin.type);
      if (existing !== undefined) {
        errors.push(
          `${show(file)}: plugin type "${plugin.type}" is already provided by ${show(existing.file)}; rename one of them`,
        );
        continue;
      }
      registry.set(plugin.type, { plugin, file });
    }
  }
  return { registry, sources, errors };
}

/** The plugin entry files of one folder. */
async function pluginFiles(dir: string, errors: string[]): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    errors.push(
      code === 'ENOENT'
        ? `plugin folder ${show(dir)} does not exist`
        : code === 'ENOTDIR'
          ? `plugin folder ${show(dir)} is not a folder`
          : `cannot read plugin folder ${show(dir)}: ${(err as Error).message}`,
    );
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(dir, entry.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await isFolder(full)));
    if (isDir) {
      // A folder without an index is not a plugin (shared helpers, fixtures); skipping it is deliberate.
      const index = await firstFile([join(full, 'index.ts'), join(full, 'index.js')]);
      if (index !== undefined) files.push(index);
    } else if (isPluginFile(entry.name)) {
      files.push(full);
    }
  }
  return files;
}

/** A single-file plugin: .ts, .js, .mjs or .cjs, but not declarations, tests or docs. */
export function isPluginFile(name: string): boolean {
  if (!/\.(ts|js|mjs|cjs)$/.test(name)) return false;
  return !/\.d\.ts$/.test(name) && !/\.(test|spec)\.(ts|js)$/.test(name);
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function firstFile(candidates: string[]): Promise<string | undefined> {
  for (const c of candidates) {
    try {
      if ((await stat(c)).isFile()) return c;
    } catch {
      // not there; try the next
    }
  }
  return undefined;
}

let typescriptLoader = import.meta.url.endsWith('.ts');

/**
 * Plugins written in TypeScript load without a build: the built gateway (dist/) registers tsx the first time it
 * meets a .ts plugin, and only then (from the sources, tsx is already there). Both of its hooks, as the `tsx`
 * command does: with the ES module hook alone, a .js plugin written as an ES module in a folder with no
 * package.json `"type": "module"` was handed to require() and refused ("Cannot require() ES Module ... in a
 * cycle"); the CommonJS hook compiles it instead. tsx, registered last, would then have the last word on a
 * file's format, and a `.js` plugin compiled to CommonJS requires `switchboard/plugin-sdk` past the shared-module
 * hook ("Cannot find module"): that hook is registered again after tsx, so it decides as it does from the sources.
 */
async function ensureTypescriptLoader(file: string): Promise<void> {
  if (typescriptLoader || !file.endsWith('.ts')) return;
  typescriptLoader = true;
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  const { register: registerTsxCjs } = await import('tsx/cjs/api');
  registerTsxCjs();
  shareGatewayModules(true);
}

/**
 * How long a plugin file may take to load, in ms (a top-level await that never settles hung `check`, which
 * exited 13 without a word, and every later reload): 15 s, or $SWITCHBOARD_PLUGIN_LOAD_MS.
 */
function pluginLoadMs(): number {
  const ms = Number(process.env.SWITCHBOARD_PLUGIN_LOAD_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 15_000;
}

/**
 * The module's default export. A module compiled to CommonJS (an ES module .js plugin in a folder without
 * `"type": "module"`, through tsx) is imported as `{ default: module.exports }`, its own default inside.
 */
function defaultExport(mod: { default?: unknown }): unknown {
  const exported = mod.default as { __esModule?: unknown; default?: unknown } | undefined;
  return exported !== null &&
    typeof exported === 'object' &&
    exported.__esModule === true &&
    'default' in exported
    ? exported.default
    : exported;
}

/** `import(file)`, refused after pluginLoadMs() (the import itself cannot be stopped; it is left behind). */
function importWithin(file: string): Promise<{ default?: unknown }> {
  const limitMs = pluginLoadMs();
  return withTimeout(
    import(pathToFileURL(file).href) as Promise<{ default?: unknown }>,
    limitMs,
    () =>
      new Error(
        `did not finish loading within ${limitMs / 1000} s (a top-level await that never settles?); fix it or move it out of the plugin folder`,
      ),
  );
}

async function importPlugin(file: string, errors: string[]): Promise<DestinationPlugin | undefined> {
  let mod: { default?: unknown };
  try {
    await ensureTypescriptLoader(file);
    const loaded = await importWithin(file);
    mod = { default: defaultExport(loaded) };
  } catch (err) {
    errors.push(loadFailure(file, err));
    return undefined;
  }
  if (isSourceExport(mod.default)) {
    const problems = sourceShapeProblems(mod.default);
    if (problems.length === 0) return mod.default as unknown as DestinationPlugin;
    errors.push(`${show(file)}: not a source plugin: ${problems.join('; ')}`);
    return undefined;
  }
  const problems = shapeProblems(mod.default);
  if (problems.length > 0) {
    errors.push(`${show(file)}: not a destination plugin: ${problems.join('; ')}`);
    return undefined;
  }
  return mod.default as DestinationPlugin;
}

/** What is wrong with a module's default export, as a plugin (empty when it is fine). */
export function shapeProblems(exported: unknown): string[] {
  if (exported === undefined) return ['it has no default export (export default { type, config, create })'];
  if (exported === null || typeof exported !== 'object') {
    return ['its default export must be an object { type, config, create }'];
  }
  const p = exported as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof p.type !== 'string' || p.type.trim() === '') problems.push('`type` must be a non-empty string');
  const config = p.config as Record<string, unknown> | null | undefined;
  if (
    config === null ||
    typeof config !== 'object' ||
    typeof config.decode !== 'function' ||
    typeof config.validate !== 'function'
  ) {
    problems.push('`config` must be an io-ts codec (with decode)');
  }
  if (typeof p.create !== 'function') problems.push('`create` must be a function');
  return problems;
}

/**
 * `plugins/bad.ts:3:10: failed to load: Unexpected ","`: a syntax error (esbuild's, through tsx) or an error
 * thrown while the module ran keeps the plugin's own file:line:column, so an editor can jump to it.
 */
export function loadFailure(file: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const syntax = /^(.+):(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  if (syntax) return `${show(syntax[1])}:${syntax[2]}:${syntax[3]}: failed to load: ${syntax[4]}`;
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  for (const line of stack.split('\n')) {
    const at = /\(?(?:file:\/\/)?([^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (at && resolve(decodeURIComponent(at[1])) === resolve(file))
      return `${show(file)}:${at[2]}:${at[3]}: failed to load: ${firstLine(err)}`;
  }
  return `${show(file)}: failed to load: ${firstLine(err)}`;
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

/** A path as users see it: relative to the working directory when inside it. */
function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Registers a source plugin, refusing a kind that a built-in or an earlier plugin already provides. */
function addSource(
  plugin: unknown,
  file: string,
  sources: Map<string, { plugin: SourcePlugin; file: string }>,
  errors: string[],
): void {
  const source = plugin as SourcePlugin;
  const existing = sources.get(source.kind);
  if (BUILTIN_SOURCES.has(source.kind) || existing !== undefined) {
    const by = existing ? show(existing.file) : 'a built-in source';
    errors.push(
      `${show(file)}: source kind "${source.kind}" is already provided by ${by}; rename one of them`,
    );
    return;
  }
  sources.set(source.kind, { plugin: source, file });
}
