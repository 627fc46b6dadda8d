import { didYouMean, nearest } from '../config/issues.ts';
import { UNRECOGNIZED } from '../event.ts';
import { STATUS_NAMES, statusOf } from '../sources/mta/status.ts';
import type { Store } from '../store/types.ts';
import { BadParam, BadParams } from './params.ts';

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

/** A name as routes compare it: any case, `_` and `-` alike (`DELIVERY_STATUS` is `delivery-status`). */
const loose = (name: string) => name.trim().toLowerCase().replace(/_/g, '-');

/**
 * Checks `?type=`: an event type, answered as the source declares it. Spelt as routes accept it (any case, `_`
 * for `-`), so a filter takes what the config takes.
 */
export function checkType(value: string | undefined, v: Vocabulary, param = 'type'): string | undefined {
  if (v.eventTypes === 'open' || value === undefined) return value;
  const known = [...v.eventTypes, UNRECOGNIZED];
  const found = known.find((k) => loose(k) === loose(value));
  if (found === undefined) throw unknown(param, value, 'an event type', known);
  return found;
}

/**
 * Checks `?status=`: a status, answered as its stored name: a name in any case (`undelivered`) or a code
 * (`9` is UNDELIVERED, `99` UNKNOWN_99), as routes accept them.
 */
export function checkStatus(value: string | undefined, param = 'status'): string | undefined {
  if (value === undefined) return value;
  const written = value.trim();
  if (/^\d{1,9}$/.test(written)) return statusOf(Number(written)).name;
  const name = written.toUpperCase().replace(/-/g, '_');
  if (!STATUSES.includes(name) && !/^UNKNOWN_\d+$/.test(name))
    throw unknown(param, value, 'a status name or code', STATUSES);
  return name;
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

/** The parameter names one admin endpoint takes: in its query string, in its JSON body. */
export interface ParamNames {
  query?: readonly string[];
  body?: readonly string[];
}

/**
 * Checks a request's parameter names against those its endpoint takes. An unknown name is refused, never
 * ignored: a misspelled filter (`?stat=dead`, `{"sorce": "gh"}`) silently dropped would widen what the request
 * reads or changes to everything. Every unknown name is reported (BadParams), each with the nearest known one.
 */
export function checkParamNames(given: { query?: object; body?: object }, takes: ParamNames): void {
  const query = takes.query ?? [];
  const body = takes.body ?? [];
  const problems = [
    ...Object.keys(given.query ?? {})
      .filter((k) => !query.includes(k))
      .map((k) =>
        unknownName(k, { what: 'query parameter', known: query }, { place: 'the JSON body', known: body }),
      ),
    // A filter given twice (?phone=1&phone=2) was read as absent, and the answer widened to every event.
    ...Object.entries(given.query ?? {})
      .filter(([k, v]) => query.includes(k) && Array.isArray(v))
      .map(
        ([k, v]) =>
          new BadParam(k, `is given ${(v as unknown[]).length} times; give it once (one value per filter)`),
      ),
    ...Object.keys(given.body ?? {})
      .filter((k) => !body.includes(k))
      .map((k) =>
        unknownName(k, { what: 'field', known: body }, { place: 'the query string', known: query }),
      ),
  ];
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new BadParams(problems);
}

/**
 * Checks the names of a request's query string and JSON body (checkParamNames) against what its endpoint takes,
 * and that no query parameter is given twice.
 */
export function takesOnly(ctx: { query: object; request: { body?: unknown } }, names: ParamNames): void {
  const body = ctx.request.body;
  checkParamNames({ query: ctx.query, body: typeof body === 'object' && body !== null ? body : {} }, names);
}

/** Checks that an object (a JSON body) has only these keys, naming every other one. */
export function checkKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  checkParamNames({ body }, { body: allowed });
}

/** Why `key` is refused: the nearest name in its place, or the place it belongs in, or the names there are. */
function unknownName(
  key: string,
  here: { what: string; known: readonly string[] },
  there: { place: string; known: readonly string[] },
): BadParam {
  const refused = `"${key}" is not a ${here.what} of this request`;
  if (there.known.includes(key)) return new BadParam(key, `${refused}: send it in ${there.place}`);
  const near = nearest(key, here.known);
  const elsewhere = near === undefined ? nearest(key, there.known) : undefined;
  const hint =
    near !== undefined
      ? ` (did you mean ${near}?)`
      : elsewhere !== undefined
        ? ` (did you mean ${elsewhere}, in ${there.place}?)`
        : here.known.length > 0
          ? ` (known: ${here.known.join(', ')})`
          : ` (it takes none${there.known.length > 0 ? `; it takes ${there.known.join(', ')} in ${there.place}` : ''})`;
  return new BadParam(key, refused + hint);
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
