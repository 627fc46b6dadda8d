import type { DestinationStates } from '../../admin/destinations.ts';
import type { DeliveryRow } from '../../store/types.ts';
import { UsageError } from '../io.ts';
import type { Command } from '../main.ts';
import type { DeliveryDetail } from '../operator/backend.ts';
import { URL_HELP, URL_OPTION, withOperator } from '../operator/open.ts';
import { shown, table } from '../table.ts';

/** `switchboard deliveries [ID]`: list deliveries, newest first, or show one with its attempt log. */
export const deliveriesCommand: Command = {
  usage: 'deliveries [ID] [--state S] [--destination D] [--since DURATION] [--limit N] [--json] [--url URL]',
  summary: 'list deliveries, newest first; with an ID, show one and every attempt',
  options: {
    state: { type: 'string' },
    destination: { type: 'string' },
    since: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    ...URL_OPTION,
  },
  optionHelp: {
    state: 'only these states, comma-separated: pending, sending, delivered, failed, dead (default: all)',
    destination: 'only this destination (also one removed from the config)',
    since: 'only deliveries updated since: a duration back from now (30m, 2h, 7d) or an ISO date',
    limit: 'how many to show, 1-500 (default 50)',
    json: 'print the rows as JSON',
    ...URL_HELP,
  },
  examples: [
    'switchboard deliveries --state failed,dead --since 1h',
    'switchboard deliveries 01JD3W4XPQ8R2C7KMV5N6T9B0A',
  ],
  async run(values, positionals, io) {
    if (positionals.length > 1) throw new UsageError('give at most one delivery ID');
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new UsageError(`--limit must be a whole number from 1 to 500, not "${values.limit}"`);
    return withOperator(values, io, async (op, out) => {
      if (positionals.length === 1) {
        const d = await op.getDelivery(positionals[0]);
        if (!d) {
          io.err(`no delivery with id ${positionals[0]} in ${op.where}`);
          return 1;
        }
        if (values.json) out(JSON.stringify(d, null, 2));
        else {
          const why = d.state === 'pending' ? heldBy(await op.destinations())(d) : '';
          for (const line of describe(d, why)) out(line);
        }
        return 0;
      }
      const page = await op.listDeliveries(
        {
          state: values.state as string | undefined,
          destination: values.destination as string | undefined,
          since: values.since as string | undefined,
        },
        limit,
      );
      if (values.json) {
        out(JSON.stringify(page.items, null, 2));
        return 0;
      }
      if (page.items.length === 0) {
        out('no deliveries match');
        return 0;
      }
      const held = page.items.some((d) => d.state === 'pending') ? heldBy(await op.destinations()) : () => '';
      const rows = page.items.map((d) => [
        d.id,
        d.state === 'pending' ? `${d.state}${held(d)}` : d.state,
        d.destination,
        String(d.attempts),
        d.updatedAt,
        d.lastError ?? '',
      ]);
      for (const line of table([
        ['ID', 'STATE', 'DESTINATION', 'ATTEMPTS', 'UPDATED', 'LAST ERROR'],
        ...rows,
      ]))
        out(line);
      if (page.next) out('(more: raise --limit, or narrow with --state/--destination/--since)');
      return 0;
    });
  },
};

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
