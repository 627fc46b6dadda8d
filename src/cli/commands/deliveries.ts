import { deliveryFilter } from '../../admin/params.ts';
import { openStore } from '../../store/open.ts';
import { loadCliConfig } from '../io.ts';
import type { Command } from '../main.ts';

/** `switchboard deliveries`: list deliveries, newest first. */
export const deliveriesCommand: Command = {
  usage: 'deliveries [--state S] [--destination D] [--since DURATION] [--limit N] [--json]',
  summary: 'list deliveries (states: pending, sending, delivered, failed, dead)',
  options: {
    state: { type: 'string' },
    destination: { type: 'string' },
    since: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const config = await loadCliConfig(values.config as string | undefined, io);
    const store = await openStore(config.store);
    try {
      const filter = deliveryFilter(values, Date.now());
      const limit = values.limit === undefined ? 50 : Number(values.limit);
      const page = await store.listDeliveries({ filter, limit, cursor: undefined });
      if (values.json) {
        io.out(JSON.stringify(page.items, null, 2));
        return 0;
      }
      if (page.items.length === 0) {
        io.out('no deliveries match');
        return 0;
      }
      io.out(
        [
          'ID'.padEnd(26),
          'STATE'.padEnd(9),
          'DESTINATION'.padEnd(16),
          'ATTEMPTS',
          'UPDATED'.padEnd(24),
          'LAST ERROR',
        ].join('  '),
      );
      for (const d of page.items) {
        io.out(
          [
            d.id.padEnd(26),
            d.state.padEnd(9),
            d.destination.padEnd(16),
            String(d.attempts).padStart(8),
            d.updatedAt.padEnd(24),
            d.lastError ?? '',
          ].join('  '),
        );
      }
      if (page.next) io.out(`(more: raise --limit, or narrow with --state/--destination/--since)`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
