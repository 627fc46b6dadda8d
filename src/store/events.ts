import type { GatewayEvent } from '../event.ts';
import {
  cursorCondition,
  deliveryConditions,
  eventPageSql,
  pageSize,
  postgresJsonText,
  sqliteJsonText,
  toEventPage,
  toPage,
  where,
} from './filters.ts';
import {
  type AttemptRecordRow,
  DELIVERY_COLUMNS,
  type DeliveryRecord,
  fromJson,
  toAttemptRow,
  toDeliveryRow,
} from './rows.ts';
import { type Param, questionBind, type Sql } from './sql.ts';
import type { EventLogOps, RouteVerdict } from './types.ts';

/** The event log: what was received, where it went and every attempt, in SQL both dialects speak. */

const EVENT = 'SELECT event, routes, unrouted FROM events WHERE id = ?';
const EVENT_DELIVERIES = `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE event_id = ? ORDER BY id`;
const EVENT_ATTEMPTS = `
  SELECT a.delivery_id, a.number, a.started_at, a.duration_ms, a.outcome, a.reason, a.status_code
  FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
  WHERE d.event_id = ?
  ORDER BY a.delivery_id, a.number, a.id`;

/** An event with its route verdicts, its deliveries and every attempt of each; null when unknown. */
export async function getEvent(sql: Sql, { id }: Parameters<EventLogOps['getEvent']>[0]) {
  const [row] = await sql.all<{ event: unknown; routes: unknown; unrouted: number | boolean }>(EVENT, [id]);
  if (row === undefined) return null;
  const [deliveries, attempts] = await Promise.all([
    sql.all<DeliveryRecord>(EVENT_DELIVERIES, [id]),
    sql.all<AttemptRecordRow>(EVENT_ATTEMPTS, [id]),
  ]);
  return {
    event: fromJson<GatewayEvent>(row.event),
    routes: fromJson<RouteVerdict[]>(row.routes),
    unrouted: Boolean(row.unrouted),
    deliveries: deliveries.map((d) => ({
      ...toDeliveryRow(d),
      attemptLog: attempts.filter((a) => a.delivery_id === d.id).map(toAttemptRow),
    })),
  };
}

/** One newest-first page of `columns` from `table` under `conditions` (built with `bind`, then the cursor). */
async function newestFirst<R extends { id: string }>(
  sql: Sql,
  query: { columns: string; table: string; limit: number; cursor?: string },
  conditions: (bind: (value: string | number | boolean) => string) => string[],
) {
  const size = pageSize(query.limit);
  const params: Param[] = [];
  const bind = questionBind(params);
  const where_ = where([...conditions(bind), ...cursorCondition(query.cursor, bind)]);
  const text = `SELECT ${query.columns} FROM ${query.table}${where_} ORDER BY id DESC LIMIT ${bind(size + 1)}`;
  return { rows: await sql.all<R>(text, params), size };
}

/**
 * A newest-first page of events matching the filter. The JSON conditions (status, phone, tag) are the one part
 * the dialects write differently (filters.ts JsonText); with a scanLimit they look at a bounded window.
 */
export async function listEvents(
  sql: Sql,
  { filter, limit, cursor }: Parameters<EventLogOps['listEvents']>[0],
) {
  const size = pageSize(limit);
  const json = sql.dialect === 'sqlite' ? sqliteJsonText : postgresJsonText;
  const { page, edge } = eventPageSql(filter, size, cursor, (p) => questionBind(p as Param[]), json);
  const rows = await sql.all<{ id: string; event: unknown }>(page.text, page.params as Param[]);
  const edgeId =
    edge && rows.length <= size
      ? (await sql.all<{ id: string }>(edge.text, edge.params as Param[]))[0]?.id
      : undefined;
  return toEventPage(rows, size, (r) => fromJson<GatewayEvent>(r.event), edgeId);
}

/** A newest-first page of deliveries matching the filter. */
export async function listDeliveries(
  sql: Sql,
  { filter, limit, cursor }: Parameters<EventLogOps['listDeliveries']>[0],
) {
  const page = await newestFirst<DeliveryRecord>(
    sql,
    { columns: DELIVERY_COLUMNS, table: 'deliveries', limit, cursor },
    (bind) => deliveryConditions(filter, bind),
  );
  return toPage(page.rows, page.size, toDeliveryRow);
}

const DELIVERY = `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = ?`;
const DELIVERY_ATTEMPTS = `
  SELECT delivery_id, number, started_at, duration_ms, outcome, reason, status_code
  FROM attempts WHERE delivery_id = ? ORDER BY number, id`;

/** One delivery with every attempt, or null. */
export async function getDelivery(sql: Sql, { id }: Parameters<EventLogOps['getDelivery']>[0]) {
  const [[row], attempts] = await Promise.all([
    sql.all<DeliveryRecord>(DELIVERY, [id]),
    sql.all<AttemptRecordRow>(DELIVERY_ATTEMPTS, [id]),
  ]);
  return row === undefined ? null : { ...toDeliveryRow(row), attemptLog: attempts.map(toAttemptRow) };
}
