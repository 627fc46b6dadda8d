import type { GatewayEvent } from '../event.ts';
import type {
  AttemptRow,
  ClaimedDelivery,
  DeliveryRow,
  DeliveryState,
  RejectedPayload,
  RouteVerdict,
} from './types.ts';

/** Epoch milliseconds as a driver returns them (pg answers BIGINT as a string to keep precision). */
export type Millis = number | string;

/** A `deliveries` row as both backends select it. */
export interface DeliveryRecord {
  id: string;
  event_id: string;
  destination: string;
  route: string;
  state: string;
  attempts: number;
  next_at: Millis | null;
  last_error: string | null;
  created_at: Millis;
  updated_at: Millis;
}

/** An `attempts` row as both backends select it. */
export interface AttemptRecordRow {
  delivery_id: string;
  number: number;
  started_at: Millis;
  duration_ms: number;
  outcome: string;
  reason: string | null;
  status_code: number | null;
}

/** A `rejected` row as both backends select it (JSON columns arrive as text or already parsed). */
export interface RejectedRecord {
  id: string;
  source: string;
  url_event: string | null;
  received_at: Millis;
  body: string;
  raw_body: string | null;
  errors: unknown;
}

/**
 * The columns every delivery listing selects, in the order DeliveryRecord names them. `attempts` is the number of
 * the last attempt: those made before replays (attempt_offset) plus those since.
 */
export const DELIVERY_COLUMNS =
  'id, event_id, destination, route, state, attempt_offset + attempts AS attempts, next_at, last_error, created_at, updated_at';

/** Renders stored epoch milliseconds as the ISO 8601 UTC string rows carry. */
export function iso(ms: Millis): string {
  return new Date(Number(ms)).toISOString();
}

/** Parses a JSON column: SQLite hands back text, pg has already parsed `json` columns. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Maps a stored delivery to the row the admin API and the CLI list. */
export function toDeliveryRow(r: DeliveryRecord): DeliveryRow {
  return {
    id: r.id,
    eventId: r.event_id,
    destination: r.destination,
    route: r.route,
    state: r.state as DeliveryState,
    attempts: Number(r.attempts),
    nextAt: r.next_at === null ? null : iso(r.next_at),
    lastError: r.last_error,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/** Maps a stored attempt to the row the admin API shows; absent reason/status stay absent. */
export function toAttemptRow(r: AttemptRecordRow): AttemptRow {
  const row: AttemptRow = {
    deliveryId: r.delivery_id,
    number: Number(r.number),
    startedAt: iso(r.started_at),
    durationMs: Number(r.duration_ms),
    outcome: r.outcome as AttemptRow['outcome'],
  };
  if (r.reason !== null) row.reason = r.reason;
  if (r.status_code !== null) row.statusCode = Number(r.status_code);
  return row;
}

/** Maps a stored rejected payload back to its API shape. */
export function toRejected(r: RejectedRecord): RejectedPayload {
  return {
    id: r.id,
    source: r.source,
    urlEvent: r.url_event,
    receivedAt: iso(r.received_at),
    body: r.body,
    ...(r.raw_body === null ? {} : { rawBody: r.raw_body }),
    errors: fromJson<RejectedPayload['errors']>(r.errors),
  };
}

/** The event columns as stored, derived once so both backends store the same thing. */
export interface EventColumns {
  id: string;
  source: string;
  type: string;
  receivedAt: number;
  event: string;
  routes: string;
  unrouted: boolean;
}

/**
 * Derives the stored columns of an event. `unrouted` means no route matched and nothing was chosen;
 * receivedAt falls back to `now` when the event's own timestamp does not parse.
 */
export function eventColumns(event: GatewayEvent, routes: RouteVerdict[], deliveries: number, now: number) {
  const receivedAt = Date.parse(event.receivedAt);
  const columns: EventColumns = {
    id: event.id,
    source: event.source,
    type: event.type,
    receivedAt: Number.isNaN(receivedAt) ? now : receivedAt,
    event: JSON.stringify(event),
    routes: JSON.stringify(routes),
    unrouted: deliveries === 0 && !routes.some((r) => r.matched),
  };
  return columns;
}

/** The column value a NextState gives `last_error`: the attempt's reason unless it was delivered. */
export function lastError(outcome: string, reason: string | undefined): string | null {
  return outcome === 'delivered' ? null : (reason ?? null);
}

/** A claimed delivery with its event still the stored JSON text (how the SQLite thread answers a claim). */
export type ClaimedRaw = Omit<ClaimedDelivery, 'event'> & { event: string };

/** ClaimedRaw rows with their events parsed, in place. */
export function parseClaimed(rows: ClaimedRaw[]): ClaimedDelivery[] {
  for (const row of rows) (row as unknown as ClaimedDelivery).event = JSON.parse(row.event);
  return rows as unknown as ClaimedDelivery[];
}
