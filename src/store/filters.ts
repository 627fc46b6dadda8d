import type { DeliveryFilter, EventFilter } from './types.ts';

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
  return conditions;
}

/** Conditions on `events` (unaliased) for an EventFilter, ANDed by the caller. */
export function eventConditions(filter: EventFilter, bind: Bind): string[] {
  const conditions: string[] = [];
  if (filter.type !== undefined) conditions.push(`type = ${bind(filter.type)}`);
  if (filter.status !== undefined) conditions.push(`status_name = ${bind(filter.status)}`);
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
