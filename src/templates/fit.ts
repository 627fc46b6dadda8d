/**
 * Shortening text to a provider's limit without breaking it. Cutting at a UTF-16 index splits an emoji into a
 * lone surrogate (invalid UTF-8 on the wire), a flag or a ZWJ family into pieces, an accent from its letter,
 * or an escape (`&l…`) so the provider shows garbage or refuses the message (issue 14). Here the text is cut
 * only between user-perceived characters (Intl.Segmenter graphemes), and an HTML entity (`&amp;`) or a Slack
 * token (`<@U123>`, `<https://…|label>`) is kept or dropped whole.
 *
 * Lengths are UTF-16 code units (`string.length`), what Slack's and Discord's limits count or more.
 */

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Pieces never cut inside: an entity such as `&amp;` or `&#128512;`, and a Slack `<…>` token on one line. */
const ATOMIC = /&(?:[a-zA-Z]{2,8}|#\d{1,7}|#x[0-9a-fA-F]{1,6});|<[^<>\n]{1,1000}>/g;

/** The text split into pieces that may not be cut: atomic tokens and graphemes, in order. */
function units(text: string): string[] {
  const out: string[] = [];
  let at = 0;
  const graphemes = (part: string) => {
    for (const { segment } of GRAPHEMES.segment(part)) out.push(segment);
  };
  for (const m of text.matchAll(ATOMIC)) {
    if (m.index > at) graphemes(text.slice(at, m.index));
    out.push(m[0]);
    at = m.index + m[0].length;
  }
  if (at < text.length) graphemes(text.slice(at));
  return out;
}

/**
 * `text` when it fits in `max` code units; otherwise its longest prefix of whole pieces followed by
 * `ellipsis`, the whole at most `max` long. `max` smaller than the ellipsis gives a prefix without it.
 */
export function truncate(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  const room = max >= ellipsis.length ? max - ellipsis.length : max;
  let out = '';
  // Only the head can survive; segmenting a 100 kB reply whole would be wasted work.
  for (const unit of units(text.slice(0, max + 64))) {
    if (out.length + unit.length > room) break;
    out += unit;
  }
  return max >= ellipsis.length ? out + ellipsis : out;
}

/** How many user-perceived characters `text` has (for messages: "cut to 3,000 characters"). */
export function graphemeCount(text: string): number {
  let n = 0;
  for (const _ of GRAPHEMES.segment(text)) n++;
  return n;
}
