import * as t from 'io-ts';
import type { EventFields, MappingContext } from '../event-fields.ts';
import { optional, Text, TextList, WholeNumber } from '../fields.ts';
import { E164Phone, fromE164 } from '../phones.ts';
import { Tags, tagsOf } from '../tags.ts';
import { IsoTimestamp } from '../timestamp.ts';

/** message-reply, V3 — provisional: V2 plus `timestamp`, `mediaUrls?` and `senderName?`. */
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
    mediaUrls: optional(TextList),
    senderName: optional(Text),
    timestamp: IsoTimestamp,
  },
  'message-reply V3',
);

/** The decoded body. */
export type Body = t.TypeOf<typeof codec>;

/** The event fields this body gives. */
export function toEvent(body: Body, ctx: MappingContext): EventFields {
  return {
    occurredAt: body.timestamp,
    ...fromE164(body.fromNumber, ctx.defaultCountry),
    messageId: body.messageId ?? undefined,
    externalId: body.externalId ?? undefined,
    text: body.message,
    mediaUrls: body.mediaUrls ?? undefined,
    senderName: body.senderName ?? undefined,
    tags: tagsOf(body.tags),
  };
}
