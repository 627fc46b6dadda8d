import type { SourceConfig } from '../config/types.ts';
import { type GatewayEvent, UNRECOGNIZED } from '../event.ts';

/** Why a body did not decode: the headline and one entry per bad field, as the 400 answer would say it. */
export interface Undecodable {
  error: string;
  details: Array<{ path: string; message: string }>;
}

/**
 * The event kept for an authentic body that could not be decoded (contract §3, type `unrecognized`): the
 * body's bytes exactly as received (base64, so invalid UTF-8 survives), the parsed JSON when there was any,
 * the problems found, and the URL's event segment, which `redecode` needs to decode it again. It is routed
 * like any event (`match: { type: unrecognized }`).
 */
export function unrecognizedEvent(args: {
  id: string;
  source: SourceConfig;
  receivedAt: string;
  raw: Buffer;
  /** The parsed body, or undefined when it was not JSON. */
  payload: unknown;
  urlEvent?: string;
  /** The body's media type when it was not JSON (a form), kept so redecode parses it the same way. */
  contentType?: string;
  why: Undecodable;
}): GatewayEvent {
  const { id, source, receivedAt, raw, payload, urlEvent, contentType, why } = args;
  return {
    id,
    source: source.name,
    type: UNRECOGNIZED,
    ...baseFields(source),
    receivedAt,
    tags: {},
    payload: payload === undefined ? null : payload,
    problems: [{ path: '', message: why.error }, ...why.details],
    rawBody: raw.toString('base64'),
    ...(urlEvent === undefined ? {} : { urlEvent }),
    ...(contentType === undefined ? {} : { contentType }),
  };
}

/**
 * A body as the rejected-payload log keeps it: its UTF-8 text to read, and its exact bytes (base64) too when the
 * text cannot hold them (bytes that are not UTF-8 become U+FFFD; PostgreSQL's text holds no NUL). The log is the
 * only copy of an authentic body refused with `onUndecodable: reject`, so it must be the body as sent.
 */
export function keptBody(raw: Buffer): { body: string; rawBody?: string } {
  const body = raw.toString('utf8');
  const exact = !raw.includes(0) && Buffer.from(body).equals(raw);
  return exact ? { body } : { body, rawBody: raw.toString('base64') };
}

/** The bytes of a kept body: the exact ones when they were kept, else its text's. */
export function keptBytes(kept: { body: string; rawBody?: string }): Buffer {
  return kept.rawBody === undefined ? Buffer.from(kept.body, 'utf8') : Buffer.from(kept.rawBody, 'base64');
}

/** The plugin's fields for every event of the source; none when its `baseFields` throws or answers no object. */
function baseFields(source: SourceConfig): Record<string, unknown> {
  try {
    const fields: unknown = source.plugin.baseFields?.(source.options);
    return typeof fields === 'object' && fields !== null && !Array.isArray(fields)
      ? (fields as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
