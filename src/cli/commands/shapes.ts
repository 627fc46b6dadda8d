import { escapeControl } from '../../control-text.ts';
import { ShapeSummary, type TypeShape } from '../../sources/shapes.ts';
import { openStoredEvents, STORED_EVENTS_OPTIONS, storedEventsHelp } from '../io.ts';
import type { Command } from '../main.ts';

/** `switchboard shapes`: what stored payloads look like, per event type, values masked. */
export const shapesCommand: Command = {
  usage: 'shapes [--source S] [--since D] [--json]',
  summary: 'summarize stored payloads per event type: fields, JSON types, presence, masked examples',
  options: STORED_EVENTS_OPTIONS,
  optionHelp: storedEventsHelp('print the summary as JSON'),
  examples: ['switchboard shapes --since 1d', 'switchboard shapes --source mta --json'],
  async run(values, positionals, io) {
    const { since, source, store } = await openStoredEvents(values, positionals, io, false);
    const summary = new ShapeSummary();
    try {
      let cursor: string | undefined;
      do {
        const page = await store.listEvents({ filter: { since }, limit: 500, cursor });
        for (const event of page.items)
          if (source === undefined || event.source === source) summary.add(event);
        cursor = page.next ?? undefined;
      } while (cursor);
    } finally {
      await store.close();
    }
    const result = summary.result();
    if (values.json) io.out(JSON.stringify(result));
    else io.out(render(result));
    return 0;
  },
};

/**
 * The summary as a table per event type. Field names and types come from senders' bodies, so every cell has its
 * control characters escaped (escapeControl): a key holding an ANSI sequence must not drive the terminal.
 */
function render(result: Record<string, TypeShape>): string {
  const types = Object.entries(result);
  if (types.length === 0) return 'no stored events match';
  const blocks = types.map(([type, shape]) => {
    const rows = Object.entries(shape.fields).map(([path, f]) =>
      [
        path,
        `${f.present}/${shape.events}`,
        Object.entries(f.types)
          .map(([t, n]) => `${t} ${n}`)
          .join(', '),
        f.examples.join('  '),
      ].map(escapeControl),
    );
    const header = ['field', 'present', 'types', 'examples (masked)'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
      `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
    return [
      `${escapeControl(type)} (${shape.events} event${shape.events === 1 ? '' : 's'})`,
      line(header),
      ...rows.map(line),
    ].join('\n');
  });
  return blocks.join('\n\n');
}
