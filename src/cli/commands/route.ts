import type { Config, SourceConfig } from '../../config/types.ts';
import { Redactor } from '../../observability/redact.ts';
import { dryRun } from '../dry-run.ts';
import { CheckFailed, loadCliConfig, readInput, UsageError } from '../io.ts';
import type { Command } from '../main.ts';

/** The source a command works on: the named one, or the only one configured. */
export function pickSource(config: Pick<Config, 'sources'>, name: string | undefined): SourceConfig {
  if (name !== undefined) {
    const s = config.sources.get(name);
    if (!s)
      throw new UsageError(`unknown source "${name}" (configured: ${[...config.sources.keys()].join(', ')})`);
    return s;
  }
  if (config.sources.size === 1) return [...config.sources.values()][0];
  throw new UsageError(
    `several sources are configured (${[...config.sources.keys()].join(', ')}): pick one with --source`,
  );
}

/** `switchboard route FILE|-`: decode a payload and explain, route by route, where it would go. Sends nothing. */
export const routeCommand: Command = {
  usage: 'route [--source S] [--event E] [--header "Name: value"]... [--json] FILE|-',
  summary: 'decode a payload and show which routes match and why, and the destinations it would reach',
  options: {
    source: { type: 'string' },
    event: { type: 'string' },
    header: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  optionHelp: {
    source: 'the source the payload comes from (default: the only one configured)',
    event: 'the event type, as in POST /webhooks/<source>/<event> (default: read from the payload)',
    header:
      'a request header the source reads, e.g. --header "X-GitHub-Event: push" for an hmac source with typeFrom: header:X-GitHub-Event (repeatable)',
    json: 'print {"event", "routes", "destinations"} as JSON',
  },
  examples: [
    'switchboard route test/fixtures/mta/v3/delivery-status.json',
    'cat body.json | switchboard route --json -',
  ],
  async run(values, positionals, cli) {
    if (positionals.length !== 1) throw new UsageError('give one payload FILE, or - for standard input');
    const config = await loadCliConfig(values.config as string | undefined, cli);
    // A route's operand may come from ${...} (`phone: "${ONCALL_PHONE}"`), and the verdicts quote operands.
    const redactor = new Redactor(config.secrets);
    const io = { out: (line: string) => cli.out(redactor.redact(line)) };
    const source = pickSource(config, values.source as string | undefined);
    const result = dryRun(
      config,
      source,
      values.event as string | undefined,
      await readInput(positionals[0]),
      headerOptions(values.header as string[] | undefined),
    );
    if (!result.ok) {
      const { error, details } = result.failure;
      if (values.json) {
        io.out(JSON.stringify({ error, details }, null, 2));
        return 1;
      }
      throw new CheckFailed(
        [`undecodable payload: ${error}`, ...details.map((d) => `  ${d.path || '(body)'}: ${d.message}`)].map(
          (line) => redactor.redact(line),
        ),
      );
    }
    const { event, decision } = result;
    const destinations = decision.destinations.map((d) => d.destination);
    if (values.json) {
      io.out(JSON.stringify({ event, routes: decision.routes, destinations }, null, 2));
      return 0;
    }
    io.out('event:');
    io.out(
      JSON.stringify({ ...event, payload: undefined }, null, 2)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    io.out('routes:');
    for (const r of decision.routes) io.out(`  ${r.matched ? '✔' : '✘'} ${r.name}: ${r.reason}`);
    io.out(
      destinations.length > 0
        ? `destinations: ${destinations.join(', ')}`
        : 'destinations: none (unrouted: stored and counted, not delivered)',
    );
    return 0;
  },
};

/** `--header "Name: value"` options as a header map with lowercase names (what source plugins read). */
function headerOptions(given: readonly string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of given ?? []) {
    const colon = h.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header "${h}" is not "Name: value"`);
    headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
  }
  return headers;
}
