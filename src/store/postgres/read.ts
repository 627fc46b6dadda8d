import type pg from 'pg';
import type { GatewayEvent } from '../../event.ts';
import {
  cursorCondition,
  deliveryConditions,
  eventPageSql,
  postgresJsonText,
  toEventPage,
  toPage,
  where,
} from '../filters.ts';
import {
  type AttemptRecordRow,
  DELIVERY_COLUMNS,
  type DeliveryRecord,
  toAttemptRow,
  toDeliveryRow,
} from '../rows.ts';
import type {
  AttemptRow,
  DeliveryFilter,
  DeliveryRow,
  EventDetail,
  EventFilter,
  Page,
  RouteVerdict,
} from '../types.ts';
import { pgBind } from './db.ts';

const EVENT = 'SELECT event, routes, unrouted FROM events WHERE id = $1';
const EVENT_DELIVERIES = `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE event_id = $1 ORDER BY id`;
const EVENT_ATTEMPTS = `
  SELECT a.delivery_id, a.number, a.started_at, a.duration_ms, a.outcome, a.reason, a.status_code
  FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
  WHERE d.event_id = $1
  ORDER BY a.delivery_id, a.number, a.id`;

/** An event with its route verdicts, its deliveries and every attempt of each. */
export async function getEventPostgres(pool: pg.Pool, id: string): Promise<EventDetail | null> {
  const events = await pool.query<{ event: GatewayEvent; routes: RouteVerdict[]; unrouted: boolean }>(EVENT, [
    id,
  ]);
  if (events.rows.length === 0) return null;
  const [deliveries, attempts] = await Promise.all([
    pool.query<DeliveryRecord>(EVENT_DELIVERIES, [id]),
    pool.query<AttemptRecordRow>(EVENT_ATTEMPTS, [id]),
  ]);
  const { event, routes, unrouted } = events.rows[0];
  return {
    event,
    routes,
    unrouted,
    deliveries: deliveries.rows.map((d) => ({
      ...toDeliveryRow(d),
      attemptLog: attempts.rows.filter((a) => a.delivery_id === d.id).map(toAttemptRow),
    })),
  };
}

/** A newest-first page of events matching the filter. */
export async function listEventsPostgres(
  pool: pg.Pool,
  filter: EventFilter,
  limit: number,
  cursor?: string,
): Promise<Page<GatewayEvent>> {
  const { page, edge } = eventPageSql(filter, limit, cursor, pgBind, postgresJsonText);
  const { rows } = await pool.query<{ id: string; event: GatewayEvent }>(page.text, page.params);
  const edgeId =
    edge && rows.length <= limit
      ? (await pool.query<{ id: string }>(edge.text, edge.params)).rows[0]?.id
      : undefined;
  return toEventPage(rows, limit, (r) => r.event, edgeId);
}

/** A newest-first page of deliveries matching the filter. */
export async function listDeliveriesPostgres(
  pool: pg.Pool,
  filter: DeliveryFilter,
  limit: number,
  cursor?: string,
): Promise<Page<DeliveryRow>> {
  const params: unknown[] = [];
  const bind = pgBind(params);
  const conditions = [...deliveryConditions(filter, bind), ...cursorCondition(cursor, bind)];
  const sql = `SELECT ${DELIVERY_COLUMNS} FROM deliveries${where(conditions)} ORDER BY id DESC LIMIT ${bind(limit + 1)}`;
  const { rows } = await pool.query<DeliveryRecord>(sql, params);
  return toPage(rows, limit, toDeliveryRow);
}

const DELIVERY = `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = $1`;
const DELIVERY_ATTEMPTS = `
  SELECT delivery_id, number, started_at, duration_ms, outcome, reason, status_code
  FROM attempts WHERE delivery_id = $1 ORDER BY number, id`;

/** One delivery with every attempt, or null. */
export async function getDeliveryPostgres(
  pool: pg.Pool,
  id: string,
): Promise<(DeliveryRow & { attemptLog: AttemptRow[] }) | null> {
  const [row, attempts] = await Promise.all([
    pool.query<DeliveryRecord>(DELIVERY, [id]),
    pool.query<AttemptRecordRow>(DELIVERY_ATTEMPTS, [id]),
  ]);
  if (row.rows.length === 0) return null;
  return { ...toDeliveryRow(row.rows[0]), attemptLog: attempts.rows.map(toAttemptRow) };
}
