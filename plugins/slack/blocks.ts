/**
 * The Block Kit layout for each event type. Every value taken from the event goes through escapeFor('slack'),
 * so a reply saying `<!channel>` or `<@U123>` shows as text and pings no one.
 */
import type { GatewayEvent } from '../../src/event.ts';
import type { EventStatus, MtaEvent } from '../../src/sources/mta/event.ts';
import { escapeFor } from '../../src/templates/template.ts';

/** A Slack mrkdwn text object. */
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

/** The few Block Kit blocks this layout uses. */
export type Block =
  | { type: 'section'; text: Mrkdwn }
  | { type: 'section'; fields: Mrkdwn[] }
  | { type: 'context'; elements: Mrkdwn[] };

/** Slack's limits: section text 3000 characters, a field 2000, at most 10 fields. */
const SECTION_CHARS = 3000;
const FIELD_CHARS = 2000;
const MAX_FIELDS = 10;

const esc = (value: string): string => escapeFor('slack', value);
const mrkdwn = (text: string, max = SECTION_CHARS): Mrkdwn => ({
  type: 'mrkdwn',
  text: text.length > max ? `${text.slice(0, max - 1)}…` : text,
});

/** The badge shown before a delivery status: red for failures, green for final successes, yellow otherwise. */
export function statusBadge(status: EventStatus | undefined): string {
  if (status === undefined) return ':white_circle: *UNKNOWN STATUS*';
  const emoji = status.failed
    ? ':red_circle:'
    : status.final
      ? ':large_green_circle:'
      : ':large_yellow_circle:';
  return `${emoji} *${esc(status.name)}*`;
}

function headline(event: MtaEvent): string {
  const phone = esc(event.phone ?? 'an unknown number');
  switch (event.type) {
    case 'delivery-status':
      return `${statusBadge(event.status)} for ${phone}`;
    case 'message-reply':
      return `:speech_balloon: *Reply* from ${phone}`;
    case 'message-send':
      return `:outbox_tray: *Message sent* to ${phone}`;
    case 'number-opt-in':
      return `:white_check_mark: *Opt-in* from ${phone}`;
    case 'unrecognized':
      return `:warning: *Undecodable webhook* from source ${esc(event.source)}`;
    default:
      return `*${esc(event.type)}* from source ${esc(event.source)}`;
  }
}

/** The message text as a mrkdwn quote: escaped first, so only our own `>` starts a quote line. */
export function quote(text: string): string {
  const room = SECTION_CHARS - 100; // leaves space for the `>` added to every line
  const cut = text.length > room ? `${text.slice(0, room)}…` : text;
  return cut
    .split('\n')
    .map((line) => `>${esc(line)}`)
    .join('\n');
}

function fields(event: MtaEvent): Mrkdwn[] {
  const out: Array<[string, string | number | undefined]> = [
    ['Phone', event.phone],
    ['Message ID', event.messageId],
    ['External ID', event.externalId],
    ['Status code', event.type === 'delivery-status' ? event.status?.code : undefined],
    ['Opt-in type', event.optInType],
    ['Sender', event.senderName],
    ['Media', event.mediaUrls?.length ? `${event.mediaUrls.length} attachment(s)` : undefined],
  ];
  const tags = Object.entries(event.tags);
  if (tags.length > 0) out.push(['Tags', tags.map(([k, v]) => `${k}=${v}`).join(', ')]);
  return out
    .filter((f): f is [string, string | number] => f[1] !== undefined && f[1] !== '')
    .slice(0, MAX_FIELDS)
    .map(([label, value]) => mrkdwn(`*${label}*\n${esc(String(value))}`, FIELD_CHARS));
}

/** The blocks for one event: a headline, the quoted text (replies and sends), fields, and a context line. */
export function blocksFor(generic: GatewayEvent): Block[] {
  // Fields another source does not declare read as absent, so its events get the headline and the facts it has.
  const event = generic as MtaEvent;
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(headline(event)) }];
  if (event.text !== undefined && event.text !== '' && event.type !== 'delivery-status') {
    blocks.push({ type: 'section', text: mrkdwn(quote(event.text)) });
  }
  const details = fields(event);
  if (details.length > 0) blocks.push({ type: 'section', fields: details });
  const when = event.occurredAt ?? event.receivedAt;
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`${esc(event.source)} · ${esc(event.type)} · event ${esc(event.id)} · ${esc(when)}`)],
  });
  return blocks;
}

/** How many events a digest lists line by line before summarizing the rest (Slack allows 50 blocks). */
const DIGEST_LINES = 40;

/**
 * The layout of a `group:` digest: a count, then one line per event (each already rendered and escaped by the
 * destination's `text` template), then how many were left out.
 */
export function digestBlocks(lines: string[]): Block[] {
  const shown = lines.slice(0, DIGEST_LINES);
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(`*${lines.length} events*`) }];
  for (const line of shown) blocks.push({ type: 'section', text: mrkdwn(`• ${line}`) });
  if (lines.length > shown.length) {
    blocks.push({ type: 'context', elements: [mrkdwn(`…and ${lines.length - shown.length} more`)] });
  }
  return blocks;
}
