import { redecode } from '../../ingress/redecode.ts';
import { openStoredEvents, STORED_EVENTS_OPTIONS, storedEventsHelp } from '../io.ts';
import type { Command } from '../main.ts';
import { shown } from '../table.ts';

/** `switchboard redecode`: decode quarantined (`unrecognized`) events again and route those that now decode. */
export const redecodeCommand: Command = {
  usage: 'redecode [--since D] [--source S] [--json]',
  summary:
    'decode unrecognized events again with the current config and code; route those that now decode, each once',
  options: STORED_EVENTS_OPTIONS,
  optionHelp: storedEventsHelp('print the report as JSON'),
  examples: ['switchboard redecode --source mta --since 1d', 'switchboard redecode --json'],
  async run(values, positionals, io) {
    const { since, config, source, store } = await openStoredEvents(values, positionals, io, true);
    try {
      const report = await redecode({ store, config, now: new Date(), since, source });
      // Some events that could not be stored: the run did the rest, and says so with exit code 1.
      const code = report.failed.length > 0 ? 1 : 0;
      if (values.json) {
        io.out(JSON.stringify(report));
        return code;
      }
      for (const r of report.redecoded) {
        const to = r.destinations.length > 0 ? r.destinations.join(', ') : 'no destination (unrouted)';
        io.out(`${r.from} -> ${r.id} ${r.type}, to ${to}`);
      }
      for (const s of report.stillUndecodable) io.out(shown(`${s.id} still does not decode: ${s.problem}`));
      for (const f of report.failed) io.out(shown(`${f.id} decoded but could not be stored: ${f.error}`));
      io.out(
        `redecoded ${report.redecoded.length} of ${report.examined} unrecognized event(s); ` +
          `${report.already} already redecoded earlier, ${report.stillUndecodable.length} still undecodable` +
          (report.unknownSource > 0 ? `, ${report.unknownSource} from sources no longer configured` : '') +
          (code > 0 ? `, ${report.failed.length} failed (left as they were; run redecode again)` : ''),
      );
      return code;
    } finally {
      await store.close();
    }
  },
};
