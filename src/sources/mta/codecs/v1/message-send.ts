import * as t from 'io-ts';
import type { EventFields, MappingContext } from '../event-fields.ts';
import { optional, Text, WholeNumber } from '../fields.ts';
import { fromNational, NationalPhone } from '../phones.ts';
import { Tags, tagsOf } from '../tags.ts';

/** message-send, V1 — provisional reconstruction (see the MTA spec). */
export const codec = t.type(
  {
    destinationNumber: NationalPhone,
    messageId: WholeNumber,
    message: Text,
    externalId: optional(Text),
    tags: optional(Tags),
  },
  'message-send V1',
);

/** The decoded body. */
export type Body = t.TypeOf<typeof codec>;

/** The event fields this body gives. */
export function toEvent(body: Body, ctx: MappingContext): EventFields {
  return {
    ...fromNational(body.destinationNumber, ctx.defaultCountry),
    messageId: body.messageId,
    externalId: body.externalId ?? undefined,
    text: body.message,
    tags: tagsOf(body.tags),
  };
}
