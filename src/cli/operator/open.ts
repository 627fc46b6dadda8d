import { hostname, userInfo } from 'node:os';
import { resolveConfigPath } from '../../config/load.ts';
import { loadStoreOnly } from '../../config/store-only.ts';
import { CheckFailed, type Io } from '../io.ts';
import type { Operator } from './backend.ts';
import { localOperator } from './local.ts';
import { remoteOperator } from './remote.ts';

/** The option every operator command takes, and its help line. */
export const URL_OPTION = { url: { type: 'string' } } as const;
export const URL_HELP = {
  url: "talk to a running gateway's admin API instead of the store (token from $SWITCHBOARD_ADMIN_TOKEN; default $SWITCHBOARD_URL)",
};

/**
 * The store named by the config's `store` section (nothing else of the config needs to be valid), or with
 * `--url` / $SWITCHBOARD_URL the admin API of a running gateway.
 */
export async function openOperator(
  values: Record<string, unknown>,
  io: Io,
  mayCreate = false,
): Promise<Operator> {
  const url = (values.url as string | undefined) ?? io.env.SWITCHBOARD_URL;
  if (url) return remoteOperator(url, io.env.SWITCHBOARD_ADMIN_TOKEN);
  const { path, warning } = resolveConfigPath(values.config as string | undefined, io.env, io.cwd);
  if (warning) io.err(`warning: ${warning}`);
  const loaded = await loadStoreOnly(path, io.env);
  if (!loaded.ok)
    throw new CheckFailed([
      ...loaded.problems,
      `${loaded.problems.length} problem(s) in the store section of ${path}`,
    ]);
  for (const w of loaded.warnings ?? []) io.err(`warning: ${w}`);
  return localOperator(loaded.config, io.cwd, mayCreate);
}

/** Who is acting, for pauses: `$USER@host`. */
export function operatorName(io: Io): string {
  let user = io.env.USER ?? io.env.LOGNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}

/**
 * Runs `fn` with an operator, closing it after; every line printed goes through the operator's redaction.
 * `mayCreate`: a SQLite store not there yet is made when its directory exists (pause, resume: see
 * openExistingStore); otherwise a missing one is an error.
 */
export async function withOperator(
  values: Record<string, unknown>,
  io: Io,
  fn: (op: Operator, out: (line: string) => void) => Promise<number>,
  mayCreate = false,
): Promise<number> {
  const op = await openOperator(values, io, mayCreate);
  try {
    return await fn(op, (line) => io.out(op.redact(line)));
  } finally {
    await op.close();
  }
}
