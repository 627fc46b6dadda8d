import { UsageError } from '../io.ts';
import type { Command } from '../main.ts';
import { URL_HELP, URL_OPTION, withOperator } from '../operator/open.ts';
import { table } from '../table.ts';

/** `switchboard rejected [ID]`: authentic bodies that failed decoding, kept so nothing is lost. */
export const rejectedCommand: Command = {
  usage: 'rejected [ID] [--limit N] [--json] [--url URL]',
  summary: 'list signature-valid payloads that did not decode; with an ID, show one with its errors and body',
  options: { limit: { type: 'string' }, json: { type: 'boolean' }, ...URL_OPTION },
  optionHelp: { limit: 'how many to show, 1-500 (default 50)', json: 'print JSON', ...URL_HELP },
  examples: ['switchboard rejected', 'switchboard rejected 01JD3W4XPQ8R2C7KMV5N6T9B0A'],
  async run(values, positionals, io) {
    if (positionals.length > 1) throw new UsageError('give at most one ID');
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new UsageError(`--limit must be a whole number from 1 to 500, not "${values.limit}"`);
    return withOperator(values, io, async (op, out) => {
      if (positionals.length === 1) {
        const r = await op.getRejected(positionals[0]);
        if (!r) {
          io.err(`no rejected payload with id ${positionals[0]} in ${op.where}`);
          return 1;
        }
        out(JSON.stringify(r, null, 2));
        return 0;
      }
      const page = await op.listRejected(limit);
      if (values.json) {
        out(JSON.stringify(page.items, null, 2));
        return 0;
      }
      if (page.items.length === 0) {
        out('no rejected payloads');
        return 0;
      }
      const rows = page.items.map((r) => [
        r.id,
        r.receivedAt,
        r.source,
        r.urlEvent ?? '',
        r.errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; '),
      ]);
      for (const line of table([['ID', 'RECEIVED', 'SOURCE', 'EVENT', 'ERRORS'], ...rows])) out(line);
      return 0;
    });
  },
};
