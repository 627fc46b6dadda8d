import * as t from 'io-ts';
import type { EventFields, MappingContext } from '../event-fields.ts';
import { optional, Text, WholeNumber } from '../fields.ts';
import { fromNational, NationalPhone } from '../phones.ts';
import { Tags, tagsOf } from '../tags.ts';

/** message-reply, V1 — provisional reconstruction (see the MTA spec). */
export const codec = t.type(
  {
    fromNumber: NationalPhone,
    message: Text,
    /** The outbound message this replies to. */
    messageId: optional(WholeNumber),
    externalId: optional(Text),
    tags: optional(Tags),
  },
  'message-reply V1',
);

/** The decoded body. */
export type Body = t.TypeOf<typeof codec>;

/** The event fields this body gives. */
export function toEvent(body: Body, ctx: MappingContext): EventFields {
  return {
    ...fromNational(body.fromNumber, ctx.defaultCountry),
    messageId: body.messageId ?? undefined,
    externalId: body.externalId ?? undefined,
    text: body.message,
    tags: tagsOf(body.tags),
  };
}
