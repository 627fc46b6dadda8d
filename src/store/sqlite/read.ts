import type { GatewayEvent } from '../../event.ts';
import {
  cursorCondition,
  deliveryConditions,
  eventPageSql,
  sqliteJsonText,
  toEventPage,
  toPage,
  where,
} from '../filters.ts';
import {
  type AttemptRecordRow,
  DELIVERY_COLUMNS,
  type DeliveryRecord,
  fromJson,
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
import { type SqliteDb, sqliteBind } from './db.ts';

const EVENT = 'SELECT event, routes, unrouted FROM events WHERE id = ?';
const EVENT_DELIVERIES = `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE event_id = ? ORDER BY id`;
const EVENT_ATTEMPTS = `
  SELECT a.delivery_id, a.number, a.started_at, a.duration_ms, a.outcome, a.reason, a.status_code
  FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
  WHERE d.event_id = ?
  ORDER BY a.delivery_id, a.number, a.id`;

/** An event with its route verdicts, its deliveries and every attempt of each. */
export function getEventSqlite(db: SqliteDb, id: string): EventDetail | null {
  const row = db.stmt(EVENT).get(id) as { event: string; routes: string; unrouted: number } | undefined;
  if (row === undefined) return null;
  const deliveries = db.stmt(EVENT_DELIVERIES).all(id) as DeliveryRecord[];
  const attempts = db.stmt(EVENT_ATTEMPTS).all(id) as AttemptRecordRow[];
  return {
    event: fromJson<GatewayEvent>(row.event),
    routes: fromJson<RouteVerdict[]>(row.routes),
    unrouted: row.unrouted === 1,
    deliveries: deliveries.map((d) => ({
      ...toDeliveryRow(d),
      attemptLog: attempts.filter((a) => a.delivery_id === d.id).map(toAttemptRow),
    })),
  };
}

/** A newest-first page of events matching the filter. */
export function listEventsSqlite(
  db: SqliteDb,
  filter: EventFilter,
  limit: number,
  cursor?: string,
): Page<GatewayEvent> {
  const { page, edge } = eventPageSql(filter, limit, cursor, sqliteBind, sqliteJsonText);
  const rows = db.stmt(page.text).all(...page.params) as Array<{ id: string; event: string }>;
  const edgeId =
    edge && rows.length <= limit
      ? (db.stmt(edge.text).get(...edge.params) as { id: string } | undefined)?.id
      : undefined;
  return toEventPage(rows, limit, (r) => fromJson<GatewayEvent>(r.event), edgeId);
}

/** A newest-first page of deliveries matching the filter. */
export function listDeliveriesSqlite(
  db: SqliteDb,
  filter: DeliveryFilter,
  limit: number,
  cursor?: string,
): Page<DeliveryRow> {
  const params: unknown[] = [];
  const bind = sqliteBind(params);
  const conditions = [...deliveryConditions(filter, bind), ...cursorCondition(cursor, bind)];
  const sql = `SELECT ${DELIVERY_COLUMNS} FROM deliveries${where(conditions)} ORDER BY id DESC LIMIT ${bind(limit + 1)}`;
  const rows = db.stmt(sql).all(...params) as DeliveryRecord[];
  return toPage(rows, limit, toDeliveryRow);
}

const DELIVERY = `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = ?`;
const DELIVERY_ATTEMPTS = `
  SELECT delivery_id, number, started_at, duration_ms, outcome, reason, status_code
  FROM attempts WHERE delivery_id = ? ORDER BY number, id`;

/** One delivery with every attempt, or null. */
export function getDeliverySqlite(
  db: SqliteDb,
  id: string,
): (DeliveryRow & { attemptLog: AttemptRow[] }) | null {
  const row = db.stmt(DELIVERY).get(id) as DeliveryRecord | undefined;
  if (row === undefined) return null;
  const attempts = db.stmt(DELIVERY_ATTEMPTS).all(id) as AttemptRecordRow[];
  return { ...toDeliveryRow(row), attemptLog: attempts.map(toAttemptRow) };
}
