import * as t from 'io-ts';
import type { EventFields, MappingContext } from '../event-fields.ts';
import { optional, Text, WholeNumber } from '../fields.ts';
import { E164Phone, fromE164 } from '../phones.ts';
import { Tags, tagsOf } from '../tags.ts';
import { IsoTimestamp } from '../timestamp.ts';

/** message-send, V3 — provisional: V2 plus `timestamp` and `channel?`. */
export const codec = t.type(
  {
    destinationNumber: E164Phone,
    messageId: WholeNumber,
    message: Text,
    externalId: optional(Text),
    tags: optional(Tags),
    senderName: optional(Text),
    /** sms, mms, imessage, rcs; an unknown channel is kept (checked as a string, kept in payload only). */
    channel: optional(Text),
    timestamp: IsoTimestamp,
  },
  'message-send V3',
);

/** The decoded body. */
export type Body = t.TypeOf<typeof codec>;

/** The event fields this body gives. */
export function toEvent(body: Body, ctx: MappingContext): EventFields {
  return {
    occurredAt: body.timestamp,
    ...fromE164(body.destinationNumber, ctx.defaultCountry),
    messageId: body.messageId,
    externalId: body.externalId ?? undefined,
    text: body.message,
    senderName: body.senderName ?? undefined,
    tags: tagsOf(body.tags),
  };
}
