import * as t from 'io-ts';
import type { EventFields, MappingContext } from '../event-fields.ts';
import { optional, Text, WholeNumber } from '../fields.ts';
import { E164Phone, fromE164 } from '../phones.ts';
import { Tags, tagsOf } from '../tags.ts';

/** message-send, V2 — provisional: `destinationNumber` in E.164, adds `senderName`. */
export const codec = t.type(
  {
    destinationNumber: E164Phone,
    messageId: WholeNumber,
    message: Text,
    externalId: optional(Text),
    tags: optional(Tags),
    senderName: optional(Text),
  },
  'message-send V2',
);

/** The decoded body. */
export type Body = t.TypeOf<typeof codec>;

/** The event fields this body gives. */
export function toEvent(body: Body, ctx: MappingContext): EventFields {
  return {
    ...fromE164(body.destinationNumber, ctx.defaultCountry),
    messageId: body.messageId,
    externalId: body.externalId ?? undefined,
    text: body.message,
    senderName: body.senderName ?? undefined,
    tags: tagsOf(body.tags),
  };
}
