/**
 * The Block Kit layout for each event type. Every value taken from the event goes through escapeFor('slack'),
 * so a reply saying `<!channel>` or `<@U123>` shows as text and pings no one; every text is cut to Slack's
 * limits on whole characters, never inside an escape (limits.ts).
 */
import {
  type EventStatus,
  escapeFor,
  type GatewayEvent,
  type MtaEvent,
  truncate,
} from 'switchboard/plugin-sdk';
import { SLACK_LIMITS } from './limits.ts';

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

const esc = (value: string): string => escapeFor('slack', value);
const mrkdwn = (text: string, max: number = SLACK_LIMITS.sectionText): Mrkdwn => ({
  type: 'mrkdwn',
  text: truncate(text, max),
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
  const quoted = text
    .split('\n')
    .map((line) => `>${esc(line)}`)
    .join('\n');
  return truncate(quoted, SLACK_LIMITS.sectionText);
}

/** A string field of the payload as received (MTA's `carrier`, `errorMessage`), when present. */
function payloadText(event: GatewayEvent, ...keys: string[]): string | undefined {
  const payload = event.payload as Record<string, unknown> | null;
  if (typeof payload !== 'object' || payload === null) return undefined;
  for (const key of keys) {
    const value = payload[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

function fields(event: MtaEvent): Mrkdwn[] {
  const out: Array<[string, string | number | undefined]> = [
    ['Phone', event.phone],
    ['Message ID', event.messageId],
    ['Carrier', payloadText(event, 'carrier', 'Carrier')],
    ['Status code', event.type === 'delivery-status' ? event.status?.code : undefined],
    ['External ID', event.externalId],
    ['Opt-in type', event.optInType],
    ['Sender', event.senderName],
    ['Media', event.mediaUrls?.length ? `${event.mediaUrls.length} attachment(s)` : undefined],
  ];
  const tags = Object.entries(event.tags);
  if (tags.length > 0) out.push(['Tags', tags.map(([k, v]) => `${k}=${v}`).join(', ')]);
  return out
    .filter((f): f is [string, string | number] => f[1] !== undefined && f[1] !== '')
    .slice(0, SLACK_LIMITS.fields)
    .map(([label, value]) => mrkdwn(`*${label}*\n${esc(String(value))}`, SLACK_LIMITS.fieldText));
}

/**
 * The blocks for one event: a headline (the rendered `text` template when one is configured, so it changes
 * what people see), the error message of a failed delivery or the quoted text of a reply or send, fields
 * (a failure's carrier among them), and a context line.
 */
export function blocksFor(generic: GatewayEvent, renderedText?: string): Block[] {
  // Fields another source does not declare read as absent, so its events get the headline and the facts it has.
  const event = generic as MtaEvent;
  const top = renderedText !== undefined && renderedText.trim() !== '' ? renderedText : headline(event);
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(top) }];
  const error =
    event.type === 'delivery-status' ? payloadText(event, 'errorMessage', 'ErrorMessage') : undefined;
  if (error !== undefined) blocks.push({ type: 'section', text: mrkdwn(`*Error:* ${esc(error)}`) });
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

/** The longest one event's line may be in a digest. */
const DIGEST_LINE = 500;

/**
 * The layout of a `group:` digest: a count, then the events' lines (each already rendered and escaped by the
 * destination's `text` template) packed into sections of up to 3,000 characters, as many as fit within the
 * message's block and total-text limits, then how many were left out ("…and 12 more").
 */
export function digestBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(`*${lines.length} events*`) }];
  const budget = SLACK_LIMITS.totalBlockText - 200; // the count and the "more" line
  let used = 0;
  let section = '';
  let shown = 0;
  const flush = () => {
    if (section !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: section } });
    section = '';
  };
  for (const full of lines) {
    const line = `• ${truncate(full.replace(/\n/g, ' '), DIGEST_LINE)}`;
    const joined = section === '' ? line : `${section}\n${line}`;
    if (joined.length > SLACK_LIMITS.sectionText) {
      if (blocks.length >= SLACK_LIMITS.blocks - 2) break;
      flush();
    }
    if (used + line.length + 1 > budget) break;
    section = section === '' ? line : `${section}\n${line}`;
    used += line.length + 1;
    shown++;
  }
  flush();
  if (lines.length > shown) {
    blocks.push({ type: 'context', elements: [mrkdwn(`…and ${lines.length - shown} more`)] });
  }
  return blocks;
}
