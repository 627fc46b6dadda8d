import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { BadParam, parseSince } from '../admin/params.ts';
import { resolveConfigPath } from '../config/load.ts';
import type { Config, StoreConfig } from '../config/types.ts';
import { ConfigRejected, loadOrThrow } from '../service.ts';
import { openStore, storeWhere } from '../store/open.ts';
import type { Store } from '../store/types.ts';

/** A usage mistake: the CLI prints it with the usage line and exits 2. */
export class UsageError extends Error {}

/** A failed check (bad config, failed case, undecodable payload): exits 1 after printing `lines`. */
export class CheckFailed extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/** Where the CLI writes; swapped in tests of the commands' output. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The real terminal. */
export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  cwd: process.cwd(),
};

/** Finds and loads the config the way every command does (--config, $SWITCHBOARD_CONFIG, ./config.yaml, example). */
export async function loadCliConfig(flag: string | undefined, io: Io): Promise<Config> {
  const { path, warning } = resolveConfigPath(flag, io.env, io.cwd);
  if (warning) io.err(`warning: ${warning}`);
  try {
    const { config, warnings } = await loadOrThrow(path, io.env);
    for (const w of warnings) io.err(`warning: ${w}`);
    return config;
  } catch (err) {
    if (err instanceof ConfigRejected)
      throw new CheckFailed([...err.lines, `${err.lines.length} problem(s) in ${path}`]);
    throw err;
  }
}

/** Why a file could not be read, in a few words: `no such file`, `it is a directory`, `permission denied`. */
export function unreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

/** Reads a file argument, or standard input for `-`; a file that cannot be read is a usage error naming it. */
export async function readInput(file: string): Promise<Buffer> {
  if (file !== '-') {
    try {
      return await readFile(file);
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${unreadable(err)} (give a file, or - for standard input)`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `--since` as a time: a duration back from now (30m, 7d) or an ISO date; undefined when not given. */
export function sinceOption(value: unknown, now: number = Date.now()): Date | undefined {
  try {
    return parseSince(value, now);
  } catch (err) {
    if (err instanceof BadParam) throw new UsageError(`--since: ${err.message}`);
    throw err;
  }
}

/** The options of the commands that read stored events (redecode, shapes): which events, and how to print. */
export const STORED_EVENTS_OPTIONS = {
  since: { type: 'string' },
  source: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Help lines for STORED_EVENTS_OPTIONS; `json` says what the command prints. */
export function storedEventsHelp(json: string): Record<string, string> {
  return {
    since:
      'only events received within this duration (30m, 1h, 7d) or since this ISO 8601 time (default: all)',
    source: 'only events of this source (a name under sources: in the config)',
    json,
  };
}

/** The `--source` of a command reading stored events, checked against the config when `check` is set. */
export function sourceOption(value: unknown, config: Config, check: boolean): string | undefined {
  const source = value as string | undefined;
  if (check && source !== undefined && !config.sources.has(source)) {
    throw new UsageError(`--source: no source "${source}" in the config`);
  }
  return source;
}

/**
 * Where redecode and shapes start: no positionals, `--since`, the config, `--source` (checked against the config
 * when `checkSource`), and the store, which the caller closes.
 */
export async function openStoredEvents(
  values: Record<string, unknown>,
  positionals: string[],
  io: Io,
  checkSource: boolean,
) {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const since = sinceOption(values.since);
  const config = await loadCliConfig(values.config as string | undefined, io);
  const source = sourceOption(values.source, config, checkSource);
  return { since, config, source, store: await openExistingStore(config.store, io.cwd) };
}

/**
 * Opens the store an operator command works on, refusing a SQLite file that does not exist: opening it would
 * make an empty one where the gateway never looks (a relative `store.path` is read from the working
 * directory), and every command would answer "nothing" — no events, "replayed 0". With `mayCreate` (a pause
 * or resume, which may come before the gateway's first start) it is made when its directory exists; a
 * missing directory is the sign of a wrong working directory, and a pause there no gateway would see.
 *
 * @throws Error naming the path looked at (SQLite) or the store and its driver's error (PostgreSQL), and what to do.
 */
export async function openExistingStore(store: StoreConfig, cwd: string, mayCreate = false): Promise<Store> {
  if (store.driver === 'postgres') {
    try {
      return await openStore(store);
    } catch (err) {
      // The driver's message alone (`connect ECONNREFUSED 127.0.0.1:5432`) said neither what was being opened
      // nor what to check. Named as the gateway's start names it, without user, password or query.
      throw new Error(
        `cannot open the event store (${storeWhere(store)}, store.url): ${(err as Error).message}: check that PostgreSQL is up there and that store.url names the right host, database and user, or ask the running gateway with --url`,
        { cause: err },
      );
    }
  }
  if (store.path === ':memory:') return openStore(store);
  const path = resolve(cwd, store.path);
  if (!existsSync(mayCreate ? dirname(path) : path)) {
    const relative = isAbsolute(store.path)
      ? ''
      : ` (store.path ${store.path} is read from the working directory, ${cwd})`;
    throw new Error(
      `no store at ${path}: the gateway has not written one there${relative}. Run the command where the gateway runs, with its --config, or ask the running gateway with --url`,
    );
  }
  return openStore(store);
}
