import { didYouMean } from '../config/issues.ts';
import { parseDuration } from '../config/units.ts';
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

/** `since` as an ISO date or a duration back from now (`1h`, `7d`). */
export function parseSince(value: unknown, now: number, param = 'since'): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new BadParam(param, 'must be an ISO date or a duration like 1h');
  const ms = parseDuration(value);
  if (ms !== undefined) return new Date(now - ms);
  const at = Date.parse(value);
  if (Number.isNaN(at))
    throw new BadParam(param, `"${value}" is neither an ISO date nor a duration like 30m, 1h, 7d`);
  return new Date(at);
}

/** One state or a comma-separated list of states. */
export function parseStates(value: unknown, param = 'state'): DeliveryState[] | undefined {
  if (value === undefined || value === '') return undefined;
  const parts = (Array.isArray(value) ? value : String(value).split(',')).map((s) => String(s).trim());
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
  const n = Number(value);
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
  return {
    state: parseStates(q.state),
    destination: optionalString('destination'),
    eventId: optionalString('eventId'),
    since: parseSince(q.since, now),
  };
}
