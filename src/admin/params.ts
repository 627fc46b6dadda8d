import { didYouMean } from '../config/issues.ts';
import { parseDuration } from '../config/units.ts';
import { parseIsoTimestamp } from '../sources/mta/timestamp.ts';
import { DELIVERY_STATES, type DeliveryFilter, type DeliveryState } from '../store/types.ts';

/** A bad query parameter or body field: the admin API answers 400 naming it. */
export class BadParam extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

/** Several bad parameters of one request (every unknown name, say): the admin API answers 400 naming each. */
export class BadParams extends Error {
  constructor(readonly problems: readonly BadParam[]) {
    super(problems.map((p) => `${p.param}: ${p.message}`).join('; '));
  }
}

/**
 * `since` as a duration back from now (`1h`, `7d`) or an ISO 8601 date (`2026-12-01`, `2026-12-01T09:30Z`; UTC
 * unless it names a zone). Anything else is refused: `Date.parse` read a bare `12` (meant as 12 hours) as
 * 2001-12-01, and `replay --since 12` would have replayed everything since then.
 */
export function parseSince(value: unknown, now: number, param = 'since'): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new BadParam(param, 'must be an ISO date or a duration like 1h');
  const ms = parseDuration(value);
  if (ms !== undefined) {
    if (!Number.isFinite(new Date(now - ms).getTime()))
      throw new BadParam(param, `"${value}" reaches back before any date: give a shorter duration`);
    return new Date(now - ms);
  }
  const at = parseIsoTimestamp(value);
  if (at === undefined)
    throw new BadParam(
      param,
      /^\d+(\.\d+)?$/.test(value.trim())
        ? `"${value}" has no unit: give a duration like ${value.trim()}h or ${value.trim()}d, or an ISO date`
        : `"${value}" is neither an ISO date (2026-12-01, 2026-12-01T09:30:00Z) nor a duration like 30m, 1h, 7d`,
    );
  return new Date(at);
}

/** One state or a comma-separated list of states. */
export function parseStates(value: unknown, param = 'state'): DeliveryState[] | undefined {
  if (value === undefined || value === '') return undefined;
  // Strings only: String() of a nested array recurses (a 5000-deep body overflowed the stack) and of an object
  // says "[object Object]".
  const list = Array.isArray(value) ? value : [value];
  if (list.some((s) => typeof s !== 'string'))
    throw new BadParam(
      param,
      `must be a state name or a list of them (e.g. "dead" or ["failed", "dead"]), not ${describeJson(value)}`,
    );
  const parts = (Array.isArray(value) ? (value as string[]) : (value as string).split(',')).map((s) =>
    s.trim(),
  );
  for (const p of parts) {
    if (!(DELIVERY_STATES as readonly string[]).includes(p)) {
      const hint = didYouMean(p, DELIVERY_STATES) || ` (one of ${DELIVERY_STATES.join(', ')})`;
      throw new BadParam(param, `"${p}" is not a delivery state${hint}`);
    }
  }
  return parts as DeliveryState[];
}

/** Page size: 1–500, default 50. */
export function parseLimit(value: unknown): number {
  if (value === undefined || value === '') return 50;
  // Decimal digits only: Number() would also take 1e2, 0x10 and " 7 ".
  const n = typeof value === 'number' || /^\d+$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 500)
    throw new BadParam('limit', 'must be an integer from 1 to 500');
  return n;
}

/** A delivery filter from query parameters or a JSON body. */
export function deliveryFilter(q: Record<string, unknown>, now: number): DeliveryFilter {
  const optionalString = (k: string) => {
    const v = q[k];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw new BadParam(k, 'must be a string');
    return v;
  };
  const since = parseSince(q.since, now);
  const until = parseSince(q.until, now, 'until');
  checkSpan(since, until);
  return {
    state: parseStates(q.state),
    destination: optionalString('destination'),
    eventId: optionalString('eventId'),
    since,
    until,
  };
}

/** Refuses an `until` not after `since`: nothing could match, and an empty answer would say there is nothing. */
export function checkSpan(since: Date | undefined, until: Date | undefined): void {
  if (since !== undefined && until !== undefined && until.getTime() <= since.getTime())
    throw new BadParam(
      'until',
      `${until.toISOString()} is not after since (${since.toISOString()}): nothing could match; durations count back from now, so since is the longer one (--since 4h --until 1h)`,
    );
}

/** `true` or `false` (a query parameter); anything else is a typo, not false. */
export function parseBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  throw new BadParam(param, `must be true or false, not "${String(value)}"`);
}

/** A page cursor: the `next` of a previous page, which is an id (a ULID). */
export function parseCursor(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(value))
    throw new BadParam(
      'cursor',
      `${JSON.stringify(value)} is not a cursor from this API: pass back the "next" of the previous page`,
    );
  return value;
}

/** A JSON value as a person reads it in an error: `an object`, `a number (3)`, `a list holding an object`. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const odd = value.find((v) => typeof v !== 'string');
    const kind = odd === null ? 'null' : Array.isArray(odd) ? 'a list' : `a ${typeof odd}`;
    return odd === undefined ? 'a list' : `a list holding ${kind.replace('a object', 'an object')}`;
  }
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return `a ${typeof value} (${String(value)})`;
}
