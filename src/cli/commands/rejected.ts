import { keptBytes } from '../../ingress/quarantine.ts';
import type { RejectedPayload } from '../../store/types.ts';
import type { Command } from '../main.ts';
import { printOne, printPage } from '../operator/listing.ts';
import { URL_HELP, URL_OPTION, withOperator } from '../operator/open.ts';
import { flagOptions, LIMIT_HELP, listArgs, valueOptions } from '../options.ts';
import { shown } from '../table.ts';

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
          out(values.json ? JSON.stringify(r, null, 2) : describeRejected(r).join('\n')),
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

/**
 * One rejected payload as `switchboard rejected ID` prints it: where it came from, each decode error on its own
 * line, then the body as received. Stored text is escaped (`shown`), so a sender's body cannot drive the
 * terminal; `--json` prints the record as stored.
 */
export function describeRejected(r: RejectedPayload): string[] {
  const bytes = keptBytes(r).length;
  return [
    shown(
      `rejected payload ${r.id}: from source ${r.source}${r.urlEvent ? ` (event ${r.urlEvent} in the URL)` : ''}, received ${r.receivedAt}`,
    ),
    '',
    'does not decode:',
    ...r.errors.map((e) => shown(`  ${e.path || '(body)'}: ${e.message}`)),
    '',
    r.rawBody === undefined
      ? `body (${bytes} byte${bytes === 1 ? '' : 's'}, as received):`
      : `body (${bytes} byte${bytes === 1 ? '' : 's'}; not UTF-8 text or holding NUL, so shown with U+FFFD: --json has the exact bytes, base64, in rawBody):`,
    ...r.body.split('\n').map((line) => shown(`  ${line}`)),
    '',
    '(--json prints the record as JSON; once the code reads it, POST /api/rejected/ID/resubmit on the admin API stores it as an event)',
  ];
}
