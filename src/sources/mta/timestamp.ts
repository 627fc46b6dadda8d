// YYYY-MM-DD, optionally followed by a time (T or space) with optional seconds, fraction and zone.
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Parses an ISO 8601 date-time into epoch milliseconds, or undefined when it is not one or names a day or time
 * that does not exist (2026-02-30, 25:00; `Date.parse` would quietly roll those over). A time without a zone
 * is read as UTC, because MTA documents its timestamps as UTC.
 */
export function parseIsoTimestamp(text: string): number | undefined {
  return readIsoTimestamp(text)?.ms;
}

/** 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z: the times toISOString writes with a four-digit year. */
const FIRST_MS = -62_167_219_200_000;
const LAST_MS = 253_402_300_799_999;

/** Whether epoch ms `ms` has a four-digit UTC year, so toISOString gives ISO 8601 (not `+010000-…`). */
export function inIsoRange(ms: number): boolean {
  return ms >= FIRST_MS && ms <= LAST_MS;
}

/**
 * An ISO 8601 date-time as the ISO 8601 UTC text every stored time is (`2026-11-28T04:03:11.000Z`), by the rules
 * of parseIsoTimestamp; undefined when it is none, or its UTC year is not 0000-9999.
 */
export function isoUtc(text: string): string | undefined {
  const ms = parseIsoTimestamp(text);
  return ms !== undefined && inIsoRange(ms) ? new Date(ms).toISOString() : undefined;
}

/** An ISO 8601 date-time read by readIsoTimestamp: epoch ms, and how it was written. */
export interface IsoTimestamp {
  ms: number;
  /** A space, not `T`, between the date and the time. */
  spaced: boolean;
  /** It names its zone (`Z` or an offset); without one it was read as UTC. */
  zoned: boolean;
  /** It has a time of day; a date alone ("2026-11-28") is read as its midnight, UTC. */
  timed: boolean;
}

/** parseIsoTimestamp, also saying how the text was written (for decode notes); undefined when not a time. */
export function readIsoTimestamp(text: string): IsoTimestamp | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((p) => (p ? Number(p) : 0));
  const millis = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0; // finer than a millisecond is dropped
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0–99 to 1900–1999
  date.setUTCHours(hour, minute, second, millis);
  const exists =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!exists) return undefined;
  const offset = zoneOffsetMinutes(m[8]);
  if (offset === undefined) return undefined;
  return {
    ms: date.getTime() - offset * 60_000,
    spaced: text[10] === ' ',
    zoned: m[8] !== undefined,
    timed: m[4] !== undefined,
  };
}

/** Minutes east of UTC for `Z`, `+05:30`, `-0800`, `+01`; undefined for an impossible offset. */
function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
