import { didYouMean } from '../config/issues.ts';
import { UNRECOGNIZED } from '../event.ts';
import { STATUS_NAMES } from '../sources/mta/status.ts';
import type { Store } from '../store/types.ts';
import { BadParam } from './params.ts';

/**
 * The names an admin filter may use, from the same vocabulary as the config: destination and route names in
 * force, event types and status names (delivery states: params.ts). A filter outside it is a typo, and silently matching
 * nothing would hide that: the API answers 400 and the CLI exits 2, both with the nearest name.
 */
export interface Vocabulary {
  destinations: readonly string[];
  routes: readonly string[];
  /**
   * The types the configured sources declare (`unrecognized` is always known); `open` when a source takes its
   * types from the provider (standard-webhooks, hmac), so any type may be asked for.
   */
  eventTypes: readonly string[] | 'open';
}

/** Status names: MTA's documented ones; codes MTA adds later are named UNKNOWN_<code>. */
const STATUSES = Object.values(STATUS_NAMES);

function unknown(param: string, value: string, what: string, known: readonly string[]): BadParam {
  const hint = didYouMean(value, known);
  return new BadParam(param, `"${value}" is not ${what}${hint || ` (known: ${known.join(', ') || 'none'})`}`);
}

/** Checks `?type=`: an event type. */
export function checkType(value: string | undefined, v: Vocabulary, param = 'type'): string | undefined {
  if (v.eventTypes === 'open') return value;
  const known = [...v.eventTypes, UNRECOGNIZED];
  if (value !== undefined && !known.includes(value)) throw unknown(param, value, 'an event type', known);
  return value;
}

/** Checks `?status=`: a status name such as DELIVERY_FAILED. */
export function checkStatus(value: string | undefined, param = 'status'): string | undefined {
  if (value !== undefined && !STATUSES.includes(value) && !/^UNKNOWN_\d+$/.test(value))
    throw unknown(param, value, 'a status name', STATUSES);
  return value;
}

/** Checks `?source=`: a source named in the config. */
export function checkSource(
  value: string | undefined,
  sources: readonly string[],
  param = 'source',
): string | undefined {
  if (value !== undefined && !sources.includes(value))
    throw unknown(param, value, 'a configured source', sources);
  return value;
}

/** Checks that an object (a JSON body) has only these keys. */
export function checkKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body))
    if (!allowed.includes(key)) throw unknown(key, key, 'a field of this request', allowed);
}

/**
 * Checks `?destination=`: configured, or (a destination since removed from the config) still on record in the
 * store. The store is asked only for names the config does not know.
 */
export async function checkDestination(
  value: string | undefined,
  v: Vocabulary,
  store: Pick<Store, 'listDeliveries'>,
  param = 'destination',
): Promise<string | undefined> {
  if (value === undefined || v.destinations.includes(value)) return value;
  if ((await store.listDeliveries({ filter: { destination: value }, limit: 1 })).items.length > 0)
    return value;
  throw unknown(param, value, 'a configured destination, nor one with deliveries on record', v.destinations);
}
