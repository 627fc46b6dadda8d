import { type Either, map } from 'fp-ts/lib/Either.js';
import type { SourceConfig } from '../config/types.ts';
import type { GatewayEvent } from '../event.ts';
import type { DecodeFailure } from './api.ts';
import { envelope } from './envelope.ts';

export type { DecodeFailure } from './api.ts';

/**
 * Decodes a parsed body for a configured source into the normalized event, through the source's plugin.
 * A plugin that throws (a bug in it) is answered as an undecodable body, so the authentic bytes are kept.
 */
export function decodeForSource(
  source: SourceConfig,
  body: unknown,
  meta: { urlEvent?: string; id: string; receivedAt: string; headers?: Record<string, string | undefined> },
): Either<DecodeFailure, GatewayEvent> {
  let decoded: ReturnType<SourceConfig['plugin']['decode']>;
  try {
    decoded = source.plugin.decode(body, {
      source: source.name,
      options: source.options,
      ...(meta.urlEvent === undefined ? {} : { urlEvent: meta.urlEvent }),
      headers: meta.headers ?? {},
    });
  } catch (err) {
    const message = `the ${source.kind} source plugin failed while decoding: ${(err as Error).message}`;
    return { _tag: 'Left', left: { status: 400, error: message, details: [] } };
  }
  if (decoded._tag === 'Right' && decoded.right.type.length > MAX_TYPE_CHARS) {
    return {
      _tag: 'Left',
      left: {
        status: 400,
        error: `the event type is ${decoded.right.type.length} characters long; at most ${MAX_TYPE_CHARS} are taken`,
        details: [{ path: 'type', message: `longer than ${MAX_TYPE_CHARS} characters` }],
      },
    };
  }
  return map((d: Parameters<typeof envelope>[0]) =>
    envelope(d, { id: meta.id, source: source.name, receivedAt: meta.receivedAt, body }),
  )(decoded);
}

/**
 * The longest event type taken, in UTF-16 code units. A generic source reads its type from the body or a
 * header, so it is whatever the sender wrote; real types are short (Stripe's longest is under 60). Types are
 * indexed, and PostgreSQL refuses an index entry over 2,704 bytes: a longer type failed the whole group commit
 * its webhook was in. 256 units are at most 768 bytes of UTF-8. A body with a longer type is undecodable, so it
 * is kept as an `unrecognized` event (or refused, with onUndecodable: reject) like any other.
 */
export const MAX_TYPE_CHARS = 256;
