import { type Either, left, right } from 'fp-ts/lib/Either.js';
import { didYouMean } from '../../config/issues.ts';
import type { DecodeFailure } from '../api.ts';
import { describe } from './describe.ts';
import { EVENT_TYPES, type EventType } from './event.ts';

const KNOWN = EVENT_TYPES.join(', ');

/**
 * An event type from either spelling MTA uses, case-insensitive: the registration name (`delivery-status`)
 * or the enum name (`DELIVERY_STATUS`), and the same words joined otherwise (`DeliveryStatus`, `deliveryStatus`,
 * `delivery status`, as serializers write an enum): only the letters count, and no two types share them.
 */
export function parseEventType(name: string): EventType | undefined {
  const letters = wordsJoined(name);
  return EVENT_TYPES.find((type) => wordsJoined(type) === letters);
}

/** A name's words joined, lowercase, without the separators MTA and serializers put between them. */
function wordsJoined(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/** The event named by the URL's event segment, if any. An unknown one is a 404: that resource does not exist. */
export function urlEventType(urlEvent: string | undefined): Either<DecodeFailure, EventType | undefined> {
  if (urlEvent === undefined) return right(undefined);
  const type = parseEventType(urlEvent);
  if (type !== undefined) return right(type);
  return left({
    status: 404,
    // The URL is the sender's to choose: quote a bounded piece of it.
    error: `unknown event "${urlEvent.length > 64 ? `${urlEvent.slice(0, 64)}…` : urlEvent}"${didYouMean(urlEvent, EVENT_TYPES)}; known events: ${KNOWN}`,
    details: [],
  });
}

/**
 * Which event a body is: its `type`, or the URL's event when the body has none; both when they agree.
 * A `type` of null counts as absent, like MTA's optional fields. Every problem here is a 400 about `type`.
 */
export function bodyEventType(
  bodyType: unknown,
  fromUrl: EventType | undefined,
): Either<DecodeFailure, EventType> {
  if (bodyType === undefined || bodyType === null) {
    if (fromUrl !== undefined) return right(fromUrl);
    return badType('payload has no event type', 'is required unless the URL names the event');
  }
  if (typeof bodyType !== 'string') {
    return badType('invalid event type', `expected a string, got ${describe(bodyType)}`);
  }
  const fromBody = parseEventType(bodyType);
  if (fromBody === undefined) {
    const suggestion = didYouMean(bodyType.toLowerCase().replaceAll('_', '-'), EVENT_TYPES);
    return badType(
      `unknown event type "${bodyType}"`,
      `${JSON.stringify(bodyType)} is not an MTA event type${suggestion}; expected one of ${KNOWN}`,
    );
  }
  if (fromUrl !== undefined && fromUrl !== fromBody) {
    return badType(
      `the body's type "${bodyType}" does not match the event "${fromUrl}" in the URL`,
      `is ${fromBody} but the URL names ${fromUrl}`,
    );
  }
  return right(fromBody);
}

function badType(error: string, message: string): Either<DecodeFailure, never> {
  return left({ status: 400, error, details: [{ path: 'type', message }] });
}
