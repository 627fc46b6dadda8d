import type { DestinationState } from '../../admin/destinations.ts';
import type { Command } from '../main.ts';
import { URL_HELP, URL_OPTION, withOperator } from '../operator/open.ts';
import { age, shown, table } from '../table.ts';

/** `switchboard destinations`: what each destination is doing (GET /api/destinations). */
export const destinationsCommand: Command = {
  usage: 'destinations [--json] [--url URL]',
  summary:
    'per destination: state (active, paused by whom/why/until, breaker open, throttled, removed), queue, dead letters, last hour, last error',
  options: { json: { type: 'boolean' }, ...URL_OPTION },
  optionHelp: {
    json: 'print {"destinations": [...], "pausedRoutes": [...]} as the admin API answers it',
    ...URL_HELP,
  },
  examples: [
    'switchboard destinations',
    'SWITCHBOARD_ADMIN_TOKEN=... switchboard destinations --url http://127.0.0.1:9091',
  ],
  maxArguments: 0,
  async run(values, _positionals, io) {
    return withOperator(values, io, async (op, out) => {
      const answer = await op.destinations();
      if (values.json) {
        out(JSON.stringify(answer, null, 2));
        return 0;
      }
      const now = Date.now();
      const rows = answer.destinations.map((d) => [
        d.name,
        d.type,
        stateText(d),
        String(d.pending),
        String(d.inFlight),
        String(d.dead),
        d.oldestPendingAt ? age(d.oldestPendingAt, now) : '-',
        // Throttled tries are no failure, but a destination that keeps asking to slow down must show.
        `${d.delivered1h}/${d.failed1h}${d.throttled1h ? `, ${d.throttled1h} throttled` : ''}`,
        d.lastError ? `${age(d.lastError.at, now)} ago: ${d.lastError.reason}` : '',
      ]);
      const header = [
        'NAME',
        'TYPE',
        'STATE',
        'PENDING',
        'IN FLIGHT',
        'DEAD',
        'OLDEST',
        'OK/FAILED 1H',
        'LAST ERROR',
      ];
      for (const line of table([header, ...rows])) out(line);
      for (const d of answer.destinations.filter((x) => x.pause)) out(pauseLine(d.name, d.pause!));
      for (const p of answer.pausedRoutes) out(pauseLine(p.name, p));
      if (!values.url && !io.env.SWITCHBOARD_URL)
        out('(circuit breakers and throttles live in the running gateway: see them with --url)');
      return 0;
    });
  },
};

function stateText(d: DestinationState): string {
  if (d.state === 'paused' && d.pause?.expiresAt) return `paused until ${d.pause.expiresAt}`;
  if (d.state === 'breaker-open' && d.breaker?.openUntil) return `breaker open until ${d.breaker.openUntil}`;
  if (d.state === 'throttled' && d.throttle?.throttledUntil)
    return `throttled until ${d.throttle.throttledUntil}`;
  if (d.state === 'throttled' && d.throttle?.ratePerSecond) return `throttled: ${d.throttle.ratePerSecond}/s`;
  if (d.state === 'removed' && d.pause) return 'removed (paused)';
  return d.state;
}

function pauseLine(name: string, p: NonNullable<DestinationState['pause']>): string {
  const until = p.expiresAt ? `, until ${p.expiresAt}` : '';
  return shown(`${name}: paused by ${p.by} since ${p.since}${until}${p.comment ? `: "${p.comment}"` : ''}`);
}
