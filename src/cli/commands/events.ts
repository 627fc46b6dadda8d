import { EVENT_FILTERS, SCAN_LIMIT } from '../../admin/event-query.ts';
import type { Command } from '../main.ts';
import { printOne, printPage } from '../operator/listing.ts';
import { URL_HELP, URL_OPTION, withOperator } from '../operator/open.ts';
import { flagOptions, LIMIT_HELP, listArgs, valueOptions } from '../options.ts';
import { describeEvent } from './event-view.ts';

/** `switchboard events [ID]`: list events, newest first, or show one with its routes, deliveries and attempts. */
export const eventsCommand: Command = {
  usage:
    'events [ID] [--source S] [--type T] [--status S] [--destination D] [--phone P] [--tag K=V] [--since WHEN] [--until WHEN] [--unrouted] [--limit N] [--json] [--url URL]',
  summary: 'list events, newest first; with an ID, show one with its route verdicts, deliveries and attempts',
  options: {
    ...valueOptions('source', 'type', 'status', 'destination', 'phone', 'tag', 'since', 'until'),
    ...flagOptions('unrouted'),
    ...valueOptions('limit'),
    ...flagOptions('json'),
    ...URL_OPTION,
  },
  optionHelp: {
    source: 'only events of this source (its name under sources: in the config)',
    type: 'only this event type: delivery-status, message-reply, message-send, number-opt-in, unrecognized',
    status: 'only this status name, e.g. DELIVERY_FAILED',
    destination: 'only events with a delivery to this destination',
    phone: 'only events for this number: E.164 (+15551234567) matches exactly, digits alone (4567) its end',
    tag: 'only events carrying this tag, as key=value (campaign=spring-sale)',
    since: 'only events received since: a duration back from now (30m, 2h, 7d) or an ISO date',
    until: 'only events received before: a duration back from now or an ISO date',
    unrouted: 'only events no route matched',
    limit: LIMIT_HELP,
    json: 'print JSON (with an ID: the whole event, its payload, route verdicts, deliveries and attempts)',
    ...URL_HELP,
  },
  examples: [
    'switchboard events --status DELIVERY_FAILED --since 1h',
    'switchboard events --phone 0143 --tag campaign=spring-sale --since 7d',
    'switchboard events 01JD3W4XPQ8R2C7KMV5N6T9B0A --json',
  ],
  async run(values, positionals, io) {
    const { id, limit } = listArgs(values, positionals, 'event ID');
    return withOperator(values, io, async (op, out) => {
      if (id !== undefined)
        return printOne(op, io, id, await op.getEvent(id), 'event', (e) => {
          if (values.json) out(JSON.stringify(e, null, 2));
          else for (const line of describeEvent(e)) out(line);
        });
      const typed = (name: string) => values[name] as string | undefined;
      const page = await op.listEvents(
        {
          ...Object.fromEntries(EVENT_FILTERS.map((name) => [name, typed(name)])),
          unrouted: values.unrouted ? 'true' : undefined,
        },
        limit,
      );
      const partial = `(status, phone and tag filters look through the newest ${SCAN_LIMIT.toLocaleString('en-US')} events that match the other filters; narrow with --since/--until to search older ones)`;
      // JSON stays the list of events; that the search stopped short goes to stderr, so `[]` is not "none".
      if (values.json && page.partial) io.err(partial);
      return printPage(out, page, values.json, {
        none: 'no events match',
        header: ['ID', 'RECEIVED', 'SOURCE', 'TYPE', 'STATUS', 'PHONE'],
        rows: (items) =>
          items.map((e) => [
            e.id,
            e.receivedAt,
            e.source,
            e.type,
            // MTA's declared fields, shown when the event has them (events of other sources leave them blank).
            String((e.status as { name?: unknown } | undefined)?.name ?? ''),
            typeof e.phone === 'string' ? e.phone : '',
          ]),
        more: '(more: raise --limit, or narrow the filters)',
        partial,
      });
    });
  },
};
