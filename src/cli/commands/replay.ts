import { parseSince } from '../../admin/params.ts';
import { openStore } from '../../store/open.ts';
import type { DeliveryState } from '../../store/types.ts';
import { loadCliConfig, UsageError } from '../io.ts';
import type { Command } from '../main.ts';

const CHUNK = 500;

/** `switchboard replay`: put failed or dead deliveries back in the queue, by id or by filter. */
export const replayCommand: Command = {
  usage: 'replay ID... | --dead | --failed [--destination D] [--since DURATION]',
  summary: 'put failed/dead deliveries back in the queue (a running gateway picks them up)',
  options: {
    dead: { type: 'boolean' },
    failed: { type: 'boolean' },
    destination: { type: 'string' },
    since: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, ids, io) {
    const states: DeliveryState[] = [
      ...(values.dead ? ['dead' as const] : []),
      ...(values.failed ? ['failed' as const] : []),
    ];
    if (ids.length === 0 && states.length === 0)
      throw new UsageError('give delivery IDs, or --dead and/or --failed');
    if (ids.length > 0 && (states.length > 0 || values.destination || values.since)) {
      throw new UsageError('give either IDs or filters (--dead/--failed/--destination/--since), not both');
    }
    const config = await loadCliConfig(values.config as string | undefined, io);
    const store = await openStore(config.store);
    try {
      let targets = ids;
      if (ids.length === 0) {
        // Collect first, then replay in chunks, so a large replay shows progress and never holds one long lock.
        const filter = {
          state: states,
          destination: values.destination as string | undefined,
          since: parseSince(values.since, Date.now()),
        };
        targets = [];
        let cursor: string | undefined;
        do {
          const page = await store.listDeliveries({ filter, limit: 500, cursor });
          targets.push(...page.items.map((d) => d.id));
          cursor = page.next ?? undefined;
        } while (cursor);
      }
      let replayed = 0;
      for (let i = 0; i < targets.length; i += CHUNK) {
        replayed += await store.replay({ ids: targets.slice(i, i + CHUNK), now: new Date() });
        if (targets.length > CHUNK && !values.json)
          io.err(`replaying: ${Math.min(i + CHUNK, targets.length)}/${targets.length}`);
      }
      if (values.json) io.out(JSON.stringify({ replayed, matched: targets.length }));
      else
        io.out(
          `replayed ${replayed} deliver${replayed === 1 ? 'y' : 'ies'}${replayed < targets.length ? ` (${targets.length - replayed} were not failed or dead)` : ''}`,
        );
      return replayed > 0 || targets.length === 0 ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};
