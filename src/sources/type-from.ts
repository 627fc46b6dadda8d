import type { Either } from 'fp-ts/lib/Either.js';
import * as E from 'fp-ts/lib/Either.js';
import { type Codec, refine } from '../config/codecs.ts';
import type { DecodeContext, DecodedEvent, DecodeFailure } from './api.ts';

/**
 * Where a generic source reads the event type: `json:<dotted.path>` in the body, or `header:<Name>` (e.g.
 * GitHub's `X-GitHub-Event`). Shared by the standard-webhooks and hmac sources.
 */
export type TypeFrom = { from: 'json'; path: string[] } | { from: 'header'; name: string };

/** The `typeFrom:` option: `json:type`, `json:event.kind` or `header:X-GitHub-Event`. */
export const typeFrom: Codec<TypeFrom> = refine(
  'json:<path> (e.g. json:type) or header:<Name> (e.g. header:X-GitHub-Event)',
  (u) => {
    if (typeof u !== 'string') return undefined;
    const json = /^json:([^.\s]+(?:\.[^.\s]+)*)$/.exec(u);
    if (json) return { from: 'json', path: json[1].split('.') };
    const header = /^header:([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(u);
    return header ? { from: 'header', name: header[1].toLowerCase() } : undefined;
  },
);

/** How a TypeFrom reads in messages: `json:type`, `header:x-github-event`. */
export function showTypeFrom(t: TypeFrom): string {
  return t.from === 'json' ? `json:${t.path.join('.')}` : `header:${t.name}`;
}

/**
 * Decodes a generic JSON webhook: the body must be a JSON object; its type is what `typeFrom` reads (a string
 * or a number); its fields are the body's top-level fields, routable as `payload.<path>`.
 */
export function decodeGeneric(
  body: unknown,
  ctx: DecodeContext<{ typeFrom: TypeFrom }>,
  kind: string,
): Either<DecodeFailure, DecodedEvent> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return E.left({ status: 400, error: `a ${kind} payload must be a JSON object`, details: [] });
  }
  const where = ctx.options.typeFrom;
  const found = where.from === 'header' ? ctx.headers[where.name] : readPath(body, where.path);
  if ((typeof found === 'string' && found.trim() !== '') || typeof found === 'number') {
    return E.right({ type: String(found).trim(), payload: body });
  }
  const path = where.from === 'json' ? where.path.join('.') : `header ${where.name}`;
  const message =
    found === undefined || found === null || found === ''
      ? `no event type: typeFrom is ${showTypeFrom(where)} and the request has none`
      : `the event type must be a string or a number, not ${Array.isArray(found) ? 'a list' : typeof found}`;
  return E.left({ status: 400, error: `invalid ${kind} payload`, details: [{ path, message }] });
}

function readPath(root: unknown, segments: readonly string[]): unknown {
  let here = root;
  for (const segment of segments) {
    if (typeof here !== 'object' || here === null || !Object.hasOwn(here, segment)) return undefined;
    here = (here as Record<string, unknown>)[segment];
  }
  return here;
}
