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
  // No prototype: a plugin's field named `__proto__` must be a plain key, not a prototype to set.
  const fields: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(decoded.fields ?? {})) {
    if (value !== undefined && !(ENVELOPE_KEYS as readonly string[]).includes(key)) fields[key] = value;
  }
  return {
    id: meta.id,
    source: meta.source,
    type: decoded.type,
    ...fields,
    receivedAt: meta.receivedAt,
    ...(decoded.occurredAt === undefined ? {} : { occurredAt: decoded.occurredAt }),
    tags: decoded.tags ?? {},
    payload: decoded.payload === undefined ? meta.body : decoded.payload,
    ...(decoded.decodeNotes === undefined || decoded.decodeNotes.length === 0
      ? {}
      : { decodeNotes: decoded.decodeNotes }),
  };
}
