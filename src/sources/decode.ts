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
  return map((d: Parameters<typeof envelope>[0]) =>
    envelope(d, { id: meta.id, source: source.name, receivedAt: meta.receivedAt, body }),
  )(decoded);
}
