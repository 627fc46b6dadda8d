import * as t from 'io-ts';
import type { EventFields, MappingContext } from '../event-fields.ts';
import { optional, Text } from '../fields.ts';
import { E164Phone, fromE164 } from '../phones.ts';
import { IsoTimestamp } from '../timestamp.ts';

/** number-opt-in, V3 — provisional: V2 plus `timestamp`. */
export const codec = t.type(
  {
    number: E164Phone,
    /** sms, email, imessage, rcs (documented); an unknown channel is kept as it is. */
    optInType: Text,
    senderName: optional(Text),
    timestamp: IsoTimestamp,
  },
  'number-opt-in V3',
);

/** The decoded body. */
export type Body = t.TypeOf<typeof codec>;

/** The event fields this body gives. */
export function toEvent(body: Body, ctx: MappingContext): EventFields {
  return {
    occurredAt: body.timestamp,
    ...fromE164(body.number, ctx.defaultCountry),
    optInType: body.optInType,
    senderName: body.senderName ?? undefined,
    tags: {},
  };
}
