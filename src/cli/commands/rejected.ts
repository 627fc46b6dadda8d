import type { Command } from '../main.ts';
import { printOne, printPage } from '../operator/listing.ts';
import { URL_HELP, URL_OPTION, withOperator } from '../operator/open.ts';
import { flagOptions, LIMIT_HELP, listArgs, valueOptions } from '../options.ts';

/** `switchboard rejected [ID]`: authentic bodies that failed decoding, kept so nothing is lost. */
export const rejectedCommand: Command = {
  usage: 'rejected [ID] [--limit N] [--json] [--url URL]',
  summary: 'list signature-valid payloads that did not decode; with an ID, show one with its errors and body',
  options: { ...valueOptions('limit'), ...flagOptions('json'), ...URL_OPTION },
  optionHelp: { limit: LIMIT_HELP, json: 'print JSON', ...URL_HELP },
  examples: ['switchboard rejected', 'switchboard rejected 01JD3W4XPQ8R2C7KMV5N6T9B0A'],
  async run(values, positionals, io) {
    const { id, limit } = listArgs(values, positionals, 'ID');
    return withOperator(values, io, async (op, out) => {
      if (id !== undefined)
        return printOne(op, io, id, await op.getRejected(id), 'rejected payload', (r) =>
          out(JSON.stringify(r, null, 2)),
        );
      return printPage(out, await op.listRejected(limit), values.json, {
        none: 'no rejected payloads',
        header: ['ID', 'RECEIVED', 'SOURCE', 'EVENT', 'ERRORS'],
        rows: (items) =>
          items.map((r) => [
            r.id,
            r.receivedAt,
            r.source,
            r.urlEvent ?? '',
            r.errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; '),
          ]),
      });
    });
  },
};
