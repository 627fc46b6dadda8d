import type { DeliveryFilter, EventFilter } from './types.ts';

/** Binds one value into the statement being built and answers its placeholder (`?` or `$n`). */
export type Bind = (value: string | number | boolean) => string;

/** The SQL reading a text value at a path inside the `event` JSON column (each dialect spells it its way). */
export type JsonText = (path: readonly string[]) => string;

/** SQLite's spelling: `json_extract(event, '$.status.name')` (path segments are ours, never user input). */
export const sqliteJsonText: JsonText = (path) => `json_extract(event, '$.${path.join('.')}')`;

/** PostgreSQL's spelling: `(event::jsonb #>> '{status,name}')`. */
export const postgresJsonText: JsonText = (path) => `(event::jsonb #>> '{${path.join(',')}}')`;

/** States a worker may still act on; every other state is final. */
export const ACTIVE_STATES = ['pending', 'sending'] as const;

/** Final states that replay puts back in the queue. */
export const REPLAYABLE_STATES = ['failed', 'dead'] as const;

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
  return conditions;
}

/** Conditions on `events` (unaliased) for an EventFilter, ANDed by the caller. */
export function eventConditions(filter: EventFilter, bind: Bind, jsonText: JsonText): string[] {
  const conditions: string[] = [];
  if (filter.type !== undefined) conditions.push(`type = ${bind(filter.type)}`);
  // A source's own fields live in the event's JSON (the source_fields migration moved MTA's status_name column there).
  if (filter.status !== undefined)
    conditions.push(`${jsonText(['status', 'name'])} = ${bind(filter.status)}`);
  if (filter.destination !== undefined) {
    conditions.push(
      `EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.destination = ${bind(filter.destination)})`,
    );
  }
  if (filter.since !== undefined) conditions.push(`received_at >= ${bind(filter.since.getTime())}`);
  if (filter.unrouted !== undefined) conditions.push(`unrouted = ${bind(filter.unrouted)}`);
  return conditions;
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
