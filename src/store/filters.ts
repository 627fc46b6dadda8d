import type { DeliveryFilter, EventFilter, Page } from './types.ts';

/** Binds one value into the statement being built and answers its placeholder (`?` or `$n`). */
export type Bind = (value: string | number | boolean) => string;

/** States a worker may still act on; every other state is final. */
export const ACTIVE_STATES = ['pending', 'sending'] as const;

/** Final states that replay puts back in the queue. */
export const REPLAYABLE_STATES = ['failed', 'dead'] as const;

/** A list of states as SQL literals for `state IN (…)`: `'pending', 'sending'`. The states are our constants. */
export function stateList(states: readonly string[]): string {
  return states.map((s) => `'${s}'`).join(', ');
}

/** `state IN ('pending', 'sending')`: the one place SQL names the states a worker may still act on. */
export const ACTIVE = `state IN (${stateList(ACTIVE_STATES)})`;

/** How many rejected payloads are kept; older ones are pruned as new ones arrive. */
export const MAX_REJECTED = 10_000;

/** Conditions on `deliveries` (unaliased) for a DeliveryFilter, ANDed by the caller. */
export function deliveryConditions(filter: DeliveryFilter, bind: Bind): string[] {
  const conditions: string[] = [];
  if (filter.state !== undefined) {
    const states = Array.isArray(filter.state) ? filter.state : [filter.state];
    conditions.push(states.length === 0 ? '1 = 0' : `state IN (${states.map(bind).join(', ')})`);
  }
  if (filter.destination !== undefined) conditions.push(`destination = ${bind(filter.destination)}`);
  if (filter.eventId !== undefined) conditions.push(`event_id = ${bind(filter.eventId)}`);
  if (filter.since !== undefined) conditions.push(`updated_at >= ${bind(filter.since.getTime())}`);
  if (filter.until !== undefined) conditions.push(`updated_at < ${bind(filter.until.getTime())}`);
  return conditions;
}

/** SQL for a text field inside the `event` JSON column, e.g. `['tags', 'campaign']`; each dialect has its own. */
export type JsonText = (path: string[], bind: Bind) => string;

/** SQLite: json_extract with a bound, quoted path (keys may hold dots). */
export const sqliteJsonText: JsonText = (path, bind) =>
  `json_extract(event, ${bind(`$${path.map((k) => `."${k.replace(/"/g, '')}"`).join('')}`)})`;

/**
 * PostgreSQL: the text at `path` through switchboard_json_text (migration 006), which reads it with `#>>` and
 * does not fail on an event holding `\u0000` or a lone surrogate; keys bound.
 */
export const postgresJsonText: JsonText = (path, bind) =>
  `switchboard_json_text(event, ARRAY[${path.map((k) => `${bind(k)}::text`).join(', ')}])`;

/** Conditions on `events` (unaliased) for an EventFilter's indexed columns, ANDed by the caller. */
export function eventConditions(filter: EventFilter, bind: Bind): string[] {
  const conditions: string[] = [];
  if (filter.source !== undefined) conditions.push(`source = ${bind(filter.source)}`);
  if (filter.type !== undefined) conditions.push(`type = ${bind(filter.type)}`);
  if (filter.destination !== undefined) {
    conditions.push(
      `EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.destination = ${bind(filter.destination)})`,
    );
  }
  if (filter.since !== undefined) conditions.push(`received_at >= ${bind(filter.since.getTime())}`);
  if (filter.until !== undefined) conditions.push(`received_at < ${bind(filter.until.getTime())}`);
  // Literal, not bound: only unrouted events are indexed (events_unrouted ... WHERE unrouted), and a planner
  // uses a partial index only for a condition it can see implies the index's own.
  if (filter.unrouted !== undefined) conditions.push(filter.unrouted ? 'unrouted' : 'NOT unrouted');
  return conditions;
}

/**
 * Conditions inside the event's JSON (MTA's status name, which the source_fields migration moved out of its own
 * column; phone; tag): no index, so each looks at every row it is given.
 */
export function eventJsonConditions(filter: EventFilter, bind: Bind, json: JsonText): string[] {
  const conditions: string[] = [];
  if (filter.status !== undefined)
    conditions.push(`${json(['status', 'name'], bind)} = ${bind(filter.status)}`);
  if (filter.phone !== undefined) {
    const phone = filter.phone;
    conditions.push(
      phone.startsWith('+')
        ? `${json(['phone'], bind)} = ${bind(phone)}`
        : `${json(['phone'], bind)} LIKE ${bind(`%${phone.replace(/[^\d]/g, '')}`)}`,
    );
  }
  if (filter.tag !== undefined)
    conditions.push(`${json(['tags', filter.tag.key], bind)} = ${bind(filter.tag.value)}`);
  return conditions;
}

/** A statement and its parameters. */
export interface Sql {
  text: string;
  params: unknown[];
}

/**
 * The statements for one newest-first page of events. Without JSON conditions: one keyset query. With them and a
 * `scanLimit`: the JSON conditions look only at the next `scanLimit` rows the indexed conditions allow (so a
 * phone that matches nothing costs a bounded scan, not the whole table), and `edge` finds the last of those rows,
 * where the next page's search continues.
 */
export function eventPageSql(
  filter: EventFilter,
  limit: number,
  cursor: string | undefined,
  makeBind: (params: unknown[]) => Bind,
  json: JsonText,
): { page: Sql; edge?: Sql } {
  const params: unknown[] = [];
  const bind = makeBind(params);
  const plain = [...eventConditions(filter, bind), ...cursorCondition(cursor, bind)];
  const hasJson = filter.status !== undefined || filter.phone !== undefined || filter.tag !== undefined;
  if (!hasJson || filter.scanLimit === undefined) {
    const all = [...plain, ...eventJsonConditions(filter, bind, json)];
    return {
      page: {
        text: `SELECT id, event FROM events${where(all)} ORDER BY id DESC LIMIT ${bind(limit + 1)}`,
        params,
      },
    };
  }
  // Bound in the order they appear in the text: SQLite's `?` are positional.
  const window = `SELECT id, event FROM events${where(plain)} ORDER BY id DESC LIMIT ${bind(filter.scanLimit)}`;
  const inJson = eventJsonConditions(filter, bind, json);
  const page = `SELECT id, event FROM (${window}) recent${where(inJson)} ORDER BY id DESC LIMIT ${bind(limit + 1)}`;
  const edgeParams: unknown[] = [];
  const edgeBind = makeBind(edgeParams);
  const edgeWhere = where([...eventConditions(filter, edgeBind), ...cursorCondition(cursor, edgeBind)]);
  const edge = `SELECT id FROM events${edgeWhere} ORDER BY id DESC LIMIT 1 OFFSET ${edgeBind(filter.scanLimit - 1)}`;
  return { page: { text: page, params }, edge: { text: edge, params: edgeParams } };
}

/**
 * A page from the page query's `limit + 1` rows, and when the search was bounded and found fewer, the edge of the
 * window it searched (the last row looked at, or none when the window reached the oldest event).
 */
export function toEventPage<R extends { id: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  edge: string | undefined,
): Page<T> {
  const page = toPage(rows, limit, map);
  if (page.next !== null || edge === undefined) return page;
  return { ...page, next: edge, partial: true };
}

/** Keyset condition for newest-first pages: the cursor is the last id of the previous page. */
export function cursorCondition(cursor: string | undefined, bind: Bind): string[] {
  return cursor === undefined || cursor === '' ? [] : [`id < ${bind(cursor)}`];
}

/** ` WHERE a AND b`, or nothing when there are no conditions. */
export function where(conditions: string[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

/** Cuts a `limit + 1` fetch into a page; `next` is the last id shown when more rows exist. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (row: R) => T) {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return { items: shown.map(map), next: more ? shown[shown.length - 1].id : null };
}

/** A page size the queries can use: a whole number of at least 1. */
export function pageSize(limit: number): number {
  return Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : 1;
}
