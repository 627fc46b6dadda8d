/** What the `switchboard mta` subcommands share: the API client from the environment, the source's webhook URLs, tables, the prompt. */
import { createInterface } from 'node:readline';
import { didYouMean } from '../../config/issues.ts';
import type { Config, SourceConfig } from '../../config/types.ts';
import { MTA_API_URL, MtaApiClient, type MtaWebhook } from '../../sources/mta/api-client.ts';
import { EVENT_TYPES } from '../../sources/mta/event.ts';
import { type Io, UsageError } from '../io.ts';
import { withoutUserinfo } from '../url-text.ts';

/** One `mta` subcommand: its usage text (options, defaults, an example) and what it does. */
export interface MtaSubcommand {
  help: string;
  run(values: Record<string, unknown>, positionals: string[], io: Io): Promise<number>;
}

/** Said once under every subcommand's usage. */
export const COMMON_HELP = `Every mta command reads MTA's API key from MTA_API_KEY (never from the command line) and talks to
--api-url URL, else MTA_API_URL, else ${MTA_API_URL}. Network failures, 429 and 5xx answers are retried
3 times with backoff; MTA's errors are shown with its message, httpCode and requestId.`;

/** The API client, configured from --api-url / MTA_API_URL and MTA_API_KEY; retries are reported on stderr. */
export function apiClient(values: Record<string, unknown>, io: Io): MtaApiClient {
  const apiKey = io.env.MTA_API_KEY?.trim();
  if (!apiKey) {
    throw new UsageError(
      'set MTA_API_KEY to an API key of your MTA account (MTA dashboard → Settings → Developer Resources); it is never taken from the command line, so it stays out of shell history and ps',
    );
  }
  const baseUrl = (values['api-url'] as string | undefined) ?? io.env.MTA_API_URL ?? MTA_API_URL;
  const parsed = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  if (!parsed || !/^https?:$/.test(parsed.protocol))
    throw new UsageError(`--api-url / MTA_API_URL must be an http(s) URL, got "${withoutUserinfo(baseUrl)}"`);
  // fetch refuses such a URL with an error quoting it whole, password included; MTA's API takes only the key.
  if (parsed.username !== '' || parsed.password !== '')
    throw new UsageError(
      `--api-url / MTA_API_URL ${parsed.origin} must not include a user name or password: MTA's API takes the key in MTA_API_KEY`,
    );
  const backoff = Number(io.env.SWITCHBOARD_MTA_BACKOFF_MS);
  return new MtaApiClient({
    baseUrl,
    apiKey,
    ...(Number.isFinite(backoff) && backoff > 0 ? { backoffMs: backoff } : {}),
    onRetry: (what, attempt, ms) => io.err(`MTA API ${what} failed; retry ${attempt} of 3 in ${ms} ms`),
  });
}

/** Where a source's webhooks go: `<base>` is `https://PUBLIC/webhooks/<source>`, each event at `<base>/<event>`. */
export interface WebhookTarget {
  source: string;
  base: string;
}

/** Reads --url and --source: the URL must end in /webhooks/<source>, and the two must agree. */
export function webhookTarget(values: Record<string, unknown>): WebhookTarget {
  const raw = values.url as string | undefined;
  if (!raw)
    throw new UsageError('--url is required: the public URL of the source, https://HOST/webhooks/<source>');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--url "${withoutUserinfo(raw)}" is not a URL (expected https://HOST/webhooks/<source>)`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`--url must be http(s), got ${url.protocol}`);
  if (url.search || url.hash) throw new UsageError('--url must not have a query or fragment');
  const path = url.pathname.replace(/\/+$/, '');
  const m = /\/webhooks\/([^/]+)$/.exec(path);
  const named = values.source as string | undefined;
  if (!m) {
    throw new UsageError(
      `--url must end in /webhooks/<source> (the gateway's path for the source), got ${url.pathname}`,
    );
  }
  const source = decodeURIComponent(m[1]);
  if (named !== undefined && named !== source)
    throw new UsageError(`--source ${named} does not match the source in --url (${source})`);
  return { source, base: `${url.origin}${path}` };
}

/** The configured source of that name, or a clear error. */
export function configuredSource(config: Config, name: string): SourceConfig {
  const source = config.sources.get(name);
  if (source) return source;
  const known = [...config.sources.keys()];
  throw new Error(
    `no source "${name}" in ${config.file}${didYouMean(name, known)} (configured: ${known.join(', ') || 'none'}); add it under sources: with kind: mta`,
  );
}

/** --events: `all` (the default) or a comma-separated list of MTA event names. */
export function parseEvents(raw: string | undefined): string[] {
  if (raw === undefined || raw === 'all') return [...EVENT_TYPES];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(EVENT_TYPES as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0) {
    throw new UsageError(
      `--events: ${bad.map((b) => `"${b}" is not an MTA event${didYouMean(b, EVENT_TYPES)}`).join('; ') || 'empty'}; use all or some of ${EVENT_TYPES.join(',')}`,
    );
  }
  return [...new Set(names)];
}

/** Registrations that deliver to this source's URL (the base itself or one of its per-event URLs). */
export function registrationsFor(all: MtaWebhook[], base: string): MtaWebhook[] {
  return all.filter((w) => w.url === base || w.url.startsWith(`${base}/`));
}

/** Prints rows as aligned columns under a header. */
export function table(io: Io, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  io.out(line(header));
  for (const r of rows) io.out(line(r));
}

/**
 * Asks a yes/no question on stderr and reads one line from standard input; true only for "y" or "yes".
 * End of input (a script, `< /dev/null`) counts as no.
 */
export async function confirm(question: string, io: Io): Promise<boolean> {
  io.err(question);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.once('line', (line) => resolve(line));
      rl.once('close', () => resolve(undefined));
    });
    return answer !== undefined && /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
