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
