/** Shared helpers for the config tests: temp dirs inside the repo (so test plugins resolve `io-ts`) and stand-in plugins. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as t from 'io-ts';
import type { Env } from '../../src/config/interpolate.ts';
import { formatIssue, type LoadResult, loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import type { DestinationPlugin, PluginContext } from '../../src/destinations/api.ts';
import type { PluginRegistry } from '../../src/destinations/host.ts';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A fresh temp dir under .tmp/ (gitignored); removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'config-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a file (creating folders) and returns its path. */
export function write(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const FileOptions = t.exact(
  t.intersection([
    t.type({ path: t.string }),
    t.partial({ format: t.keyof({ event: null, payload: null }), text: t.string }),
  ]),
);

/** Stand-in for the built-in `file` plugin; compiles `text` as a template, like real plugins do. */
export const filePlugin: DestinationPlugin<t.TypeOf<typeof FileOptions>> = {
  type: 'file',
  config: FileOptions,
  create(options, ctx: PluginContext) {
    if (options.text !== undefined) ctx.template('text', options.text, 'none');
    return { async send() {} };
  },
};

const ChatOptions = t.type({ channel: t.string, token: t.string, retries: t.number });

/** A chat-like test plugin with a required numeric option, for option-error tests. */
export const chatPlugin: DestinationPlugin<t.TypeOf<typeof ChatOptions>> = {
  type: 'chat',
  config: ChatOptions,
  create() {
    return { async send() {} };
  },
};

/** A registry holding the given stand-in plugins. */
export function registry(...plugins: Array<{ type: string }>): PluginRegistry {
  return new Map(
    plugins.map((p) => [p.type, { plugin: p as unknown as DestinationPlugin, file: `${p.type}.ts` }]),
  );
}

/** Writes `text` as config.yaml in a new temp dir and loads it with the stand-in plugins. */
export async function loadText(
  text: string,
  env: Env = {},
  plugins: PluginRegistry = registry(filePlugin, chatPlugin),
): Promise<LoadResult> {
  const { dir, cleanup } = tempDir();
  try {
    return await loadConfig(write(dir, 'config.yaml', text), { env, plugins });
  } finally {
    cleanup();
  }
}

/** The issues of a failed load, formatted as `config.yaml:L:C path: message` (file name only). */
export function lines(result: LoadResult): string[] {
  if (result.ok) throw new Error(`expected the config to be rejected, but it loaded`);
  return result.issues.map((i) => formatIssue(i, dirname(i.file)));
}

/** The config of a successful load (fails the test with the issues otherwise). */
export function built(result: LoadResult): Config {
  if (!result.ok) throw new Error(`expected the config to load:\n${lines(result).join('\n')}`);
  return result.config;
}

/** A minimal valid config, to which a test adds one problem. */
export const VALID = `
sources:
  mta:
    kind: mta
    secret: s3cr3t-value
destinations:
  audit:
    type: file
    path: ./events.jsonl
routes:
  - name: everything
    to: [audit]
`;
