import { UsageError } from '../io.ts';
import type { Command } from '../main.ts';
import { URL_HELP, URL_OPTION, withOperator } from '../operator/open.ts';
import { flagOptions, valueOptions } from '../options.ts';

/** `switchboard replay`: put deliveries back in the queue, by id or by filter. Attempt numbers continue. */
export const replayCommand: Command = {
  usage:
    'replay ID... | --dead | --failed | --delivered [--destination D] [--since WHEN] [--until WHEN] [--json] [--url URL]',
  summary:
    'put failed/dead (or, when asked, delivered) deliveries back in the queue; a running gateway sends them',
  options: {
    ...flagOptions('dead', 'failed', 'delivered'),
    ...valueOptions('destination', 'since', 'until'),
    ...flagOptions('json'),
    ...URL_OPTION,
  },
  optionHelp: {
    dead: 'every dead delivery (retries exhausted) matching the other filters',
    failed: 'every failed delivery (permanent failure) matching the other filters',
    delivered:
      'also delivered ones: sends them AGAIN (with IDs: allows delivered IDs; alone: every delivered one matching)',
    destination: 'only this destination',
    since: 'only deliveries updated since: a duration back from now (30m, 2h, 7d) or an ISO date',
    until:
      'only deliveries updated before: a duration back from now or an ISO date (e.g. the end of an outage)',
    json: 'print {"replayed": N, "matched": M, "notConfigured"?: [destinations no longer in the config that now hold them]}',
    ...URL_HELP,
  },
  examples: [
    'switchboard replay --dead --destination ops-slack --since 2h',
    'switchboard replay 01JD3W4XPQ8R2C7KMV5N6T9B0A',
    'switchboard replay --delivered 01JD3W4XPQ8R2C7KMV5N6T9B0A   # send a delivered one again',
  ],
  async run(values, ids, io) {
    const states = [
      ...(values.dead ? ['dead'] : []),
      ...(values.failed ? ['failed'] : []),
      ...(values.delivered && ids.length === 0 ? ['delivered'] : []),
    ];
    if (ids.length === 0 && states.length === 0)
      throw new UsageError('give delivery IDs, or --dead, --failed and/or --delivered');
    if (
      ids.length > 0 &&
      (values.dead || values.failed || values.destination || values.since || values.until)
    )
      throw new UsageError(
        'give either IDs or filters (--dead/--failed/--destination/--since/--until), not both',
      );
    const includeDelivered = values.delivered === true;
    return withOperator(values, io, async (op, out) => {
      // By id, say why any id was not put back: looked up first, as a replay changes the states.
      const before =
        ids.length > 0 && ids.length <= 50
          ? new Map(await Promise.all(ids.map(async (id) => [id, await op.getDelivery(id)] as const)))
          : new Map();
      const target =
        ids.length > 0
          ? { ids }
          : {
              filter: {
                state: states.join(','),
                destination: values.destination as string | undefined,
                since: values.since as string | undefined,
                until: values.until as string | undefined,
              },
            };
      const replayed = await op.replay(target, includeDelivered);
      const matched = ids.length > 0 ? ids.length : replayed;
      // Put back for a destination the config no longer has, they wait unseen: said for the destinations this
      // replay touched (by filter, or the ids looked up), in the JSON too.
      const touched =
        ids.length > 0
          ? new Set([...before.values()].flatMap((d) => (d ? [d.destination] : [])))
          : values.destination === undefined
            ? undefined
            : new Set([values.destination as string]);
      const waiting =
        replayed === 0
          ? []
          : (await op.destinations()).destinations.filter(
              (d) => d.state === 'removed' && d.pending > 0 && (touched === undefined || touched.has(d.name)),
            );
      if (values.json)
        out(
          JSON.stringify({
            replayed,
            matched,
            ...(waiting.length > 0 && { notConfigured: waiting.map((d) => d.name) }),
          }),
        );
      else {
        out(`replayed ${replayed} deliver${replayed === 1 ? 'y' : 'ies'} via ${op.where}`);
        for (const [id, d] of before) {
          if (d === null) io.err(`  ${id}: no such delivery`);
          else if (d.state === 'delivered' && !includeDelivered)
            io.err(`  ${id}: delivered; add --delivered to send it again`);
          else if (d.state === 'pending' || d.state === 'sending')
            io.err(`  ${id}: ${d.state}, still in the queue`);
        }
        for (const d of waiting)
          io.err(
            `note: ${d.name} is not in the config: its ${d.pending} queued deliver${d.pending === 1 ? 'y waits' : 'ies wait'} until it is added back (switchboard deliveries --destination ${d.name})`,
          );
      }
      return replayed > 0 || matched === 0 ? 0 : 1;
    });
  },
};
