/** The four kinds of event a source can produce, in the registration spelling MTA uses. */
export const EVENT_TYPES = ['delivery-status', 'message-reply', 'message-send', 'number-opt-in'] as const;

/** One of the four event kinds. */
export type EventType = (typeof EVENT_TYPES)[number];

/** A delivery status with the gateway's own classification (see sources/mta/status.ts). */
export interface EventStatus {
  code: number;
  name: string;
  failed: boolean;
  final: boolean;
}

/** The normalized event every source decodes into and every route and destination sees (contract §3). */
export interface GatewayEvent {
  /** Assigned by the gateway; sorts by time (ULID). */
  id: string;
  /** The source's name in config, e.g. "mta". */
  source: string;
  type: EventType;
  version: 1 | 2 | 3;
  /** ISO 8601 UTC. */
  receivedAt: string;
  occurredAt?: string;
  /** E.164 when known. */
  phone?: string;
  phoneNational?: string;
  messageId?: number;
  externalId?: string;
  status?: EventStatus;
  text?: string;
  mediaUrls?: string[];
  optInType?: string;
  senderName?: string;
  /** `{}` when absent or null; a null-prototype-safe plain object. */
  tags: Record<string, string>;
  /** The body exactly as decoded from JSON. */
  payload: unknown;
}
