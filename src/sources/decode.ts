import type { Either } from 'fp-ts/lib/Either.js';
import type { SourceConfig } from '../config/types.ts';
import type { GatewayEvent } from '../event.ts';
import { decodeMta } from './mta/decode.ts';

/** Why a body could not become an event: the HTTP status and the 400/404 answer's body. */
export interface DecodeFailure {
  status: 400 | 404;
  error: string;
  details: Array<{ path: string; message: string }>;
}

/** Decodes a parsed body for a configured source into the normalized event (one place that knows source kinds). */
export function decodeForSource(
  source: SourceConfig,
  body: unknown,
  meta: { urlEvent?: string; id: string; receivedAt: string },
): Either<DecodeFailure, GatewayEvent> {
  switch (source.kind) {
    case 'mta':
      return decodeMta(body, {
        source: source.name,
        version: source.version,
        defaultCountry: source.defaultCountry,
        urlEvent: meta.urlEvent,
        id: meta.id,
        receivedAt: meta.receivedAt,
      });
  }
}
