import { parseDuration } from '../config/units.ts';
import { hasControlChars } from '../control-text.ts';
import { parseIsoTimestamp } from '../sources/mta/timestamp.ts';
import type { PauseRequest } from '../store/types.ts';
import { BadParam } from './params.ts';
import { checkKeys } from './vocabulary.ts';

/** Longest comment kept with a pause (characters). */
const MAX_COMMENT = 500;
/** Longest pause with an expiry: 10 years (ms). Longer is a typo; a pause with no expiry lasts until resumed. */
const MAX_PAUSE_MS = 3650 * 24 * 3600 * 1000;

/** The fields of a pause request. */
export const PAUSE_FIELDS = ['comment', 'for', 'until', 'by'] as const;

/**
 * Reads how to pause from a JSON body or CLI options: `{ "comment"?: string, "for"?: "2h", "until"?: ISO date,
 * "by"?: string }`. `for` and `until` set the expiry (at most one); `by` defaults to `fallbackBy`.
 * Throws BadParam naming the field.
 */
export function pauseRequest(body: Record<string, unknown>, now: number, fallbackBy: string): PauseRequest {
  checkKeys(body, PAUSE_FIELDS);
  const text = (key: string) => {
    const v = body[key];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw new BadParam(key, 'must be a string');
    if (hasControlChars(v))
      throw new BadParam(
        key,
        'must not hold control characters (escape sequences, \\r, bell); tab and newline are fine',
      );
    return v;
  };
  const comment = text('comment');
  if (comment !== undefined && comment.length > MAX_COMMENT)
    throw new BadParam('comment', `at most ${MAX_COMMENT} characters`);
  const forText = text('for');
  const untilText = text('until');
  if (forText !== undefined && untilText !== undefined)
    throw new BadParam('for', 'give for or until, not both');
  let expiresAt: Date | undefined;
  if (forText !== undefined) {
    const ms = parseDuration(forText);
    if (ms === undefined || !Number.isFinite(ms))
      throw new BadParam('for', `"${forText}" is not a duration like 30m, 2h, 1d`);
    if (ms <= 0)
      throw new BadParam(
        'for',
        `"${forText}" is no time at all: give a pause longer than zero, like 30m, 2h, 1d`,
      );
    if (ms > MAX_PAUSE_MS)
      throw new BadParam(
        'for',
        `"${forText}" is longer than 3650d (10 years); leave out for to pause until resumed`,
      );
    expiresAt = new Date(now + ms);
  }
  if (untilText !== undefined) {
    const at = parseIsoTimestamp(untilText);
    if (at === undefined || at <= now)
      throw new BadParam('until', `"${untilText}" is not an ISO date in the future`);
    if (at - now > MAX_PAUSE_MS)
      throw new BadParam(
        'until',
        `"${untilText}" is more than 10 years ahead; leave out until to pause until resumed`,
      );
    expiresAt = new Date(at);
  }
  return {
    by: text('by') ?? fallbackBy,
    ...(comment !== undefined ? { comment } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
}
