import { BadParam, parseSince } from '../../admin/params.ts';
import { ShapeSummary, type TypeShape } from '../../sources/shapes.ts';
import { openStore } from '../../store/open.ts';
import { loadCliConfig, UsageError } from '../io.ts';
import type { Command } from '../main.ts';

/** `switchboard shapes`: what stored payloads look like, per event type, values masked. */
export const shapesCommand: Command = {
  usage: 'shapes [--source S] [--since D] [--json]',
  summary: 'summarize stored payloads per event type: fields, JSON types, presence, masked examples',
  options: {
    since: { type: 'string' },
    source: { type: 'string' },
    json: { type: 'boolean' },
  },
  optionHelp: {
    since: 'only events received since: a duration back from now (30m, 2h, 7d) or an ISO date (default: all)',
    source: 'only events of this source (default: every source)',
    json: 'print the summary as JSON',
  },
  examples: ['switchboard shapes --since 1d', 'switchboard shapes --source mta --json'],
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    let since: Date | undefined;
    try {
      since = parseSince(values.since, Date.now());
    } catch (err) {
      if (err instanceof BadParam) throw new UsageError(`--since: ${err.message}`);
      throw err;
    }
    const config = await loadCliConfig(values.config as string | undefined, io);
    const source = values.source as string | undefined;
    const store = await openStore(config.store);
    const summary = new ShapeSummary();
    try {
      let cursor: string | undefined;
      do {
        const page = await store.listEvents({ since }, 500, cursor);
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

function render(result: Record<string, TypeShape>): string {
  const types = Object.entries(result);
  if (types.length === 0) return 'no stored events match';
  const blocks = types.map(([type, shape]) => {
    const rows = Object.entries(shape.fields).map(([path, f]) => [
      path,
      `${f.present}/${shape.events}`,
      Object.entries(f.types)
        .map(([t, n]) => `${t} ${n}`)
        .join(', '),
      f.examples.join('  '),
    ]);
    const header = ['field', 'present', 'types', 'examples (masked)'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
      `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
    return [
      `${type} (${shape.events} event${shape.events === 1 ? '' : 's'})`,
      line(header),
      ...rows.map(line),
    ].join('\n');
  });
  return blocks.join('\n\n');
}
