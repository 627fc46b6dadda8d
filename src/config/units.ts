/**
 * The unit notations config values use: durations (`500ms`, `1m30s`, `7d`), sizes (`256kb`) and rates
 * (`60/m`). Pure parsers returning undefined on bad input; the codecs in codecs.ts turn that into an issue.
 */

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a duration into milliseconds: one or more `<number><unit>` parts with units ms, s, m, h, d (e.g.
 * `500ms`, `1.5s`, `1h30m`), largest unit first, each unit once (`1h1h` and `30m1h` are typos, not 2h and
 * 90m). A bare number is rejected (is `10` seconds or milliseconds?), except `0`.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(s)) return undefined;
  let total = 0;
  let previous = Number.POSITIVE_INFINITY;
  for (const part of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    const unit = DURATION_UNITS[part[2]];
    if (unit >= previous) return undefined;
    previous = unit;
    total += Number(part[1]) * unit;
  }
  return Math.round(total);
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
};

/** Parses a size into bytes: `512b`, `256kb`, `1mb`, `1.5mb`, `1gb` (binary multiples, case-insensitive); a bare integer is bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (m === null) return undefined;
  if (m[2] === undefined && m[1].includes('.')) return undefined;
  return Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]);
}

const RATE_WINDOWS: Readonly<Record<string, number>> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

/** Parses a rate such as `1/s`, `60/m`, `10/min` or `100/hour` into a count per window. */
export function parseRate(text: string): { count: number; perMs: number } | undefined {
  const m = /^(\d+)\s*\/\s*([a-z]+)$/i.exec(text.trim());
  if (m === null) return undefined;
  const unit = m[2].toLowerCase();
  const perMs = Object.hasOwn(RATE_WINDOWS, unit) ? RATE_WINDOWS[unit] : undefined;
  const count = Number(m[1]);
  if (perMs === undefined || count < 1) return undefined;
  return { count, perMs };
}
