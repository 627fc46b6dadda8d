import * as t from 'io-ts';
import type { EventFields, MappingContext } from '../event-fields.ts';
import { optional, Text, WholeNumber } from '../fields.ts';
import { E164Phone, fromE164 } from '../phones.ts';
import { Tags, tagsOf } from '../tags.ts';

/** message-reply, V2 — provisional: numbers in E.164, adds `toNumber` and `replyId`. */
export const codec = t.type(
  {
    fromNumber: E164Phone,
    /** Your number or short code that received the reply (checked, kept in payload only). */
    toNumber: E164Phone,
    /** MTA's id of the inbound message (checked, kept in payload only). */
    replyId: WholeNumber,
    message: Text,
    /** The outbound message this replies to. */
    messageId: optional(WholeNumber),
    externalId: optional(Text),
    tags: optional(Tags),
  },
  'message-reply V2',
);

/** The decoded body. */
export type Body = t.TypeOf<typeof codec>;

/** The event fields this body gives. */
export function toEvent(body: Body, ctx: MappingContext): EventFields {
  return {
    ...fromE164(body.fromNumber, ctx.defaultCountry),
    messageId: body.messageId ?? undefined,
    externalId: body.externalId ?? undefined,
    text: body.message,
    tags: tagsOf(body.tags),
  };
}
