import * as t from 'io-ts';
import type { EventFields, MappingContext } from '../event-fields.ts';
import { Text } from '../fields.ts';
import { fromNational, NationalPhone } from '../phones.ts';

/** number-opt-in, V1 — provisional reconstruction (see the MTA spec). No tags: opt-ins are not about a message. */
export const codec = t.type(
  {
    number: NationalPhone,
    /** sms, email, imessage, rcs (documented); an unknown channel is kept as it is. */
    optInType: Text,
  },
  'number-opt-in V1',
);

/** The decoded body. */
export type Body = t.TypeOf<typeof codec>;

/** The event fields this body gives. */
export function toEvent(body: Body, ctx: MappingContext): EventFields {
  return {
    ...fromNational(body.number, ctx.defaultCountry),
    optInType: body.optInType,
    tags: {},
  };
}
