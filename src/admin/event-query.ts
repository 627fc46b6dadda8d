/**
 * The events list's filters as a person types them, read the same way by the admin API (`GET /api/events`), the
 * CLI (`switchboard events`, on the store or through `--url`) and the console's filter form: one reading, so a
 * filter that works on one works on all three.
 */

import type { EventFilter, Store } from '../store/types.ts';
import { BadParam, checkSpan, parseBoolean, parseSince } from './params.ts';
import { checkDestination, checkSource, checkStatus, checkType, type Vocabulary } from './vocabulary.ts';

/** The filters' names, as query parameters (API, console) and as CLI options (`--phone`, `--tag`, ...). */
export const EVENT_FILTERS = [
  'source',
  'type',
  'status',
  'destination',
  'phone',
  'tag',
  'since',
  'until',
  'unrouted',
] as const;

/** Filters as typed: every value a string (`unrouted`: `true`/`false`), absent or empty when not given. */
export type EventQuery = Partial<Record<(typeof EVENT_FILTERS)[number], string>>;

/**
 * How many events a status, phone or tag filter looks through per page. All live in the event's JSON, unindexed; at
 * 1M events a rare phone took 1.4 s to find nothing (bench/console.ts), at this bound well under 300 ms. A page
 * that stops there answers `partial: true` and a `next` cursor to search on.
 */
export const SCAN_LIMIT = 50_000;

/**
 * The store's filter for a typed query, its values read but not yet checked against the config's names.
 * `phone`: E.164 (`+15551234567`, punctuation dropped) matches exactly, digits alone (`4567`) match the end;
 * `tag`: `key=value`; `since`/`until`: a duration back from `now` (ms since the epoch) or an ISO date.
 * Throws BadParam naming the first value typed wrong.
 */
export function eventFilter(q: EventQuery, now: number): EventFilter {
  const filter: EventFilter = {};
  if (q.source) filter.source = q.source;
  if (q.type) filter.type = q.type;
  if (q.status) filter.status = q.status.trim().toUpperCase();
  if (q.destination) filter.destination = q.destination;
  if (q.phone) {
    const phone = q.phone.trim();
    // A digit at least: punctuation alone ("(-)") became `LIKE '%'`, every event that has a phone.
    if (!/^\+?[\d\s().-]{2,20}$/.test(phone) || !/\d/.test(phone))
      throw new BadParam('phone', 'give a number in E.164 (+15551234567) or its last digits (4567)');
    filter.phone = phone.startsWith('+') ? `+${phone.replace(/\D/g, '')}` : phone.replace(/\D/g, '');
  }
  if (q.tag) {
    const m = /^([^=]+)=(.*)$/.exec(q.tag.trim());
    if (!m) throw new BadParam('tag', 'write it as key=value, e.g. campaign=spring-sale');
    // A store's JSON path cannot name such a key (SQLite refused the query, which read as a store outage).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
    if (/["\\\u0000-\u001f\u007f]/.test(m[1]))
      throw new BadParam('tag', 'a tag key holding ", \\ or a control character cannot be searched for');
    filter.tag = { key: m[1].trim(), value: m[2] };
  }
  filter.since = parseSince(q.since, now, 'since');
  filter.until = parseSince(q.until, now, 'until');
  checkSpan(filter.since, filter.until);
  const unrouted = parseBoolean(q.unrouted, 'unrouted');
  if (unrouted !== undefined) filter.unrouted = unrouted;
  if (filter.status !== undefined || filter.phone !== undefined || filter.tag !== undefined)
    filter.scanLimit = SCAN_LIMIT;
  return filter;
}

/**
 * `eventFilter` with its names checked against the config, so a typo answers 400 with the nearest name instead
 * of an empty list. `sources`: the configured source names, or undefined where they are not known (the CLI on
 * the store with a config that has no sources section; any name is then looked for). Throws BadParam / BadParams.
 */
export async function checkedEventFilter(
  q: EventQuery,
  now: number,
  names: { vocabulary: Vocabulary; sources?: readonly string[] },
  store: Pick<Store, 'listDeliveries'>,
): Promise<EventFilter> {
  const filter = eventFilter(q, now);
  if (names.sources) checkSource(filter.source, names.sources);
  filter.type = checkType(filter.type, names.vocabulary);
  filter.status = checkStatus(filter.status);
  await checkDestination(filter.destination, names.vocabulary, store);
  return filter;
}
