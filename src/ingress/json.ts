import type { DecodeFailure } from '../sources/api.ts';

/** A body that is no JSON: the HTTP 400 answer's body (a decode failure before any source sees it). */
type BodyError = Omit<DecodeFailure, 'status'>;

/** Deeper than this is refused: no MTA payload nests past 3 levels, and deep input can exhaust the stack later. */
export const MAX_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes the raw body as strict UTF-8 (invalid byte sequences are a 400, not silently replaced). */
export function decodeUtf8(raw: Buffer): { ok: true; text: string } | { ok: false; error: BodyError } {
  try {
    return { ok: true, text: utf8.decode(raw) };
  } catch {
    return {
      ok: false,
      error: {
        error: 'body is not valid UTF-8',
        details: [{ path: '', message: 'contains an invalid UTF-8 byte sequence' }],
      },
    };
  }
}

/** Nesting depth of JSON text, counted without parsing (brackets inside strings are skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Parses a webhook body: strict UTF-8, bounded depth, valid JSON. */
export function parseJsonBody(
  raw: Buffer,
): { ok: true; value: unknown; text: string } | { ok: false; error: BodyError } {
  const decoded = decodeUtf8(raw);
  if (!decoded.ok) return decoded;
  const { text } = decoded;
  if (jsonDepth(text) > MAX_DEPTH) {
    return {
      ok: false,
      error: {
        error: `JSON nested deeper than ${MAX_DEPTH} levels`,
        details: [
          { path: '', message: `objects and arrays nest at most ${MAX_DEPTH} deep here (MTA's nest 3)` },
        ],
      },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text), text };
  } catch (err) {
    return {
      ok: false,
      error: { error: 'body is not valid JSON', details: [{ path: '', message: (err as Error).message }] },
    };
  }
}
