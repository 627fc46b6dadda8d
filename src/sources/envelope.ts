import { ENVELOPE_KEYS, type GatewayEvent } from '../event.ts';
import type { DecodedEvent } from './api.ts';

/**
 * Wraps what a source decoded in the envelope every event has: `{ id, source, type, receivedAt, occurredAt?,
 * ...fields, tags, payload }`. A field named like an envelope key is dropped rather than allowed to overwrite
 * it (the host refuses such declarations at load; this guards what a plugin returns undeclared).
 */
export function envelope(
  decoded: DecodedEvent,
  meta: { id: string; source: string; receivedAt: string; body: unknown },
): GatewayEvent {
  // Built by assignment in the envelope's key order (spreads of conditional literals cost a temporary each).
  const event: Record<string, unknown> = { id: meta.id, source: meta.source, type: decoded.type };
  const fields = decoded.fields;
  if (fields !== undefined) {
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      if (value === undefined || RESERVED.has(key)) continue;
      // A plugin's field named `__proto__` must be a plain key, not a prototype to set.
      if (key === '__proto__') Object.defineProperty(event, key, { value, enumerable: true, writable: true });
      else event[key] = value;
    }
  }
  event.receivedAt = meta.receivedAt;
  if (decoded.occurredAt !== undefined) event.occurredAt = decoded.occurredAt;
  event.tags = decoded.tags ?? {};
  event.payload = decoded.payload === undefined ? meta.body : decoded.payload;
  if (decoded.decodeNotes !== undefined && decoded.decodeNotes.length > 0)
    event.decodeNotes = decoded.decodeNotes;
  return event as GatewayEvent;
}

/** The envelope's own keys: a field so named is dropped. */
const RESERVED: ReadonlySet<string> = new Set(ENVELOPE_KEYS);
