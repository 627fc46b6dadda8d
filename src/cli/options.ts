import { UsageError } from './io.ts';

/** parseArgs declarations of options that take a value (`--since 2h`), in the order given: their order in --help. */
export function valueOptions<const K extends string>(...names: K[]): Record<K, { type: 'string' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as Record<K, { type: 'string' }>;
}

/** parseArgs declarations of flags (`--json`), in the order given: their order in --help. */
export function flagOptions<const K extends string>(...names: K[]): Record<K, { type: 'boolean' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'boolean' }])) as Record<K, { type: 'boolean' }>;
}

/** The help line of `--limit` on every list command. */
export const LIMIT_HELP = 'how many to show, 1-500 (default 50)';

/**
 * The arguments every `NOUN [ID]` list command takes before it opens the store: at most one ID (`idName` names
 * it in the usage error, e.g. "delivery ID"), and `--limit`, a whole number from 1 to 500 (default 50).
 */
export function listArgs(
  values: Record<string, unknown>,
  positionals: string[],
  idName: string,
): { id: string | undefined; limit: number } {
  if (positionals.length > 1) throw new UsageError(`give at most one ${idName}`);
  // Decimal digits only: Number() would also take 1e2, 0x10 and " 7 ".
  const limit =
    values.limit === undefined ? 50 : /^\d+$/.test(String(values.limit)) ? Number(values.limit) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new UsageError(`--limit must be a whole number from 1 to 500, not "${values.limit}"`);
  return { id: positionals[0], limit };
}
