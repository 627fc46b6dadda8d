/**
 * Slack's limits on one message, and the function that makes any message fit them. Sources:
 * - Block Kit reference (api.slack.com/reference/block-kit/blocks): at most 50 blocks per message; section
 *   `text` 3,000 characters; at most 10 `fields` of 2,000; context at most 10 elements; header 150 (plain_text);
 *   `block_id` 255.
 * - All block text together: Slack answers `msg_blocks_too_long` at about 13,200 characters (bolt-js #2509,
 *   undocumented); 12,000 keeps a margin.
 * - The top-level `text`: documented as truncated at 40,000, but `msg_too_long` now comes from about 4,000
 *   (Slack's own SDK maintainer in ChatGPT-in-Slack #102); 3,900 is safe.
 */
import { truncate } from 'switchboard/plugin-sdk';

/** The limits, in characters (UTF-16 code units) or counts. */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  headerText: 150,
  blockId: 255,
  /** Text of every block of one message together. */
  totalBlockText: 12_000,
  /** The top-level `text` (notification and fallback). */
  text: 3900,
} as const;

type Json = Record<string, unknown>;

const isTextObject = (o: unknown): o is { type: string; text: string } =>
  typeof o === 'object' &&
  o !== null &&
  typeof (o as Json).text === 'string' &&
  ((o as Json).type === 'mrkdwn' || (o as Json).type === 'plain_text');

/** A text object cut to `max`; an empty text (which Slack refuses) becomes a single space. */
function clampText<T extends { text: string }>(o: T, max: number): T {
  const text = truncate(o.text, max);
  return { ...o, text: text === '' ? ' ' : text };
}

/** One block with each of its text objects within its own limit (and lists within their counts). */
function clampBlock(block: Json): Json {
  const out: Json = { ...block };
  if (typeof out.block_id === 'string') out.block_id = out.block_id.slice(0, SLACK_LIMITS.blockId);
  const max = block.type === 'header' ? SLACK_LIMITS.headerText : SLACK_LIMITS.sectionText;
  if (isTextObject(out.text)) out.text = clampText(out.text, max);
  if (Array.isArray(out.fields)) {
    out.fields = out.fields
      .slice(0, SLACK_LIMITS.fields)
      .map((f) => (isTextObject(f) ? clampText(f, SLACK_LIMITS.fieldText) : f));
  }
  if (block.type === 'context' && Array.isArray(out.elements)) {
    out.elements = out.elements
      .slice(0, SLACK_LIMITS.contextElements)
      .map((e) => (isTextObject(e) ? clampText(e, SLACK_LIMITS.sectionText) : e));
  }
  return out;
}

/** Every text length in a block, summed. */
function blockText(block: Json): number {
  let n = 0;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'object' && v !== null) {
      if (isTextObject(v)) n += v.text.length;
      else Object.values(v).forEach(visit);
    }
  };
  visit(block);
  return n;
}

/**
 * Blocks that Slack accepts: each within its limits, at most 50, and all their text within the total. What
 * does not fit is left out and counted in a last context line ("…and 3 more blocks left out") rather than
 * refused by Slack.
 */
export function fitBlocks(blocks: readonly Json[]): Json[] {
  const clamped = blocks.map(clampBlock);
  const note = (rest: number): Json => ({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `…and ${rest} more block${rest === 1 ? '' : 's'} left out` }],
  });
  const reserve = 60; // room for the note
  const out: Json[] = [];
  let total = 0;
  for (const [i, block] of clamped.entries()) {
    const size = blockText(block);
    const lastRoom = i === clamped.length - 1;
    const fitsCount = out.length < SLACK_LIMITS.blocks - (lastRoom ? 0 : 1);
    const fitsText = total + size <= SLACK_LIMITS.totalBlockText - (lastRoom ? 0 : reserve);
    if (!fitsCount || !fitsText) {
      out.push(note(clamped.length - i));
      return out;
    }
    out.push(block);
    total += size;
  }
  return out;
}

/** The top-level text within its limit (never empty: Slack answers `no_text`). */
export function fitText(text: string): string {
  const cut = truncate(text, SLACK_LIMITS.text);
  return cut.trim() === '' ? ' ' : cut;
}
