/** The type of an authentic body that could not be decoded: kept, routable, and re-decodable later. */
export const UNRECOGNIZED = 'unrecognized';

/** A coercion or alias used while decoding (see sources/mta/fields/notes.ts). */
export interface DecodeNote {
  /** The body field, e.g. `timestamp` or `tags`. */
  path: string;
  /** A fixed kind, e.g. `numeric-string`, `alias`, `zoneless-time` (a metric label). */
  kind: string;
  /** In words, without the value (values may be phone numbers). */
  message: string;
}

/**
 * The keys of the envelope every event has, whatever its source. A source's own fields sit beside them under
 * the names the source declares (`phone`, `status` for MTA), so they may not reuse these names.
 */
export const ENVELOPE_KEYS = [
  'id',
  'source',
  'type',
  'receivedAt',
  'occurredAt',
  'tags',
  'payload',
  'decodeNotes',
  'problems',
  'rawBody',
  'redecodedFrom',
  'urlEvent',
  'contentType',
] as const;

/**
 * The normalized event every source decodes into and every route and destination sees (contract §3): an
 * envelope the core knows, plus the fields its source declares (see sources/api.ts), read by name. The core
 * never reads a provider's field itself; routing, templates and the store go through what the source declares.
 */
export interface GatewayEvent {
  /** Assigned by the gateway; sorts by time (ULID). */
  id: string;
  /** The source's name in config, e.g. "mta". */
  source: string;
  /** The event type as the source names it (MTA: `delivery-status`…), or `unrecognized`. */
  type: string;
  /** ISO 8601 UTC. */
  receivedAt: string;
  /** ISO 8601 UTC, from the payload's timestamp when it has one. */
  occurredAt?: string;
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
  /** On `unrecognized` events from a form body: `application/x-www-form-urlencoded` (redecode parses it so). */
  contentType?: string;
  /** The source's declared fields (MTA: version, phone, status, text…). */
  [field: string]: unknown;
}
