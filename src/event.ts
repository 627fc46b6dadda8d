/** The four kinds of event a source can produce, in the registration spelling MTA uses. */
export const EVENT_TYPES = ['delivery-status', 'message-reply', 'message-send', 'number-opt-in'] as const;

/** One of the four event kinds. */
export type EventType = (typeof EVENT_TYPES)[number];

/** The type of an authentic body that could not be decoded: kept, routable, and re-decodable later. */
export const UNRECOGNIZED = 'unrecognized';

/** Every type an event can have: a decoded kind, or `unrecognized`. */
export type AnyEventType = EventType | typeof UNRECOGNIZED;

/** A coercion or alias used while decoding (see sources/mta/fields/notes.ts). */
export interface DecodeNote {
  /** The body field, e.g. `timestamp` or `tags`. */
  path: string;
  /** A fixed kind, e.g. `numeric-string`, `alias`, `zoneless-time` (a metric label). */
  kind: string;
  /** In words, without the value (values may be phone numbers). */
  message: string;
}

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
  type: AnyEventType;
  version: 1 | 2 | 3;
  /** ISO 8601 UTC. */
  receivedAt: string;
  occurredAt?: string;
  /** E.164 when known. */
  phone?: string;
  phoneNational?: string;
  /** The number as given when it is not a possible phone number (then there is no `phone`). */
  phoneRaw?: string;
  messageId?: number;
  externalId?: string;
  status?: EventStatus;
  text?: string;
  mediaUrls?: string[];
  optInType?: string;
  senderName?: string;
  /** `{}` when absent or null; a null-prototype-safe plain object. */
  tags: Record<string, string>;
  /** The body exactly as decoded from JSON (null on an `unrecognized` event whose body is not JSON). */
  payload: unknown;
  /** Coercions and aliases used while decoding; absent when there were none. */
  decodeNotes?: DecodeNote[];
  /** On `unrecognized` events: why the body could not be decoded, one entry per bad field. */
  problems?: Array<{ path: string; message: string }>;
  /** On `unrecognized` events: the body's bytes exactly as received, base64. */
  rawBody?: string;
  /** On an event made by `switchboard redecode`: the id of the `unrecognized` event it was decoded from. */
  redecodedFrom?: string;
  /** On `unrecognized` events: the event segment of the URL it was posted to, if any (for redecode). */
  urlEvent?: string;
}
