import { type DecodeFailure, PLUGIN_CONTENT_TYPES } from '../sources/api.ts';
import { decodeUtf8, parseJsonBody } from './json.ts';

/** The one media type besides JSON a source plugin may take (`contentTypes`), as Twilio and Slack send. */
export const FORM = PLUGIN_CONTENT_TYPES[0];

/** A body's media type: the Content-Type without parameters, lowercase (`''` when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * A form-encoded body as the object `decode` gets: each key's value as a string, a key given more than once
 * as the list of its values in order. Strict UTF-8 (a 400 otherwise, as for JSON); `+` is a space, `%XX` a
 * byte, as browsers and providers encode. A key named `__proto__` is a plain key.
 */
export function parseFormBody(
  raw: Buffer,
):
  | { ok: true; value: Record<string, string | string[]> }
  | { ok: false; error: Omit<DecodeFailure, 'status'> } {
  const decoded = decodeUtf8(raw);
  if (!decoded.ok) return decoded;
  const value: Record<string, string | string[]> = {};
  for (const [key, v] of new URLSearchParams(decoded.text)) {
    const had = Object.hasOwn(value, key) ? value[key] : undefined;
    const next = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    Object.defineProperty(value, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return { ok: true, value };
}

/**
 * Parses a webhook body by its media type: form-encoded when `contentType` is FORM (only sources whose plugin
 * takes it get such a body), else JSON. Answers the value, or the 400's error and details.
 */
export function parseBody(
  raw: Buffer,
  contentType: string | undefined,
): { ok: true; value: unknown } | { ok: false; error: Omit<DecodeFailure, 'status'> } {
  return contentType === FORM ? parseFormBody(raw) : parseJsonBody(raw);
}

/**
 * How to parse a kept body whose media type was not recorded (the rejected-payload log keeps only the text):
 * as a form when the source's plugin takes forms and the text is not JSON, else as JSON. A form body is JSON
 * only when it is a bare number, `true`, `false` or `null`, which no provider's form is.
 */
export function keptBodyType(
  plugin: { contentTypes?: readonly string[] } | undefined,
  raw: Buffer,
): typeof FORM | undefined {
  if (!plugin?.contentTypes?.includes(FORM)) return undefined;
  return parseJsonBody(raw).ok ? undefined : FORM;
}
