import type { DestinationStates } from '../../admin/destinations.ts';
import type { EventQuery } from '../../admin/event-query.ts';
import type { GatewayEvent } from '../../event.ts';
import type { DeliveryRow, EventDetail, Page, Pause, RejectedPayload } from '../../store/types.ts';

/** A delivery with every attempt. */
export type DeliveryDetail = DeliveryRow & { attemptLog: EventDetail['deliveries'][number]['attemptLog'] };

/** Filters as the operator types them (strings, checked by whoever answers: the local store or the API). */
export interface DeliveryQuery {
  state?: string;
  destination?: string;
  since?: string;
  until?: string;
  eventId?: string;
}

/** Event filters as typed: the admin API's (admin/event-query.ts), so both backends read them alike. */
export type { EventQuery } from '../../admin/event-query.ts';

/** How to pause, as typed: `for` (a duration) or `until` (an ISO date), a comment, and who. */
export interface PauseInput {
  comment?: string;
  for?: string;
  until?: string;
  by: string;
}

/**
 * What operator commands work on: the store named by the config's `store` section (nothing else of the config
 * needs to be valid), or a running gateway's admin API (`--url`, token from $SWITCHBOARD_ADMIN_TOKEN), as
 * amtool does for Alertmanager. Both answer the same shapes; a bad filter throws BadParam or UsageError (exit 2).
 */
export interface Operator {
  /** `store /path/to.db` or the URL: said in messages so the operator knows what was asked. */
  readonly where: string;
  listDeliveries(q: DeliveryQuery, limit: number): Promise<Page<DeliveryRow>>;
  getDelivery(id: string): Promise<DeliveryDetail | null>;
  /** Replays by ids or filter; answers how many were put back. */
  replay(target: { ids: string[] } | { filter: DeliveryQuery }, includeDelivered: boolean): Promise<number>;
  /** Pauses a destination, or a route by that name; answers which it was and the pause recorded. */
  pause(
    name: string,
    how: PauseInput,
  ): Promise<{ kind: 'destination' | 'route'; pause: Omit<Pause, 'name' | 'since'> }>;
  /**
   * Lifts the pause of a destination or route (also of a name no longer in the config, while it is paused);
   * `wasPaused` is false when it was not paused, and nothing changed.
   */
  resume(name: string): Promise<{ kind: 'destination' | 'route'; wasPaused: boolean }>;
  listEvents(q: EventQuery, limit: number): Promise<Page<GatewayEvent>>;
  getEvent(id: string): Promise<EventDetail | null>;
  destinations(): Promise<DestinationStates>;
  listRejected(limit: number): Promise<Page<RejectedPayload>>;
  getRejected(id: string): Promise<RejectedPayload | null>;
  /** Hides every secret the config resolves (in any common encoding) in text about to be printed. */
  redact(text: string): string;
  close(): Promise<void>;
}
