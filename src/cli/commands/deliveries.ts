import type { DestinationStates } from '../../admin/destinations.ts';
import type { DeliveryRow } from '../../store/types.ts';
import type { Command } from '../main.ts';
import type { DeliveryDetail } from '../operator/backend.ts';
import { printOne, printPage } from '../operator/listing.ts';
import { URL_HELP, URL_OPTION, withOperator } from '../operator/open.ts';
import { flagOptions, LIMIT_HELP, listArgs, valueOptions } from '../options.ts';
import { age, shown, table } from '../table.ts';

/** `switchboard deliveries [ID]`: list deliveries, newest first, or show one with its attempt log. */
export const deliveriesCommand: Command = {
  usage:
    'deliveries [ID] [--state S] [--destination D] [--since WHEN] [--until WHEN] [--limit N] [--json] [--url URL]',
  summary: 'list deliveries, newest first; with an ID, show one and every attempt',
  options: {
    ...valueOptions('state', 'destination', 'since', 'until', 'limit'),
    ...flagOptions('json'),
    ...URL_OPTION,
  },
  optionHelp: {
    state: 'only these states, comma-separated: pending, sending, delivered, failed, dead (default: all)',
    destination: 'only this destination (also one removed from the config)',
    since: 'only deliveries updated since: a duration back from now (30m, 2h, 7d) or an ISO date',
    until: 'only deliveries updated before: a duration back from now or an ISO date',
    limit: LIMIT_HELP,
    json: 'print the rows as JSON',
    ...URL_HELP,
  },
  examples: [
    'switchboard deliveries --state failed,dead --since 1h',
    'switchboard deliveries 01JD3W4XPQ8R2C7KMV5N6T9B0A',
  ],
  async run(values, positionals, io) {
    const { id, limit } = listArgs(values, positionals, 'delivery ID');
    return withOperator(values, io, async (op, out) => {
      if (id !== undefined)
        return printOne(op, io, id, await op.getDelivery(id), 'delivery', async (d) => {
          if (values.json) return out(JSON.stringify(d, null, 2));
          const why = d.state === 'pending' ? heldBy(await op.destinations())(d) : '';
          for (const line of describe(d, why)) out(line);
        });
      const page = await op.listDeliveries(
        {
          state: values.state as string | undefined,
          destination: values.destination as string | undefined,
          since: values.since as string | undefined,
          until: values.until as string | undefined,
        },
        limit,
      );
      return printPage(out, page, values.json, {
        none: 'no deliveries match',
        header: ['ID', 'STATE', 'DESTINATION', 'ATTEMPTS', 'UPDATED', 'NEXT', 'LAST ERROR'],
        rows: async (items) => {
          const held = items.some((d) => d.state === 'pending') ? heldBy(await op.destinations()) : () => '';
          const now = Date.now();
          return items.map((d) => [
            d.id,
            d.state === 'pending' ? `${d.state}${held(d)}` : d.state,
            d.destination,
            String(d.attempts),
            d.updatedAt,
            // A held one goes when its hold ends, whatever its own time says.
            d.state === 'pending' ? (held(d) ? 'held' : nextTry(d.nextAt, now)) : '',
            d.lastError ?? '',
          ]);
        },
        more: '(more: raise --limit, or narrow with --state/--destination/--since/--until)',
      });
    });
  },
};

/** When a pending delivery is due: `due` once its time has come (a worker takes it), else `in 4m`. */
function nextTry(nextAt: string | null, now: number): string {
  if (nextAt === null || Date.parse(nextAt) <= now) return 'due';
  // age() counts back from now; counting forward is the same distance the other way.
  return `in ${age(new Date(now - (Date.parse(nextAt) - now)).toISOString(), now)}`;
}

/** ` (held: destination paused)` and the like, for a pending delivery that waits on an operator, else ''. */
function heldBy(states: DestinationStates): (d: DeliveryRow) => string {
  const byName = new Map(states.destinations.map((s) => [s.name, s]));
  const routes = new Set(states.pausedRoutes.map((p) => p.name));
  return (d) => {
    const s = byName.get(d.destination);
    if (s?.state === 'removed') return ' (held: destination removed from the config)';
    if (s?.pause) return ` (held: destination paused by ${s.pause.by})`;
    if (routes.has(`route:${d.route}`)) return ' (held: route paused)';
    if (s?.state === 'breaker-open') return ' (held: circuit breaker open)';
    if (s?.state === 'throttled') return ' (held: the receiver is throttling)';
    return '';
  };
}

/** One delivery and its attempt log, as `deliveries ID` prints it (also under `events ID`). */
export function describe(d: DeliveryDetail, held: string): string[] {
  const lines = [
    shown(`delivery ${d.id}: ${d.state}${held} (${d.destination}, route ${d.route}, event ${d.eventId})`),
    `  created ${d.createdAt}, updated ${d.updatedAt}${d.nextAt && d.state === 'pending' ? `, next attempt ${d.nextAt}` : ''}`,
  ];
  if (d.attemptLog.length === 0) return [...lines, '  no attempts yet'];
  const rows = d.attemptLog.map((a) => [
    `#${a.number}`,
    a.startedAt,
    `${a.durationMs} ms`,
    a.outcome,
    [a.statusCode ? `[${a.statusCode}]` : '', a.reason ?? ''].filter(Boolean).join(' '),
  ]);
  return [
    ...lines,
    ...table([['ATTEMPT', 'STARTED', 'TOOK', 'OUTCOME', 'REASON'], ...rows]).map((l) => `  ${l}`),
  ];
}
