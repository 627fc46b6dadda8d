import * as t from 'io-ts';
import { describe } from '../describe.ts';
import { STATUS_CODES } from '../status.ts';
import { inIsoRange, readIsoTimestamp } from '../timestamp.ts';
import { type NoteDraft, type Noted, noted, plain } from './notes.ts';

/**
 * The value kinds of MTA fields. Each reads a present, non-null JSON value leniently where the meaning is
 * clear, saying what it coerced (a note), and fails with a plain-words io-ts error where it is not
 * (`expected a whole number, got the string "abc"`). All errors go through report.ts like any io-ts error.
 */
export type Validate<A> = (u: unknown, c: t.Context) => t.Validation<Noted<A>>;

const INTEGER = /^-?\d{1,15}$/;
/** Digits, however many: a whole number's text, read exactly only up to Number.MAX_SAFE_INTEGER. */
const DIGITS = /^-?\d+$/;
const URL_LIST = t.array(t.string);

/**
 * Whether a JSON number's text is the number as sent. A whole number beyond ±(2^53 - 1) is not: JSON.parse has
 * rounded it (an externalId 12345678901234567891 arrives as 12345678901234567000), and 1e400 arrives as Infinity.
 */
function exactNumber(n: number): boolean {
  return Number.isFinite(n) && (!Number.isInteger(n) || Number.isSafeInteger(n));
}

/** The error for a JSON number where text was expected that JSON.parse could not read exactly. */
function inexactNumber(u: number): string {
  return `expected a string, or a number within ±${Number.MAX_SAFE_INTEGER}, got one too large to read exactly (${describe(u)})`;
}

/**
 * Text. A JSON number is accepted as its decimal text (ids sent as numbers), with a note; one too large for
 * JSON.parse to read exactly is an error, not text of other digits than MTA sent (as for whole numbers).
 */
export const text: Validate<string> = (u, c) => {
  if (typeof u === 'string') return t.success(plain(u));
  if (typeof u === 'number') {
    if (!exactNumber(u)) return t.failure(u, c, inexactNumber(u));
    return t.success(noted(String(u), 'number-as-text', `the number ${u} read as text`));
  }
  return t.failure(u, c, `expected a string, got ${describe(u)}`);
};

/**
 * A whole number (MTA's ids). A string of digits is accepted, with a note; a fraction is an error. One beyond
 * ±(2^53 - 1) is refused as too large: JSON.parse has already rounded it (9007199254740993 arrives as
 * ...992), so it is no longer the id MTA sent, and "expected a whole number, got 9007199254740992" named one.
 * Zero and negative ids are kept: MTA documents its ids as numbers, not as positive ones, and a sentinel such as
 * 0 refused here would make an authentic body `unrecognized`.
 */
export const whole: Validate<number> = (u, c) => {
  const tooLarge = () =>
    t.failure<Noted<number>>(
      u,
      c,
      `expected a whole number within ±${Number.MAX_SAFE_INTEGER}, got one too large to read exactly (${describe(u)})`,
    );
  if (typeof u === 'number') {
    if (Number.isSafeInteger(u)) return t.success(plain(u));
    return Number.isInteger(u) || !Number.isFinite(u)
      ? tooLarge()
      : t.failure(u, c, `expected a whole number, got ${u}`);
  }
  const digits = typeof u === 'string' ? u.trim() : '';
  if (DIGITS.test(digits)) {
    const n = Number(digits);
    if (!Number.isSafeInteger(n)) return tooLarge();
    return t.success(noted(n, 'numeric-string', `the string "${u}" read as a number`));
  }
  return t.failure(u, c, `expected a whole number, got ${describe(u)}`);
};

/** A delivery status code: a whole number, a string of digits, or a documented status name ("DELIVERED"). */
export const statusCode: Validate<number> = (u, c) => {
  if (typeof u === 'string') {
    const code = STATUS_CODES.get(u.trim().toUpperCase());
    if (code !== undefined)
      return t.success(noted(code, 'status-name', `the status name "${u}" read as ${code}`));
  }
  const n = whole(u, c);
  if (n._tag === 'Left') return t.failure(u, c, `expected a status code (1-14) or name, got ${describe(u)}`);
  return n;
};

/**
 * An ISO 8601 date and time followed by its zone the way Ruby's Time#to_s and Go's time.Time write it: a space,
 * then `UTC`, `GMT`, `Z` or an offset (`2026-11-28 14:03:11 UTC`, `2026-11-28 09:03:11 -0500`), or `UTC`/`GMT`
 * with no space. Groups: the date and time, the zone's name, the offset.
 */
const WRITTEN_ZONE =
  /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)(?:\s*(UTC|GMT)|\s+(Z|[+-]\d{2}(?::?\d{2})?))$/i;

/**
 * An event time, decoded to ISO 8601 UTC: ISO 8601 with a zone (as documented), without one (read as UTC,
 * MTA documents UTC), with a space for `T`, with its zone after a space or named UTC or GMT, or seconds or
 * milliseconds since 1970 (number or digit string; below 10^11 it is seconds, which covers every date until the
 * year 5138). A time whose UTC year falls outside 0000-9999 (9999-12-31T23:59:59-05:00, 8.64e15 ms) is refused:
 * its ISO text would need a six-digit year.
 */
export const time: Validate<string> = (u, c) => {
  const trimmed = typeof u === 'string' ? u.trim() : undefined;
  const notes: NoteDraft[] = [];
  if (trimmed !== undefined && trimmed !== u && trimmed !== '') {
    notes.push({ kind: 'padded-time', message: 'whitespace around the time removed' });
  }
  const numeric = typeof u === 'number' || (trimmed !== undefined && INTEGER.test(trimmed));
  if (numeric) {
    const n = Number(u);
    if (!Number.isFinite(n) || n < 0) return t.failure(u, c, `expected a time, got ${describe(u)}`);
    const seconds = n < 1e11;
    const ms = seconds ? n * 1000 : n;
    if (!inIsoRange(ms)) return t.failure(u, c, `expected a time up to the year 9999, got ${describe(u)}`);
    notes.push({
      kind: seconds ? 'epoch-seconds' : 'epoch-millis',
      message: `${trimmed ?? u} read as ${seconds ? 'seconds' : 'milliseconds'} since 1970`,
    });
    return t.success({ value: new Date(ms).toISOString(), notes });
  }
  let iso = trimmed;
  const zone = trimmed === undefined ? null : WRITTEN_ZONE.exec(trimmed);
  if (zone !== null) {
    const [, dateTime, name, offset] = zone;
    iso = `${dateTime}${offset ?? 'Z'}`;
    const message = name === undefined ? 'a space before the zone' : `the zone "${name}" read as UTC`;
    notes.push({ kind: 'written-zone', message });
  }
  const read = iso === undefined ? undefined : readIsoTimestamp(iso);
  if (read === undefined) return t.failure(u, c, `expected an ISO 8601 time, got ${describe(u)}`);
  if (!inIsoRange(read.ms)) {
    return t.failure(u, c, `expected a time in the years 0000-9999 (UTC), got ${describe(u)}`);
  }
  if (read.spaced === false && read.zoned && notes.length === 0) {
    return t.success(plain(new Date(read.ms).toISOString()));
  }
  if (read.spaced) {
    notes.push({ kind: 'space-separated-time', message: 'a space instead of "T" between date and time' });
  }
  if (!read.timed)
    notes.push({ kind: 'zoneless-time', message: 'a date without a time, read as midnight UTC' });
  else if (!read.zoned) notes.push({ kind: 'zoneless-time', message: 'a time without a zone, read as UTC' });
  return t.success({ value: new Date(read.ms).toISOString(), notes });
};

/**
 * Tags: an object whose values are strings, or an empty array (PHP's empty object). Numbers and booleans are
 * stringified and null values dropped, each with a note; a nested object or array, or a number JSON.parse could
 * not read exactly, is an error at `tags.<key>`. The result is built with `Object.defineProperty`, so a
 * `__proto__` key is an ordinary own tag and never changes a prototype.
 */
export const tags: Validate<Record<string, string>> = (u, c) => {
  // PHP's json_encode writes an empty array, which is how a PHP sender holds "no tags", as [], never {}.
  if (Array.isArray(u) && u.length === 0) {
    return t.success(noted({}, 'empty-tags-array', 'an empty array read as no tags'));
  }
  if (typeof u !== 'object' || u === null || Array.isArray(u)) {
    return t.failure(u, c, `expected an object of tags, got ${describe(u)}`);
  }
  const out: Record<string, string> = {};
  const notes: NoteDraft[] = [];
  const errors: t.Errors = [];
  const put = (key: string, value: string) =>
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  for (const key of Object.keys(u)) {
    const value = (u as Record<string, unknown>)[key];
    if (typeof value === 'string') put(key, value);
    else if (typeof value === 'number' && !exactNumber(value)) {
      const context = t.appendContext(c, key, t.string, value);
      errors.push({ value, context, message: inexactNumber(value) });
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      put(key, String(value));
      notes.push({ kind: 'tag-scalar', message: `tag "${key}": ${typeof value} stringified` });
    } else if (value === null) {
      notes.push({ kind: 'tag-null', message: `tag "${key}": null, dropped` });
    } else {
      const context = t.appendContext(c, key, t.string, value);
      errors.push({ value, context, message: `expected a string, got ${describe(value)}` });
    }
  }
  return errors.length > 0 ? t.failures(errors) : t.success({ value: out, notes });
};

/**
 * Media URLs: an array of strings, or one string (a single URL), with a note. An empty (or blank) string is no
 * URL: senders that write an absent string as "" send it for a reply without media.
 */
export const mediaUrls: Validate<string[]> = (u, c) => {
  if (typeof u === 'string' && u.trim() === '')
    return t.success(noted([], 'empty-media-url', 'an empty string read as no media'));
  if (typeof u === 'string')
    return t.success(noted([u], 'single-media-url', 'one URL read as a list of one'));
  if (!Array.isArray(u)) return t.failure(u, c, `expected an array of URL strings, got ${describe(u)}`);
  const errors: t.Errors = [];
  // The field's own context entry as an array codec, so report.ts writes item paths as `mediaUrls[1]`.
  const asList: t.Context = [...c.slice(0, -1), { ...c[c.length - 1], type: URL_LIST }];
  u.forEach((item, i) => {
    if (typeof item !== 'string') {
      const context = t.appendContext(asList, String(i), t.string, item);
      errors.push({ value: item, context, message: `expected a string, got ${describe(item)}` });
    }
  });
  return errors.length > 0 ? t.failures(errors) : t.success(plain(u as string[]));
};

/** A phone number's text (normalized later with the source's country): a string, or a JSON number's digits. */
export const phoneText: Validate<string> = (u, c) => {
  if (typeof u === 'string') return t.success(plain(u));
  if (typeof u === 'number' && Number.isSafeInteger(u) && u > 0) {
    return t.success(noted(String(u), 'number-as-text', 'a phone number sent as a JSON number'));
  }
  return t.failure(u, c, `expected a phone number string, got ${describe(u)}`);
};
