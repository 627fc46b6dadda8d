import { UsageError } from '../io.ts';
import type { Command } from '../main.ts';
import { URL_HELP, URL_OPTION, withOperator } from '../operator/open.ts';
import { table } from '../table.ts';
import { describeEvent } from './event-view.ts';

/** `switchboard events [ID]`: list events, newest first, or show one with its routes, deliveries and attempts. */
export const eventsCommand: Command = {
  usage:
    'events [ID] [--type T] [--status S] [--destination D] [--since DURATION] [--unrouted] [--limit N] [--json] [--url URL]',
  summary: 'list events, newest first; with an ID, show one with its route verdicts, deliveries and attempts',
  options: {
    type: { type: 'string' },
    status: { type: 'string' },
    destination: { type: 'string' },
    since: { type: 'string' },
    unrouted: { type: 'boolean' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    ...URL_OPTION,
  },
  optionHelp: {
    type: 'only this event type: delivery-status, message-reply, message-send, number-opt-in, unrecognized',
    status: 'only this status name, e.g. DELIVERY_FAILED',
    destination: 'only events with a delivery to this destination',
    since: 'only events received since: a duration back from now (30m, 2h, 7d) or an ISO date',
    unrouted: 'only events no route matched',
    limit: 'how many to show, 1-500 (default 50)',
    json: 'print JSON (with an ID: the whole event, its payload, route verdicts, deliveries and attempts)',
    ...URL_HELP,
  },
  examples: [
    'switchboard events --status DELIVERY_FAILED --since 1h',
    'switchboard events 01JD3W4XPQ8R2C7KMV5N6T9B0A --json',
  ],
  async run(values, positionals, io) {
    if (positionals.length > 1) throw new UsageError('give at most one event ID');
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new UsageError(`--limit must be a whole number from 1 to 500, not "${values.limit}"`);
    return withOperator(values, io, async (op, out) => {
      if (positionals.length === 1) {
        const e = await op.getEvent(positionals[0]);
        if (!e) {
          io.err(`no event with id ${positionals[0]} in ${op.where}`);
          return 1;
        }
        if (values.json) out(JSON.stringify(e, null, 2));
        else for (const line of describeEvent(e)) out(line);
        return 0;
      }
      const page = await op.listEvents(
        {
          type: values.type as string | undefined,
          status: values.status as string | undefined,
          destination: values.destination as string | undefined,
          since: values.since as string | undefined,
          unrouted: values.unrouted ? true : undefined,
        },
        limit,
      );
      if (values.json) {
        out(JSON.stringify(page.items, null, 2));
        return 0;
      }
      if (page.items.length === 0) {
        out('no events match');
        return 0;
      }
      const rows = page.items.map((e) => [
        e.id,
        e.receivedAt,
        e.source,
        e.type,
        // MTA's declared fields, shown when the event has them (events of other sources leave them blank).
        String((e.status as { name?: unknown } | undefined)?.name ?? ''),
        typeof e.phone === 'string' ? e.phone : '',
      ]);
      for (const line of table([['ID', 'RECEIVED', 'SOURCE', 'TYPE', 'STATUS', 'PHONE'], ...rows])) out(line);
      if (page.next) out('(more: raise --limit, or narrow the filters)');
      return 0;
    });
  },
};
